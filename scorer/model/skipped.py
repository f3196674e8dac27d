"""Rows of machine-coded files that did not become events: each named, and all of them counted.

GDELT and ICEWS files hold millions of rows coded by software, and some rows
cannot become events (no actor country, a broken line). Such a row is never
dropped silently: it becomes a `Skip` that names its file, line and column and
says why, and the run's `Tally` reports it (or fails on it with `--strict`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, overload

from scorer.problems import Problem


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
        """The skip as a problem, for `--strict`."""
        return Problem(self.file, self.line, self.col, f"{self.reason}: {self.detail}")

    def as_json(self) -> dict[str, Any]:
        """One item of the `skipped.rows` list of JSON output."""
        return {"file": self.file, "line": self.line, "col": self.col, "reason": self.reason, "message": self.detail}


@dataclass
class Tally:
    """The rows of the machine-coded files of a run: how many, and those that did not become events."""

    rows: int = 0
    skipped: list[Skip] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """The `skipped` key of JSON output: enough to check that every row was read, and where each skip is."""
        return {
            "rows_read": self.rows,
            "count": len(self.skipped),
            "by_reason": dict(Counter(skip.reason for skip in self.skipped).most_common()),
            "rows": _Rows(self.skipped),
        }

    def summary(self, *, shown: int = 5) -> str:
        """What standard error says about skipped rows: counts by reason, then the first few rows."""
        if not self.skipped:
            return ""
        lines = [
            f"scorer: {len(self.skipped):,} of {self.rows:,} rows of GDELT/ICEWS input did not become events"
            " (JSON output lists them under \"skipped\"; --strict makes them errors):"
        ]
        for reason, count in Counter(skip.reason for skip in self.skipped).most_common():
            lines.append(f"  {count:>9,}  {reason}")
        lines.append("first of them:" if len(self.skipped) > shown else "they are:")
        lines += [f"  {skip}" for skip in self.skipped[:shown]]
        return "\n".join(lines) + "\n"


class _Rows(Sequence[dict[str, Any]]):
    """Skipped rows as JSON objects, each made when it is asked for: `report.json.document_json` writes a
    long list a slice at a time, so a million skipped rows are never all held as mappings."""

    def __init__(self, skipped: list[Skip]) -> None:
        self._skipped = skipped

    def __len__(self) -> int:
        return len(self._skipped)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return [skip.as_json() for skip in self._skipped[index]]
        return self._skipped[index].as_json()

