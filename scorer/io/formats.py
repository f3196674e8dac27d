"""Which reader reads which event file: by `--input-format`, by extension, or by what the file shows.

Hand-coded files (YAML, JSON Lines, CSV) are told by their extension.
A file is machine-coded when `--input-format gdelt|icews` says so, or when
its first line shows it (for a `.zip`, the first line of its first file):
a header starting `Event ID<TAB>` is ICEWS; 57, 58 or 61 tab-separated
columns with a YYYYMMDD date in the second are GDELT. Only files named
`.tsv`, `.csv`, `.tab`, `.txt`, `.zip` or without extension are looked
into; a GDELT `*.export.CSV` (or `.export.CSV.zip`) is GDELT by its name
alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from scorer.io.gdelt.rows import looks_like as looks_like_gdelt
from scorer.io.icews.rows import looks_like as looks_like_icews
from scorer.io.machine_coded.source import first_line
from scorer.problems import InputError, Problem

InputFormat = Literal["yaml", "jsonl", "csv"]
FORMATS: tuple[str, ...] = ("yaml", "jsonl", "csv")
COLUMNAR_FORMATS: tuple[str, ...] = ("parquet",)
MACHINE_FORMATS: tuple[str, ...] = ("gdelt", "icews")
_EXTENSIONS: dict[str, InputFormat] = {".yaml": "yaml", ".yml": "yaml", ".jsonl": "jsonl", ".csv": "csv"}
_LOOKED_INTO = (".tsv", ".csv", ".tab", ".txt", ".zip", "")


def format_for(path: str, given: str | None) -> InputFormat:
    """The hand-coded format of a file: `given`, or told by the extension; InputError if neither says."""
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


def detect(path: str) -> str | None:
    """`gdelt` or `icews` when a file shows it is one, else None (a hand-coded file, or one that cannot be read)."""
    if path == "-":
        return None
    lower = path.lower()
    if Path(lower).suffix not in _LOOKED_INTO:
        return None
    line = first_line(path)
    if line is not None:
        if looks_like_icews(line):
            return "icews"
        if looks_like_gdelt(line):
            return "gdelt"
    if lower.endswith((".export.csv", ".export.csv.zip")):
        return "gdelt"
    return None
