"""Scoring events with a pack: match once (`match`), then score with any weights (`rescore`).

A weight never changes which rules fire, so `rescore` takes the engine's
answers from `match` and only redoes the arithmetic: sensitivity, `--set`
and comparisons of weights ask the engine once.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from scorer.engine import Matcher, compiled
from scorer.engine.sequence import Sequences
from scorer.model.fields import parse_date
from scorer.model.frame import EventSet
from scorer.model.skipped import Tally
from scorer.pack.model import RulePack
from scorer.problems import UsageError, printable
from scorer.scoring import tables
from scorer.scoring.actor import ActorScore
from scorer.scoring.fired import EventColumns, Fired
from scorer.scoring.periods import Every
from scorer.scoring.tables import Table
from scorer.scoring.unmatched import grouped, judged, reasons, tested_columns
from scorer.scoring.unmatched_ids import Piece, UnmatchedIds, json_parts

if TYPE_CHECKING:
    from scorer.model.event import Event


@dataclass(frozen=True)
class Score:
    """Every actor's score under one pack, in actor-code order, and the rows of the input skipped as events."""

    pack: RulePack
    actors: dict[str, ActorScore]
    tally: Tally | None = None

    def to_polars(self, table: Table = "timeline") -> pl.DataFrame:
        """One table of the score as a polars DataFrame, with the numbers of the JSON output.

        - `"timeline"`: a row per actor and event, by actor and date: `actor`,
          `date`, `event`, a column per axis (its running total), `balance`,
          `lean`. Scored with `every`, a row per actor and period: `actor`,
          `period`, `date` (the period's last day), `events` (how many in the
          period), the axes, `balance`, `lean`. An axis named like one of those
          columns gets the column `axis_NAME`.
        - `"drivers"`: a row per actor and driver of its final balance:
          `actor`, `kind` (`"event"` or `"rule"`), `name` (the event or rule
          id), `share` (its signed share of the final balance), `rank` (1 for
          the largest share of that actor and kind). Per actor, the shares of
          either kind add up to the final balance.
        - `"trail"`: a row per rule firing on an event, for each axis it
          signals, by actor and date: `actor`, `event`, `date`, `rule`, `axis`,
          `weight`, `intensity`, `confidence`, `contribution` (weight ×
          intensity × confidence, before decay). An event no rule matched has
          one row, its `rule`, `axis`, `weight` and `contribution` null.

        ValueError for another table name.
        """
        return tables.table(list(self.actors.values()), self.pack, table)

    def to_pandas(self, table: Table = "timeline") -> Any:
        """`to_polars(table)` as a pandas DataFrame; needs the `pandas` extra (`pip install 'scorer[pandas]'`)."""
        return tables.to_pandas(self.to_polars(table))


def _actor_codes(frame: pl.DataFrame) -> list[str]:
    """The distinct actor codes of a frame, sorted by name as `_by_actor_and_date` sorts them."""
    return sorted(frame["actor"].unique(maintain_order=True).cast(pl.String).to_list())


def _the_actors(present: list[str], shown: int = 20) -> str:
    """`the actors are A, B and C` (the first `shown` of many, and how many more)."""
    names = [printable(name) for name in present[:shown]]
    more = len(present) - len(names)
    if more:
        return f"the actors are {', '.join(names)} and {more:,} more"
    return "the actor is " + names[0] if len(names) == 1 else f"the actors are {', '.join(names[:-1])} and {names[-1]}"


def _with_every_actor(everyone: list[str], actors: list[str], bounds: np.ndarray) -> np.ndarray:
    """Bounds for `everyone` (sorted alike), an actor without rows getting an empty stretch of the order."""
    counts = dict(zip(actors, np.diff(bounds).tolist(), strict=True))
    return np.concatenate([[0], np.cumsum([counts.get(name, 0) for name in everyone])]).astype(np.int64)


def _by_actor_and_date(frame: pl.DataFrame) -> tuple[np.ndarray, list[str], np.ndarray]:
    """The order of rows by actor code, then by date; stable, so ties keep input order.

    No rows moved: an index. Also the actors in that order and where each one's
    rows start in the order (and end).
    """
    if frame.height == 0:
        return np.zeros(0, dtype=np.int64), [], np.zeros(1, dtype=np.int64)
    # An actor's rank: its code's place among the distinct codes, sorted by name.
    actor = frame["actor"]
    distinct = actor.unique(maintain_order=True)  # (by hashing: quicker than the sort of a plain unique)
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


def _only(order: np.ndarray, actors: list[str], bounds: np.ndarray, actor: str) -> tuple[np.ndarray, list[str], np.ndarray]:
    """The order, actors and bounds of one actor's rows (none if the actor has no events)."""
    if actor not in actors:
        return order[:0], [], np.zeros(1, dtype=np.int64)
    i = actors.index(actor)
    lo, hi = int(bounds[i]), int(bounds[i + 1])
    return order[lo:hi], [actor], np.array([0, hi - lo], dtype=np.int64)


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
    pack: RulePack  # the pack matched: rescoring needs its rules, with any weights
    sequences: Sequences | None = None  # the earlier events behind sequence rules that fired
    grouped_by: tuple[str, ...] = ()  # the columns whose values all rows of a group share


def match(
    events: EventSet | Sequence[Event],
    pack: RulePack,
    *,
    actor: str | None = None,
    as_of: str | None = None,
    matcher: Matcher | None = None,
) -> Matched:
    """Ask the engine which rules fire on which events; weights play no part.

    `as_of` drops later events before matching; `actor` keeps one actor's score,
    but with sequence rules every actor's events stay context (the frame keeps
    them; only the order lists the actor's).
    """
    table = events if isinstance(events, EventSet) else EventSet.of(events)
    frame = table.frame
    matcher = matcher or compiled(pack)
    # An actor whose events all come after `as_of` is still scored.
    present = _actor_codes(frame)
    if actor is not None and present and actor not in present:
        raise UsageError(f"--actor: no events of {printable(actor)!r}; {_the_actors(present)}")
    everyone = [code for code in present if actor is None or code == actor]
    if as_of is not None:
        frame = frame.filter(pl.col("day") <= parse_date(as_of).toordinal())
    if actor is not None and not matcher.sequential:
        frame = frame.filter(pl.col("actor") == actor)
    # The order by actor and date (a polars sort, without the interpreter lock) is worked out on a second
    # thread while the engine is asked.
    with ThreadPoolExecutor(max_workers=1) as pool:
        ordering = pool.submit(_by_actor_and_date, frame)
        groups, fired, sequences = matcher.match_frame(frame)
        order, actors, bounds = ordering.result()
    if actor is not None and matcher.sequential:
        order, actors, bounds = _only(order, actors, bounds, actor)
    if actors != everyone:
        bounds, actors = _with_every_actor(everyone, actors, bounds), everyone
    return Matched(frame, order, actors, bounds, groups, fired, as_of, pack, sequences, tuple(matcher.fields()))


class _Unmatched:
    """The ids of the events no rule matched, by actor and date, and why: gathered for every actor
    at once when the first one asks (one gather of a million rows beats 200 small ones)."""

    def __init__(self, matched: Matched, fired: Fired, groups: np.ndarray, pack: RulePack) -> None:
        self._frame, self._order, self._fired, self._groups = matched.frame, matched.order, fired, groups  # in that order
        self._pack, self._grouped_by = pack, matched.grouped_by
        self._lock = threading.Lock()

    @cached_property
    def _positions(self) -> np.ndarray:
        """The positions in the order of every unmatched event."""
        per_group = self._fired.starts[1:] - self._fired.starts[:-1]
        return np.flatnonzero(per_group[self._groups] == 0).astype(np.int32)  # (half the bytes held)

    @cached_property
    def _ids(self) -> UnmatchedIds:
        """Their ids and why no rule matched each."""
        rows = self._order[self._positions].astype(np.uint32)  # (polars gathers by u32: no copy)
        columns = [name for name in tested_columns(self._pack) if name in self._frame.columns]
        if len(rows) and set(columns) <= set(self._grouped_by):
            # The events of a group hold the same values of every column the reasons read: one
            # judgement a group, from one of its events.
            groups = self._groups[self._positions]
            first, codes = grouped(groups, int(groups.max()) + 1)
            said = judged(self._pack, self._frame.select(columns)[pl.Series(rows[first])])
        else:
            codes, said = reasons(self._pack, self._frame.select(columns)[pl.Series(rows)])
        # The ids stay in the events' column, each piece gathering its own (not a copy of nearly every id
        # held while the document is written); a reason's place fits in the fewest bytes that hold it.
        return UnmatchedIds(self._frame["id"], codes.astype(np.min_scalar_type(max(len(said) - 1, 0))), said, rows)

    def _span(self, lo: int, hi: int) -> tuple[int, int]:
        """Where positions [lo, hi) of the order are among the unmatched."""
        # (Asked as the positions' own type: numpy would otherwise copy them all to the type of the question.)
        a, b = np.searchsorted(self._positions, np.array([lo, hi], dtype=self._positions.dtype))
        return int(a), int(b)

    def between(self, lo: int, hi: int) -> tuple[str, ...]:
        """Those among positions [lo, hi) of the order."""
        return self._ids.between(*self._span(lo, hi))

    def reasons_between(self, lo: int, hi: int) -> dict[str, str]:
        """Why no rule matched each of those, by event id."""
        return self._ids.reasons_between(*self._span(lo, hi))

    def json_parts(self, lo: int, hi: int, pad: str = "") -> tuple[list[Piece], list[Piece]]:
        """Both, as the JSON document writes them, in pieces (`unmatched_ids.json_parts`): the ids are
        gathered and reasoned when the first piece is made."""
        return json_parts(self._gathered, *self._span(lo, hi), pad)

    def _gathered(self) -> UnmatchedIds:
        """The ids and their reasons (`_ids`), worked out once when two threads making a document's pieces
        ask at the same time."""
        with self._lock:
            return self._ids


def rescore(matched: Matched, pack: RulePack, *, every: Every | None = None, tally: Tally | None = None) -> Score:
    """Score already matched events with `pack`: the matched pack with other weights, no engine call."""
    if not matched.pack.same_rules(pack):
        raise ValueError("rescore needs the pack that was matched, with only its weights changed")
    frame, order, as_of = matched.frame, matched.order, matched.as_of
    fired = Fired.of(pack, matched.fired)
    # Gathered by polars, the columns side by side (numpy gathers them one after another, in twice the time).
    by_actor = frame.select("day", "intensity", "confidence", groups=pl.Series(matched.groups))[pl.Series(order, dtype=pl.UInt32)]
    numbers = EventColumns(*(column.to_numpy() for column in by_actor.get_columns()))
    unmatched = _Unmatched(matched, fired, numbers.groups, pack)
    last_dates = [] if as_of is not None else frame["date"].gather(order[matched.bounds[1:] - 1]).cast(pl.String).to_list()
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
            as_of if as_of is not None else last_dates[i],
            every,
            partial(unmatched.between, lo, hi),
            partial(unmatched.reasons_between, lo, hi),
            partial(unmatched.json_parts, lo, hi),
            matched.sequences,
            as_of=as_of is not None,
        )
    return Score(pack, actors, tally)


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
