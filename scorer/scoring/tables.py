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
    """A row per match of a rule on an event, by actor and date (an event no rule matched: one row of nulls)."""
    rules = pl.Series([rule.id for rule in pack.rules], dtype=pl.String)
    axes = pl.Series(list(pack.scoring.axes), dtype=pl.String)
    parts = [_trail(actor, rules, axes) for actor in actors]
    return pl.concat(parts) if parts else pl.DataFrame(schema=TRAIL_SCHEMA)


def _trail(actor: ActorScore, rules: pl.Series, axes: pl.Series) -> pl.DataFrame:
    """One actor's part of `trail`."""
    events = actor.events("id", "date", "intensity", "confidence")
    m = actor.matches
    per_event = np.bincount(m.row, minlength=events.height)
    lines = np.maximum(per_event, 1)  # an event no rule matched has its one line too
    first = np.cumsum(lines) - lines
    pick = np.full(int(lines.sum()), -1, dtype=np.int64)  # the match on each line
    pick[first[m.row] + ranks(per_event)] = np.arange(len(m.row))
    at = pl.Series(pick).scatter(np.flatnonzero(pick < 0), None)  # no match: a null

    def matched(values: pl.Series) -> pl.Series:
        return values.gather(at)

    on = pl.Series(np.repeat(np.arange(events.height), lines))
    return pl.DataFrame(
        {
            "actor": pl.Series([actor.actor], dtype=pl.String).gather(np.zeros(len(pick), dtype=np.int64)),
            "event": events["id"].gather(on),
            "date": events["date"].cast(pl.String).gather(on),
            "rule": matched(rules.gather(m.rule)),
            "axis": matched(axes.gather(m.axis)),
            "weight": matched(pl.Series(m.weight, dtype=pl.Float64)),
            "intensity": events["intensity"].gather(on),
            "confidence": events["confidence"].gather(on),
            "contribution": matched(pl.Series(m.contribution + 0.0, dtype=pl.Float64)),
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
