"""Unit contributions: what each signal (one rule's weight on one axis) adds to an actor's totals per unit of weight.

An axis total is linear in the weights: the sum, over the signals on that
axis, of weight times the signal's unit contribution (the intensity ×
confidence of the events it fired on, decayed to the day the total is valued
on). With the units known once, any set of weights (a thousand drawn ones, a
fitted one) costs a matrix product, not a rescoring.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from scorer.pack.model import RulePack
from scorer.scoring.actor import ActorScore
from scorer.scoring.decay import factor, running

# Timeline rows worked out at a time: a block is rows × signals of floats.
BLOCK = 4096


@dataclass(frozen=True)
class Signal:
    """One weight of the pack: a rule (by its place in the pack) and an axis, with the weight scored."""

    rule: int
    rule_id: str
    axis: str
    weight: float

    @property
    def name(self) -> str:
        """`rule.axis`, as `--set` names a weight."""
        return f"{self.rule_id}.{self.axis}"


def signals(pack: RulePack, axes: Sequence[str] | None = None) -> list[Signal]:
    """Every signal of the pack's enabled rules (on `axes` only, if given), in pack and signal order."""
    return [
        Signal(i, rule.id, axis, weight)
        for i, rule in enumerate(pack.rules)
        if rule.enabled
        for axis, weight in rule.signals.items()
        if axes is None or axis in axes
    ]


def columns_of(pack: RulePack, chosen: Sequence[Signal]) -> np.ndarray:
    """A table by rule and axis of each chosen signal's column (-1 for a signal not chosen)."""
    axes = list(pack.scoring.axes)
    table = np.full((len(pack.rules), len(axes)), -1, dtype=np.int64)
    for column, signal in enumerate(chosen):
        table[signal.rule, axes.index(signal.axis)] = column
    return table


@dataclass(frozen=True)
class Expanded:
    """Every (event, chosen signal) that one actor's events fire, rows ascending: the event's place among the
    actor's events by date, the signal's column, the event's intensity × confidence, and its day."""

    row: np.ndarray
    column: np.ndarray
    amount: np.ndarray
    day: np.ndarray
    width: int  # how many signals are chosen
    events: int  # how many events the actor has
    half_life: float | None


def expand(actor: ActorScore, table: np.ndarray, width: int) -> Expanded:
    """What the actor's events fire of the chosen signals (columns of `table`, `width` of them)."""
    numbers, fired = actor.numbers, actor.fired
    per_row = (fired.starts[1:] - fired.starts[:-1])[numbers.groups]
    row = np.repeat(np.arange(len(numbers.groups)), per_row)
    offset = np.arange(len(row)) - np.repeat(np.cumsum(per_row) - per_row, per_row)
    pick = fired.starts[numbers.groups][row] + offset
    column = table[fired.rule[pick], fired.axis[pick]]
    keep = column >= 0
    row, column = row[keep], column[keep]
    amount = numbers.intensity[row] * numbers.confidence[row]
    return Expanded(row, column, amount, numbers.day[row], width, len(numbers.groups), actor.half_life)


def increments(
    fired: Expanded, upto: np.ndarray, at: np.ndarray, block: int = BLOCK
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """What each cut adds to the units of the chosen signals, `block` cuts at a time, with the cuts' days.

    Cut k counts the actor's first `upto[k]` events (by date) valued on day
    `at[k]`; both must not decrease. An event's units are added into the first
    cut that counts it, valued on that cut's day: the units at each cut are
    then the running total of the increments, decaying with the pack's
    half-life (`unit_blocks`).
    """
    width = fired.width
    for lo in range(0, len(upto), block):
        cuts, days = upto[lo : lo + block], at[lo : lo + block]
        first = int(upto[lo - 1]) if lo else 0
        a, b = np.searchsorted(fired.row, [first, cuts[-1]], side="left")
        row = fired.row[a:b]
        cut = np.searchsorted(cuts, row, side="right")
        worth = fired.amount[a:b] * factor(days[cut] - fired.day[a:b], fired.half_life)
        sums = np.bincount(cut * width + fired.column[a:b], weights=worth, minlength=len(cuts) * width)
        yield sums.reshape(len(cuts), width), days


def unit_blocks(fired: Expanded, upto: np.ndarray, at: np.ndarray, block: int = BLOCK) -> Iterator[np.ndarray]:
    """The units of the chosen signals at each cut (see `increments`), `block` cuts at a time: running totals
    of the increments, each block carrying the last one's end."""
    carry: np.ndarray | None = None
    carry_day = 0
    for added, days in increments(fired, upto, at, block):
        units = running(days, added, fired.half_life)
        if carry is not None:
            units += carry[None, :] * factor(days - carry_day, fired.half_life)[:, None]
        carry, carry_day = units[-1], int(days[-1])
        yield units


def units_at(actor: ActorScore, table: np.ndarray, width: int, days: np.ndarray) -> np.ndarray:
    """The units of the chosen signals on each of `days` (ascending), counting the events up to that day."""
    upto = np.searchsorted(actor.numbers.day, days, side="right")
    blocks = list(unit_blocks(expand(actor, table, width), upto, np.asarray(days, dtype=np.int64)))
    return np.concatenate(blocks) if blocks else np.zeros((0, width))


def final_units(fired: Expanded, final_day: int) -> np.ndarray:
    """The units of the chosen signals in the final totals, valued on `final_day`."""
    worth = fired.amount * factor(final_day - fired.day, fired.half_life)
    units: np.ndarray = np.bincount(fired.column, weights=worth, minlength=fired.width).astype(np.float64)
    return units
