"""What each worker of a distributed run does with its part of the events: plain functions of polars and numpy.

A part is a Parquet file read where the worker is, or a slice of events the
driver read and sent. Each function reads its part again rather than keep it:
a worker holds one part at a time, whatever the size of the whole.

* `survey`: the part's rows, its distinct combinations of tested values,
  the hashes of its ids (for the check of duplicates), its problems;
* `contributions`: with the engine's answers for every combination, what
  the part's events add to each axis, summed by actor and day, and the
  events no rule matched;
* `fetch`: the part's events themselves (for views made event by event).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import polars as pl

from scorer.io.parquet.read import read_file
from scorer.model.frame import SCHEMA
from scorer.problems import Problem
from scorer.scoring.fired import Fired

NUMBERS = ("intensity", "confidence")  # kept as numbers where the fields tested go along with an event

_TEXT_SCHEMA = {name: pl.String if kind == pl.Categorical else kind for name, kind in SCHEMA.items()}


@dataclass(frozen=True)
class ParquetPart:
    """One Parquet file, read on a worker; `partitions` are the values of its `key=value` folders."""

    file: str
    partitions: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Options:
    """What every part is read and filtered with."""

    columns: tuple[str, ...] | None  # the fields to read from Parquet (None: all)
    fields: tuple[str, ...]  # the columns the pack tests
    actor: str | None = None
    as_of_day: int | None = None
    without: tuple[str, ...] = ()


@dataclass(frozen=True)
class Survey:
    """What the driver learns of a part before the engine is asked."""

    rows: int  # rows kept (after --actor, --as-of, --without)
    distinct: pl.DataFrame  # the distinct combinations of tested values among them (text as String)
    found: list[str]  # the ids of --without that the part holds
    hashes: np.ndarray  # the hash of each id of the part, before any filter
    problems: list[Problem]
    actors: list[str] = field(default_factory=list)  # the actors kept before --as-of: each is scored, events or not


@dataclass(frozen=True)
class Answers:
    """The engine's answers, sent to every worker: each combination's group (`g`), and what each group fires."""

    table: pl.DataFrame  # the tested columns (text as String) and `g`
    fired: Fired


@dataclass(frozen=True)
class Sums:
    """What a part adds, by actor and day; its last event per actor; its events no rule matched."""

    days: pl.DataFrame  # actor, day, events, then one column per axis (a0, a1, ...), by actor and day
    last: pl.DataFrame  # actor, day, row, date: each actor's last event of the part (by day, then order)
    unmatched: pl.DataFrame  # actor, day, row, id and the tested fields (text as Categorical)


def load(
    source: ParquetPart | pl.DataFrame, options: Options, *, checked: bool = False
) -> tuple[pl.DataFrame, list[Problem]]:
    """A part's events (text as String) and the problems of its rows (none looked for when `checked`:
    the part is read again after `survey` found none)."""
    if isinstance(source, ParquetPart):
        frame, problems = read_file(source.file, source.partitions, options.columns, check=not checked)
    else:
        frame, problems = source, []
    return frame.cast(_TEXT_SCHEMA), problems  # type: ignore[arg-type]


def kept(frame: pl.DataFrame, options: Options) -> pl.DataFrame:
    """The rows a run scores: less `--without`, of `--actor`, up to `--as-of`."""
    if options.without:
        frame = frame.filter(~pl.col("id").is_in(list(options.without)))
    if options.actor is not None:
        frame = frame.filter(pl.col("actor") == options.actor)
    if options.as_of_day is not None:
        frame = frame.filter(pl.col("day") <= options.as_of_day)
    return frame


def survey(source: ParquetPart | pl.DataFrame, options: Options) -> Survey:
    """Pass one over a part."""
    frame, problems = load(source, options)
    hashes = frame["id"].hash().to_numpy()
    found = frame.filter(pl.col("id").is_in(list(options.without)))["id"].unique().to_list() if options.without else []
    rows = kept(frame, options)
    distinct = rows.select(options.fields).unique(maintain_order=True) if options.fields else pl.DataFrame()
    actors = kept(frame, replace(options, as_of_day=None))["actor"].cast(pl.String).unique().to_list()
    return Survey(rows.height, distinct, found, hashes, problems, actors)


def groups(frame: pl.DataFrame, options: Options, answers: Answers) -> np.ndarray:
    """Each row's group of tested values, as the driver numbered them."""
    if not options.fields:
        return np.zeros(frame.height, dtype=np.int64)
    keys = frame.select(options.fields)
    joined = keys.join(answers.table, on=list(options.fields), how="left", nulls_equal=True, maintain_order="left")
    found: np.ndarray = joined["g"].to_numpy()
    return found


def contributions(source: ParquetPart | pl.DataFrame, options: Options, answers: Answers) -> Sums:
    """Pass two over a part: what its events add to each axis, by actor and day."""
    frame = kept(load(source, options, checked=True)[0], options).with_row_index("row")
    group = groups(frame, options, answers)
    amounts = answers.fired.amounts(group, frame["intensity"].to_numpy(), frame["confidence"].to_numpy())
    days, last = by_actor_and_day(frame["actor"], frame["day"].to_numpy(), amounts)
    per_group = answers.fired.starts[1:] - answers.fired.starts[:-1]
    # The fields the pack tests go with each unmatched event, so the driver can say why no rule matched it;
    # text as categories: a few bytes a row to send rather than the text, and grouped by their codes there.
    tested = [c for c in dict.fromkeys(("type", "partner", *options.fields)) if c in frame.columns]
    unmatched = frame.filter(pl.Series(per_group[group] == 0)).select(
        pl.col("actor").cast(pl.Categorical),
        "day",
        "row",
        "id",
        *(pl.col(c) if c in NUMBERS else pl.col(c).cast(pl.Categorical) for c in tested),
    )
    return Sums(days, frame[pl.Series(last)].select("actor", "day", "row", "date"), unmatched)


def by_actor_and_day(actor: pl.Series, day: np.ndarray, amounts: np.ndarray) -> tuple[pl.DataFrame, np.ndarray]:
    """Rows summed by actor and day, and the row of each actor's last event (latest day, then last row).

    Rows are put in order by one integer key (the actor's rank among the names, then the day)
    with a stable sort, so each sum is made in the rows' order: the same each run.
    """
    width = amounts.shape[1] if amounts.ndim == 2 else 0
    if actor.len() == 0:
        empty_days = pl.DataFrame({"actor": actor, "day": pl.Series([], dtype=pl.Int32)})
        table = empty_days.with_columns(events=pl.Series([], dtype=pl.Int64))
        return table.with_columns(pl.Series(f"a{i}", [], dtype=pl.Float64) for i in range(width)), np.zeros(0, np.int64)
    names = actor.unique().sort()  # (few; ranking the rows' text itself is a sort of every row)
    rank = actor.replace_strict(names, pl.int_range(len(names), eager=True), return_dtype=pl.Int64).to_numpy()
    wide = day.astype(np.int64)
    first = int(wide.min())
    key = rank * (int(wide.max()) - first + 1) + (wide - first)
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    starts = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
    ends = np.append(starts[1:], len(order))
    summed = np.add.reduceat(amounts[order], starts, axis=0) if width else np.zeros((len(starts), 0))
    where = order[starts]
    table = pl.DataFrame(
        {"actor": actor.gather(where), "day": pl.Series(day[where], dtype=pl.Int32), "events": ends - starts}
    ).with_columns(pl.Series(f"a{i}", summed[:, i], dtype=pl.Float64) for i in range(width))
    ranks = rank[order]
    last = order[np.flatnonzero(np.append(ranks[1:] != ranks[:-1], True))]
    return table, last


def fetch(source: ParquetPart | pl.DataFrame, options: Options) -> pl.DataFrame:
    """A part's kept events themselves (text as String)."""
    return kept(load(source, options, checked=True)[0], options)


def ids_of(source: ParquetPart | pl.DataFrame, options: Options, hashes: np.ndarray) -> pl.DataFrame:
    """The part's events whose id hashes are among `hashes`: id and where each was read."""
    frame = load(source, options)[0]
    return frame.filter(pl.Series(np.isin(frame["id"].hash().to_numpy(), hashes))).select("id", "file", "line", "col")
