"""Scoring math (SPEC section 4): contributions, decay, running totals, periods and drivers.

Everything here works on columns: one row per event (day, intensity,
confidence) and one row per match (event row, rule, axis, weight), so a
million events cost array arithmetic, not a million Python objects. The
per-event views an analyst reads (`trail`, timeline rows) are built only
when asked for.
"""

from __future__ import annotations

import calendar
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date as Date
from functools import cached_property, lru_cache, partial
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import polars as pl

from scorer.engine import Matcher
from scorer.events import EventSet, parse_date
from scorer.rules import RulePack
from scorer.table import to_events

if TYPE_CHECKING:
    from scorer.model import Event

Every = Literal["year", "quarter", "month"]
EVERY: tuple[str, ...] = ("year", "quarter", "month")

# Decay is applied blockwise so that 2 ** (days / half-life) never overflows.
_MAX_HALVINGS = 500.0


@dataclass(frozen=True)
class Match:
    """One rule firing on one event, for one axis."""

    rule: str
    axis: str
    weight: float
    intensity: float
    confidence: float
    contribution: float


@dataclass(frozen=True)
class Step:
    """One event of the trail: what fired on it and the running totals after it."""

    event: Event
    matches: tuple[Match, ...]
    totals: dict[str, float]
    balance: float
    lean: float


@dataclass(frozen=True)
class Row:
    """One timeline row: after an event, or at the end of a period."""

    date: str
    totals: dict[str, float]
    balance: float
    lean: float
    event: str | None = None
    period: str | None = None
    events: int | None = None


@dataclass(frozen=True)
class Share:
    """A driver of the final balance: an event id or a rule id, and its signed share."""

    name: str
    share: float


def worth(amount: float, made: int, on: int, half_life: float | None) -> float:
    """What a contribution made on day `made` is worth on day `on`."""
    if half_life is None:
        return amount
    return amount * math.pow(0.5, (on - made) / half_life)


def running(
    days: Sequence[int] | np.ndarray, amounts: Sequence[float] | np.ndarray, half_life: float | None
) -> np.ndarray:
    """The total after each step, valued on that step's day (days ascending; amounts 1-D or one column per axis)."""
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
        carry = carry * 0.5 ** ((base - last) / half_life)
        scale = 2.0 ** ((days[start:stop] - base) / half_life)
        if amounts.ndim > 1:
            scale = scale[:, None]
        out[start:stop] = (np.cumsum(amounts[start:stop] * scale, axis=0) + carry) / scale
        carry, last, start = out[stop - 1], days[stop - 1], stop
    return out


def balance_and_lean(totals: dict[str, float], plus: str, minus: str) -> tuple[float, float]:
    balance = totals[plus] - totals[minus]
    scale = abs(totals[plus]) + abs(totals[minus])
    return balance, (balance / scale if scale else 0.0)


def period_of(day: Date, every: Every) -> tuple[str, Date]:
    """The label and last day of the period holding `day`."""
    if every == "year":
        return f"{day.year}", Date(day.year, 12, 31)
    if every == "quarter":
        quarter = (day.month - 1) // 3 + 1
        month = quarter * 3
        return f"{day.year}-Q{quarter}", Date(day.year, month, calendar.monthrange(day.year, month)[1])
    return f"{day.year}-{day.month:02d}", Date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def _periods(first: Date, last: Date, every: Every) -> list[tuple[str, Date]]:
    periods = []
    label, end = period_of(first, every)
    while True:
        periods.append((label, end))
        if end >= last:
            return periods
        label, end = period_of(Date.fromordinal(end.toordinal() + 1), every)


@lru_cache(maxsize=64)
def _period_table(every: Every, first_year: int, last_year: int) -> tuple[tuple[str, ...], tuple[str, ...], np.ndarray]:
    """Every period of whole years: labels, last days as ISO text and as ordinals (shared by all actors)."""
    periods = _periods(Date(first_year, 1, 1), Date(last_year, 12, 31), every)
    ends = np.array([end.toordinal() for _, end in periods], dtype=np.int64)
    return tuple(label for label, _ in periods), tuple(end.isoformat() for _, end in periods), ends


@dataclass(frozen=True)
class _Matches:
    """Every (event row, rule, axis) contribution of one actor, rows ascending, pack order within a row."""

    row: np.ndarray
    rule: np.ndarray
    axis: np.ndarray
    weight: np.ndarray
    contribution: np.ndarray


def _ranks(sizes: np.ndarray) -> np.ndarray:
    """0, 1, ..., size - 1 for each size in turn."""
    ends = np.cumsum(sizes)
    ranks: np.ndarray = np.arange(int(ends[-1]) if len(ends) else 0) - np.repeat(ends - sizes, sizes)
    return ranks


@dataclass(frozen=True)
class _Fired:
    """What fires on each group of tested values, as flat (rule, axis, weight) rows in pack and signal order.

    `layers` holds the same weights by group and axis: layer k has each group's
    k-th weight on each axis (0 where it has fewer), so that what an event adds to
    each axis is summed without a row per match, in the same order as the rows.
    """

    starts: np.ndarray  # group g's rows are [starts[g], starts[g + 1])
    rule: np.ndarray
    axis: np.ndarray
    weight: np.ndarray
    layers: np.ndarray  # (k, group, axis)

    @classmethod
    def of(cls, pack: RulePack, fired: list[tuple[int, ...]]) -> _Fired:
        axis_index = {axis: i for i, axis in enumerate(pack.scoring.axes)}
        width = len(axis_index)
        # Each rule's signals as rows, then each group's rules' rows in turn.
        signals = [[(axis_index[name], w) for name, w in rule.signals.items()] for rule in pack.rules]
        count = np.array([len(s) for s in signals], dtype=np.int64)
        first = np.concatenate([[0], np.cumsum(count)])
        signal_axis = np.array([a for s in signals for a, _ in s], dtype=np.int64)
        signal_weight = np.array([w for s in signals for _, w in s], dtype=np.float64)
        per_group = np.array([len(rules) for rules in fired], dtype=np.int64)
        rules = np.fromiter(itertools.chain.from_iterable(fired), dtype=np.int64, count=int(per_group.sum()))
        rows_per_rule = count[rules]
        rule = np.repeat(rules, rows_per_rule)
        pick = np.repeat(first[rules], rows_per_rule) + _ranks(rows_per_rule)
        axis, weight = signal_axis[pick], signal_weight[pick]
        sizes = np.bincount(np.repeat(np.arange(len(fired)), per_group), weights=rows_per_rule, minlength=len(fired))
        starts = np.concatenate([[0], np.cumsum(sizes.astype(np.int64))])
        group = np.repeat(np.arange(len(fired)), np.diff(starts))
        # A row's layer: how many rows of its group before it weigh on the same axis.
        key = group * width + axis
        order = np.argsort(key, kind="stable")
        run_start = np.flatnonzero(np.concatenate([[True], key[order][1:] != key[order][:-1]]))
        layer = np.empty(len(key), dtype=np.int64)
        layer[order] = _ranks(np.diff(np.append(run_start, len(key))))
        layers = np.zeros((int(layer.max(initial=0)) + 1, len(fired), width))
        layers[layer, group, axis] = weight
        return cls(starts, rule, axis, weight, layers)

    def amounts(self, groups: np.ndarray, intensity: np.ndarray, confidence: np.ndarray) -> np.ndarray:
        """What each event adds to each axis: the sum of weight × intensity × confidence of its matches.

        The same floats as summing the matches' contributions in row order (a layer
        with no weight adds 0.0, which changes no sum).
        """
        first, *more = self.layers
        amounts: np.ndarray = first[groups]  # a fresh array: worked on in place
        amounts *= intensity[:, None]
        amounts *= confidence[:, None]
        amounts += 0.0  # as a sum from 0.0 would: -0.0 becomes 0.0, nothing else changes
        for layer in more:
            amounts += layer[groups] * intensity[:, None] * confidence[:, None]
        return amounts

    def matches(self, groups: np.ndarray, intensity: np.ndarray, confidence: np.ndarray) -> _Matches:
        """Every contribution to events of these groups (and these intensities and confidences), rows ascending."""
        per_row = (self.starts[1:] - self.starts[:-1])[groups]
        row = np.repeat(np.arange(len(groups)), per_row)
        offset = np.arange(len(row)) - np.repeat(np.cumsum(per_row) - per_row, per_row)
        pick = self.starts[groups][row] + offset
        weight = self.weight[pick]
        return _Matches(row, self.rule[pick], self.axis[pick], weight, weight * intensity[row] * confidence[row])


@dataclass(frozen=True)
class _EventColumns:
    """The numbers of events by actor and date (gathered once: each actor's are then a slice)."""

    day: np.ndarray
    intensity: np.ndarray
    confidence: np.ndarray
    groups: np.ndarray  # each event's group of tested values

    def part(self, lo: int, hi: int) -> _EventColumns:
        return _EventColumns(self.day[lo:hi], self.intensity[lo:hi], self.confidence[lo:hi], self.groups[lo:hi])


@dataclass(frozen=True)
class Columns:
    """Timeline rows as columns: what reports print, without a Python object per row."""

    dates: list[str]
    periods: list[str] | None  # with `--every`
    events: list[str] | list[int]  # event ids, or events per period with `--every`
    values: np.ndarray  # one row per timeline row, one column per axis
    balance: np.ndarray
    lean: np.ndarray


class ActorScore:
    """One actor's score: columns computed at once, the per-event views on demand.

    `rows` index the actor's events in `source` (the matched frame, in input order),
    by date; `numbers` are theirs in the same order. What a view needs of the
    frame is gathered when the view is made; `unmatched` gives the ids of the
    actor's events no rule matched.
    """

    def __init__(
        self,
        actor: str,
        pack: RulePack,
        source: pl.DataFrame,
        rows: np.ndarray,
        numbers: _EventColumns,
        fired: _Fired,
        final_date: str,
        every: Every | None,
        unmatched: Callable[[], tuple[str, ...]],
    ) -> None:
        self.actor = actor
        self._unmatched = unmatched
        self._pack = pack
        self._source = source
        self._rows = rows
        self._fired = fired
        self._numbers = numbers
        self._every = every
        scoring = pack.scoring
        self._axes = list(scoring.axes)
        self._half_life = scoring.half_life_days
        self._final_date = final_date  # `--as-of`, or the date of the actor's last event
        self._final_day = parse_date(self._final_date).toordinal()

    @property
    def _days(self) -> np.ndarray:
        return self._numbers.day

    @cached_property
    def _m(self) -> _Matches:
        """Every match of the actor's events, row by row (explanations need them; scores do not)."""
        n = self._numbers
        return self._fired.matches(n.groups, n.intensity, n.confidence)

    def _amounts(self) -> np.ndarray:
        """What each event adds to each axis, one row per event.

        Kept only until both `columns` and `final` have used it: a score of a million
        events would otherwise hold a row per event per axis for every actor.
        """
        amounts: np.ndarray | None = self.__dict__.get("_kept_amounts")
        if amounts is None:
            n = self._numbers
            amounts = self._fired.amounts(n.groups, n.intensity, n.confidence)
            self.__dict__["_kept_amounts"] = amounts
        return amounts

    def _used_amounts(self) -> None:
        if "_columns" in self.__dict__ and "_final" in self.__dict__:
            self.__dict__.pop("_kept_amounts", None)

    def _running(self) -> np.ndarray:
        """The totals after each event (not kept: a score of a million events would hold them all)."""
        return running(self._days, self._amounts(), self._half_life)

    def _column(self, name: str, at: np.ndarray | None = None) -> list[Any]:
        """A column of the actor's events (of those at positions `at`), by date."""
        rows = self._rows if at is None else self._rows[at]
        return self._source[name].gather(rows).to_list()

    @cached_property
    def _frame(self) -> pl.DataFrame:
        return self._source[pl.Series(self._rows)]

    def _totals(self, values: np.ndarray) -> dict[str, float]:
        return {axis: float(values[i]) for i, axis in enumerate(self._axes)}

    def _row(self, values: np.ndarray, date: str, **extra: object) -> Row:
        totals = self._totals(values)
        balance, lean = balance_and_lean(totals, self._pack.scoring.plus, self._pack.scoring.minus)
        return Row(date, totals, balance, lean, **extra)  # type: ignore[arg-type]

    def _worth_on(self, day: int) -> np.ndarray:
        """Each event row's decay factor on `day`."""
        if self._half_life is None:
            return np.ones(len(self._days))
        return np.power(0.5, (day - self._days) / self._half_life)

    def _balance_and_lean(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """`balance_and_lean` of many rows at once (same arithmetic, so the same floats)."""
        plus = values[:, self._axes.index(self._pack.scoring.plus)]
        minus = values[:, self._axes.index(self._pack.scoring.minus)]
        balance = plus - minus
        scale = np.abs(plus) + np.abs(minus)
        lean = np.divide(balance, scale, out=np.zeros_like(balance), where=scale != 0)
        return balance, lean

    def _columns(self) -> Columns:
        if self._every is None:
            values = self._running()
            balance, lean = self._balance_and_lean(values)
            return Columns(self._column("date"), None, self._column("id"), values, balance, lean)
        first = Date.fromordinal(int(self._days[0]))
        labels, dates, ends = _period_table(self._every, first.year, Date.fromordinal(self._final_day).year)
        lo = int(np.searchsorted(ends, self._days[0], side="left"))
        hi = int(np.searchsorted(ends, self._final_day, side="left")) + 1
        ends = ends[lo:hi]
        upto = np.searchsorted(self._days, ends, side="right")
        last = np.maximum(upto - 1, 0)
        values = self._running()[last]
        if self._half_life is not None:
            values = values * (0.5 ** ((ends - self._days[last]) / self._half_life))[:, None]
        values = np.where((upto > 0)[:, None], values, 0.0)
        balance, lean = self._balance_and_lean(values)
        counts = np.diff(upto, prepend=0).tolist()
        return Columns(list(dates[lo:hi]), list(labels[lo:hi]), counts, values, balance, lean)

    @property
    def columns(self) -> Columns:
        """The timeline as columns (`timeline` is the same as rows)."""
        found: Columns | None = self.__dict__.get("_columns")
        if found is None:
            found = self.__dict__["_columns"] = self._columns()
            self._used_amounts()
        return found

    @cached_property
    def timeline(self) -> tuple[Row, ...]:
        c = self.columns
        rows = []
        for i, (date, values, balance, lean) in enumerate(
            zip(c.dates, c.values.tolist(), c.balance.tolist(), c.lean.tolist(), strict=True)
        ):
            totals = dict(zip(self._axes, values, strict=True))
            if c.periods is None:
                rows.append(Row(date, totals, balance, lean, event=str(c.events[i])))
            else:
                rows.append(Row(date, totals, balance, lean, period=c.periods[i], events=int(c.events[i])))
        return tuple(rows)

    @property
    def final(self) -> Row:
        found: Row | None = self.__dict__.get("_final")
        if found is None:
            amounts = self._amounts()
            if self._half_life is not None:
                amounts = amounts * self._worth_on(self._final_day)[:, None]
            values = amounts.sum(axis=0)
            found = self.__dict__["_final"] = self._row(values, self._final_date)
            self._used_amounts()
        return found

    @cached_property
    def unmatched(self) -> tuple[str, ...]:
        return self._unmatched()

    def _signed(self) -> tuple[np.ndarray, np.ndarray]:
        """Each match's signed share of the final balance, and whether it counts toward it."""
        scoring = self._pack.scoring
        sign = np.zeros(len(self._axes))
        sign[self._axes.index(scoring.plus)] = 1.0
        sign[self._axes.index(scoring.minus)] = -1.0
        shares = sign[self._m.axis] * self._m.contribution * self._worth_on(self._final_day)[self._m.row]
        return shares, sign[self._m.axis] != 0

    @cached_property
    def event_drivers(self) -> tuple[Share, ...]:
        shares, counts = self._signed()
        n = len(self._rows)
        totals = np.bincount(self._m.row, weights=shares, minlength=n)
        present = np.flatnonzero(np.bincount(self._m.row, weights=counts, minlength=n) > 0)
        ids = self._column("id", present)
        return _ranked([(ids[k], float(totals[i]), int(i)) for k, i in enumerate(present)])

    @cached_property
    def rule_drivers(self) -> tuple[Share, ...]:
        shares, counts = self._signed()
        size = len(self._pack.rules)
        totals = np.bincount(self._m.rule, weights=shares, minlength=size)
        present = np.bincount(self._m.rule, weights=counts, minlength=size) > 0
        rules = self._pack.rules
        return _ranked([(rules[i].id, float(totals[i]), int(i)) for i in np.flatnonzero(present)])

    @cached_property
    def trail(self) -> tuple[Step, ...]:
        events = to_events(self._frame)
        bounds = np.searchsorted(self._m.row, np.arange(len(events) + 1))
        rules = self._pack.rules
        totals = self._running()
        steps = []
        for i, event in enumerate(events):
            found = tuple(
                Match(rules[r].id, self._axes[a], float(w), event.intensity, event.confidence, float(c))
                for r, a, w, c in zip(
                    self._m.rule[bounds[i] : bounds[i + 1]].tolist(),
                    self._m.axis[bounds[i] : bounds[i + 1]].tolist(),
                    self._m.weight[bounds[i] : bounds[i + 1]].tolist(),
                    self._m.contribution[bounds[i] : bounds[i + 1]].tolist(),
                    strict=True,
                )
            )
            row = self._row(totals[i], event.date)
            steps.append(Step(event, found, row.totals, row.balance, row.lean))
        return tuple(steps)


def _ranked(items: list[tuple[str, float, int]]) -> tuple[Share, ...]:
    """Largest share first; ties in processing (or pack) order."""
    items.sort(key=lambda item: (-abs(item[1]), item[2]))
    return tuple(Share(name, share) for name, share, _ in items)


@dataclass(frozen=True)
class Score:
    pack: RulePack
    actors: dict[str, ActorScore]


def _by_actor_and_date(frame: pl.DataFrame) -> tuple[np.ndarray, list[str], np.ndarray]:
    """The order of rows by actor code, then by date; stable, so ties keep input order.

    No rows moved: an index. Also the actors in that order and where each one's
    rows start in the order (and end).
    """
    if frame.height == 0:
        return np.zeros(0, dtype=np.int64), [], np.zeros(1, dtype=np.int64)
    # An actor's rank: its code's place among the distinct codes, sorted by name.
    actor = frame["actor"]
    distinct = actor.unique()
    codes, text = distinct.to_physical().to_numpy(), distinct.cast(pl.String).to_numpy()
    by_name = np.argsort(text, kind="stable")
    ranks = np.zeros(int(codes.max()) + 1, dtype=np.int64)
    ranks[codes[by_name]] = np.arange(len(codes))
    names: list[str] = text[by_name].tolist()
    key = ranks[actor.to_physical().to_numpy()]
    bounds = np.concatenate([[0], np.cumsum(np.bincount(key, minlength=len(names)))])
    day = frame["day"].to_numpy()
    first = int(day.min())
    row_bits, day_bits = frame.height.bit_length(), (int(day.max()) - first).bit_length()
    if row_bits + day_bits + len(names).bit_length() < 63:
        # Actor, day and row packed in one integer: every key differs, so any sort is
        # stable, and sorting the keys themselves (polars, in parallel) beats an argsort.
        key <<= day_bits
        key += day
        key -= first
        key <<= row_bits
        key += np.arange(frame.height)
        order: np.ndarray = pl.Series(key).sort().to_numpy() & ((1 << row_bits) - 1)
    else:
        key <<= 32
        key += day
        order = np.argsort(key, kind="stable")
    return order, names, bounds


@dataclass(frozen=True)
class Matched:
    """Events filtered and matched once, ready to be scored with any weights (`rescore`)."""

    frame: pl.DataFrame  # in input order
    order: np.ndarray  # rows of `frame` by actor, then date
    actors: list[str]  # in actor-code order
    bounds: np.ndarray  # actor i's rows are order[bounds[i]:bounds[i + 1]]
    groups: np.ndarray  # each row's group of tested values
    fired: list[tuple[int, ...]]  # each group's fired rules
    as_of: str | None
    rules: tuple[tuple[str, bool], ...]  # (id, enabled) of the matched pack: rescoring needs the same


def match(
    events: EventSet | Sequence[Event],
    pack: RulePack,
    *,
    actor: str | None = None,
    as_of: str | None = None,
    matcher: Matcher | None = None,
) -> Matched:
    """Ask the engine which rules fire on which events; weights play no part."""
    table = events if isinstance(events, EventSet) else EventSet.of(events)
    frame = table.frame
    if actor is not None:
        frame = frame.filter(pl.col("actor") == actor)
    if as_of:
        frame = frame.filter(pl.col("day") <= parse_date(as_of).toordinal())
    groups, fired = (matcher or Matcher(pack)).match_frame(frame)
    order, actors, bounds = _by_actor_and_date(frame)
    return Matched(
        frame, order, actors, bounds, groups, fired, as_of, tuple((rule.id, rule.enabled) for rule in pack.rules)
    )


class _Unmatched:
    """The ids of the events no rule matched, by actor and date: gathered for every actor
    at once when the first one asks (one gather of a million rows beats 200 small ones)."""

    def __init__(self, frame: pl.DataFrame, order: np.ndarray, fired: _Fired, groups: np.ndarray) -> None:
        self._frame, self._order, self._fired, self._groups = frame, order, fired, groups  # groups in that order

    @cached_property
    def _all(self) -> tuple[np.ndarray, list[str]]:
        per_group = self._fired.starts[1:] - self._fired.starts[:-1]
        positions = np.flatnonzero(per_group[self._groups] == 0)
        return positions, self._frame["id"].gather(self._order[positions]).to_list()

    def between(self, lo: int, hi: int) -> tuple[str, ...]:
        """Those among positions [lo, hi) of the order."""
        positions, ids = self._all
        a, b = np.searchsorted(positions, [lo, hi])
        return tuple(ids[a:b])


def rescore(matched: Matched, pack: RulePack, *, every: Every | None = None) -> Score:
    """Score already matched events with `pack`: the matched pack with other weights, no engine call."""
    if tuple((rule.id, rule.enabled) for rule in pack.rules) != matched.rules:
        raise ValueError("rescore needs the pack that was matched, with only its weights changed")
    frame, order, as_of = matched.frame, matched.order, matched.as_of
    fired = _Fired.of(pack, matched.fired)
    numbers = _EventColumns(
        frame["day"].to_numpy()[order],
        frame["intensity"].to_numpy()[order],
        frame["confidence"].to_numpy()[order],
        matched.groups[order],
    )
    unmatched = _Unmatched(frame, order, fired, numbers.groups)
    last_dates = [] if as_of else frame["date"].gather(order[matched.bounds[1:] - 1]).cast(pl.String).to_list()
    actors: dict[str, ActorScore] = {}
    for i, name in enumerate(matched.actors):
        lo, hi = int(matched.bounds[i]), int(matched.bounds[i + 1])
        rows = order[lo:hi]
        actors[name] = ActorScore(
            name,
            pack,
            frame,
            rows,
            numbers.part(lo, hi),
            fired,
            as_of or last_dates[i],
            every,
            partial(unmatched.between, lo, hi),
        )
    return Score(pack, actors)


def score(
    events: EventSet | Sequence[Event],
    pack: RulePack,
    *,
    actor: str | None = None,
    as_of: str | None = None,
    every: Every | None = None,
    matcher: Matcher | None = None,
) -> Score:
    """Score events with a pack: one `ActorScore` per actor, in actor-code order."""
    return rescore(match(events, pack, actor=actor, as_of=as_of, matcher=matcher), pack, every=every)
