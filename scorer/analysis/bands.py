"""Bands: how far the balance could lie from its point estimate when every uncertain weight may lie anywhere in
its range.

Each draw gives every ranged weight (`{weight: W, range: [LO, HI]}`, or the
pack's `scoring.uncertainty`) a value drawn independently and uniformly in its
range; the other weights keep theirs. Which rules fire does not depend on the
weights, so the events are matched once, and because each total is linear in
the weights a draw's totals are the point estimate's plus the units of each
signal (`scorer.scoring.units`) times the draw's change of its weight: all
draws at once are one matrix product per block of timeline rows. The bands are
the 5th, 50th and 95th percentiles of the draws.

This module loads scipy (for the sparse product): it is loaded when first
asked for, through `scorer.analysis.bands_of`.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import scipy.sparse

from scorer.analysis.defaults import DRAWS, SEED
from scorer.analysis.uncertain import (
    PERCENTILES,
    ActorBands,
    Band,
    Bands,
    Draws,
    draw,
)
from scorer.scoring.actor import ActorScore
from scorer.scoring.balance import balances_and_leans
from scorer.scoring.decay import factor
from scorer.scoring.score import Score
from scorer.scoring.units import Expanded, expand, final_units, increments

_THREADS = 2


def bands(score: Score, *, draws: int = DRAWS, seed: int = SEED) -> Bands:
    """The bands of every actor of `score`: its final balance and lean, and each row of its timeline."""
    drawn = draw(score.pack, draws, seed)
    for actor in score.actors.values():
        actor.columns  # noqa: B018 - made here, once, before the threads read it
        actor.final  # noqa: B018
    # Actors are independent and numpy lets go of the interpreter while it sorts and multiplies: two
    # threads keep both cores busy. Each actor's numbers are the same whichever thread makes them.
    with ThreadPoolExecutor(max_workers=_THREADS) as pool:
        found = list(pool.map(lambda actor: actor_bands(actor, drawn), score.actors.values()))
    return Bands(draws, seed, drawn.ranged, dict(zip(score.actors, found, strict=True)))


def actor_bands(actor: ActorScore, drawn: Draws) -> ActorBands:
    """One actor's bands under these draws."""
    fired = expand(actor, drawn.table, len(drawn.ranged))
    timeline = _timeline(actor, fired, drawn) + actor.columns.balance[:, None]
    units = final_units(fired, actor.final_day)
    on_plus = np.where(drawn.on_plus, units, 0.0)
    totals = actor.final.totals
    plus = totals[drawn.plus] + drawn.change @ on_plus
    minus = totals[drawn.minus] + drawn.change @ (units - on_plus)
    balance, lean = balances_and_leans(plus, minus)
    plus_share, minus_share = (float(np.count_nonzero(side)) / len(balance) for side in (balance > 0, balance < 0))
    return ActorBands(_band(balance), _band(lean), plus_share, minus_share, float(np.std(balance - actor.final.balance)), timeline)


def _timeline(actor: ActorScore, fired: Expanded, drawn: Draws) -> np.ndarray:
    """The percentiles of each timeline row's change of balance over the draws.

    The change is carried from row to row as the balance is: what a row adds
    (few weights move in one month) times the draws, plus the row before it,
    decayed. A row that adds nothing has the previous row's percentiles,
    decayed (every draw's balance shrinks by the same factor).
    """
    upto, at = actor.cuts()
    half_life = actor.half_life
    found: list[np.ndarray] = []
    carry, carry_day, last, last_day = None, 0, np.zeros(3), 0
    for added, days in increments(fired, upto, at):
        fresh = np.flatnonzero(added.any(axis=1))
        change = _product(added[fresh], drawn.per_draw)
        if len(fresh):
            carry, carry_day = _carry(change, days[fresh], carry, carry_day, half_life)
        rows = np.zeros((len(days), 3))
        rows[fresh] = _percentiles(change)
        # Each row takes the percentiles of the last row that added something (before this block: `last`).
        marks = np.full(len(days), -1)
        marks[fresh] = fresh
        source = np.maximum.accumulate(marks)
        known = source >= 0
        rows[known] = rows[source[known]] * factor(days[known] - days[source[known]], half_life)[:, None]
        rows[~known] = last[None, :] * factor(days[~known] - last_day, half_life)[:, None]
        last, last_day = rows[-1], int(days[-1])
        found.append(rows)
    return np.concatenate(found) if found else np.zeros((0, 3))


def _carry(
    change: np.ndarray, days: np.ndarray, carry: np.ndarray | None, carry_day: int, half_life: float | None
) -> tuple[np.ndarray, int]:
    """Rows of added change made running totals in place (each adds the one before it, decayed to its day);
    returns the last row and its day, to carry into the next block."""
    previous = np.diff(days, prepend=carry_day if carry is not None else days[0])
    worth = factor(previous, half_life).astype(np.float32)
    for i in range(len(change)):
        # A loop over rows: each adds a contiguous row, quicker than a cumulative sum down the columns.
        before = change[i - 1] if i else carry
        if before is not None:
            if half_life is None:
                change[i] += before
            else:
                change[i] += before * worth[i]
    return change[-1].copy(), int(days[-1])  # a copy: the rows are then sorted in place


def _product(added: np.ndarray, per_draw: np.ndarray) -> np.ndarray:
    """`added @ per_draw`: what each row adds to the balance in each draw.

    In a timeline most rows add to a few weights only (those of the rules that
    fired in that month), so the product is taken as a sparse matrix times the
    draws: its cost is the nonzero entries times the draws, not rows × weights
    × draws.
    """
    sparse = scipy.sparse.csr_matrix(added.astype(np.float32))
    product: np.ndarray = np.asarray(sparse @ per_draw, dtype=np.float32)
    return product


def _percentiles(change: np.ndarray) -> np.ndarray:
    """p05, p50 and p95 of each row of draws, interpolated between order statistics as numpy's default does.

    Sorts the rows in place: a whole sort beats a partial one at three
    percentiles (numpy sorts floats with vector instructions, and selects
    without them).
    """
    if not len(change):
        return np.zeros((0, 3))
    change.sort(axis=1)
    ordered = change
    position = (change.shape[1] - 1) * np.array(PERCENTILES) / 100.0
    below = np.floor(position).astype(np.int64)
    above = np.minimum(below + 1, change.shape[1] - 1)
    low, high = ordered[:, below].astype(np.float64), ordered[:, above].astype(np.float64)
    found: np.ndarray = low + (position - below) * (high - low)
    return found


def _band(values: np.ndarray) -> Band:
    """The band of one quantity's draws (as `_percentiles` makes them)."""
    p05, p50, p95 = _percentiles(values[None, :].copy())[0].tolist()
    return Band(p05, p50, p95)
