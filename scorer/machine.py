"""What the readers of machine-coded event data share: CAMEO codes, skipped rows, reading lines.

GDELT (`scorer.gdelt`) and ICEWS (`scorer.icews`) files hold millions of
rows coded by software, and some rows cannot become events: no actor
country, a broken line. Such a row is never dropped silently: it becomes a
`Skip` that names its file, line and column and says why, and the run reports
it (or fails on it with `--strict`). Every row of a file is thus accounted
for: an event, or a skip.
"""

from __future__ import annotations

import math
import re
import sys
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

import polars as pl

from scorer.events import MAX_FIELD_CHARS, TESTED_TEXT, TYPE_RE, Origin, parse_date
from scorer.problems import InputError, Problem
from scorer.progress import Progress
from scorer.yamlfile import unprintable

if TYPE_CHECKING:
    from scorer.model import Event

Intensity = Literal["goldstein", "one"]
INTENSITIES: tuple[str, ...] = ("goldstein", "one")

_CODE = re.compile(r"^(0[1-9]|1[0-9]|20)[0-9]{0,2}$")


@dataclass(frozen=True, slots=True)
class Skip:
    """A row that could not become an event, and why (`reason` is the short kind, counted in summaries)."""

    file: str
    line: int
    col: int
    reason: str
    detail: str

    def __str__(self) -> str:
        return str(self.problem())

    def problem(self) -> Problem:
        return Problem(self.file, self.line, self.col, f"{self.reason}: {self.detail}")

    def as_json(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "col": self.col, "reason": self.reason, "message": self.detail}


class RowError(Exception):
    """Raised by a row reader: the row cannot become an event; `field` is the index of the culprit."""

    def __init__(self, reason: str, detail: str, field: int = 0) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.field = field


_SLICE = 4096  # events held as models at a time: then they are columns


@dataclass
class Reading:
    """What one file gave: its events as columns (with where each was read), the rows skipped, the row count.

    Events are added one by one and made columns a slice at a time, so that a
    file of millions of rows never holds a model (and its attributes) per row.
    """

    skipped: list[Skip] = field(default_factory=list)
    rows: int = 0
    _frames: list[pl.DataFrame] = field(default_factory=list)
    _events: list[Event] = field(default_factory=list)
    _origins: list[Origin] = field(default_factory=list)

    def add(self, event: Event, origin: Origin) -> None:
        self._events.append(event)
        self._origins.append(origin)
        if len(self._events) >= _SLICE:
            self._flush()

    def add_frame(self, frame: pl.DataFrame) -> None:
        """Events already made columns (`table.SCHEMA`), after those added so far."""
        self._flush()
        self._frames.append(frame)

    def _flush(self) -> None:
        from scorer import table

        if self._events:
            self._frames.append(table.from_events(self._events, self._origins))
            self._events, self._origins = [], []

    @property
    def frame(self) -> pl.DataFrame:
        from scorer import table

        self._flush()
        if len(self._frames) > 1:
            self._frames = [pl.concat(self._frames)]
        return self._frames[0] if self._frames else table.empty()

    @property
    def events(self) -> list[Event]:
        """The events as models (for a look at a few; `frame` is what scoring reads)."""
        from scorer import table

        return table.to_events(self.frame)


@dataclass(frozen=True)
class Code:
    """A CAMEO event code with what follows from it."""

    code: str
    root: str
    quad_class: int
    description: str


# CAMEO's four quad classes by root code, as GDELT defines them:
# 1 verbal cooperation, 2 material cooperation, 3 verbal conflict, 4 material conflict.
_QUADS = {**{f"{r:02d}": 1 for r in range(1, 6)}, **{f"{r:02d}": 2 for r in range(6, 10)}}
_QUADS |= {**{f"{r:02d}": 3 for r in range(10, 15)}, **{f"{r:02d}": 4 for r in range(15, 21)}}


@cache
def _descriptions() -> dict[str, str]:
    text = files("scorer").joinpath("data", "cameo-codes.tsv").read_text(encoding="utf-8")
    rows = (line.split("\t") for line in text.splitlines() if line and not line.startswith("#"))
    return {code: description for code, _, description in rows}


@cache
def cameo_code(text: str) -> Code | None:
    """A CAMEO event code as written (`"043"`, leading zero kept), or None if it is not one."""
    code = text.strip()
    if not _CODE.match(code):
        return None
    root = code[:2]
    described = _descriptions()
    description = described.get(code) or described[root].capitalize()
    return Code(code, root, _QUADS[root], description)


def cell_col(fields: list[str], index: int) -> int:
    """1-based character column where field `index` of a tab-separated line starts."""
    return len("\t".join(fields[:index])) + (2 if index else 1)


def event(**values: Any) -> Event:
    """An event from values a row reader has made and checked.

    A row reader makes each value of the right kind, and its dates, types and
    numbers valid; what it copies from the file is text. Where that text passes
    the model's text rules (`_plain`), the model is built without validating
    again (pydantic's validation took ~35 us a row, most of a GDELT read);
    otherwise pydantic validates it and names what is wrong.
    """
    from pydantic import ValidationError

    from scorer.model import Event

    if _plain(values):
        return Event.model_construct(**values)
    try:
        return Event.model_validate(values)
    except ValidationError as err:
        first = err.errors()[0]
        name = ".".join(str(part) for part in first["loc"]) or "event"
        raise RowError("invalid event", f"field '{name}': {first['msg']}") from None


def _plain(values: dict[str, Any]) -> bool:
    """Whether an event's values surely pass the model's checks: the same rules, on all its text at once."""
    more: list[str] = list(values.get("tags") or ())  # tags, and attributes' names and text
    for name, value in (values.get("attrs") or {}).items():
        more.append(name)
        if isinstance(value, str):
            more.append(value)
        elif isinstance(value, float) and not math.isfinite(value):
            return False
    texts = [value for value in values.values() if isinstance(value, str)] + more
    capped = [values[name] for name in TESTED_TEXT if isinstance(values.get(name), str)] + more
    numbers = [values.get("intensity"), values.get("confidence")]
    try:
        parse_date(values["date"])
    except (KeyError, TypeError, ValueError):
        return False
    return (
        all(isinstance(values.get(name), str) and values[name] for name in ("id", "actor", "type"))
        and TYPE_RE.match(values["type"]) is not None
        and all(isinstance(n, float) and math.isfinite(n) for n in numbers)
        and numbers[0] >= 0  # type: ignore[operator]
        and 0 <= numbers[1] <= 1  # type: ignore[operator]
        and not any(len(text) > MAX_FIELD_CHARS for text in capped)
        and unprintable("\n".join(texts)) is None  # (a newline is not among the characters refused)
    )


def intensity_of(goldstein: float, intensity: Intensity) -> float:
    return abs(goldstein) if intensity == "goldstein" else 1.0


def number(text: str, name: str, index: int, *, low: float | None = None, high: float | None = None) -> float:
    """A finite number from a cell, within [low, high]; RowError otherwise."""
    try:
        value = float(text)
    except ValueError:
        raise RowError("bad number", f"{name} is {text!r}, not a number", index) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise RowError("bad number", f"{name} is {text!r}, not a finite number", index)
    if (low is not None and value < low) or (high is not None and value > high):
        raise RowError("bad number", f"{name} is {text!r}, outside {low} to {high}", index)
    return value


def whole(text: str, name: str, index: int) -> int:
    """A whole number >= 0 from a cell; RowError otherwise."""
    if not text.isdigit():
        raise RowError("bad number", f"{name} is {text!r}, not a whole number", index)
    return int(text)


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
        held = b""
        while chunk := self.stream.read(size):
            data = held + chunk
            cut = data.rfind(b"\n") + 1
            if cut:
                yield data[:cut]
            held = data[cut:]
        if held:
            yield held


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
        yield Source("-", sys.stdin.buffer, 0)
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
    except IsADirectoryError:
        raise InputError([Problem(path, 1, 1, "is a directory, not a file")]) from None
    except zipfile.BadZipFile as err:
        raise InputError([Problem(path, 1, 1, f"not a readable zip archive: {err}")]) from None
    except OSError as err:
        raise InputError([Problem(path, 1, 1, f"cannot read: {err.strerror or err}")]) from None


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
