"""Which reader reads which event file, and event files of every kind loaded together.

Hand-coded files (YAML, JSON Lines, CSV) go to `scorer.events.load_events`,
whose every problem is an error. Machine-coded exports go to `scorer.gdelt`
and `scorer.icews`, which skip the rows that cannot become events and say
why; `strict=True` turns each skip into an error instead.

A file is machine-coded when `--input-format gdelt|icews` says so, or when
its first line shows it (for a `.zip`, the first line of its first file):
a header starting `Event ID<TAB>` is ICEWS; 57, 58 or 61 tab-separated
columns with a YYYYMMDD date in the second are GDELT. Only files named
`.tsv`, `.csv`, `.tab`, `.txt`, `.zip` or without extension are looked
into; a GDELT `*.export.CSV` (or `.export.CSV.zip`) is GDELT by its name
alone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, overload

import polars as pl

from scorer import gdelt, icews
from scorer.events import EventSet, duplicate_ids, load_events
from scorer.machine import Intensity, Reading, Skip, first_line
from scorer.problems import InputError, Problem

MACHINE_FORMATS: tuple[str, ...] = ("gdelt", "icews")
_LOOKED_INTO = (".tsv", ".csv", ".tab", ".txt", ".zip", "")


def detect(path: str) -> str | None:
    """`gdelt` or `icews` when a file shows it is one, else None (a hand-coded file, or one that cannot be read)."""
    if path == "-":
        return None
    lower = path.lower()
    if Path(lower).suffix not in _LOOKED_INTO:
        return None
    line = first_line(path)
    if line is not None:
        if icews.looks_like(line):
            return "icews"
        if gdelt.looks_like(line):
            return "gdelt"
    if lower.endswith((".export.csv", ".export.csv.zip")):
        return "gdelt"
    return None


def read(path: str, fmt: str, *, intensity: Intensity = "goldstein") -> Reading:
    """Read one machine-coded file (`fmt` is `gdelt` or `icews`)."""
    if fmt == "gdelt":
        return gdelt.read_gdelt(path, intensity=intensity)
    if fmt == "icews":
        return icews.read_icews(path, intensity=intensity)
    raise ValueError(f"not a machine-coded format: {fmt!r}")


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


class _Rows(Sequence[dict[str, Any]]):
    """Skipped rows as JSON objects, each made when it is asked for: `report.document_json` writes a
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


def load(
    paths: list[str] | str,
    input_format: str | None = None,
    *,
    strict: bool = False,
    intensity: Intensity = "goldstein",
) -> tuple[EventSet, Tally | None]:
    """Read event files of any kind, in the order given; the tally is None when none was machine-coded.

    Every problem of every file is raised together (InputError), skipped rows
    among them when `strict`.
    """
    if isinstance(paths, str):
        paths = [paths]
    kinds = [input_format if input_format in MACHINE_FORMATS else None if input_format else detect(p) for p in paths]
    if not any(kinds):
        return load_events(paths, input_format), None
    tally = Tally()
    frames: list[pl.DataFrame] = []
    problems: list[Problem] = []
    for path, kind in zip(paths, kinds, strict=True):
        try:
            if kind is None:
                frames.append(load_events([path], input_format).frame)
                continue
            reading = read(path, kind, intensity=intensity)
        except InputError as err:
            problems.extend(err.problems)
            continue
        tally.rows += reading.rows
        tally.skipped.extend(reading.skipped)
        if strict:
            problems.extend(skip.problem() for skip in reading.skipped)
        frames.append(reading.frame)
    if problems:
        raise InputError(problems)
    frame = pl.concat(frames)
    repeated = duplicate_ids(frame)
    if repeated:
        raise InputError(repeated)
    return EventSet(frame), tally


def summary(tally: Tally, *, shown: int = 5) -> str:
    """What standard error says about skipped rows: counts by reason, then the first few rows."""
    if not tally.skipped:
        return ""
    lines = [
        f"scorer: {len(tally.skipped):,} of {tally.rows:,} rows of GDELT/ICEWS input did not become events"
        " (JSON output lists them under \"skipped\"; --strict makes them errors):"
    ]
    for reason, count in Counter(skip.reason for skip in tally.skipped).most_common():
        lines.append(f"  {count:>9,}  {reason}")
    lines.append("first of them:" if len(tally.skipped) > shown else "they are:")
    lines += [f"  {skip}" for skip in tally.skipped[:shown]]
    return "\n".join(lines) + "\n"
