"""Uncertain weights and what their draws give: the ranged signals, the draws, and the bands' results.

Each draw gives every ranged weight (`{weight: W, range: [LO, HI]}`, or the
pack's `scoring.uncertainty`) a value drawn independently and uniformly in its
range; the other weights keep theirs. `scorer.analysis.bands` computes the
bands from such draws; this module holds what reports and the command line
need of them without loading that computation (and scipy).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scorer.analysis.defaults import DRAWS, SEED
from scorer.pack.model import RulePack
from scorer.report.format import signed
from scorer.scoring.score import Score
from scorer.scoring.units import Signal, columns_of, signals

PERCENTILES = (5.0, 50.0, 95.0)
# Past this many draws the percentiles move no more than rounding, and the memory grows with every one.
MAX_DRAWS = 1_000_000


@dataclass(frozen=True)
class Band:
    """The 5th, 50th and 95th percentiles of a quantity over the draws."""

    p05: float
    p50: float
    p95: float


@dataclass(frozen=True)
class ActorBands:
    """One actor's bands: the final balance and lean, the share of draws with a balance above 0, each timeline row."""

    balance: Band
    lean: Band
    p_plus: float
    p_minus: float  # the share of draws with a balance below 0
    sd: float  # the standard deviation of the final balance over the draws
    timeline: np.ndarray  # one row per timeline row: its balance's p05, p50, p95


@dataclass(frozen=True)
class Bands:
    """Every actor's bands, with the draws that made them."""

    draws: int
    seed: int
    ranged: tuple[Signal, ...]  # the weights drawn (on the balance's axes)
    actors: dict[str, ActorBands]


@dataclass(frozen=True)
class Draws:
    """The weights drawn, as changes from the pack's: one row per draw, one column per ranged signal."""

    ranged: tuple[Signal, ...]
    change: np.ndarray
    sign: np.ndarray  # +1 for a signal on the plus pole, -1 on the minus pole
    table: np.ndarray  # each (rule, axis)'s column, see `scorer.scoring.units.columns_of`
    plus: str
    minus: str
    # Each weight's change of the balance per unit in each draw: one row per weight, one column per draw.
    # Single precision: the bands are estimates from a thousand draws, and half the bytes halve the time
    # of the product and of sorting the draws.
    per_draw: np.ndarray

    @property
    def on_plus(self) -> np.ndarray:
        """Which columns are weights on the plus pole."""
        found: np.ndarray = self.sign > 0
        return found


def ranged_signals(pack: RulePack) -> list[tuple[Signal, float, float]]:
    """The signals on the balance's axes whose weight may vary, with their range, in pack order."""
    scoring = pack.scoring
    found = []
    for signal in signals(pack, (scoring.plus, scoring.minus)):
        low, high = pack.weight_range(pack.rules[signal.rule], signal.axis)
        if high > low:
            found.append((signal, low, high))
    return found


def draw(pack: RulePack, draws: int = DRAWS, seed: int = SEED) -> Draws:
    """`draws` sets of weights, each ranged weight uniform in its range and independent of the others."""
    if not 1 <= draws <= MAX_DRAWS:
        raise ValueError(f"draws must be from 1 to {MAX_DRAWS:,}, not {draws}")
    found = ranged_signals(pack)
    ranged = tuple(signal for signal, _, _ in found)
    low = np.array([lo for _, lo, _ in found])
    high = np.array([hi for _, _, hi in found])
    weights = np.array([signal.weight for signal in ranged])
    drawn = np.random.default_rng(seed).uniform(low, high, size=(draws, len(ranged)))
    sign = np.array([1.0 if s.axis == pack.scoring.plus else -1.0 for s in ranged])
    change = drawn - weights
    per_draw = np.ascontiguousarray((change * sign).T, dtype=np.float32)
    return Draws(ranged, change, sign, columns_of(pack, ranged), pack.scoring.plus, pack.scoring.minus, per_draw)


@dataclass(frozen=True)
class BandedScore:
    """A score with its bands (`score --bands`)."""

    score: Score
    bands: Bands


def robustness(band: ActorBands, plus: str, minus: str) -> str:
    """In words, how robust the sign of the final balance is to the uncertain weights."""
    if band.p_plus == band.p_minus == 0:
        return "The balance is 0 whatever the uncertain weights."
    toward, held = (plus, band.p_plus) if band.p_plus >= band.p_minus else (minus, band.p_minus)
    if held >= 0.95:
        verdict = "robust: the weights' uncertainty does not change it"
    elif held >= 0.8:
        verdict = "fairly robust: a minority of weight settings reverses it"
    else:
        verdict = "not robust: it rests on the exact weights"
    b = band.balance
    return (
        f"The balance leans toward {toward} in {held * 100:.0f}% of draws of the uncertain weights, and lies "
        f"between {signed(b.p05)} and {signed(b.p95)} in 90% of them; its sign is {verdict}."
    )
