"""Event files: YAML, JSON Lines and CSV, validated into `Event` models.

Every problem is reported with the line and column of the offending value,
and all problems of a file are collected before giving up.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import re
import stat
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date as Date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Literal

import polars as pl

from scorer.problems import InputError, Problem
from scorer.yamlfile import Located, describe, load_yaml, printable

if TYPE_CHECKING:
    from scorer.model import Event

InputFormat = Literal["yaml", "jsonl", "csv"]
FORMATS: tuple[str, ...] = ("yaml", "jsonl", "csv")
_EXTENSIONS: dict[str, InputFormat] = {".yaml": "yaml", ".yml": "yaml", ".jsonl": "jsonl", ".csv": "csv"}

# Also run by polars (table.py) on a large file's distinct values: keep them in the syntax both share.
DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
TYPE_RE = re.compile(r"^[a-z0-9_]+(?:\.[a-z0-9_]+)*$")


def parse_date(text: str) -> Date:
    """First day of the period a `YYYY`, `YYYY-MM` or `YYYY-MM-DD` date names; ValueError otherwise."""
    found = DATE_RE.match(text)
    if not found:
        raise ValueError(f"bad date {text!r}: expected YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = found.groups()
    try:
        return Date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        raise ValueError(f"bad date {text!r}: no such day") from None


# A field that rules can test holds at most MAX_FIELD_CHARS characters: a rule's
# regex runs on it, and the check of regexes at load (scorer/patterns.py) bounds
# their cost for values of that length. Summary and quote are shown, never tested.
MAX_FIELD_CHARS = 1000
TESTED_TEXT = ("id", "actor", "type", "partner", "source")
# yamlfile.unprintable for polars (Rust regex, where text never holds surrogates).
UNPRINTABLE_RE = r"[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F\x{FFFE}\x{FFFF}]"


@dataclass(frozen=True)
class Origin:
    """Where an event was read: for reports and for duplicate-id messages."""

    file: str
    line: int
    col: int


class EventSet:
    """Events in input order as columns (`frame`); `events` and `origins` are built on demand."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame

    @classmethod
    def of(cls, events: Sequence[Event], origins: Sequence[Origin] | None = None) -> EventSet:
        from scorer import table  # builds on the models of this module

        if origins is None:
            origins = [Origin("<events>", i + 1, 1) for i in range(len(events))]
        return cls(table.from_events(events, origins))

    def __len__(self) -> int:
        return self.frame.height

    @cached_property
    def events(self) -> list[Event]:
        from scorer import table

        return table.to_events(self.frame)

    @cached_property
    def origins(self) -> list[Origin]:
        from scorer import table

        return table.to_origins(self.frame)


def format_for(path: str, given: str | None) -> InputFormat:
    if given:
        if given not in FORMATS:
            raise InputError([Problem(path, 1, 1, f"unknown input format {given!r}: use one of {', '.join(FORMATS)}")])
        return given  # type: ignore[return-value]
    if path == "-":
        raise InputError([Problem("-", 1, 1, "standard input needs --input-format yaml|jsonl|csv")])
    suffix = Path(path).suffix.lower()
    if suffix not in _EXTENSIONS:
        raise InputError(
            [
                Problem(
                    path,
                    1,
                    1,
                    f"cannot tell the format of {suffix or 'a file without extension'!r}: use --input-format",
                )
            ]
        )
    return _EXTENSIONS[suffix]


# Limits on what is read, checked while reading, so that a hostile file is
# refused after about a megabyte rather than after filling memory:
# - no line of any input may be longer than MAX_LINE_BYTES: a "1 GB line" is
#   refused at its first MiB, before the parsers (which hold a line whole) see it;
# - a YAML file may not be larger than MAX_YAML_BYTES: YAML is for files kept by
#   hand and costs about a second and 60 MB of memory per MB to parse; larger
#   data belongs in JSON Lines or CSV, which have no size limit;
# - bytes that are not UTF-8 are refused in the chunk they arrive in, so binary
#   garbage (even an endless stream) stops at once.
MAX_LINE_BYTES = 1 << 20
MAX_YAML_BYTES = 16 << 20
_CHUNK = 1 << 20  # at most MAX_LINE_BYTES, so that only lines crossing a chunk edge need measuring


def _cannot_read(path: str, err: OSError) -> InputError:
    if isinstance(err, IsADirectoryError):
        return InputError([Problem(path, 1, 1, "is a directory, not a file")])
    return InputError([Problem(path, 1, 1, f"cannot read: {err.strerror or err}")])


def _open(path: str, limit: int | None) -> BinaryIO:
    if path == "-":
        return sys.stdin.buffer
    # Opened without waiting: a named pipe that nobody writes to reads as empty instead of hanging the run.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        status = os.fstat(fd)
        if stat.S_ISDIR(status.st_mode):
            raise IsADirectoryError(path)
        if limit is not None and stat.S_ISREG(status.st_mode) and status.st_size > limit:
            raise InputError([Problem(path, 1, 1, _too_large(status.st_size, limit))])
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return open(fd, "rb")


def _chunks(path: str, limit: int | None) -> Iterator[tuple[bytes, int, int]]:
    """The file in chunks, each with the number of the line it starts in and where that line starts.

    The start is counted from the start of the chunk (so it is 0 or negative).
    Refuses (InputError) a line longer than MAX_LINE_BYTES or a file larger
    than `limit` as soon as it is seen, before passing the chunk on.
    """
    try:
        stream = _open(path, limit)
        try:
            total = 0
            line = 1  # number of the line being read
            line_start = 0  # where it starts, counted from the start of the file
            while chunk := stream.read(_CHUNK):
                chunk_line, chunk_line_start = line, line_start - total
                first = chunk.find(b"\n")
                if first >= 0:
                    # A line that starts and ends inside this chunk is shorter than a chunk:
                    # only the line ending here and the one left open need measuring.
                    if total + first - line_start > MAX_LINE_BYTES:
                        raise InputError([Problem(path, line, 1, _too_long())])
                    line += chunk.count(b"\n")
                    line_start = total + chunk.rfind(b"\n") + 1
                total += len(chunk)
                if total - line_start > MAX_LINE_BYTES:
                    raise InputError([Problem(path, line, 1, _too_long())])
                if limit is not None and total > limit:
                    raise InputError([Problem(path, 1, 1, _too_large(total, limit))])
                yield chunk, chunk_line, chunk_line_start
        finally:
            if stream is not sys.stdin.buffer:
                stream.close()
    except OSError as err:
        raise _cannot_read(path, err) from None


def _too_long() -> str:
    return f"line too long: more than {MAX_LINE_BYTES:,} bytes (1 MiB); refused without reading it all"


def _too_large(size: int, limit: int) -> str:
    return f"file too large for YAML: {size:,} bytes, more than {limit >> 20} MiB (use JSON Lines or CSV)"


def _yaml_limit(path: str, limit: int | None) -> int | None:
    if limit is None and Path(path).suffix.lower() in (".yaml", ".yml"):
        return MAX_YAML_BYTES
    return limit


def read_text(path: str, limit: int | None = None) -> str:
    """The UTF-8 text of a file or of standard input (`-`), a byte-order mark dropped; problems as InputError.

    `limit` caps the size of the file; by default a file named `.yaml`/`.yml`
    is capped at MAX_YAML_BYTES and others are not. Every line is capped at
    MAX_LINE_BYTES.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    parts: list[str] = []
    chunk, line, line_start = b"", 1, 0
    for chunk, line, line_start in _chunks(path, _yaml_limit(path, limit)):
        pending = decoder.getstate()[0]  # the start of a character cut by the end of the chunk before
        try:
            parts.append(decoder.decode(chunk))
        except UnicodeDecodeError as err:
            raise _not_utf8(path, pending + chunk, err.start, line, line_start + len(pending)) from None
    tail = decoder.getstate()[0]
    if tail:  # the file ends inside a character
        raise _not_utf8(path, chunk, len(chunk) - len(tail), line, line_start)
    text = "".join(parts)
    return text[1:] if text.startswith("\ufeff") else text


def _not_utf8(path: str, chunk: bytes, at: int, line: int, line_start: int) -> InputError:
    """The bad byte at `at` in `chunk`, named by line and column (`line` starts at `line_start` of the chunk)."""
    newlines = chunk.count(b"\n", 0, at)
    if newlines:
        line += newlines
        line_start = chunk.rfind(b"\n", 0, at) + 1
    return InputError([Problem(path, line, at - line_start + 1, f"not UTF-8 text (byte 0x{chunk[at]:02x})")])


def load_events(paths: list[str] | str, input_format: str | None = None) -> EventSet:
    """Read and validate event files; every problem of every file is raised together."""
    from scorer import table

    if isinstance(paths, str):
        paths = [paths]
    frames: list[pl.DataFrame] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            fmt = format_for(path, input_format)
            fast = None
            if fmt == "jsonl" and _size(path) > _COLUMNS_FROM:
                fast = table.jsonl_columns(path)
            if fast is not None:
                frames.append(fast[0])
                problems.extend(fast[1])
                continue
            batch = _parse(read_text(path, MAX_YAML_BYTES if fmt == "yaml" else None), path, fmt)
        except InputError as err:
            problems.extend(err.problems)
            continue
        good = [item for item in batch if not isinstance(item, Problem)]
        problems.extend(item for item in batch if isinstance(item, Problem))
        frames.append(table.from_events([e for e, _ in good], [o for _, o in good]))
    frame = pl.concat(frames) if frames else table.empty()
    problems.extend(duplicate_ids(frame))
    if problems:
        # A bad field in `defaults:` fails every event that inherits it: say it once.
        raise InputError(list(dict.fromkeys(problems)))
    return EventSet(frame)


# Below this size the exact reader is as fast as the column reader and simpler to trust.
_COLUMNS_FROM = 1 << 20


def _size(path: str) -> int:
    try:
        return 0 if path == "-" else Path(path).stat().st_size
    except OSError:
        return 0


def duplicate_ids(frame: pl.DataFrame) -> list[Problem]:
    """Each repeat of an event id, named where it stands and where the id first stood."""
    if frame["id"].hash().n_unique() == frame.height:
        return []  # distinct hashes, distinct ids (much faster than comparing the text)
    repeated = frame.select("id", "file", "line", "col").with_row_index("row").filter(pl.col("id").is_duplicated())
    first: dict[str, tuple[str, int]] = {}
    problems = []
    for _, event_id, file, line, col in repeated.iter_rows():
        if event_id in first:
            where = f"{first[event_id][0]}:{first[event_id][1]}"
            problems.append(Problem(file, line, col, f"field 'id': duplicate event id {event_id!r} (first at {where})"))
        else:
            first[event_id] = (file, line)
    return problems


def _parse(text: str, path: str, fmt: InputFormat) -> list[tuple[Event, Origin] | Problem]:
    if fmt == "yaml":
        return _from_yaml(text, path)
    if fmt == "jsonl":
        return _from_jsonl(text, path)
    return _from_csv(text, path)


def _validate(raw: Any, where: Any) -> Event | list[Problem]:
    """Validate one event mapping; `where(loc, is_key)` turns an error location into a Problem."""
    from pydantic import ValidationError

    from scorer.model import Event

    try:
        return Event.model_validate(raw)
    except ValidationError as err:
        problems: dict[tuple[Any, ...], Problem] = {}
        for error in err.errors():
            loc = tuple(error["loc"])
            message = _message(error)
            if loc[:1] == ("attrs",) and len(loc) > 2:
                # One attribute failed every member of the union: say it once.
                loc = loc[:2]
                message = f"expected text, a number or true/false, got {describe(error.get('input'))}"
            name = printable(".".join(str(part) for part in loc)) or "event"
            problems.setdefault(loc, where(loc, error["type"] == "extra_forbidden", f"field '{name}': {message}"))
        return list(problems.values())


_EXPECTED = {
    "string": "text",
    "float": "a number",
    "int": "a number",
    "bool": "true or false",
    "list": "a list",
    "dict": "a mapping",
}


def _message(error: Any) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "required field is missing"
    if kind == "string_unicode":
        return "not text: holds half of a UTF-16 surrogate pair (such as \\ud800)"
    if kind == "value_error":
        return str(error["ctx"]["error"])
    if kind.endswith("_type"):
        wanted = _EXPECTED.get(kind[: -len("_type")], "another type")
        return f"expected {wanted}, got {describe(error.get('input'))}"
    return str(error["msg"])


def _from_yaml(text: str, path: str) -> list[tuple[Event, Origin] | Problem]:
    located = load_yaml(text, path)
    data = located.data
    defaults: dict[str, Any] = {}
    prefix: tuple[str | int, ...] = ()
    if isinstance(data, dict):
        unknown = [key for key in data if key not in ("events", "defaults")]
        if unknown:
            raise InputError(
                [
                    located.problem(
                        (unknown[0],),
                        f"unknown top-level key '{unknown[0]}': expected 'events' and optional 'defaults'",
                        key=True,
                    )
                ]
            )
        if "events" not in data:
            raise InputError([located.problem((), "no 'events:' list in this file")])
        defaults = data.get("defaults") or {}
        if not isinstance(defaults, dict):
            raise InputError(
                [located.problem(("defaults",), f"'defaults' must be a mapping, not {describe(defaults)}")]
            )
        prefix = ("events",)
        items = data["events"]
    elif data is None:
        raise InputError([located.problem((), "empty file: expected a mapping with 'events:' or a list of events")])
    else:
        items = data
    if not isinstance(items, list):
        raise InputError([located.problem(prefix, f"expected a list of events, not {describe(items)}")])
    results: list[tuple[Event, Origin] | Problem] = []
    for index, raw in enumerate(items):
        path_of = prefix + (index,)
        if not isinstance(raw, dict):
            results.append(located.problem(path_of, f"an event must be a mapping, not {describe(raw)}"))
            continue
        merged = {**defaults, **raw}
        from_defaults = set(defaults) - set(raw)

        def where(
            loc: tuple[Any, ...],
            is_key: bool,
            message: str,
            path_of: tuple[Any, ...] = path_of,
            from_defaults: set[str] = from_defaults,
        ) -> Problem:
            if loc and loc[0] in from_defaults:
                return located.problem(("defaults",) + loc, message, key=is_key)
            return located.problem(path_of + loc, message, key=is_key)

        result = _validate(merged, where)
        if isinstance(result, list):
            results.extend(result)
        else:
            line, col = located.where(path_of)
            results.append((result, Origin(path, line, col)))
    return results


def _column_of(line: str, name: str) -> int:
    found = line.find(json.dumps(name))
    return found + 1 if found >= 0 else 1


class _NotJson(ValueError):
    """What Python's json reader lets through but JSON (and YAML's reading of events) does not."""

    def __init__(self, message: str, token: str, nth: int = 1) -> None:
        super().__init__(message)
        self.token, self.nth = token, nth

    def col(self, line: str) -> int:
        at = -1
        for _ in range(self.nth):
            at = line.find(self.token, at + 1)
        return at + 1 if at >= 0 else 1


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # As in YAML: a repeated key is a mistake, not a silent "the last one wins".
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _NotJson(f"duplicate key {key!r}", json.dumps(key), 2)
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise _NotJson(f"not valid JSON: {name} is not a JSON number", name)


def _from_jsonl(text: str, path: str) -> list[tuple[Event, Origin] | Problem]:
    if not text.strip():
        # As for YAML and CSV: an empty file is most often the wrong file, or a cut download.
        return [Problem(path, 1, 1, "empty file: expected one JSON object per line")]
    # Lines end at "\n" alone (a "\r" before it is white space to JSON): U+2028, U+0085 and
    # the like are text inside a JSON string, not line breaks as `str.splitlines` takes them.
    return jsonl_lines(text.split("\n"), path)


def jsonl_lines(lines: Iterable[str], path: str, first: int = 1) -> list[tuple[Event, Origin] | Problem]:
    """Lines of JSON Lines validated one by one, numbered from `first`; blank lines are skipped."""
    results: list[tuple[Event, Origin] | Problem] = []
    for number, line in enumerate(lines, start=first):
        if not line.strip():
            continue
        try:
            raw = json.loads(line, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
        except json.JSONDecodeError as err:
            results.append(Problem(path, number, err.colno, f"not valid JSON: {err.msg}"))
            continue
        except _NotJson as err:
            results.append(Problem(path, number, err.col(line), printable(str(err))))
            continue
        except RecursionError:
            results.append(Problem(path, number, 1, "JSON nested too deeply"))
            continue
        if not isinstance(raw, dict):
            results.append(Problem(path, number, 1, f"an event must be a JSON object, not {describe(raw)}"))
            continue

        def where(loc: tuple[Any, ...], is_key: bool, message: str, line: str = line, number: int = number) -> Problem:
            return Problem(path, number, _column_of(line, str(loc[0])) if loc else 1, message)

        result = _validate(raw, where)
        if isinstance(result, list):
            results.extend(result)
        else:
            results.append((result, Origin(path, number, 1)))
    return results


def _csv_value(text: str) -> str | int | float | bool:
    """An `attrs.NAME` cell: true/false and numbers as such, so CSV scores as YAML does."""
    if text in ("true", "false"):
        return text == "true"
    if re.fullmatch(r"[-+]?(?:0|[1-9][0-9]*)", text):
        return int(text)
    if re.fullmatch(r"[-+]?(?:\.[0-9]+|(?:0|[1-9][0-9]*)(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?", text):
        return float(text)
    return text


_CSV_NUMBERS = ("intensity", "confidence")


def _from_csv(text: str, path: str) -> list[tuple[Event, Origin] | Problem]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return [Problem(path, 1, 1, "empty file: expected a header row of field names")]
    except csv.Error as err:
        return [Problem(path, 1, 1, f"not valid CSV: {err}")]
    names = [name.strip() for name in header]
    results: list[tuple[Event, Origin] | Problem] = []
    for col, name in enumerate(names, start=1):
        if name in names[: col - 1]:
            results.append(Problem(path, 1, col, f"duplicate column '{printable(name)}'"))
    if results:
        return results
    while True:
        row_line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            results.append(Problem(path, row_line, 1, f"not valid CSV: {err}"))
            break
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(names):
            results.append(
                Problem(path, row_line, len(names) + 1, f"row has {len(row)} cells but the header names {len(names)}")
            )
            continue
        raw: dict[str, Any] = {}
        columns: dict[str, int] = {}
        bad: list[Problem] = []
        for col, (name, cell) in enumerate(zip(names, row, strict=False), start=1):
            if cell == "":
                continue
            if name.startswith("attrs."):
                raw.setdefault("attrs", {})[name[len("attrs.") :]] = _csv_value(cell)
                columns.setdefault("attrs", col)
            elif name == "tags":
                raw["tags"] = [tag.strip() for tag in cell.split(";") if tag.strip()]
            elif name in _CSV_NUMBERS:
                try:
                    raw[name] = float(cell)
                except ValueError:
                    bad.append(Problem(path, row_line, col, f"field '{name}': expected a number, got {cell!r}"))
            else:
                raw[name] = cell
            columns.setdefault(name, col)
        if bad:
            results.extend(bad)
            continue

        def where(
            loc: tuple[Any, ...],
            is_key: bool,
            message: str,
            row_line: int = row_line,
            columns: dict[str, int] = columns,
        ) -> Problem:
            return Problem(path, row_line, columns.get(str(loc[0]), 1) if loc else 1, message)

        result = _validate(raw, where)
        if isinstance(result, list):
            results.extend(result)
        else:
            results.append((result, Origin(path, row_line, 1)))
    return results


def yaml_events(located: Located) -> bool:
    """Whether a YAML document looks like an event file rather than a rulepack (for `validate`)."""
    data = located.data
    return isinstance(data, list) or (isinstance(data, dict) and ("events" in data or "defaults" in data))


def __getattr__(name: str) -> Any:
    # `Event` lives in scorer.model (pydantic loads with it); still importable from here.
    if name == "Event":
        from scorer.model import Event

        return Event
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
