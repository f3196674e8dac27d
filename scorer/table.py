"""Events as columns: the one representation matching and scoring work on.

Small hand-coded files are validated event by event (pydantic, exact
messages) and then turned into a frame; large JSON Lines files are read
straight into a frame by polars and checked with column expressions. Those
checks are conservative: anything they are not sure of sends the file back
to the exact event-by-event reader, which then reports the problem with its
line and column, or accepts the file after all.
"""

from __future__ import annotations

import json
import os
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date as Date
from typing import Any

import numpy as np
import polars as pl

from scorer.events import MAX_FIELD_CHARS, TESTED_TEXT, UNPRINTABLE_RE, Event, Origin, chunks
from scorer.progress import Progress

_EPOCH_ORDINAL = Date(1970, 1, 1).toordinal()

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


BLOCK = 4 << 20


def jsonl_columns(path: str) -> pl.DataFrame | None:
    """A large JSON Lines file read by columns, block by block, or None where the exact reader must look.

    One pass over the file: the blocks come from the same reader that refuses an
    overlong line (InputError), cut at the last newline of each, and two are
    parsed at a time (polars works without the interpreter lock).
    """
    frames: list[pl.DataFrame] = []
    done = rows = 0
    with ThreadPoolExecutor(max_workers=2) as pool, Progress(_file_size(path), path) as bar:
        running: deque[Future[pl.DataFrame | None]] = deque()
        for block, first_line, lines in _blocks(path):
            done += len(block)
            running.append(pool.submit(_block_columns, block, path, first_line, lines))
            while len(running) >= 2 or (running and running[0].done()):
                frame = running.popleft().result()
                if frame is None:
                    for waiting in running:
                        waiting.cancel()
                    return None
                frames.append(frame)
                rows += frame.height
                bar.update(done, rows)
        for waiting in running:
            frame = waiting.result()
            if frame is None:
                return None
            frames.append(frame)
    if not frames:
        return None
    # Text stays in its blocks' buffers; the numbers are made contiguous once, so that
    # scoring reads them as numpy views rather than copies.
    frame = pl.concat(frames, rechunk=False)
    return frame.with_columns(frame[name].rechunk() for name in NUMBERS)


def _file_size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _blocks(path: str) -> Iterator[tuple[bytes, int, int]]:
    """The file in blocks of whole lines of about BLOCK bytes: each with its first line's number and its newlines."""
    pending: list[bytes] = []
    size, first_line = 0, 1
    for chunk, line, _ in chunks(path, None):
        pending.append(chunk)
        size += len(chunk)
        cut = chunk.rfind(b"\n") + 1
        if size < BLOCK or cut == 0:
            continue  # a line is at most MAX_LINE_BYTES: a newline comes soon
        block = b"".join(pending)
        end = len(block) - len(chunk) + cut
        lines = line + chunk.count(b"\n", 0, cut) - first_line  # `line`: the number of the chunk's first line
        yield block[:end], first_line, lines
        first_line += lines
        pending, size = [chunk[cut:]], len(chunk) - cut
    block = b"".join(pending)
    if block:
        yield block, first_line, block.count(b"\n")


def _block_columns(raw: bytes, path: str, first_line: int, newlines: int) -> pl.DataFrame | None:
    """Whole lines of JSON as a frame, if every check passes; else None."""
    try:
        frame = pl.read_ndjson(raw, schema=_READ_SCHEMA)
    except Exception:  # noqa: BLE001 - any trouble at all: the exact reader will say what it is
        return None
    if frame.height == 0 or newlines not in (frame.height, frame.height - 1):
        return None  # a blank line, which shifts line numbers
    # polars silently drops unknown fields, reads null as absent, turns numbers and
    # booleans into text where the schema says text, and a list or an object into its
    # JSON text (where it says a number, any of these is an error). Where no quote is
    # escaped (no backslash), `":` ends a key and nothing else, unless white space comes
    # between (then the exact reader looks). So each line holds at least one `":` per
    # field read, and exactly one when it holds no other key: then it holds two quotes
    # per key, two per text value that is a JSON string and none elsewhere. Counted over
    # the block, as many `":` as fields read and twice as many quotes as fields read and
    # text fields read mean: no unknown key, no null, and every text value a string.
    # `[` is refused outright; one `{` per line (every line that parsed holds one) rules
    # out objects; DEL is the one control character polars takes in a string.
    if b"\\" in raw or b"[" in raw or b"\x7f" in raw:
        return None
    fields, texts = frame.select(
        pl.sum_horizontal([pl.col(name).count() for name in _READ_SCHEMA]).alias("fields"),
        pl.sum_horizontal([pl.col(name).count() for name in TEXT_FIELDS]).alias("texts"),
    ).row(0)
    braces, quotes, keys, spaced = _byte_counts(raw)
    if braces != frame.height or quotes != 2 * fields + 2 * texts or keys != fields or spaced:
        return None
    ascii = raw.isascii()
    confidence = pl.col("confidence")
    checks = frame.select(
        (pl.col("id").is_null().any() | (pl.col("id") == "").any()).alias("id"),
        (pl.col("actor").is_null().any() | (pl.col("actor") == "").any()).alias("actor"),
        pl.col("type").is_null().any().alias("type"),
        pl.col("date").is_null().any().alias("date"),
        ((pl.col("intensity") < 0).any() | ~pl.col("intensity").is_finite().all()).alias("intensity"),
        (((confidence < 0) | (confidence > 1)).any() | ~confidence.is_finite().all()).alias("confidence"),
        # Text the exact reader may refuse: over-long tested fields, control characters
        # (polars refuses those below 0x20 in a string; DEL is looked for above, and
        # the others are not ASCII).
        *[(pl.col(name).str.len_bytes() > MAX_FIELD_CHARS).any().alias(f"n{name}") for name in TESTED_TEXT],
        *[
            pl.col(name).str.contains(UNPRINTABLE_RE).any().alias(f"c{name}")
            for name in (TEXT_FIELDS if not ascii else ())
        ],
    ).row(0)
    if any(checks):
        return None
    # The frame as the schema says: a column no line fills is a constant (it costs
    # nothing), text with few distinct values Categorical.
    made = {
        "intensity": pl.col("intensity").fill_null(1.0),
        "confidence": pl.col("confidence").fill_null(1.0),
        "day": _days(pl.col("date")),
        "tags": pl.lit(None, pl.String),
        "attrs": pl.lit(None, pl.String),
        "file": pl.lit(path, pl.Categorical),
        "line": pl.int_range(first_line, first_line + frame.height, dtype=pl.Int32),
        "col": pl.lit(1, pl.Int32),
    }
    frame = frame.select(
        made[name].alias(name)
        if name in made
        else pl.lit(None, dtype).alias(name)
        if frame[name].null_count() == frame.height
        else pl.col(name).cast(dtype)
        for name, dtype in SCHEMA.items()
    )
    # Type and date checked once per distinct value; a date that does not exist,
    # such as 2009-02-30, has no day.
    type_ok, date_ok = frame.select(
        pl.col("type").unique().cast(pl.String).str.contains(_TYPE).all(),
        pl.col("date").unique().cast(pl.String).str.contains(_DATE).all(),
    ).row(0)
    if not (type_ok and date_ok) or frame["day"].null_count():
        return None
    return frame


_SLICE = 1 << 18  # small enough for the allocator to reuse, so no fresh pages per block


def _byte_counts(raw: bytes) -> tuple[int, int, int, bool]:
    """The `{`, the `"` and the `":` in `raw`, and whether white space comes right before a `:`.

    Counted with numpy, slice by slice: an order of magnitude faster than
    bytes.count, which also holds the interpreter lock.
    """
    text = np.frombuffer(raw, dtype=np.uint8)
    spaces = any(space in raw for space in (b" ", b"\t", b"\r"))  # (a search for one byte is fast)
    braces = quotes = keys = 0
    spaced = False
    for start in range(0, len(text), _SLICE):
        part = text[start : start + _SLICE]
        after = text[start + 1 : start + _SLICE + 1]  # the next byte of each, across the slice's end
        quote = part == ord('"')
        colon = after == ord(":")
        braces += int(np.count_nonzero(part == ord("{")))
        quotes += int(np.count_nonzero(quote))
        keys += int(np.count_nonzero(quote[: len(after)] & colon))
        if spaces:
            before = part[: len(after)]
            spaced = spaced or bool(
                np.any(colon & ((before == ord(" ")) | (before == ord("\t")) | (before == ord("\r"))))
            )
    return braces, quotes, keys, spaced


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
