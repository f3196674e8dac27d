"""Calibration: which weights would make the balance track an outside measure (a target) best.

With `X[s]` the balance that signal `s` (one rule's weight on a pole) alone
would give each actor on each target date with weight 1, the balance under
weights `v` is `X @ v`. The fit is `value ≈ a + X @ v` by least squares with
a ridge penalty `ridge * Σ (v[s] - c * w0[s])²` that pulls each weight toward
the pack's own `w0` scaled by `c`, the least-squares slope of the value on the
pack's balance: with no evidence on a weight (or on how to split weights that
always fire together) it keeps its place relative to the others. The
suggested weights are `v` brought back to the pack's scale, `v * mean|w0| /
mean|v|` over the signals some target date can see, so a weight reads as in
the pack. Signals no target date can see keep their weight.

Agreement is reported as the Spearman and Pearson correlation of the balance
(the pack's, then the fitted one) with the value, in sample and leaving one
actor out: the fit is made again without each actor and predicts it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from scorer.analysis.defaults import RIDGE
from scorer.io.targets import Target, Targets
from scorer.problems import printable
from scorer.scoring.score import Score
from scorer.scoring.units import Signal, columns_of, signals, units_at


@dataclass(frozen=True)
class Agreement:
    """Spearman and Pearson correlation of a balance with the target value (None where either is constant)."""

    spearman: float | None
    pearson: float | None


@dataclass(frozen=True)
class Statistics:
    """Agreement in sample and leaving one actor out."""

    in_sample: Agreement
    leave_one_actor_out: Agreement | None  # None with fewer than two actors


@dataclass(frozen=True)
class Suggestion:
    """One weight: where it is defined, its value now, the suggested one, and whether any target date sees it."""

    signal: Signal
    file: str
    line: int
    suggested: float
    seen: bool
    free: bool = True  # the fit could move it (see `only`)
    shown: str = ""  # the rule's file as reports name it (`rules/military.yaml`); "" for `file`

    @property
    def where(self) -> str:
        """Where the rule is defined, as reports name it: `rules/military.yaml:12`."""
        return printable(f"{self.shown or self.file}:{self.line}")


@dataclass(frozen=True)
class Calibration:
    """The fit of a pack's weights to targets, and how well the balance agrees with them before and after."""

    targets: Targets
    used: tuple[Target, ...]  # the targets the events cover, by actor and date
    ridge: float
    intercept: float
    slope: float  # c: the value's slope on the pack's own balance
    scale: float  # mean |w0| / mean |v|
    before: Statistics
    after: Statistics
    weights: tuple[Suggestion, ...]  # in pack order


@dataclass(frozen=True)
class _Design:
    """The regression: one row per target, one column per signal on the balance's poles."""

    x: np.ndarray
    y: np.ndarray
    actor: np.ndarray  # each row's actor, as an index
    w0: np.ndarray
    free: np.ndarray  # which weights the fit may move


def covered(score: Score, targets: Targets) -> list[Target]:
    """The targets whose actor has events and whose date falls from its first event to its final date."""
    used = []
    for target in targets.rows:
        actor = score.actors.get(target.actor)
        if actor is not None and len(actor.numbers.day) and int(actor.numbers.day[0]) <= target.day <= actor.final_day:
            used.append(target)
    used.sort(key=lambda t: (t.actor, t.day, t.line))
    return used


def design(score: Score, used: Sequence[Target], chosen: Sequence[Signal]) -> np.ndarray:
    """X: the balance each signal alone gives each target's actor on its date, with weight 1."""
    pack = score.pack
    table = columns_of(pack, chosen)
    sign = np.array([1.0 if s.axis == pack.scoring.plus else -1.0 for s in chosen])
    x = np.zeros((len(used), len(chosen)))
    start = 0
    while start < len(used):
        stop = start
        while stop < len(used) and used[stop].actor == used[start].actor:
            stop += 1
        days = np.array([t.day for t in used[start:stop]], dtype=np.int64)
        x[start:stop] = units_at(score.actors[used[start].actor], table, len(chosen), days) * sign
        start = stop
    return x


def calibrate(
    score: Score, targets: Targets, *, ridge: float = RIDGE, only: Sequence[str] | None = None
) -> Calibration:
    """Fit the weights of `score`'s pack to `targets`; ValueError when there is nothing to fit.

    `only` names the weights (`rule.axis`) to fit: the others stay as the pack
    has them, and the fitted ones are brought back to the pack's scale by the
    slope c (so that those held keep their values exactly).
    """
    if not ridge >= 0 or not np.isfinite(ridge):
        raise ValueError(f"ridge must be a number of 0 or more, not {ridge}")
    pack = score.pack
    used = covered(score, targets)
    if len(used) < 3:
        raise ValueError(
            f"only {len(used)} target(s) fall on actors and dates the events cover: at least 3 are needed to fit"
        )
    chosen = signals(pack, (pack.scoring.plus, pack.scoring.minus))
    free = _free(chosen, only)
    names = sorted({t.actor for t in used})
    data = _Design(
        design(score, used, chosen),
        np.array([t.value for t in used]),
        np.array([names.index(t.actor) for t in used]),
        np.array([s.weight for s in chosen]),
        free,
    )
    seen = np.any(data.x != 0, axis=0)
    a, v, c = _fit(data, ridge)
    v = np.where(seen, v, data.w0)
    scale = _scale(data, v, c, seen, fitted_all=only is None)
    suggested = np.where(seen & free, v * scale, data.w0)
    suggestions = tuple(
        Suggestion(
            s,
            pack.rules[s.rule].file,
            pack.rules[s.rule].line,
            float(suggested[k]),
            bool(seen[k]),
            bool(free[k]),
            pack.rules[s.rule].shown,
        )
        for k, s in enumerate(chosen)
    )
    return Calibration(
        targets,
        tuple(used),
        ridge,
        a,
        c,
        scale,
        Statistics(agreement(data.x @ data.w0, data.y), _left_out(data, ridge, pack_only=True)),
        Statistics(agreement(a + data.x @ v, data.y), _left_out(data, ridge, pack_only=False)),
        suggestions,
    )


def _scale(data: _Design, v: np.ndarray, c: float, seen: np.ndarray, *, fitted_all: bool) -> float:
    """What brings fitted weights back to the pack's scale: the mean size of the weights the targets see, or
    (some weights held) one over the slope c, so that those held keep their values exactly."""
    if fitted_all:
        spread = float(np.mean(np.abs(v[seen]))) if seen.any() else 0.0
        return float(np.mean(np.abs(data.w0[seen]))) / spread if spread > 0 else 1.0
    if not c > 0:
        raise ValueError("the value does not rise with the pack's balance (slope c <= 0): no scale to bring the fit back to")
    return 1.0 / c


def _free(chosen: Sequence[Signal], only: Sequence[str] | None) -> np.ndarray:
    """Which weights the fit may move: all, or those `only` names (ValueError for a name not in the pack)."""
    if only is None:
        return np.ones(len(chosen), dtype=bool)
    names = [s.name for s in chosen]
    unknown = [name for name in only if name not in names]
    if unknown:
        raise ValueError(f"no weight {', '.join(unknown)} on the balance's poles (weights are named RULE.AXIS)")
    return np.array([name in only for name in names], dtype=bool)


def _fit(data: _Design, ridge: float, rows: np.ndarray | None = None) -> tuple[float, np.ndarray, float]:
    """a, v and c of the fit on `rows` (all by default; see the module's docstring); the intercept is not
    penalised, and only the free weights move from c * w0."""
    x, y = (data.x, data.y) if rows is None else (data.x[rows], data.y[rows])
    c = _slope(x @ data.w0, y)
    xc = x - x.mean(axis=0)
    yc = y - y.mean()
    residual = yc - xc @ (c * data.w0)
    free = xc[:, data.free]
    # The change from c * w0 that the data ask for: ridge regression on the residual, the minimum-norm
    # least-squares solution at ridge 0 (weights the targets cannot tell apart keep their split).
    if ridge > 0:
        change = np.linalg.solve(free.T @ free + ridge * np.eye(free.shape[1]), free.T @ residual)
    else:
        change = np.linalg.lstsq(free, residual, rcond=None)[0]
    v = c * data.w0
    v[data.free] += change
    return float(y.mean() - x.mean(axis=0) @ v), v, c


def _slope(balance: np.ndarray, y: np.ndarray) -> float:
    """The least-squares slope of y on the balance (0 for a constant balance)."""
    spread = float(np.sum((balance - balance.mean()) ** 2))
    return float(np.sum((balance - balance.mean()) * (y - y.mean()))) / spread if spread > 0 else 0.0


def _left_out(data: _Design, ridge: float, *, pack_only: bool) -> Agreement | None:
    """Agreement of predictions made for each actor by a fit without it: the pack's balance with a fitted
    intercept and slope (`pack_only`), or the whole fit."""
    actors = int(data.actor.max()) + 1
    if actors < 2:
        return None
    predicted = np.zeros(len(data.y))
    for k in range(actors):
        out = data.actor == k
        if pack_only:
            balance = data.x[~out] @ data.w0
            y = data.y[~out]
            c = _slope(balance, y)
            predicted[out] = y.mean() + c * (data.x[out] @ data.w0 - balance.mean())
        else:
            a, v, _ = _fit(data, ridge, ~out)
            predicted[out] = a + data.x[out] @ v
    return agreement(predicted, data.y)


def agreement(found: np.ndarray, target: np.ndarray) -> Agreement:
    """Spearman's and Pearson's correlation of two series."""
    return Agreement(_pearson(_ranks(found), _ranks(target)), _pearson(found, target))


def _pearson(a: np.ndarray, b: np.ndarray) -> float | None:
    """Pearson's correlation, None when either series is constant."""
    a, b = a - a.mean(), b - b.mean()
    norm = float(np.sqrt(np.sum(a * a) * np.sum(b * b)))
    return float(np.sum(a * b)) / norm if norm > 1e-300 else None


def _ranks(values: np.ndarray) -> np.ndarray:
    """Ranks from 0, ties sharing the mean of their ranks (as Spearman's correlation wants)."""
    distinct, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    starts = np.cumsum(counts) - counts
    mean_rank: np.ndarray = (starts + (counts - 1) / 2.0)[inverse]
    return mean_rank


def changes(result: Calibration, places: int = 2) -> list[tuple[str, str, float]]:
    """The suggested weights rounded to `places` decimals, for the signals some target sees and whose weight moves."""
    found = []
    for item in result.weights:
        new = round(item.suggested, places) + 0.0
        if item.seen and new != item.signal.weight:
            found.append((item.signal.rule_id, item.signal.axis, new))
    return found
