"""Machine-coded files as streams of lines: plain files, standard input, members of zip archives.

`read_source` reads a stream a block of lines at a time, by columns where it
can and row by row where the column reading is not sure, into a `Reading`.
Blank lines are counted and set aside before either reading sees them.

A zip member may expand to at most MAX_ZIP_RATIO times its compressed size
(plus ZIP_SLACK bytes, for small members), counted as it is read rather than
taken from the archive's own word: text export files compress some 5 to 10
times, while a few kilobytes that unpack to gigabytes of newlines are an
attack on the reader, refused at the limit.
"""

from __future__ import annotations

import io
import zipfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

import numpy as np
import polars as pl

from scorer.io import stdin
from scorer.io.files import cannot_read, line_blocks
from scorer.io.machine_coded.rows import Reading, RowError, cell_col
from scorer.io.progress import Progress
from scorer.model.fields import Origin
from scorer.model.skipped import SKIP_SCHEMA, Skip
from scorer.problems import InputError, Problem

if TYPE_CHECKING:
    from scorer.model.event import Event

_PROGRESS_EVERY = 8192
MAX_ZIP_RATIO = 100
ZIP_SLACK = 1 << 20


@dataclass
class Source:
    """One stream of lines: a file, standard input, or one member of a zip archive."""

    name: str  # how problems name it: the path, or `archive.zip/member`
    stream: IO[bytes]
    size: int

    def lines(self) -> Iterator[tuple[int, str]]:
        """(line number, text without its line ending), each line `decoded`."""
        done = 0
        with Progress(self.size, self.name) as bar:
            for number_, raw in enumerate(self.stream, start=1):
                done += len(raw)
                if number_ % _PROGRESS_EVERY == 0:
                    bar.update(done, number_)
                yield number_, decoded(raw)

    def blocks(self, size: int) -> Iterator[bytes]:
        """The stream in blocks of whole lines of about `size` bytes (a longer line makes a longer block)."""
        return line_blocks(self.stream, size)  # type: ignore[arg-type]


_BLOCK = 4 << 20  # bytes of whole lines read by columns at a time: larger blocks trade memory for little speed
# A block's events as columns, its skipped rows, and the lines to read one by one; None to read them all so.
ByColumns = Callable[[bytes, int, str], "tuple[pl.DataFrame, pl.DataFrame, list[int]] | None"]


def read_source(
    reading: Reading,
    source: Source,
    by_columns: ByColumns,
    by_row: Callable[[list[str]], Event],
    header: Callable[[list[str]], None] | None = None,
) -> None:
    """Every row of a source into `reading`, a block of lines at a time: by columns, and one by one
    (`by_row`, which raises RowError for a row that cannot be an event) where the columns say so.

    With `header`, the first line is given to it and is not a row. Blank lines
    are rows read, counted in `reading.skipped.blank`, and nothing else.
    """
    line, done = 1, 0
    # Two blocks are read at a time (polars works without the interpreter lock); their
    # events are added in the file's order.
    with Progress(source.size, source.name) as bar, ThreadPoolExecutor(max_workers=2) as pool:
        running: deque[tuple[Future[tuple[pl.DataFrame | None, pl.DataFrame | None, int]], int, int]] = deque()
        for raw in source.blocks(_BLOCK):
            done += len(raw)
            if header is not None and line == 1:
                cut = raw.find(b"\n") + 1 or len(raw)
                header(decoded(raw[:cut]).split("\t"))
                raw, line = raw[cut:], 2
                if not raw:
                    continue
            count = raw.count(b"\n") + (not raw.endswith(b"\n"))
            running.append((pool.submit(_lines, source.name, raw, line, count, by_columns, by_row), count, done))
            line += count
            while len(running) > 1:
                _add(reading, bar, *running.popleft())
        while running:
            _add(reading, bar, *running.popleft())


def _lines(
    name: str, raw: bytes, line: int, count: int, by_columns: ByColumns, by_row: Callable[[list[str]], Event]
) -> tuple[pl.DataFrame | None, pl.DataFrame | None, int]:
    """A block of `count` lines: its events and skips (None for a block of blank lines), its first line
    numbered `line`, and how many blank lines it held."""
    kept, numbers = _without_blank(raw)
    blank = count - (len(numbers) if numbers is not None else count)
    if not kept:
        return None, None, blank
    first = 1 if numbers is not None else line
    frame, skips = _block(name, kept, first, by_columns, by_row)
    if numbers is not None:  # lines of `kept` back to lines of the file
        real = pl.Series(numbers + line)
        frame = frame.with_columns(line=real.gather(frame["line"] - 1).cast(pl.Int32))
        skips = skips.with_columns(line=real.gather(skips["line"] - 1))
    return frame, skips, blank


def _add(
    reading: Reading, bar: Progress, read: Future[tuple[pl.DataFrame | None, pl.DataFrame | None, int]], count: int, done: int
) -> None:
    """A block's events and skips into `reading`, once read."""
    frame, skips, blank = read.result()
    reading.skipped.blank += blank
    if frame is not None and skips is not None:
        reading.add_frame(frame)
        reading.skipped.extend(skips)
    reading.rows += count
    bar.update(done, reading.rows)


def _block(
    name: str, raw: bytes, first: int, by_columns: ByColumns, by_row: Callable[[list[str]], Event]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The events and skips of a block without blank lines, its first line numbered `first`."""
    read = by_columns(raw, first, name)
    one_by_one = Reading()
    if read is None:
        _rows(one_by_one, name, _numbered(raw, first), by_row)
        return one_by_one.frame, one_by_one.skipped.frame
    frame, skips, slow = read
    if not slow:  # (in order already: nothing to split the block for, or to sort)
        return frame, skips.cast(SKIP_SCHEMA)  # type: ignore[arg-type]
    wanted = set(slow)
    _rows(one_by_one, name, ((n, t) for n, t in _numbered(raw, first) if n in wanted), by_row)
    return (
        pl.concat([frame, one_by_one.frame]).sort("line"),
        pl.concat([skips.cast(SKIP_SCHEMA), one_by_one.skipped.frame]).sort("line"),  # type: ignore[arg-type]
    )


def _without_blank(raw: bytes) -> tuple[bytes, np.ndarray | None]:
    """The block less its blank lines (empty, or carriage returns alone), and where each kept line was
    (0-based); None for where when there was no blank line, the block then given back as it is."""
    text = np.frombuffer(raw, dtype=np.uint8)
    newline = text == 0x0A
    # (numpy: `b"\n\n" in raw` searches a block of short lines several times slower)
    if not (newline[1:] & newline[:-1]).any() and raw[:1] != b"\n" and b"\r" not in raw:
        return raw, None
    ends = np.flatnonzero(newline)
    if not raw.endswith(b"\n"):
        ends = np.append(ends, len(text))
    starts = np.concatenate([[0], ends[:-1] + 1])
    filled = np.concatenate([[0], np.cumsum((text != 0x0A) & (text != 0x0D))])
    kept = filled[ends] - filled[starts] > 0
    if kept.all():
        return raw, None
    lengths = np.minimum(ends + 1, len(text)) - starts  # each line with its newline
    return text[np.repeat(kept, lengths)].tobytes(), np.flatnonzero(kept)


def _numbered(raw: bytes, first: int) -> Iterator[tuple[int, bytes]]:
    """The lines of a block with their numbers: split where the file's lines end (at "\\n" alone)."""
    lines = raw.split(b"\n")
    if raw.endswith(b"\n"):
        lines.pop()
    return enumerate(lines, start=first)


def _rows(
    reading: Reading, name: str, lines: Iterable[tuple[int, bytes]], by_row: Callable[[list[str]], Event]
) -> None:
    """Lines read one by one into `reading` (events, skips); not counted as rows read."""
    for line, raw in lines:
        fields = decoded(raw).split("\t")
        try:
            event = by_row(fields)
        except RowError as err:
            reading.skipped.append(Skip(name, line, cell_col(fields, err.field), err.reason, err.detail))
            continue
        reading.add(event, Origin(name, line, 1))


def decoded(raw: bytes) -> str:
    """A line's text without its line ending, as UTF-8, else as Latin-1.

    Machine-coded files are UTF-8, but older ones hold Latin-1 bytes in names
    and URLs; reading such a line as Latin-1 keeps it rather than losing it.
    """
    raw = raw.rstrip(b"\r\n")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def sources(path: str) -> Iterator[Source]:
    """The streams a path holds: the file itself, standard input for `-`, or each file of a `.zip`.

    A zip archive is read member by member without unpacking it to disk.
    """
    if path == "-":
        yield Source("-", stdin.stream(), 0)
        return
    try:
        if path.lower().endswith(".zip"):
            with zipfile.ZipFile(path) as archive:
                members = [info for info in archive.infolist() if not info.is_dir()]
                if not members:
                    raise InputError([Problem(path, 1, 1, "the zip archive holds no file")])
                for info in members:
                    name = f"{path}/{info.filename}"
                    limit = info.compress_size * MAX_ZIP_RATIO + ZIP_SLACK
                    with archive.open(info) as member, io.BufferedReader(_Capped(member, limit, name)) as stream:
                        yield Source(name, stream, info.file_size)
            return
        with open(path, "rb") as stream:
            yield Source(path, stream, Path(path).stat().st_size)
    except zipfile.BadZipFile as err:
        raise InputError([Problem(path, 1, 1, f"not a readable zip archive: {err}")]) from None
    except OSError as err:
        raise cannot_read(path, err) from None


class _Capped(io.RawIOBase):
    """A zip member's stream that refuses to give more than `limit` bytes (InputError past it)."""

    def __init__(self, stream: IO[bytes], limit: int, name: str) -> None:
        super().__init__()
        self._stream, self._limit, self._name, self._given = stream, limit, name, 0

    def readable(self) -> bool:
        """Always: it is a stream to read."""
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        """Bytes of the member into `buffer`; InputError once more than the limit have been given."""
        got = self._stream.readinto(buffer)  # type: ignore[attr-defined]
        self._given += got
        if self._given > self._limit:
            message = (
                f"zip member expands to more than {self._limit:,} bytes ({MAX_ZIP_RATIO} times its compressed size"
                f" and {ZIP_SLACK >> 20} MiB): refused as a zip bomb; unpack it yourself if it is real"
            )
            raise InputError([Problem(self._name, 1, 1, message)])
        return int(got)


def first_line(path: str) -> str | None:
    """The first line of a file (of its first member, for a zip), or None if it cannot be read."""
    try:
        for source in sources(path):
            for _, text in source.lines():
                return text
            return ""
    except InputError:
        return None
    return None
