"""Hand-coded CSV (and tab-separated) event files: a header row of field names, then an event per row.

Every row must have as many cells as the header names, and a header
separated by another delimiter than the file's is named as such.
"""

from __future__ import annotations

import csv
import io
import math
import re
from typing import TYPE_CHECKING, Any

from scorer.io.checked import validate_event
from scorer.model.fields import Origin, fits_float, too_large
from scorer.problems import Problem, printable

if TYPE_CHECKING:
    from scorer.model.event import Event


def _csv_value(text: str) -> str | int | float | bool:
    """An `attrs.NAME` cell: true/false and numbers as such, so CSV scores as YAML does.

    ValueError for a number no float can hold.
    """
    if text in ("true", "false"):
        return text == "true"
    if re.fullmatch(r"[-+]?(?:0|[1-9][0-9]*)", text):
        if len(text) > 320 or not fits_float(int(text)):
            raise ValueError(too_large(text))
        return int(text)
    if re.fullmatch(r"[-+]?(?:\.[0-9]+|(?:0|[1-9][0-9]*)(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?", text):
        return _csv_number(text)
    return text


def _csv_number(text: str) -> float:
    """A number cell; ValueError for text that is not a number, or a number no float can hold."""
    number = float(text)
    if math.isinf(number) and "inf" not in text.lower():
        raise ValueError(too_large(text))
    return number


_CSV_NUMBERS = ("intensity", "confidence")


def csv_events(text: str, path: str, delimiter: str = ",") -> list[tuple[Event, Origin] | Problem]:
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
        results.extend(_row_event(names, row, path, row_line))
    return results


def _row_event(names: list[str], row: list[str], path: str, line: int) -> list[tuple[Event, Origin] | Problem]:
    """One row as an event (or its problems): empty cells are absent fields, `attrs.NAME` columns attributes."""
    raw: dict[str, Any] = {}
    columns: dict[str, int] = {}
    bad: list[tuple[Event, Origin] | Problem] = []
    for col, (name, cell) in enumerate(zip(names, row, strict=True), start=1):
        if cell == "":
            continue
        if name.startswith("attrs."):
            try:
                raw.setdefault("attrs", {})[name[len("attrs.") :]] = _csv_value(cell)
            except ValueError as err:
                bad.append(Problem(path, line, col, f"field '{printable(name)}': {err}"))
            columns.setdefault("attrs", col)
        elif name == "tags":
            raw["tags"] = [tag.strip() for tag in cell.split(";") if tag.strip()]
        elif name in _CSV_NUMBERS:
            try:
                raw[name] = _csv_number(cell)
            except ValueError as err:
                wrong = str(err) if str(err).startswith("number too large") else f"expected a number, got {cell!r}"
                bad.append(Problem(path, line, col, f"field '{name}': {wrong}"))
        else:
            raw[name] = cell
        columns.setdefault(name, col)
    if bad:
        return bad

    def where(loc: tuple[Any, ...], is_key: bool, message: str) -> Problem:
        """A problem at the cell of the field it names."""
        return Problem(path, line, columns.get(str(loc[0]), 1) if loc else 1, message)

    result = validate_event(raw, where)
    return list(result) if isinstance(result, list) else [(result, Origin(path, line, 1))]


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
