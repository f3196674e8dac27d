"""Events as columns: the one representation matching and scoring work on.

Small hand-coded files are validated event by event (pydantic, exact
messages) and then turned into a frame; large JSON Lines files are read
straight into a frame by polars and checked with column expressions. Those
checks are conservative: anything they are not sure of sends the file back
to the exact event-by-event reader, which then reports the problem with its
line and column, or accepts the file after all.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date as Date
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from scorer.events import (
    DATE_RE,
    MAX_FIELD_CHARS,
    MAX_LINE_BYTES,
    TESTED_TEXT,
    TYPE_RE,
    UNPRINTABLE_RE,
    Origin,
    jsonl_lines,
)
from scorer.problems import Problem
from scorer.progress import Progress

if TYPE_CHECKING:
    from scorer.model import Event

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
    from scorer.model import Event

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
# Read as text (polars reads text faster than categories), made Categorical block by
# block and checked once per distinct value; the other text is checked block by block.
_CATEGORICAL = ("date", "actor", "type", "partner")
_PLAIN_TEXT = tuple(name for name in TEXT_FIELDS if name not in _CATEGORICAL)


BLOCK = 4 << 20


def jsonl_columns(path: str) -> tuple[pl.DataFrame, list[Problem]] | None:
    """A large JSON Lines file read by columns, block by block: its good events and the problems of the others.

    One pass over the file, cut into blocks of whole lines; two blocks are parsed
    at a time (polars works without the interpreter lock). Each block is checked
    as it comes; a block the checks are not sure of is validated line by line
    (`_exact_block`), so that a quoted quote in one summary costs one block, not
    the file. What is cheaper to check once per distinct value (types, dates,
    actors) is checked when the blocks are joined, and the lines of values that
    fail are validated one by one for their messages. The events and problems are
    those the exact reader finds. None (the exact reader then reads the file) for
    a file that cannot be read, is empty, holds a line over MAX_LINE_BYTES or is
    not UTF-8 where the checks look.
    """
    frames: list[pl.DataFrame] = []
    numbers: list[np.ndarray] = []  # each block's rows' lines
    problems: list[Problem] = []
    done = rows = lines = 0
    ascii = True

    def add(read: Read | None) -> bool:
        nonlocal rows, lines, ascii
        if read is None:
            return False
        frame, block_ascii, block_lines, numbered, found = read
        frames.append(frame)
        numbers.append(lines + (np.arange(1, frame.height + 1, dtype=np.int32) if numbered is None else numbered))
        problems.extend(dataclasses.replace(problem, line=problem.line + lines) for problem in found)
        ascii = ascii and block_ascii
        rows += frame.height
        lines += block_lines
        return True

    with ThreadPoolExecutor(max_workers=2) as pool, Progress(_file_size(path), path) as bar:
        running: deque[Future[Read | None]] = deque()
        try:
            for block in _blocks(path):
                if block is None:
                    return None
                running.append(pool.submit(_block, block, path, first=not done))
                done += len(block)
                while len(running) >= 2 or (running and running[0].done()):
                    if not add(running.popleft().result()):
                        return None
                    bar.update(done, rows)
            while running:
                if not add(running.popleft().result()):
                    return None
        finally:
            for waiting in running:
                waiting.cancel()
    if not rows:
        # An empty file, or only blank lines, is the exact reader's to name.
        return (empty(), problems) if problems else None
    # Tags and attributes come only from lines validated one by one (the checks refuse both).
    extra = [name for name in ("tags", "attrs") if any(f[name].null_count() < f.height for f in frames if name in f)]
    if any(len(f.columns) != len(_READ_SCHEMA) + len(extra) for f in frames):
        frames = [
            f.select(*_READ_SCHEMA, *[pl.col(c) if c in f else pl.lit(None, pl.String).alias(c) for c in extra])
            for f in frames
        ]
    line = pl.Series("line", np.concatenate(numbers), dtype=pl.Int32)
    frame = pl.concat(frames, rechunk=False)
    dates = frame["date"].unique().drop_nulls()
    days = pl.select(_days(pl.lit(dates.cast(pl.String)))).to_series()  # null for a day that does not exist
    bad = _bad_values(frame, ascii, days)
    if bad is not None:
        # Rows whose type, date, actor or partner fails: validated one by one for the exact messages.
        lines_of = line.filter(bad).to_list()
        found = _problems_of_lines(path, lines_of)
        if found is None:
            return None
        problems.extend(found)
        frame, line = frame.filter(~bad), line.filter(~bad)
    problems.sort(key=lambda problem: problem.line)  # (stable: a line's problems keep their order)
    if not frame.height:
        return empty(), problems
    return _finished(frame, line, path, dates, days), problems


# A block's rows, whether it is all ASCII, how many lines it holds, each row's line
# counted from the block's first (None: row i is line i + 1), and the problems of the
# lines it could not read (lines counted from the block's first).
Read = tuple[pl.DataFrame, bool, int, np.ndarray | None, list[Problem]]


def _block(raw: bytes, path: str, first: bool) -> Read | None:
    return _block_columns(raw) or _exact_block(raw, path, first)


def _file_size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _blocks(path: str) -> Iterator[bytes | None]:
    """The file in blocks of whole lines of about BLOCK bytes; None for a line over MAX_LINE_BYTES.

    The exact reader says what is wrong with a file that cannot be opened or
    holds too long a line; here it is only the end of the column reading.
    """
    buffer = bytearray(BLOCK + MAX_LINE_BYTES + 1)  # a block and the unfinished line before it
    view = memoryview(buffer)
    held = 0  # bytes of an unfinished line at the start of the buffer
    try:
        stream = open(path, "rb", buffering=0)  # noqa: SIM115 - closed below
    except OSError:
        yield None
        return
    with stream, view:
        while True:
            try:
                got = stream.readinto(view[held : held + BLOCK])
            except OSError:
                yield None
                return
            end = held + (got or 0)
            if not got:
                if held:
                    yield None if held > MAX_LINE_BYTES else bytes(view[:held])
                return
            cut = buffer.rfind(b"\n", 0, end) + 1
            # Each line ends within MAX_LINE_BYTES of its start: hop from line start to
            # the last newline within reach (a few hops a block, not one a line).
            start = 0
            while end - start > MAX_LINE_BYTES:
                reach = buffer.rfind(b"\n", start, start + MAX_LINE_BYTES + 1)
                if reach < 0:
                    yield None
                    return
                start = reach + 1
            if cut:
                yield bytes(view[:cut])
            view[: end - cut] = view[cut:end]
            held = end - cut


def _block_columns(raw: bytes) -> Read | None:
    """Whole lines of JSON as a frame, if every check passes; else None."""
    try:
        frame = pl.read_ndjson(raw, schema=_READ_SCHEMA)
    except Exception:  # noqa: BLE001 - any trouble at all: the exact reader will say what it is
        return None
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
    # out objects; DEL is the one control character polars takes in a string. As many
    # newlines as rows (or one fewer, at the end of a file) means no blank line, which
    # would shift the line numbers.
    escapes = b"\\" in raw
    if frame.height == 0 or b"\x7f" in raw or (escapes and _SURROGATE.search(raw)):
        return None
    fields, texts = frame.select(
        pl.sum_horizontal([pl.col(name).count() for name in _READ_SCHEMA]).alias("fields"),
        pl.sum_horizontal([pl.col(name).count() for name in TEXT_FIELDS]).alias("texts"),
    ).row(0)
    braces, quotes, keys, newlines, spaced = _byte_counts(raw)
    escaped = _escaped_quotes(raw) if escapes else np.zeros(0, dtype=np.int64)
    if len(escaped):
        # A quote after an odd run of backslashes is text: not counted as a string's end.
        followed = escaped[escaped + 1 < len(raw)] + 1
        quotes -= len(escaped)
        keys -= int(np.count_nonzero(np.frombuffer(raw, dtype=np.uint8)[followed] == ord(":")))
    if b"[" in raw or braces != frame.height:
        # A `[` or `{` in a text is text: only those outside strings count.
        brackets, braces = _outside_strings(raw, escaped)
        if brackets:
            return None
    if braces != frame.height or quotes != 2 * fields + 2 * texts or keys != fields or spaced:
        return None
    if newlines not in (frame.height, frame.height - 1):
        return None
    ascii = raw.isascii() and not escapes  # (an escape may stand for any character)
    confidence = pl.col("confidence")
    checks = frame.select(
        (pl.col("id").is_null().any() | (pl.col("id") == "").any()).alias("id"),
        *[pl.col(name).is_null().any().alias(name) for name in ("actor", "type", "date")],
        ((pl.col("intensity") < 0).any() | ~pl.col("intensity").is_finite().all()).alias("intensity"),
        (((confidence < 0) | (confidence > 1)).any() | ~confidence.is_finite().all()).alias("confidence"),
        # Text the exact reader may refuse: over-long tested fields, control characters
        # (polars refuses those below 0x20 in a string; DEL is looked for above, and
        # the others are not ASCII).
        *[
            (pl.col(name).str.len_bytes() > MAX_FIELD_CHARS).any().alias(f"n{name}")
            for name in TESTED_TEXT
            if name in _PLAIN_TEXT
        ],
        *[pl.col(name).str.contains(UNPRINTABLE_RE).any().alias(f"c{name}") for name in _PLAIN_TEXT if not ascii],
    ).row(0)
    if any(checks):
        return None
    # Kept as little as it can be: a column the block does not fill as a constant,
    # text with few distinct values as categories.
    kinds = {name: SCHEMA[name] if name in _CATEGORICAL else kind for name, kind in _READ_SCHEMA.items()}
    kept = frame.select(
        pl.lit(None, kind).alias(name) if frame[name].null_count() == frame.height else pl.col(name).cast(kind)
        for name, kind in kinds.items()
    )
    return kept, ascii, frame.height, None, []  # no blank line (checked above): row i is line i + 1


_EXACT_LINES = 4096  # lines validated at a time: their models are dropped once they are columns


def _exact_block(raw: bytes, path: str, first: bool) -> Read | None:
    """Whole lines the column checks left alone, validated line by line as the exact reader does.

    None if they are not UTF-8 (the exact reader names the first bad byte).
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if first and text.startswith("\ufeff"):
        text = text[1:]  # the byte-order mark the exact reader drops
    lines = text.split("\n")  # (where the exact reader splits)
    if text.endswith("\n"):
        lines.pop()
    parts: list[pl.DataFrame] = []
    problems: list[Problem] = []
    for start in range(0, len(lines), _EXACT_LINES):
        results = jsonl_lines(lines[start : start + _EXACT_LINES], path, first=start + 1)
        problems.extend(result for result in results if isinstance(result, Problem))
        read = [result for result in results if not isinstance(result, Problem)]
        parts.append(from_events([e for e, _ in read], [o for _, o in read]))
    kinds = {name: SCHEMA[name] if name in _CATEGORICAL else kind for name, kind in _READ_SCHEMA.items()}
    frame = pl.concat([part for part in parts if part.height] or [empty()])
    kept = frame.select(*[pl.col(name).cast(kind) for name, kind in kinds.items()], "tags", "attrs")
    return kept, raw.isascii(), len(lines), frame["line"].to_numpy(), problems


def _bad_values(frame: pl.DataFrame, ascii: bool, days: pl.Series) -> pl.Series | None:
    """Which rows hold a type, date, actor or partner the exact reader refuses (checked per distinct value).

    `days` are those of the distinct dates, in the order `unique` gives them.
    """
    refused: dict[str, pl.Series] = {}
    for name in _CATEGORICAL:
        text = frame[name].unique().drop_nulls().cast(pl.String)
        wrong = pl.Series([False] * len(text), dtype=pl.Boolean)
        if name in TESTED_TEXT:
            wrong |= text.str.len_bytes() > MAX_FIELD_CHARS
        if not ascii:
            wrong |= text.str.contains(UNPRINTABLE_RE)
        if name == "type":
            wrong |= ~text.str.contains(TYPE_RE.pattern)
        if name == "actor":
            wrong |= text == ""
        if name == "date":
            # A date that does not exist, such as 2009-02-30, has no day.
            wrong |= ~text.str.contains(DATE_RE.pattern) | days.is_null()
        if wrong.any():
            refused[name] = text.filter(wrong)
    if not refused:
        return None
    refusing = [pl.col(name).cast(pl.String).is_in(values.implode()) for name, values in refused.items()]
    return frame.select(pl.any_horizontal(refusing)).to_series()


def _problems_of_lines(path: str, numbers: list[int]) -> list[Problem] | None:
    """The exact reader's problems on these lines of the file (ascending); None if one has none after all."""
    wanted = np.asarray(numbers, dtype=np.int64)
    texts: list[tuple[int, str]] = []
    line = 1
    for block in _blocks(path):
        if block is None:
            return None
        ends = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == ord("\n"))
        starts = np.concatenate([[0], ends + 1])[: len(ends) + (not block.endswith(b"\n"))]
        lo, hi = np.searchsorted(wanted, [line, line + len(starts)])
        for number in wanted[lo:hi].tolist():
            at = int(starts[number - line])
            end = block.find(b"\n", at)
            text = block[at : end if end >= 0 else len(block)].decode("utf-8", "surrogateescape")
            texts.append((number, text[1:] if number == 1 and text.startswith("\ufeff") else text))
        line += len(starts)
    problems: list[Problem] = []
    for number, text in texts:
        found = [result for result in jsonl_lines([text], path, first=number) if isinstance(result, Problem)]
        if not found:
            return None
        problems.extend(found)
    return problems


def _finished(frame: pl.DataFrame, line: pl.Series, path: str, dates: pl.Series, days: pl.Series) -> pl.DataFrame:
    """The checked blocks as the schema says (every type, date and actor has passed `_bad_values`).

    A column no line fills is a constant (it costs nothing); the numbers are made
    contiguous, so that scoring reads them as numpy views rather than copies.
    `dates` (Categorical) include every date of the frame, and `days` are theirs.
    """
    # Each row's day, looked up by its date's code.
    codes = dates.to_physical().to_numpy()
    day_of = np.zeros(int(codes.max()) + 1, dtype=np.int32)
    day_of[codes] = days.fill_null(0).to_numpy()  # (a date without a day has no row left)
    made = {
        "intensity": pl.col("intensity").fill_null(1.0),
        "confidence": pl.col("confidence").fill_null(1.0),
        "day": pl.lit(pl.Series(day_of[frame["date"].to_physical().to_numpy()])),
        "file": pl.lit(path, pl.Categorical),
        "line": pl.lit(line),
        "col": pl.lit(1, pl.Int32),
    }
    frame = frame.select(
        made[name].alias(name)
        if name in made
        else pl.lit(None, dtype).alias(name)
        if name not in frame or frame[name].null_count() == frame.height
        else pl.col(name)
        for name, dtype in SCHEMA.items()
    )
    return frame.with_columns(frame[name].rechunk() for name in NUMBERS)


_SLICE = 1 << 18  # small enough for the allocator to reuse, so no fresh pages per block


def _byte_counts(raw: bytes) -> tuple[int, int, int, int, bool]:
    """The `{`, the `"`, the `":` and the newlines in `raw`, and whether white space comes right before a `:`.

    Counted with numpy, slice by slice: an order of magnitude faster than
    bytes.count, which also holds the interpreter lock.
    """
    text = np.frombuffer(raw, dtype=np.uint8)
    spaces = any(space in raw for space in (b" ", b"\t", b"\r"))  # (a search for one byte is fast)
    braces = quotes = keys = newlines = 0
    spaced = False
    for start in range(0, len(text), _SLICE):
        part = text[start : start + _SLICE]
        after = text[start + 1 : start + _SLICE + 1]  # the next byte of each, across the slice's end
        quote = part == ord('"')
        colon = after == ord(":")
        braces += int(np.count_nonzero(part == ord("{")))
        newlines += int(np.count_nonzero(part == ord("\n")))
        quotes += int(np.count_nonzero(quote))
        keys += int(np.count_nonzero(quote[: len(after)] & colon))
        if spaces:
            before = part[: len(after)]
            spaced = spaced or bool(
                np.any(colon & ((before == ord(" ")) | (before == ord("\t")) | (before == ord("\r"))))
            )
    return braces, quotes, keys, newlines, spaced


# A UTF-16 surrogate written as an escape: Python reads a lone one as it is, polars (2.1)
# as U+0000, which the text checks refuse; rather than rest on that, the exact reader
# decides (a pair, an emoji escaped, costs its block that too).
_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")


def _escaped_quotes(raw: bytes) -> np.ndarray:
    """Where the quotes in `raw` are that an escape makes text: right after an odd run of backslashes."""
    text = np.frombuffer(raw, dtype=np.uint8)
    slash = np.flatnonzero(text == ord("\\"))
    after = slash[slash + 1 < len(text)] + 1
    candidates: np.ndarray = after[text[after] == ord('"')]  # quotes right after a backslash
    if not len(candidates):
        return candidates
    run_starts = slash[np.concatenate([[True], np.diff(slash) != 1])]
    start = run_starts[np.searchsorted(run_starts, candidates - 1, side="right") - 1]
    escaped: np.ndarray = candidates[(candidates - start) % 2 == 1]
    return escaped


def _outside_strings(raw: bytes, escaped: np.ndarray) -> tuple[int, int]:
    """The `[` and the `{` in `raw` outside JSON strings (each line parsed: its quotes pair up)."""
    text = np.frombuffer(raw, dtype=np.uint8)
    quote = text == ord('"')
    quote[escaped] = False
    inside = (np.cumsum(quote) & 1).astype(bool)  # after an opening quote, up to its closing one
    return (
        int(np.count_nonzero((text == ord("[")) & ~inside)),
        int(np.count_nonzero((text == ord("{")) & ~inside)),
    )


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
