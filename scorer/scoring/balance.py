"""Balance and lean from axis totals: `balance = plus - minus`, `lean = balance / (|plus| + |minus|)`, 0 when both are 0."""

from __future__ import annotations

import numpy as np


def balance_and_lean(totals: dict[str, float], plus: str, minus: str) -> tuple[float, float]:
    """The balance and lean of one row of totals."""
    balance = totals[plus] - totals[minus]
    scale = abs(totals[plus]) + abs(totals[minus])
    return balance, (balance / scale if scale else 0.0)


def balances_and_leans(plus: np.ndarray, minus: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`balance_and_lean` of many rows at once (same arithmetic, so the same floats)."""
    balance = plus - minus
    scale = np.abs(plus) + np.abs(minus)
    lean = np.divide(balance, scale, out=np.zeros_like(balance), where=scale != 0)
    return balance, lean
