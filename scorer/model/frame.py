"""Events as columns: the one representation matching and scoring work on.

Readers validate events (one by one with the pydantic model, or by columns
with polars) and hand over a frame of this schema; nothing downstream sees a
row of unknown shape.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import polars as pl

from scorer.model.fields import Origin
from scorer.model.skipped import Tally
from scorer.problems import printable

if TYPE_CHECKING:
    from scorer.model.event import Event

NUMBERS = ("day", "intensity", "confidence")  # the columns scoring reads as arrays
TEXT_FIELDS = ("id", "date", "actor", "type", "partner", "summary", "source", "quote")
NUMBER_FIELDS = ("intensity", "confidence")
# Text with few distinct values is Categorical: 4 bytes a row instead of 16.
SCHEMA: dict[str, Any] = {
    "id": pl.String,
    "date": pl.Categorical,
    "day": pl.Int32,
    "actor": pl.Categorical,
    "type": pl.Categorical,
    "partner": pl.Categorical,
    "intensity": pl.Float64,
    "confidence": pl.Float64,
    "summary": pl.String,
    "source": pl.String,
    "quote": pl.String,
    "tags": pl.String,  # JSON text of the list, or null
    "attrs": pl.String,  # JSON text of the mapping, or null
    "file": pl.Categorical,
    "line": pl.Int32,
    "col": pl.Int32,
}
# What a score need not read when its pack does not test them: text for people, and the attributes.
LEFT_OUT = frozenset({"summary", "source", "quote", "tags", "attrs"})
# The fields of a JSON Lines line as polars reads them (`tags` and `attrs` only line by line).
READ_SCHEMA: dict[str, pl.DataType] = {name: pl.String() for name in TEXT_FIELDS} | {name: pl.Float64() for name in NUMBER_FIELDS}
# The fields a block is read for first: what scoring reads. Without the five columns of
# text for people, polars reads a block in about a sixth less time; a block that holds
# one of them fails the checks and is read again for every field (`io.columns._Blocks.block`).
USUAL = {name: kind for name, kind in READ_SCHEMA.items() if name not in LEFT_OUT}



def empty() -> pl.DataFrame:
    """A frame of no events."""
    return pl.DataFrame(schema=SCHEMA)


def from_events(events: Sequence[Event], origins: Sequence[Origin]) -> pl.DataFrame:
    """A frame of validated events, in input order."""
    if not events:
        return empty()
    columns: dict[str, list[Any]] = {name: [] for name in SCHEMA}
    for event, origin in zip(events, origins, strict=True):
        for name in TEXT_FIELDS:
            columns[name].append(getattr(event, name))
        columns["day"].append(event.day.toordinal())
        columns["intensity"].append(event.intensity)
        columns["confidence"].append(event.confidence)
        columns["tags"].append(None if event.tags is None else json.dumps(event.tags))
        columns["attrs"].append(None if event.attrs is None else json.dumps(event.attrs, sort_keys=True))
        columns["file"].append(printable(origin.file))  # a name that is not UTF-8 shown with its bytes escaped
        columns["line"].append(origin.line)
        columns["col"].append(origin.col)
    return pl.DataFrame(columns, schema=SCHEMA)



def to_origins(frame: pl.DataFrame) -> list[Origin]:
    """Where each row's event was read."""
    return [Origin(f, line, col) for f, line, col in frame.select("file", "line", "col").iter_rows()]


@dataclass(frozen=True)
class EventSet:
    """Events in input order as columns (`frame`), the machine-coded rows that did not become events, the files.

    `tally` is None when no machine-coded (GDELT, ICEWS) file was read;
    `sources` are the files read, as they were named.
    """

    frame: pl.DataFrame
    tally: Tally | None = None
    sources: tuple[str, ...] = ()

    @classmethod
    def of(cls, events: Sequence[Event], origins: Sequence[Origin] | None = None) -> EventSet:
        """Validated event models as a set, each read at `origins` (by default `<events>`, line by line)."""
        if origins is None:
            origins = [Origin("<events>", i + 1, 1) for i in range(len(events))]
        return cls(from_events(events, origins))

    def __len__(self) -> int:
        return self.frame.height
