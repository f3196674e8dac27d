"""Events as columns: the one representation matching and scoring work on.

Small hand-coded files are validated event by event (pydantic, exact
messages) and then turned into a frame; large JSON Lines files are read
straight into a frame by polars and checked with column expressions. Those
checks are conservative: anything they are not sure of sends the file back
to the exact event-by-event reader, which then reports the problem with its
line and column, or accepts the file after all.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from datetime import date as Date
from typing import Any

import polars as pl

from scorer.events import Event, Origin

_EPOCH_ORDINAL = Date(1970, 1, 1).toordinal()

TEXT_FIELDS = ("id", "date", "actor", "type", "partner", "summary", "source", "quote")
NUMBER_FIELDS = ("intensity", "confidence")
SCHEMA: dict[str, Any] = {
    "id": pl.String,
    "date": pl.String,
    "day": pl.Int32,
    "actor": pl.String,
    "type": pl.String,
    "partner": pl.String,
    "intensity": pl.Float64,
    "confidence": pl.Float64,
    "summary": pl.String,
    "source": pl.String,
    "quote": pl.String,
    "tags": pl.String,  # JSON text of the list, or null
    "attrs": pl.String,  # JSON text of the mapping, or null
    "file": pl.Categorical,
    "line": pl.Int64,
    "col": pl.Int64,
}


def empty() -> pl.DataFrame:
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
        columns["file"].append(origin.file)
        columns["line"].append(origin.line)
        columns["col"].append(origin.col)
    return pl.DataFrame(columns, schema=SCHEMA)


def to_events(frame: pl.DataFrame) -> list[Event]:
    """Event models for the rows of a frame (for explanation trails; no validation again)."""
    events = []
    for row in frame.iter_rows(named=True):
        values = {name: row[name] for name in TEXT_FIELDS if row[name] is not None}
        values["intensity"] = row["intensity"]
        values["confidence"] = row["confidence"]
        if row["tags"] is not None:
            values["tags"] = json.loads(row["tags"])
        if row["attrs"] is not None:
            values["attrs"] = json.loads(row["attrs"])
        events.append(Event.model_construct(**values))
    return events


def to_origins(frame: pl.DataFrame) -> list[Origin]:
    return [Origin(f, line, col) for f, line, col in frame.select("file", "line", "col").iter_rows()]


_READ_SCHEMA = {name: pl.String for name in TEXT_FIELDS} | {name: pl.Float64 for name in NUMBER_FIELDS}
_DATE = r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$"
_TYPE = r"^[a-z0-9_]+(?:\.[a-z0-9_]+)*$"


CHUNK = 16 << 20


def jsonl_columns(path: str) -> pl.DataFrame | None:
    """A large JSON Lines file read by columns, chunk by chunk, or None where the exact reader must look."""
    frames = []
    first_line = 1
    try:
        with open(path, "rb") as source:
            while chunk := source.read(CHUNK):
                if not chunk.endswith(b"\n"):
                    chunk += source.readline()
                frame = _chunk_columns(chunk, path, first_line)
                if frame is None:
                    return None
                frames.append(frame)
                first_line += frame.height
    except OSError:
        return None
    return pl.concat(frames) if frames else None


def _chunk_columns(raw: bytes, path: str, first_line: int) -> pl.DataFrame | None:
    try:
        frame = pl.read_ndjson(io.BytesIO(raw), schema=_READ_SCHEMA)
        lines = pl.read_csv(
            io.BytesIO(raw), has_header=False, separator="\x1f", quote_char=None, schema={"text": pl.String}
        )
    except Exception:  # noqa: BLE001 - any trouble at all: the exact reader will say what it is
        return None
    if frame.height == 0 or lines.height != frame.height or raw.count(b"\n") not in (frame.height, frame.height - 1):
        return None  # blank lines shift line numbers
    # polars silently drops unknown fields and turns numbers into text where the schema
    # says text: the quotes of every line must be exactly those of the known fields read.
    present = [pl.col(name).is_not_null().cast(pl.Int64) for name in _READ_SCHEMA]
    texts = [pl.col(name).is_not_null().cast(pl.Int64) for name in TEXT_FIELDS]
    expected = frame.select((pl.sum_horizontal(present) * 2 + pl.sum_horizontal(texts) * 2).alias("quotes"))["quotes"]
    quotes = lines.select(pl.col("text").str.count_matches('"', literal=True))["text"]
    if not (expected == quotes).all() or b"true" in raw or b"false" in raw or b"\\" in raw:
        return None
    checks = frame.select(
        pl.col("id").is_null().any() | (pl.col("id") == "").any(),
        pl.col("actor").is_null().any() | (pl.col("actor") == "").any(),
        pl.col("type").is_null().any() | ~pl.col("type").str.contains(_TYPE).all(),
        pl.col("date").is_null().any() | ~pl.col("date").str.contains(_DATE).all(),
        (pl.col("intensity") < 0).any() | ~pl.col("intensity").is_finite().all(),
        ((pl.col("confidence") < 0) | (pl.col("confidence") > 1)).any() | ~pl.col("confidence").is_finite().all(),
    ).row(0)
    if any(checks):
        return None
    frame = frame.with_columns(
        pl.col("intensity").fill_null(1.0),
        pl.col("confidence").fill_null(1.0),
        day=_days(pl.col("date")),
        tags=pl.lit(None, pl.String),
        attrs=pl.lit(None, pl.String),
        file=pl.lit(path, pl.Categorical),
        line=pl.int_range(first_line, first_line + frame.height, dtype=pl.Int64),
        col=pl.lit(1, pl.Int64),
    )
    if frame["day"].null_count():
        return None  # a date that does not exist, such as 2009-02-30
    return frame.select(list(SCHEMA))


def _days(date: pl.Expr) -> pl.Expr:
    """Ordinal day of a YYYY, YYYY-MM or YYYY-MM-DD date: the first day of a partial one."""
    full = (
        pl.when(date.str.len_chars() == 4)
        .then(date + "-01-01")
        .when(date.str.len_chars() == 7)
        .then(date + "-01")
        .otherwise(date)
    )
    return (full.str.to_date("%Y-%m-%d", strict=False).cast(pl.Int32) + _EPOCH_ORDINAL).cast(pl.Int32)
