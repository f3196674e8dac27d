"""Machine-coded files as streams of lines: plain files, standard input, members of zip archives.

`read_source` reads a stream a block of lines at a time, by columns where it
can and row by row where the column reading is not sure, into a `Reading`.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

import polars as pl

from scorer.io import stdin
from scorer.io.files import cannot_read, line_blocks
from scorer.io.machine_coded.rows import Reading, RowError, cell_col
from scorer.io.progress import Progress
from scorer.model.fields import Origin
from scorer.model.skipped import Skip
from scorer.problems import InputError, Problem

if TYPE_CHECKING:
    from scorer.model.event import Event

_PROGRESS_EVERY = 8192


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


_BLOCK = 4 << 20  # bytes of whole lines read by columns at a time (8 MB: ~25% faster, ~50-80 MB more)
# A block's events as columns, its skipped rows, and the lines to read one by one; None to read them all so.
ByColumns = Callable[[bytes, int, str], "tuple[pl.DataFrame, list[Skip], list[int]] | None"]


def read_source(
    reading: Reading,
    source: Source,
    by_columns: ByColumns,
    by_row: Callable[[list[str]], Event],
    header: Callable[[list[str]], None] | None = None,
) -> None:
    """Every row of a source into `reading`, a block of lines at a time: by columns, and one by one
    (`by_row`, which raises RowError for a row that cannot be an event) where the columns say so.

    With `header`, the first line is given to it and is not a row.
    """
    line, done = 1, 0
    with Progress(source.size, source.name) as bar:
        for raw in source.blocks(_BLOCK):
            done += len(raw)
            if header is not None and line == 1:
                cut = raw.find(b"\n") + 1 or len(raw)
                header(decoded(raw[:cut]).split("\t"))
                raw, line = raw[cut:], 2
                if not raw:
                    continue
            count = raw.count(b"\n") + (not raw.endswith(b"\n"))
            read = by_columns(raw, line, source.name)
            if read is None:
                _rows(reading, source.name, _numbered(raw, line), by_row)
            else:
                frame, skips, slow = read
                one_by_one = Reading()
                wanted = set(slow)
                _rows(one_by_one, source.name, ((n, t) for n, t in _numbered(raw, line) if n in wanted), by_row)
                reading.add_frame(pl.concat([frame, one_by_one.frame]).sort("line"))
                reading.skipped.extend(sorted(skips + one_by_one.skipped, key=lambda skip: skip.line))
            reading.rows += count
            line += count
            bar.update(done, reading.rows)


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
                    with archive.open(info) as stream:
                        yield Source(f"{path}/{info.filename}", stream, info.file_size)
            return
        with open(path, "rb") as stream:
            yield Source(path, stream, Path(path).stat().st_size)
    except zipfile.BadZipFile as err:
        raise InputError([Problem(path, 1, 1, f"not a readable zip archive: {err}")]) from None
    except OSError as err:
        raise cannot_read(path, err) from None


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
