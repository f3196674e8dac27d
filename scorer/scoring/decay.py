"""Decay: what a contribution made on one day is worth on a later day, and running totals that decay.

With `half_life_days = h`, a contribution `c` made on day `d` is worth
`c * 0.5 ** ((t - d) / h)` on day `t`; without `h` it keeps its worth. This
module is the one place that formula is written.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# Running totals are decayed block by block so that 2 ** (days / half-life) never overflows.
_MAX_HALVINGS = 500.0


def factor(elapsed: np.ndarray | float, half_life: float | None) -> np.ndarray:
    """What one unit contributed `elapsed` days ago is worth now (1 without decay)."""
    elapsed = np.asarray(elapsed, dtype=np.float64)
    if half_life is None:
        return np.ones_like(elapsed)
    worth: np.ndarray = np.power(0.5, elapsed / half_life)
    return worth


def running(
    days: Sequence[int] | np.ndarray, amounts: Sequence[float] | np.ndarray, half_life: float | None
) -> np.ndarray:
    """The total after each step, valued on that step's day (days ascending; amounts 1-D or one column per axis).

    With decay, each block of steps is summed scaled up by 2 ** (days since the
    block's first / h) and scaled back down, so the running sum costs one
    cumulative sum rather than a decay of every earlier step at each step.
    """
    amounts = np.asarray(amounts, dtype=np.float64)
    if half_life is None or len(days) == 0:
        return np.cumsum(amounts, axis=0)
    days = np.asarray(days, dtype=np.float64)
    out = np.empty_like(amounts)
    carry = np.zeros(amounts.shape[1:])
    last = days[0]
    start = 0
    while start < len(days):
        base = days[start]
        stop = int(np.searchsorted(days, base + _MAX_HALVINGS * half_life, side="right"))
        carry = carry * factor(base - last, half_life)
        scale = 2.0 ** ((days[start:stop] - base) / half_life)
        if amounts.ndim > 1:
            scale = scale[:, None]
        out[start:stop] = (np.cumsum(amounts[start:stop] * scale, axis=0) + carry) / scale
        carry, last, start = out[stop - 1], days[stop - 1], stop
    return out
