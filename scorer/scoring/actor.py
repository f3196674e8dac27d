"""One actor's score: the final totals, the timeline as columns, and on demand the drivers and the trail.

The numbers come from columns (`scorer.scoring.fired`); `trail` and `timeline` rows are built when asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date as Date
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from scorer import model
from scorer.engine.sequence import Sequences
from scorer.model.fields import parse_date
from scorer.pack.model import RulePack
from scorer.scoring.balance import balance_and_lean, balances_and_leans
from scorer.scoring.decay import factor, running
from scorer.scoring.fired import EventColumns, Fired, Matches
from scorer.scoring.periods import Every, period_table
from scorer.scoring.unmatched_ids import Piece

if TYPE_CHECKING:
    from scorer.model.event import Event


@dataclass(frozen=True)
class Before:
    """An earlier event that let a sequence rule fire: its id, its actor, and how many days before it was."""

    event: str
    actor: str
    days: int


@dataclass(frozen=True)
class Match:
    """One rule firing on one event, for one axis; `after` names the earlier events a sequence rule needed."""

    rule: str
    axis: str
    weight: float
    intensity: float
    confidence: float
    contribution: float
    after: tuple[Before, ...] = ()


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
    """One actor's score: `final` and `columns` computed when first asked for, the per-event views on demand.

    `rows` index the actor's events in `source` (the matched frame, in input order),
    by date; `numbers` are theirs in the same order. What a view needs of the
    frame is gathered when the view is made; `unmatched` gives the ids of the
    actor's events no rule matched, `reasons` why, by id.
    """

    def __init__(
        self,
        actor: str,
        pack: RulePack,
        source: pl.DataFrame,
        rows: np.ndarray,
        numbers: EventColumns,
        fired: Fired,
        final_date: str,
        every: Every | None,
        unmatched: Callable[[], tuple[str, ...]],
        reasons: Callable[[], dict[str, str]] = dict,
        unmatched_json: Callable[[str], tuple[list[Piece], list[Piece]]] | None = None,
        sequences: Sequences | None = None,
        *,
        as_of: bool = False,
    ) -> None:
        self.actor = actor
        self._sequences = sequences
        self._unmatched = unmatched
        self._reasons = reasons
        # `unmatched` and `unmatched_reasons` as orjson indents them, made without a Python string per event:
        self.unmatched_json = unmatched_json
        self._pack, self._source, self._rows, self._fired, self._numbers = pack, source, rows, fired, numbers
        self._every = every
        scoring = pack.scoring
        self._axes = list(scoring.axes)
        self._half_life = scoring.half_life_days
        self._final_date = final_date  # `--as-of` (then `as_of` is true), or the date of the actor's last event
        self._as_of = as_of
        self._final_day = parse_date(self._final_date).toordinal()
        self._kept: np.ndarray | None = None  # `_amounts`, from the timeline to `final`

    @property
    def _days(self) -> np.ndarray:
        """The ordinal day of each of the actor's events, by date."""
        return self._numbers.day

    @cached_property
    def _matches(self) -> Matches:
        """Every match of the actor's events, row by row (explanations need them; scores do not)."""
        n = self._numbers
        return self._fired.matches(n.groups, n.intensity, n.confidence)

    def _amounts(self) -> np.ndarray:
        """What each event adds to each axis, a row per event: kept only from the timeline to `final`."""
        if self._kept is None:
            n = self._numbers
            self._kept = self._fired.amounts(n.groups, n.intensity, n.confidence)
        return self._kept

    def _events_upto(self, upto: np.ndarray) -> np.ndarray:
        """How many events the first `upto` rows hold (one each here; a row per day holds that day's)."""
        return upto

    def _running(self) -> np.ndarray:
        """The totals after each event (not kept, for the same reason)."""
        return running(self._days, self._amounts(), self._half_life)

    def _column(self, name: str, at: np.ndarray | None = None) -> list[Any]:
        """A column of the actor's events (of those at positions `at`), by date."""
        rows = self._rows if at is None else self._rows[at]
        return self._source[name].gather(rows).to_list()

    def _row(self, values: np.ndarray, date: str) -> Row:
        """A timeline row of these totals on this date."""
        totals = {axis: float(values[i]) for i, axis in enumerate(self._axes)}
        balance, lean = balance_and_lean(totals, self._pack.scoring.plus, self._pack.scoring.minus)
        return Row(date, totals, balance, lean)

    def _worth_on(self, day: int) -> np.ndarray:
        """Each event row's decay factor on `day`."""
        return factor(day - self._days, self._half_life)

    def _balance_and_lean(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Balance and lean of rows of totals."""
        plus = values[:, self._axes.index(self._pack.scoring.plus)]
        minus = values[:, self._axes.index(self._pack.scoring.minus)]
        return balances_and_leans(plus, minus)

    @property
    def numbers(self) -> EventColumns:
        """The day, intensity, confidence and group of tested values of each of the actor's events, by date."""
        return self._numbers

    @property
    def fired(self) -> Fired:
        """What fires on each group of tested values, with the weights scored."""
        return self._fired

    @property
    def half_life(self) -> float | None:
        """The pack's half-life in days (None: no decay)."""
        return self._half_life

    @property
    def final_day(self) -> int:
        """The ordinal day the final totals are valued on."""
        return self._final_day

    def _periods(self) -> tuple[list[str], list[str], np.ndarray]:
        """With `every`: the labels, dates and last days of the periods the timeline shows."""
        assert self._every is not None
        if len(self._rows) == 0:  # no event on or before `--as-of`: no period to show
            return [], [], np.zeros(0, dtype=np.int64)
        first = Date.fromordinal(int(self._days[0]))
        labels, dates, ends = period_table(self._every, first.year, Date.fromordinal(self._final_day).year)
        lo = int(np.searchsorted(ends, self._days[0], side="left"))
        hi = int(np.searchsorted(ends, self._final_day, side="left")) + 1
        ends, shown = ends[lo:hi], list(dates[lo:hi])
        if self._as_of:
            # The clock stops on `--as-of`: the period holding it is valued on that day, as `final` is.
            ends = np.minimum(ends, self._final_day)
            shown[-1] = self._final_date
        return list(labels[lo:hi]), shown, ends

    def cuts(self) -> tuple[np.ndarray, np.ndarray]:
        """Per timeline row, how many of the actor's events (by date) it counts and the day it is valued on."""
        if self._every is None:
            return np.arange(1, len(self._days) + 1), np.asarray(self._days, dtype=np.int64)
        _, _, ends = self._periods()
        return np.searchsorted(self._days, ends, side="right"), ends

    @cached_property
    def columns(self) -> Columns:
        """The timeline as columns (`timeline` is the same as rows): one per event, or per period with `every`."""
        if self._every is None:
            values = self._running()
            balance, lean = self._balance_and_lean(values)
            return Columns(self._column("date"), None, self._column("id"), values, balance, lean)
        labels, dates, ends = self._periods()
        upto = np.searchsorted(self._days, ends, side="right")
        last = np.maximum(upto - 1, 0)
        values = self._running()[last]
        if self._half_life is not None:
            values = values * factor(ends - self._days[last], self._half_life)[:, None]
        values = np.where((upto > 0)[:, None], values, 0.0)
        if self._as_of and len(values):
            values[-1] = self._final_values()  # the same sum as `final`, to the bit
        balance, lean = self._balance_and_lean(values)
        counts = np.diff(self._events_upto(upto), prepend=0).tolist()
        return Columns(dates, labels, counts, values, balance, lean)

    @cached_property
    def timeline(self) -> tuple[Row, ...]:
        """The timeline as rows."""
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

    def _final_values(self) -> np.ndarray:
        """The totals on the final date, one per axis."""
        amounts = self._amounts()
        if self._half_life is not None:
            amounts = amounts * self._worth_on(self._final_day)[:, None]
        total: np.ndarray = amounts.sum(axis=0)
        return total

    @cached_property
    def final(self) -> Row:
        """The totals, balance and lean on the final date."""
        row, self._kept = self._row(self._final_values(), self._final_date), None
        return row

    @property
    def size(self) -> int:
        """How many events the actor has (up to `--as-of`)."""
        return len(self._rows)

    @property
    def first_date(self) -> str:
        """The date of the actor's first event, as written (the final date if it has none)."""
        return str(self._source["date"][int(self._rows[0])]) if len(self._rows) else self._final_date

    def fields(self, names: Sequence[str], *, unmatched: bool = False) -> dict[str, list[Any]]:
        """Columns of the actor's events by date (of its unmatched events only): what summaries count."""
        at = None
        if unmatched:
            per_group = self._fired.starts[1:] - self._fired.starts[:-1]
            at = np.flatnonzero(per_group[self._numbers.groups] == 0)
        return {name: self._column(name, at) for name in names}

    def described(self, ids: Sequence[str]) -> dict[str, tuple[str, str | None, str, str]]:
        """(actor, partner, type, date) of the actor's events of these ids: what labels name."""
        wanted = self._source[pl.Series(self._rows)].filter(pl.col("id").is_in(list(ids)))
        rows = wanted.select("id", "actor", "partner", "type", "date").cast(pl.String).iter_rows()
        return {event_id: (actor, partner, kind, date) for event_id, actor, partner, kind, date in rows}

    @property
    def matches(self) -> Matches:
        """Every match of a rule on the actor's events, as columns: `row` is the event's place in `events()`,
        `rule` and `axis` index the pack's rules and axes."""
        return self._matches

    def events(self, *names: str) -> pl.DataFrame:
        """The actor's events by date, as columns: those named, or all of them."""
        source = self._source.select(names) if names else self._source
        return source[pl.Series(self._rows)]

    @cached_property
    def unmatched(self) -> tuple[str, ...]:
        """The ids of the actor's events no rule matched, by date."""
        return self._unmatched()

    @cached_property
    def unmatched_reasons(self) -> dict[str, str]:
        """Why no rule matched each of `unmatched`, by event id, in the same order."""
        return self._reasons()

    def _signed(self) -> tuple[np.ndarray, np.ndarray]:
        """Each match's signed share of the final balance, and whether it counts toward it."""
        scoring = self._pack.scoring
        sign = np.zeros(len(self._axes))
        sign[self._axes.index(scoring.plus)] = 1.0
        sign[self._axes.index(scoring.minus)] = -1.0
        m = self._matches
        shares = sign[m.axis] * m.contribution * self._worth_on(self._final_day)[m.row]
        return shares, sign[m.axis] != 0

    @cached_property
    def event_drivers(self) -> tuple[Share, ...]:
        """Each event's share of the final balance, largest first."""
        shares, counts = self._signed()
        n = len(self._rows)
        totals = np.bincount(self._matches.row, weights=shares, minlength=n)
        present = np.flatnonzero(np.bincount(self._matches.row, weights=counts, minlength=n) > 0)
        ids = self._column("id", present)
        return _ranked([(ids[k], float(totals[i]), int(i)) for k, i in enumerate(present)])

    @cached_property
    def rule_drivers(self) -> tuple[Share, ...]:
        """Each rule's share of the final balance, largest first."""
        shares, counts = self._signed()
        size = len(self._pack.rules)
        totals = np.bincount(self._matches.rule, weights=shares, minlength=size)
        present = np.bincount(self._matches.rule, weights=counts, minlength=size) > 0
        rules = self._pack.rules
        return _ranked([(rules[i].id, float(totals[i]), int(i)) for i in np.flatnonzero(present)])

    @cached_property
    def trail(self) -> tuple[Step, ...]:
        """Every event by date, with the rules that fired on it and the running totals after it."""
        events = model.to_events(self.events())
        m = self._matches
        bounds = np.searchsorted(m.row, np.arange(len(events) + 1))
        rules = self._pack.rules
        totals = self._running()
        steps = []
        for i, event in enumerate(events):
            part = slice(bounds[i], bounds[i + 1])
            found = tuple(
                Match(
                    rules[r].id,
                    self._axes[a],
                    float(w),
                    event.intensity,
                    event.confidence,
                    float(c),
                    self._before(int(self._rows[i]), r, int(self._days[i])),
                )
                for r, a, w, c in zip(
                    m.rule[part].tolist(),
                    m.axis[part].tolist(),
                    m.weight[part].tolist(),
                    m.contribution[part].tolist(),
                    strict=True,
                )
            )
            row = self._row(totals[i], event.date)
            steps.append(Step(event, found, row.totals, row.balance, row.lean))
        return tuple(steps)

    def _before(self, row: int, rule: int, day: int) -> tuple[Before, ...]:
        """The earlier events that let sequence rule `rule` fire on frame row `row` (of `day`), oldest first."""
        rows = self._sequences.before(row, rule) if self._sequences is not None else []
        if not rows:
            return ()
        found = self._source.select("id", "actor", "day")[pl.Series(rows)]
        return tuple(
            Before(str(i), str(a), day - int(d)) for i, a, d in zip(found["id"], found["actor"], found["day"], strict=True)
        )


def _ranked(items: list[tuple[str, float, int]]) -> tuple[Share, ...]:
    """Largest share first; ties in processing (or pack) order."""
    items.sort(key=lambda item: (-abs(item[1]), item[2]))
    return tuple(Share(name, share) for name, share, _ in items)
