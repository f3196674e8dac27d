"""Scores as DataFrames: every actor's timeline, drivers and trail as one polars (or pandas) table each.

The tables are built from the columns the scorer already holds (each actor's
timeline columns and matches), an actor's block of rows at a time, and carry
the numbers of the JSON output: the same floats, -0.0 written as 0.0.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib.util import find_spec
from itertools import chain
from typing import Any, Literal, get_args

import numpy as np
import polars as pl

from scorer.pack.model import RulePack
from scorer.scoring.actor import ActorScore
from scorer.scoring.fired import ranks

Table = Literal["timeline", "drivers", "trail"]
TABLES: tuple[str, ...] = get_args(Table)

# The timeline's own columns; an axis of the same name gets its column as `axis_NAME`.
_FIXED = ("actor", "period", "date", "event", "events", "balance", "lean")

DRIVERS_SCHEMA = {"actor": pl.String, "kind": pl.String, "name": pl.String, "share": pl.Float64, "rank": pl.Int64}
TRAIL_SCHEMA = {
    "actor": pl.String,
    "event": pl.String,
    "date": pl.String,
    "rule": pl.String,
    "axis": pl.String,
    "weight": pl.Float64,
    "intensity": pl.Float64,
    "confidence": pl.Float64,
    "contribution": pl.Float64,
}


def table(actors: Sequence[ActorScore], pack: RulePack, name: str, *, event: str | None = None) -> pl.DataFrame:
    """The table `name` (one of TABLES) of these actors scored with `pack`; `event` keeps that event's trail only."""
    if name == "timeline":
        return timeline(actors, pack.scoring.axes)
    if name == "drivers":
        return drivers(actors)
    if name == "trail":
        frame = trail(actors, pack)
        return frame if event is None else frame.filter(pl.col("event") == event)
    raise ValueError(f"no table {name!r}: a score's tables are {', '.join(map(repr, TABLES))}")


def axis_columns(axes: Sequence[str]) -> list[str]:
    """Each axis's column in the timeline: its name, unless a column of the timeline's own has it."""
    return [f"axis_{axis}" if axis in _FIXED else axis for axis in axes]


def _strings(parts: Sequence[Sequence[Any]]) -> pl.Series:
    """Lists of text joined into one column."""
    return pl.Series(list(chain.from_iterable(parts)), dtype=pl.String)


def _repeated(names: Sequence[str], counts: Sequence[int]) -> pl.Series:
    """Each name as many times as its count, in turn."""
    return pl.Series(list(names), dtype=pl.String).gather(np.repeat(np.arange(len(names)), counts))


def _joined(parts: Sequence[np.ndarray], width: int | None = None) -> np.ndarray:
    """Arrays joined end to end, -0.0 made 0.0 (an empty array of the right shape when there are none)."""
    if not parts:
        return np.zeros((0, width) if width is not None else 0)
    joined: np.ndarray = np.concatenate(parts) + 0.0
    return joined


def timeline(actors: Sequence[ActorScore], axes: Sequence[str]) -> pl.DataFrame:
    """A row per actor and event (or period): actor, date, event (period, date, events), each axis, balance, lean."""
    columns = [actor.columns for actor in actors]
    by_period = any(c.periods is not None for c in columns)  # every actor of a score, or none
    data: dict[str, Any] = {"actor": _repeated([a.actor for a in actors], [len(c.dates) for c in columns])}
    if by_period:
        data["period"] = _strings([c.periods or [] for c in columns])
    data["date"] = _strings([c.dates for c in columns])
    if by_period:
        data["events"] = pl.Series(list(chain.from_iterable(c.events for c in columns)), dtype=pl.Int64)
    else:
        data["event"] = _strings([c.events for c in columns])
    values = _joined([c.values for c in columns], len(axes))
    for i, name in enumerate(axis_columns(axes)):
        data[name] = pl.Series(values[:, i], dtype=pl.Float64)
    data["balance"] = pl.Series(_joined([c.balance for c in columns]), dtype=pl.Float64)
    data["lean"] = pl.Series(_joined([c.lean for c in columns]), dtype=pl.Float64)
    return pl.DataFrame(data)


def drivers(actors: Sequence[ActorScore]) -> pl.DataFrame:
    """A row per actor and driver of its final balance: actor, kind (event or rule), name, share, rank (1: largest)."""
    lists = [(a.actor, kind, shares) for a in actors for kind, shares in (("event", a.event_drivers), ("rule", a.rule_drivers))]
    counts = [len(shares) for _, _, shares in lists]
    return pl.DataFrame(
        {
            "actor": _repeated([actor for actor, _, _ in lists], counts),
            "kind": _repeated([kind for _, kind, _ in lists], counts),
            "name": _strings([[s.name for s in shares] for _, _, shares in lists]),
            "share": _joined([np.array([s.share for s in shares], dtype=np.float64) for _, _, shares in lists]),
            "rank": ranks(np.array(counts, dtype=np.int64)) + 1,
        },
        schema=DRIVERS_SCHEMA,
    )


def trail(actors: Sequence[ActorScore], pack: RulePack) -> pl.DataFrame:
    """A row per match of a rule on an event, by actor and date (an event no rule matched: one row of nulls).

    Each actor's lines are laid out with array arithmetic; the columns are then
    gathered once for every actor (a polars call per actor costs more than the
    arithmetic of its rows).
    """
    events = [actor.events("id", "date", "intensity", "confidence") for actor in actors]
    if not events:
        return pl.DataFrame(schema=TRAIL_SCHEMA)
    matches = [actor.matches for actor in actors]
    on, pick = [], []  # each line's event and match, counted over every actor
    event_base = match_base = 0
    for frame, m in zip(events, matches, strict=True):
        per_event = np.bincount(m.row, minlength=frame.height)
        lines = np.maximum(per_event, 1)  # an event no rule matched has its one line too
        first = np.cumsum(lines) - lines
        picked = np.full(int(lines.sum()), -1, dtype=np.int64)
        picked[first[m.row] + ranks(per_event)] = np.arange(len(m.row)) + match_base
        pick.append(picked)
        on.append(np.repeat(np.arange(frame.height), lines) + event_base)
        event_base, match_base = event_base + frame.height, match_base + len(m.row)
    lines_of = np.concatenate(pick)
    at = pl.Series(lines_of).scatter(np.flatnonzero(lines_of < 0), None)  # no match: a null
    every = pl.concat(events)[pl.Series(np.concatenate(on))]
    rules = pl.Series([rule.id for rule in pack.rules], dtype=pl.String)
    axes = pl.Series(list(pack.scoring.axes), dtype=pl.String)

    def matched(values: np.ndarray, names: pl.Series | None = None) -> pl.Series:
        """A column of every match (names, when given, for its indexes), on its line; null on an unmatched event's."""
        column = pl.Series(values) if names is None else names.gather(values)
        return column.gather(at)

    return pl.DataFrame(
        {
            "actor": _repeated([actor.actor for actor in actors], [len(p) for p in pick]),
            "event": every["id"],
            "date": every["date"].cast(pl.String),
            "rule": matched(np.concatenate([m.rule for m in matches]), rules),
            "axis": matched(np.concatenate([m.axis for m in matches]), axes),
            "weight": matched(np.concatenate([m.weight for m in matches])),
            "intensity": every["intensity"],
            "confidence": every["confidence"],
            "contribution": matched(np.concatenate([m.contribution for m in matches]) + 0.0),
        },
        schema=TRAIL_SCHEMA,
    )


def to_pandas(frame: pl.DataFrame) -> Any:
    """`frame` as a pandas DataFrame; ImportError naming the `pandas` extra when pandas or pyarrow is missing."""
    missing = [name for name in ("pandas", "pyarrow") if find_spec(name) is None]
    if missing:
        raise ImportError(
            f"to_pandas needs {' and '.join(missing)}, which scorer installs as its 'pandas' extra:"
            " pip install 'scorer[pandas]'"
        )
    return frame.to_pandas()
