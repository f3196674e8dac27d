"""Rows of machine-coded files that did not become events: each named, and all of them counted.

GDELT and ICEWS files hold millions of rows coded by software, and some rows
cannot become events (no actor country, a broken line). Such a row is never
dropped silently: it is a skip that names its file, line and column and says
why, and the run's `Tally` reports it (or fails on it with `--strict`).

Skips are held as columns (`Skipped`), a few bytes a row, not an object a
row: a file of millions of rows that cannot be events must not cost more
memory than the events would. Blank lines hold nothing to report: they are
counted, not kept.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

import polars as pl

from scorer.problems import Problem, printable

SKIP_SCHEMA: dict[str, Any] = {
    "file": pl.Categorical,
    "line": pl.Int64,
    "col": pl.Int32,
    "reason": pl.Categorical,
    "message": pl.Categorical,  # a few messages stand for many rows
}


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
        return {"file": printable(self.file), "line": self.line, "col": self.col, "reason": self.reason, "message": self.detail}


def skip_frame(skips: Sequence[Skip]) -> pl.DataFrame:
    """Skips as columns."""
    return pl.DataFrame(
        {
            "file": [printable(s.file) for s in skips],  # polars holds no lone surrogate of a non-UTF-8 name
            "line": [s.line for s in skips],
            "col": [s.col for s in skips],
            "reason": [s.reason for s in skips],
            "message": [s.detail for s in skips],
        },
        schema=SKIP_SCHEMA,
    )


class Skipped(Sequence[Skip]):
    """Skipped rows in reading order, as columns; and the count of blank lines, which are not rows."""

    def __init__(self) -> None:
        self._frames: list[pl.DataFrame] = []
        self._pending: list[Skip] = []
        self.blank = 0

    def append(self, skip: Skip) -> None:
        """One more skip (made columns with the next ones)."""
        self._pending.append(skip)
        if len(self._pending) >= 4096:
            self._flush()

    def extend(self, skips: Iterable[Skip] | pl.DataFrame | Skipped) -> None:
        """More skips: objects, a frame of `SKIP_SCHEMA`, or another collection (its blank lines too)."""
        if isinstance(skips, Skipped):
            self.blank += skips.blank
            skips = skips.frame
        if isinstance(skips, pl.DataFrame):
            self._flush()
            if skips.height:
                self._frames.append(skips.cast(SKIP_SCHEMA))  # type: ignore[arg-type]
            return
        for skip in skips:
            self.append(skip)

    def _flush(self) -> None:
        """The skips appended one by one, made columns."""
        if self._pending:
            self._frames.append(skip_frame(self._pending))
            self._pending = []

    @property
    def frame(self) -> pl.DataFrame:
        """Every skip, as columns (`SKIP_SCHEMA`)."""
        self._flush()
        if len(self._frames) > 1:
            self._frames = [pl.concat(self._frames)]
        return self._frames[0] if self._frames else pl.DataFrame(schema=SKIP_SCHEMA)

    def __len__(self) -> int:
        return sum(frame.height for frame in self._frames) + len(self._pending)

    @overload
    def __getitem__(self, index: int) -> Skip: ...

    @overload
    def __getitem__(self, index: slice) -> list[Skip]: ...

    def __getitem__(self, index: int | slice) -> Skip | list[Skip]:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            return [_skip(row) for row in self.frame.slice(start, max(stop - start, 0)).iter_rows()][::step]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return _skip(self.frame.row(index))

    def __iter__(self) -> Iterator[Skip]:
        frame = self.frame
        for lo in range(0, frame.height, 10_000):
            yield from (_skip(row) for row in frame.slice(lo, 10_000).iter_rows())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Skipped):
            return NotImplemented
        return self.blank == other.blank and self.frame.cast(_TEXT).equals(other.frame.cast(_TEXT))  # type: ignore[arg-type]

    __hash__ = None  # type: ignore[assignment]

    def by_reason(self) -> dict[str, int]:
        """How many rows each reason skipped, most first (ties in order of first appearance)."""
        if not len(self):
            return {}
        counts = self.frame.group_by("reason", maintain_order=True).len()
        counts = counts.with_row_index("first").sort(["len", "first"], descending=[True, False])
        return {str(reason): int(count) for reason, count in counts.select("reason", "len").iter_rows()}

    def problems(self) -> list[Problem]:
        """Each skip as a problem, for `--strict`."""
        return [skip.problem() for skip in self]


_TEXT: dict[str, Any] = {"file": pl.String, "reason": pl.String, "message": pl.String}


def _skip(row: tuple[Any, ...]) -> Skip:
    """A row of `SKIP_SCHEMA` as a Skip."""
    file, line, col, reason, message = row
    return Skip(file, line, col, reason, message)


@dataclass
class Tally:
    """The rows of the machine-coded files of a run: how many, and those that did not become events."""

    rows: int = 0
    skipped: Skipped = field(default_factory=Skipped)

    def as_json(self) -> dict[str, Any]:
        """The `skipped` key of JSON output: enough to check that every row was read, and where each skip is.

        `blank_lines` (present only when there were any) counts the empty lines
        among the rows read: they are neither events nor skips.
        """
        out: dict[str, Any] = {"rows_read": self.rows, "count": len(self.skipped)}
        if self.skipped.blank:
            out["blank_lines"] = self.skipped.blank
        out.update(by_reason=self.skipped.by_reason(), rows=_Rows(self.skipped.frame))
        return out

    def summary(self, *, shown: int = 5) -> str:
        """What standard error says about skipped rows: counts by reason, then the first few rows."""
        blank = self.skipped.blank
        if not self.skipped:
            return f"scorer: {blank:,} blank lines among {self.rows:,} rows of GDELT/ICEWS input\n" if blank else ""
        lines = [
            f"scorer: {len(self.skipped):,} of {self.rows:,} rows of GDELT/ICEWS input did not become events"
            " (JSON output lists them under \"skipped\"; --strict makes them errors):"
        ]
        for reason, count in self.skipped.by_reason().items():
            lines.append(f"  {count:>9,}  {reason}")
        if blank:
            lines.append(f"  (and {blank:,} blank lines, counted but not listed)")
        lines.append("first of them:" if len(self.skipped) > shown else "they are:")
        lines += [f"  {skip}" for skip in self.skipped[:shown]]
        return "\n".join(lines) + "\n"


class _Rows(Sequence[dict[str, Any]]):
    """Skipped rows as JSON objects, each made when it is asked for: `report.json.document_json` writes a
    long list a slice at a time, so a million skipped rows are never all held as mappings."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self._frame = frame

    def __len__(self) -> int:
        return self._frame.height

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            start, stop, _ = index.indices(len(self))
            return [_skip(row).as_json() for row in self._frame.slice(start, max(stop - start, 0)).iter_rows()]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return _skip(self._frame.row(index)).as_json()
