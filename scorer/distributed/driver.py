"""A score run on a Dask cluster (`--engine dask`): the same pack, the same numbers, the events spread out.

Parquet input is read where the workers are, a file per task; other input
is read here and sent in slices. The run makes two passes over the parts
(`scorer.distributed.parts`):

1. each part's distinct combinations of tested values come back; the engine
   (durable_rules, here, once) is asked once per distinct combination over
   all parts, and its answers go to every worker;
2. each part sums what its events add to each axis by actor and day; those
   sums come back, and the running totals, periods and decay are worked out
   here on that small table (`scorer.scoring.daily`).

Views made event by event (a timeline without `--every`, `explain`) need
the events here: they are fetched, and scored as a local run would, when
they are at most MAX_FETCHED; more are refused, with a pointer to `--every`.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
from dask.distributed import Client, LocalCluster

from scorer.distributed.parts import Answers, Options, ParquetPart, Sums, Survey, contributions, fetch, ids_of, survey
from scorer.engine import Matcher
from scorer.io.load import duplicate_ids, read_events
from scorer.io.machine_coded.rows import Intensity
from scorer.io.parquet.read import is_parquet, parquet_files, partition_values
from scorer.model.fields import parse_date
from scorer.model.frame import SCHEMA, EventSet, empty
from scorer.model.skipped import Tally
from scorer.pack.model import RulePack
from scorer.problems import InputError, Problem, UsageError
from scorer.scoring.actor import ActorScore
from scorer.scoring.daily import DayScore
from scorer.scoring.fired import Fired
from scorer.scoring.periods import Every
from scorer.scoring.score import Score
from scorer.scoring.unmatched import reasons
from scorer.scoring.unmatched_ids import NO_IDS, UnmatchedIds

MAX_FETCHED = 1_000_000  # events brought to the driver for views made event by event
_SLICE = 1_000_000  # events of non-Parquet input sent to a worker at a time
NEEDED = ("id", "date", "actor", "intensity", "confidence")


@contextlib.contextmanager
def connect(scheduler: str) -> Iterator[Client]:
    """A client of the cluster at `scheduler`, or of a LocalCluster of N processes for `local:N`."""
    if scheduler.startswith("local:"):
        try:
            workers = int(scheduler[len("local:") :])
        except ValueError:
            workers = 0
        if workers < 1:
            raise UsageError(f"--scheduler {scheduler!r}: local:N needs a number of workers N of 1 or more")
        with (
            LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",  # any free port: no warning when 8787 is taken
                silence_logs=logging.CRITICAL,  # the command's messages are its own
                env=_worker_threads(workers),
            ) as cluster,
            Client(cluster) as client,
        ):
            yield client
        return
    try:
        client = Client(scheduler, timeout="30s")
    except OSError as err:
        raise UsageError(f"--scheduler {scheduler!r}: cannot reach the scheduler ({err})") from None
    with client:
        yield client


def _worker_threads(workers: int) -> dict[str, str]:
    """The environment of a LocalCluster's workers: polars in each uses its share of this machine's cores
    (N processes each running as many threads as there are cores only take turns), unless the user
    set POLARS_MAX_THREADS."""
    if "POLARS_MAX_THREADS" in os.environ:
        return {}
    return {"POLARS_MAX_THREADS": str(max(1, (os.cpu_count() or 1) // workers))}


@dataclass(frozen=True)
class Inputs:
    """The parts of a run, in input order, and what was read here (the tally of GDELT/ICEWS rows, the files)."""

    parts: list[ParquetPart | pl.DataFrame]
    tally: Tally | None
    sources: tuple[str, ...]


def inputs(
    paths: Sequence[str], input_format: str | None, *, strict: bool, intensity: Intensity
) -> Inputs:
    """Parquet files as parts for the workers to read; other files read here, as slices."""
    parts: list[ParquetPart | pl.DataFrame] = []
    problems: list[Problem] = []
    tally: Tally | None = None
    for path in paths:
        try:
            if input_format == "parquet" or (input_format is None and is_parquet(path)):
                parts += [ParquetPart(file, partition_values(path, file)) for file in parquet_files(path)]
                continue
            events = read_events([path], input_format, strict=strict, intensity=intensity)
        except InputError as err:
            problems += err.problems
            continue
        if events.tally is not None:
            tally = tally or Tally()
            tally.rows += events.tally.rows
            tally.skipped.extend(events.tally.skipped)
        frame = events.frame.cast({k: pl.String for k, v in SCHEMA.items() if v == pl.Categorical})
        parts += [frame.slice(lo, _SLICE) for lo in range(0, frame.height, _SLICE)]
    if problems:
        raise InputError(problems)
    return Inputs(parts, tally, tuple(paths))


def run(
    client: Client,
    given: Inputs,
    pack: RulePack,
    *,
    actor: str | None = None,
    as_of: str | None = None,
    every: Every | None = None,
    without: Sequence[str] = (),
    per_event: bool = False,
) -> Score | EventSet:
    """Score on the cluster: a score made of sums, or (`per_event`, or no `every`) the events fetched here."""
    matcher = Matcher(pack)
    fields = tuple(matcher.fields())
    # A sequence rule looks at every earlier event, of any actor and in any part, so its events are scored here.
    fetched = per_event or every is None or matcher.sequential
    wanted = None if fetched else tuple(sorted(set(fields) | set(NEEDED)))
    options = Options(
        wanted,
        fields,
        None if matcher.sequential else actor,
        # Events fetched here are cut at --as-of by the local scoring, which keeps an actor with none before it.
        parse_date(as_of).toordinal() if as_of and not fetched else None,
        tuple(dict.fromkeys(without)),
    )
    parts = client.scatter(given.parts) if given.parts else []
    surveys: list[Survey] = client.gather(client.map(survey, parts, options=options, pure=False))
    _check(client, parts, options, surveys)
    rows = sum(s.rows for s in surveys)
    if fetched:
        _check_fetched(rows, pack if matcher.sequential else None)
        frames: list[pl.DataFrame] = client.gather(client.map(fetch, parts, options=options, pure=False))
        frame = pl.concat(frames).cast(SCHEMA) if frames else empty()  # type: ignore[arg-type]
        return EventSet(frame, given.tally, given.sources)
    distinct = [s.distinct for s in surveys if s.distinct.width]
    union = pl.concat(distinct, how="vertical_relaxed").unique(maintain_order=True) if distinct else pl.DataFrame()
    # A pack with sequence rules never comes here (its events are fetched), so each group's answer is the engine's.
    groups, fired = matcher.match_frame(union)[:2] if fields else (np.zeros(0, dtype=np.int64), [tuple[int, ...]()])
    answers = Answers(union.with_columns(g=pl.Series(groups, dtype=pl.Int64)), Fired.of(pack, fired))
    shared = client.scatter(answers, broadcast=True)
    sums: list[Sums] = client.gather(client.map(contributions, parts, options=options, answers=shared, pure=False))
    actors = _actors(sums, pack, as_of, every)
    width = len(pack.scoring.axes)
    for name in sorted({a for s in surveys for a in s.actors} - set(actors)):
        # An actor with no event on or before --as-of: an empty timeline, valued on that day.
        none = np.zeros(0, dtype=np.int64)
        actors[name] = DayScore(name, pack, none, np.zeros((0, width)), none, as_of or "", every, NO_IDS, (0, 0), as_of=True)
    return Score(pack, dict(sorted(actors.items())), given.tally)


def _check_fetched(rows: int, sequential: RulePack | None) -> None:
    """Refuse to bring more than MAX_FETCHED events here, saying what to do instead."""
    if rows <= MAX_FETCHED:
        return
    if sequential is not None:
        rule = next(rule.id for rule in sequential.rules if rule.enabled and rule.contexts)
        raise UsageError(
            f"rule '{rule}' has after or not_after: on Dask its events are scored in one process, and"
            f" {rows:,} events are too many for that (at most {MAX_FETCHED:,}): use --engine local,"
            " or a pack without sequence rules"
        )
    raise UsageError(
        f"{rows:,} events are too many to view one by one on Dask (at most {MAX_FETCHED:,}):"
        " use score --every year|quarter|month, or --actor for one actor's explanation"
    )


def _check(client: Client, parts: list[object], options: Options, surveys: list[Survey]) -> None:
    """Every problem of every part (duplicate ids among them), then `--without` ids that are nowhere."""
    problems = [p for s in surveys for p in s.problems]
    hashes = np.concatenate([s.hashes for s in surveys]) if surveys else np.zeros(0, dtype=np.uint64)
    values, counts = np.unique(hashes, return_counts=True)
    if (counts > 1).any():
        repeated = values[counts > 1]
        found: list[pl.DataFrame] = client.gather(client.map(ids_of, parts, options=options, hashes=repeated, pure=False))
        problems += duplicate_ids(pl.concat(found))
    if problems:
        raise InputError(problems)
    present = {event_id for s in surveys for event_id in s.found}
    missing = [event_id for event_id in options.without if event_id not in present]
    if missing:
        raise UsageError("--without: no event " + ", ".join(repr(e) for e in missing) + " among the events")


def _actors(sums: list[Sums], pack: RulePack, as_of: str | None, every: Every | None) -> dict[str, ActorScore]:
    """Each actor's score from the parts' sums (parts in input order), in actor-code order."""
    width = len(pack.scoring.axes)
    axes = [f"a{i}" for i in range(width)]
    days = pl.concat([s.days for s in sums]) if sums else pl.DataFrame()
    if days.height == 0:
        return {}
    order = days.with_row_index("i").sort(["actor", "day"], maintain_order=True)["i"].to_numpy()
    days = days[pl.Series(order)]
    change = ((days["actor"] != days["actor"].shift(1)) | (days["day"] != days["day"].shift(1))).fill_null(True)
    starts = np.flatnonzero(change.to_numpy())
    amounts = np.add.reduceat(days.select(axes).to_numpy(), starts, axis=0) if width else np.zeros((len(starts), 0))
    events = np.add.reduceat(days["events"].to_numpy(), starts)
    table = days[pl.Series(starts)].select("actor", "day")
    last = _last_dates(sums)
    unmatched, spans = _unmatched(sums, pack)
    actors: dict[str, ActorScore] = {}
    names = table["actor"].to_numpy()
    bounds = np.flatnonzero(np.concatenate([[True], names[1:] != names[:-1], [True]]))
    day = table["day"].to_numpy().astype(np.int64)
    for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        name = str(names[lo])
        actors[name] = DayScore(
            name, pack, day[lo:hi], amounts[lo:hi], events[lo:hi], as_of or last[name], every, unmatched, spans.get(name, (0, 0)), as_of=as_of is not None
        )
    return dict(sorted(actors.items()))


def _last_dates(sums: list[Sums]) -> dict[str, str]:
    """Each actor's last event's date as written: the latest day, and of that day the last in input order."""
    frames = [s.last.with_columns(part=pl.lit(i, pl.Int64)) for i, s in enumerate(sums) if s.last.height]
    ordered = pl.concat(frames).sort(["actor", "day", "part", "row"]).group_by("actor", maintain_order=True).last()
    return dict(ordered.select("actor", "date").iter_rows())


def _unmatched(sums: list[Sums], pack: RulePack) -> tuple[UnmatchedIds, dict[str, tuple[int, int]]]:
    """The events no rule matched, one actor after another, by date, ties in input order, and why; and
    where each actor's are among them."""
    frames = [s.unmatched.with_columns(part=pl.lit(i, pl.Int64)) for i, s in enumerate(sums) if s.unmatched.height]
    if not frames:
        return UnmatchedIds(pl.Series([], dtype=pl.String), np.zeros(0, dtype=np.int64), []), {}
    found = pl.concat(frames, how="diagonal_relaxed", rechunk=True)  # (one chunk: gathered much faster)
    names = found["actor"].unique().cast(pl.String).sort()  # ranked by name through the few names, not every row
    rank = found["actor"].replace_strict(names, pl.int_range(len(names), eager=True), return_dtype=pl.Int64)
    ordered = found.with_columns(rank=rank)[_order(rank.to_numpy(), found, len(frames))]
    codes, said = reasons(pack, ordered)
    counts = ordered.group_by("rank", maintain_order=True).agg(pl.col("actor").first(), pl.len())
    ends = np.cumsum(counts["len"].to_numpy())
    spans = {str(actor): (int(end - n), int(end)) for actor, n, end in zip(counts["actor"], counts["len"], ends, strict=True)}
    return UnmatchedIds(ordered["id"].cast(pl.String), codes, said), spans


def _order(rank: np.ndarray, found: pl.DataFrame, parts: int) -> pl.Series:
    """The order of unmatched events by actor rank, day, part and row: sorted as one number where the four
    fit in 63 bits (a sort of ten million rows by four columns takes seconds more)."""
    day = found["day"].to_numpy().astype(np.int64)
    row = found["row"].to_numpy().astype(np.int64)
    first = int(day.min())
    days, rows = int(day.max()) - first + 1, int(row.max()) + 1
    if (int(rank.max()) + 1) * days * (parts + 1) * rows >= 1 << 63:
        return found.with_columns(rank=pl.Series(rank)).select(pl.arg_sort_by(["rank", "day", "part", "row"])).to_series()
    key = ((rank * days + (day - first)) * (parts + 1) + found["part"].to_numpy()) * rows + row
    return pl.Series(key).arg_sort()  # (each key once: no tie to keep in order)
