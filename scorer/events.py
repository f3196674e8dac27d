"""Event files: YAML, JSON Lines and CSV, validated into `Event` models.

Every problem is reported with the line and column of the offending value,
and all problems of a file are collected before giving up.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date as Date
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import polars as pl
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationError,
    field_validator,
)

from scorer.problems import InputError, Problem
from scorer.yamlfile import Located, describe, load_yaml

InputFormat = Literal["yaml", "jsonl", "csv"]
FORMATS: tuple[str, ...] = ("yaml", "jsonl", "csv")
_EXTENSIONS: dict[str, InputFormat] = {".yaml": "yaml", ".yml": "yaml", ".jsonl": "jsonl", ".csv": "csv"}

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_TYPE = re.compile(r"^[a-z0-9_]+(?:\.[a-z0-9_]+)*$")

AttrValue = StrictStr | StrictBool | StrictInt | StrictFloat


def parse_date(text: str) -> Date:
    """First day of the period a `YYYY`, `YYYY-MM` or `YYYY-MM-DD` date names; ValueError otherwise."""
    found = _DATE.match(text)
    if not found:
        raise ValueError(f"bad date {text!r}: expected YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = found.groups()
    try:
        return Date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        raise ValueError(f"bad date {text!r}: no such day") from None


class Event(BaseModel):
    """One coded foreign-policy act (SPEC section 2)."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    id: StrictStr = Field(min_length=1)
    date: StrictStr
    actor: StrictStr = Field(min_length=1)
    type: StrictStr
    partner: StrictStr | None = None
    intensity: float = 1.0
    confidence: float = 1.0
    summary: StrictStr | None = None
    source: StrictStr | None = None
    quote: StrictStr | None = None
    tags: list[StrictStr] | None = None
    attrs: dict[StrictStr, AttrValue] | None = None

    @field_validator("date", mode="before")
    @classmethod
    def _year_as_text(cls, value: Any) -> Any:
        # YAML and JSON read a bare year as a number; it is still a date as written.
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return value

    @field_validator("date")
    @classmethod
    def _valid_date(cls, value: str) -> str:
        parse_date(value)
        return value

    @field_validator("type")
    @classmethod
    def _dotted_lower_case(cls, value: str) -> str:
        if not _TYPE.match(value):
            raise ValueError(f"bad type {value!r}: expected dotted lower case such as 'exercise.decline'")
        return value

    @field_validator("intensity")
    @classmethod
    def _intensity(cls, value: float) -> float:
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"intensity must be a finite number >= 0, not {value}")
        return value

    @field_validator("confidence")
    @classmethod
    def _confidence(cls, value: float) -> float:
        if not math.isfinite(value) or not 0 <= value <= 1:
            raise ValueError(f"confidence must be a number from 0 to 1, not {value}")
        return value

    @property
    def day(self) -> Date:
        """The day the event counts from: the first day of a partial date."""
        return parse_date(self.date)


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


def read_bytes(path: str) -> bytes:
    """The bytes of a file (or standard input for `-`), problems as InputError."""
    try:
        return sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except IsADirectoryError:
        raise InputError([Problem(path, 1, 1, "is a directory, not a file")]) from None
    except OSError as err:
        raise InputError([Problem(path, 1, 1, f"cannot read: {err.strerror or err}")]) from None


def decode(raw: bytes, path: str) -> str:
    """UTF-8 text (a byte-order mark is dropped), problems as InputError."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        col = err.start - (raw.rfind(b"\n", 0, err.start) + 1) + 1
        raise InputError([Problem(path, line, col, f"not UTF-8 text (byte 0x{raw[err.start]:02x})")]) from None


def read_text(path: str) -> str:
    """The text of a file (or standard input for `-`), problems as InputError."""
    return decode(read_bytes(path), path)


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
            fast = table.jsonl_columns(path) if fmt == "jsonl" and _size(path) > _COLUMNS_FROM else None
            if fast is not None:
                frames.append(fast)
                continue
            batch = _parse(read_text(path), path, fmt)
        except InputError as err:
            problems.extend(err.problems)
            continue
        good = [item for item in batch if not isinstance(item, Problem)]
        problems.extend(item for item in batch if isinstance(item, Problem))
        frames.append(table.from_events([e for e, _ in good], [o for _, o in good]))
    frame = pl.concat(frames) if frames else table.empty()
    problems.extend(_duplicates(frame))
    if problems:
        raise InputError(problems)
    return EventSet(frame)


# Below this size the exact reader is as fast as the column reader and simpler to trust.
_COLUMNS_FROM = 1 << 20


def _size(path: str) -> int:
    try:
        return 0 if path == "-" else Path(path).stat().st_size
    except OSError:
        return 0


def _duplicates(frame: pl.DataFrame) -> list[Problem]:
    if frame["id"].n_unique() == frame.height:
        return []
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
            name = ".".join(str(part) for part in loc) or "event"
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


def _from_jsonl(text: str, path: str) -> list[tuple[Event, Origin] | Problem]:
    results: list[tuple[Event, Origin] | Problem] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as err:
            results.append(Problem(path, number, err.colno, f"not valid JSON: {err.msg}"))
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
            results.append(Problem(path, 1, col, f"duplicate column '{name}'"))
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
