"""Targets to calibrate against: a value per actor and date, from a plain CSV or from UN General Assembly votes.

* `csv`: a header with `actor`, `date` and `value` (or the column named by
  `column`); a date is `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
* `unga`: Erik Voeten's ideal-point file (`IdealpointestimatesAll_*.csv`:
  one row per country and session, `iso3c`, `session`, `USAgree`,
  `RUSSAgree`, `IdealPointAll`, ...). The value is `USAgree - RUSSAgree`
  (how much more often the country voted with the United States than with
  Russia) unless `column` names another. Session N runs from September of
  1945 + N to September of the next year; its value is dated on the last day
  of August that ends it. The file codes Serbia as `YUG` for every session;
  it is read as `SRB`. Rows whose value is `NA` are left out.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from datetime import date as Date

from scorer.io.files import read_text
from scorer.model.fields import parse_date
from scorer.problems import InputError, Problem

TARGET_FORMATS = ("csv", "unga")
UNGA_DEFAULT = "USAgree - RUSSAgree"
_RENAMED = {"YUG": "SRB"}


@dataclass(frozen=True)
class Target:
    """One value to calibrate against: an actor on a date, and where it was read."""

    actor: str
    date: str
    day: int
    value: float
    line: int


@dataclass(frozen=True)
class Targets:
    """The targets of one file, in file order, and what their value is."""

    file: str
    what: str
    rows: tuple[Target, ...]


def session_end(session: int) -> Date:
    """The day a General Assembly session is dated on: the last of August before the next session opens."""
    return Date(1946 + session, 8, 31)


def read_targets(path: str, fmt: str = "csv", column: str | None = None) -> Targets:
    """The targets of a file; InputError naming file:line:col for every problem."""
    if fmt not in TARGET_FORMATS:
        raise ValueError(f"target format must be one of {', '.join(TARGET_FORMATS)}, not {fmt!r}")
    text = read_text(path)
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise InputError([Problem(path, 1, 1, "no header: the target file is empty")])
    header = rows[0]
    if fmt == "unga":
        return _unga(path, header, rows[1:], column)
    return _plain(path, header, rows[1:], column or "value")


def _find(path: str, header: list[str], names: list[str]) -> list[int]:
    """The places of the named columns in the header; InputError naming the ones missing."""
    missing = [name for name in names if name not in header]
    if missing:
        listed = ", ".join(repr(name) for name in missing)
        raise InputError([Problem(path, 1, 1, f"no column {listed} in the header (columns: {', '.join(header)})")])
    return [header.index(name) for name in names]


def _number(cell: str) -> float | None:
    """A cell as a finite number; None for `NA` or an empty cell; ValueError for anything else."""
    if cell.strip() in ("", "NA"):
        return None
    value = float(cell)
    if not math.isfinite(value):
        raise ValueError(cell)
    return value


def _plain(path: str, header: list[str], rows: list[list[str]], column: str) -> Targets:
    """`actor,date,value` rows."""
    actor_at, date_at, value_at = _find(path, header, ["actor", "date", column])
    found, problems = [], []
    for line, row in enumerate(rows, 2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.append(Problem(path, line, 1, f"expected {len(header)} cells, found {len(row)}"))
            continue
        actor, written = row[actor_at].strip(), row[date_at].strip()
        try:
            day = parse_date(written).toordinal()
        except ValueError as err:
            problems.append(Problem(path, line, date_at + 1, f"field 'date': {err}"))
            continue
        try:
            value = _number(row[value_at])
        except ValueError:
            problems.append(Problem(path, line, value_at + 1, f"field {column!r}: not a finite number: {row[value_at]!r}"))
            continue
        if not actor:
            problems.append(Problem(path, line, actor_at + 1, "field 'actor': empty"))
        elif value is not None:
            found.append(Target(actor, written, day, value, line))
    if problems:
        raise InputError(problems)
    return Targets(path, column, tuple(found))


def _unga(path: str, header: list[str], rows: list[list[str]], column: str | None) -> Targets:
    """Voeten's rows: one per country and session."""
    names = ["iso3c", "session"] + (["USAgree", "RUSSAgree"] if column is None else [column])
    places = _find(path, header, names)
    found, problems = [], []
    for line, row in enumerate(rows, 2):
        if len(row) != len(header):
            problems.append(Problem(path, line, 1, f"expected {len(header)} cells, found {len(row)}"))
            continue
        code, session_text = row[places[0]].strip(), row[places[1]].strip()
        try:
            session = int(session_text)
            values = [_number(row[k]) for k in places[2:]]
        except ValueError:
            problems.append(Problem(path, line, 1, "session must be a whole number and the values numbers or NA"))
            continue
        value = _value(values)
        if not code or code == "NA" or value is None or session < 1:
            continue
        end = session_end(session)
        found.append(Target(_RENAMED.get(code, code), end.isoformat(), end.toordinal(), value, line))
    if problems:
        raise InputError(problems)
    return Targets(path, UNGA_DEFAULT if column is None else column, tuple(found))


def _value(values: list[float | None]) -> float | None:
    """One column's value, or the first of two less the second; None when one is missing."""
    if any(v is None for v in values):
        return None
    first, *rest = (float(v or 0.0) for v in values)
    return first - rest[0] if rest else first
