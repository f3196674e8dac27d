"""Hand-coded event files (YAML, JSON, JSON Lines; CSV in `csv_events`) validated event by event.

Every problem is reported with the line and column of the offending value,
and all problems of a file are collected before giving up.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from scorer.io.checked import validate_event
from scorer.io.csv_events import csv_events
from scorer.io.formats import InputFormat
from scorer.io.yaml import Located, load_yaml
from scorer.model.fields import Origin, fits_float, too_large
from scorer.problems import InputError, Problem, describe, printable

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
    return csv_events(text, path, "\t" if fmt == "tsv" else ",")


def _from_yaml(text: str, path: str) -> list[tuple[Event, Origin] | Problem]:
    """The events of a YAML file: a mapping with `events:` (and `defaults:`), or a bare list."""
    located = load_yaml(text, path)
    items, defaults, prefix = _yaml_items(located)
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
            """A problem at an error's location in this event."""
            if loc and loc[0] in from_defaults:
                return located.problem(("defaults",) + loc, message, key=is_key)
            return located.problem(path_of + loc, message, key=is_key)

        result = validate_event(merged, where)
        if isinstance(result, list):
            results.extend(result)
        else:
            line, col = located.where(path_of)
            results.append((result, Origin(path, line, col)))
    return results


def _yaml_items(located: Located) -> tuple[list[Any], dict[str, Any], tuple[str | int, ...]]:
    """The event items of a YAML document, its `defaults:` and where the items stand; InputError for any
    other shape."""
    data = located.data
    defaults: dict[str, Any] = {}
    prefix: tuple[str | int, ...] = ()
    if isinstance(data, dict):
        unknown = [key for key in data if key not in ("events", "defaults")]
        if unknown:
            message = f"unknown top-level key '{unknown[0]}': expected 'events' and optional 'defaults'"
            raise InputError([located.problem((unknown[0],), message, key=True)])
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
    return items, defaults, prefix


def _column_of(line: str, name: str) -> int:
    """The column where a field's key stands on a JSON line (1 if not found)."""
    found = line.find(json.dumps(name))
    return found + 1 if found >= 0 else 1


class _NotJson(ValueError):
    """What Python's json reader lets through but JSON (and YAML's reading of events) does not."""

    def __init__(self, message: str, token: str, nth: int = 1) -> None:
        super().__init__(message)
        self.token, self.nth = token, nth

    def col(self, line: str) -> int:
        """The column of the offending token on the line."""
        at = -1
        for _ in range(self.nth):
            at = line.find(self.token, at + 1)
        return at + 1 if at >= 0 else 1


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # As in YAML: a repeated key is a mistake, not a silent "the last one wins".
    """A JSON object's pairs as a mapping, refusing a repeated key."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _NotJson(f"duplicate key {key!r}", json.dumps(key), 2)
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    """Refuse NaN and Infinity, which JSON does not have."""
    raise _NotJson(f"not valid JSON: {name} is not a JSON number", name)


def _whole_number(text: str) -> int:
    """A JSON integer, refused (where it is written) when no float can hold it."""
    if len(text) > 320 or not fits_float(int(text)):
        raise _NotJson(too_large(text), text)
    return int(text)


def _real_number(text: str) -> float:
    """A JSON number with a fraction or an exponent, refused (where it is written) past what a float holds."""
    number = float(text)
    if math.isinf(number):
        raise _NotJson(too_large(text), text)
    return number


def _from_jsonl(text: str, path: str) -> list[tuple[Event, Origin] | Problem]:
    """The events of a JSON Lines file."""
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
            raw = json.loads(
                line,
                object_pairs_hook=_unique_keys,
                parse_constant=_no_constant,
                parse_int=_whole_number,
                parse_float=_real_number,
            )
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
            """A problem at an error's location in this event."""
            return Problem(path, number, _column_of(line, str(loc[0])) if loc else 1, message)

        result = validate_event(raw, where)
        if isinstance(result, list):
            results.extend(result)
        else:
            results.append((result, Origin(path, number, 1)))
    return results


def _from_json(text: str, path: str) -> list[tuple[Event, Origin] | Problem]:
    """A JSON array of event objects, each validated and named by the line and column where it starts."""
    decoder = json.JSONDecoder(
        object_pairs_hook=_unique_keys, parse_constant=_no_constant, parse_int=_whole_number, parse_float=_real_number
    )
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
        """A problem at an error's location in this event."""
        found = text.find(json.dumps(str(loc[0])), start, end) if loc else -1
        return Problem(path, *lines.position(found if found >= 0 else start), message)

    result = validate_event(raw, where)
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


def yaml_events(located: Located) -> bool:
    """Whether a YAML document looks like an event file rather than a rulepack (for `validate`)."""
    data = located.data
    return isinstance(data, list) or (isinstance(data, dict) and ("events" in data or "defaults" in data))


def problems_of(raw: dict[str, Any], path: str, line: int) -> list[Problem]:
    """What is wrong with one event mapping read elsewhere (a Parquet row), each problem at `path:line:1`."""
    result = validate_event(raw, lambda loc, is_key, message: Problem(path, line, 1, message))
    return result if isinstance(result, list) else []
