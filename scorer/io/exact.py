"""Hand-coded event files (YAML, JSON Lines, CSV) validated event by event with the pydantic model.

Every problem is reported with the line and column of the offending value,
and all problems of a file are collected before giving up.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from scorer import model
from scorer.io.formats import InputFormat
from scorer.io.yaml import Located, load_yaml
from scorer.model.fields import Origin
from scorer.problems import InputError, Problem, describe, printable
from scorer.suggest import hint

if TYPE_CHECKING:
    from scorer.model.event import Event

def parse(text: str, path: str, fmt: InputFormat) -> list[tuple[Event, Origin] | Problem]:
    """The events of a hand-coded file's text, each validated, or the problems of each."""
    if fmt == "yaml":
        return _from_yaml(text, path)
    if fmt == "jsonl":
        return _from_jsonl(text, path)
    if fmt == "json":
        return _from_json(text, path)
    return _from_csv(text, path, "\t" if fmt == "tsv" else ",")


def _validate(raw: Any, where: Any) -> Event | list[Problem]:
    """Validate one event mapping; `where(loc, is_key)` turns an error location into a Problem."""
    try:
        return model.Event.model_validate(raw)
    except model.ValidationError as err:
        problems: dict[tuple[Any, ...], Problem] = {}
        for error in err.errors():
            loc = tuple(error["loc"])
            message = _message(error)
            if error["type"] == "extra_forbidden" and len(loc) == 1:
                message = hint(message, str(loc[0]), model.Event.model_fields)
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


def _from_json(text: str, path: str) -> list[tuple[Event, Origin] | Problem]:
    """A JSON array of event objects, each validated and named by the line and column where it starts."""
    decoder = json.JSONDecoder(object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    lines = _Lines(text)
    at = _skip_space(text, 0)
    if at == len(text):
        return [Problem(path, 1, 1, "empty file: expected a JSON array of events")]
    if text[at] != "[":
        message = "expected a JSON array of events ([{...}, {...}]); a file of one event per line is named .jsonl"
        return [Problem(path, *lines.position(at), message)]
    results: list[tuple[Event, Origin] | Problem] = []
    at = _skip_space(text, at + 1)
    if text[at : at + 1] == "]":
        return results
    while True:
        line, col = lines.position(at)
        try:
            raw, end = decoder.raw_decode(text, at)
        except json.JSONDecodeError as err:
            return results + [Problem(path, err.lineno, err.colno, f"not valid JSON: {err.msg}")]
        except _NotJson as err:
            found = _nth(text, err.token, err.nth, at)
            return results + [Problem(path, *lines.position(found if found >= 0 else at), printable(str(err)))]
        except RecursionError:
            return results + [Problem(path, line, col, "JSON nested too deeply")]
        results.extend(_json_event(raw, text, at, end, path, lines))
        at = _skip_space(text, end)
        if text[at : at + 1] == ",":
            at = _skip_space(text, at + 1)
            continue
        if text[at : at + 1] == "]" and _skip_space(text, at + 1) == len(text):
            return results
        return results + [Problem(path, *lines.position(at), "not valid JSON: expected ',' or ']' after an event")]


class _Lines:
    """Line and column of places in a text, found moving forward (each newline counted once)."""

    def __init__(self, text: str) -> None:
        self.text, self.at, self.line, self.start = text, 0, 1, 0

    def position(self, at: int) -> tuple[int, int]:
        """1-based line and column of index `at`; `at` never goes back before the last place asked for."""
        if at < self.at:
            line = self.text.count("\n", 0, at) + 1
            return line, at - (self.text.rfind("\n", 0, at) + 1) + 1
        newlines = self.text.count("\n", self.at, at)
        if newlines:
            self.line += newlines
            self.start = self.text.rfind("\n", self.at, at) + 1
        self.at = at
        return self.line, at - self.start + 1


def _json_event(
    raw: Any, text: str, start: int, end: int, path: str, lines: _Lines
) -> list[tuple[Event, Origin] | Problem]:
    """One element of a JSON array, text[start:end], validated; a field's problem is named where its key stands."""
    line, col = lines.position(start)
    if not isinstance(raw, dict):
        return [Problem(path, line, col, f"an event must be a JSON object, not {describe(raw)}")]

    def where(loc: tuple[Any, ...], is_key: bool, message: str) -> Problem:
        found = text.find(json.dumps(str(loc[0])), start, end) if loc else -1
        return Problem(path, *lines.position(found if found >= 0 else start), message)

    result = _validate(raw, where)
    if isinstance(result, list):
        return list(result)
    return [(result, Origin(path, line, col))]


def _nth(text: str, token: str, nth: int, at: int) -> int:
    """Where the `nth` occurrence of `token` from index `at` starts, or -1."""
    found = at - 1
    for _ in range(nth):
        found = text.find(token, found + 1)
        if found < 0:
            return -1
    return found


def _skip_space(text: str, at: int) -> int:
    """The index of the next character that is not JSON white space."""
    while at < len(text) and text[at] in " \t\r\n":
        at += 1
    return at


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


def _from_csv(text: str, path: str, delimiter: str = ",") -> list[tuple[Event, Origin] | Problem]:
    """A header row of field names, then an event per row; every row has as many cells as the header."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return [Problem(path, 1, 1, "empty file: expected a header row of field names")]
    except csv.Error as err:
        return [Problem(path, 1, 1, f"not valid CSV: {err}")]
    names = [name.strip() for name in header]
    other = _other_delimiter(names, delimiter)
    if other:
        return [Problem(path, 1, 1, other)]
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
        if len(row) != len(names):
            # A missing cell would shift every later one into the wrong field, or drop the last.
            at = min(len(row), len(names)) + 1
            results.append(Problem(path, row_line, at, f"row has {len(row)} cells but the header names {len(names)}"))
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


_DELIMITERS = {",": "comma", "\t": "tab", ";": "semicolon", "|": "vertical bar"}


def _other_delimiter(names: list[str], delimiter: str) -> str | None:
    """What to say of a header that is one cell holding another delimiter between field names, or None."""
    if len(names) != 1:
        return None
    for other, name in _DELIMITERS.items():
        if other != delimiter and len(names[0].split(other)) > 1:
            wanted = _DELIMITERS[delimiter]
            remedy = {",": "name the file .csv", "\t": "name the file .tsv"}.get(
                other, "save it with commas (.csv) or tabs (.tsv)"
            )
            return (
                f"the header row is separated by {name}s ({other!r}), not {wanted}s: "
                f"this reader splits cells at {wanted}s; {remedy}"
            )
    return None


def yaml_events(located: Located) -> bool:
    """Whether a YAML document looks like an event file rather than a rulepack (for `validate`)."""
    data = located.data
    return isinstance(data, list) or (isinstance(data, dict) and ("events" in data or "defaults" in data))

