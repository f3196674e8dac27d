"""Which reader reads which event file: by `--input-format`, by extension, or by what the file shows.

Hand-coded files are told by their extension: `.yaml`/`.yml`, `.json` (an
array of events), `.jsonl`/`.ndjson` (an event per line), `.csv`, and
`.tsv`/`.tab` (CSV with tabs). A file is machine-coded when `--input-format
gdelt|icews` says so, or when its first line shows it (for a `.zip`, the
first line of its first file): a header starting `Event ID<TAB>` is ICEWS;
57, 58 or 61 tab-separated columns with a YYYYMMDD date in the second are
GDELT. Only files named `.tsv`, `.csv`, `.tab`, `.txt`, `.zip` or without
extension are looked into; a GDELT `*.export.CSV` (or `.export.CSV.zip`) is
GDELT by its name alone.

Standard input (`-`) has no name to go by: its first bytes say what it is
(`sniff`), unless `--input-format` does.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from scorer.io import stdin
from scorer.io.gdelt.rows import looks_like as looks_like_gdelt
from scorer.io.icews.rows import looks_like as looks_like_icews
from scorer.io.machine_coded.source import first_line
from scorer.problems import InputError, Problem

InputFormat = Literal["yaml", "json", "jsonl", "csv", "tsv"]
FORMATS: tuple[str, ...] = ("yaml", "json", "jsonl", "csv", "tsv")
COLUMNAR_FORMATS: tuple[str, ...] = ("parquet",)
MACHINE_FORMATS: tuple[str, ...] = ("gdelt", "icews")
_EXTENSIONS: dict[str, InputFormat] = {
    ".yaml": "yaml",
    ".yml": "yaml",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
}
# A header row of field names: plain words (`attrs.troops` too), perhaps quoted.
_HEADER_CELL = re.compile(r'^\s*"?[A-Za-z_][A-Za-z0-9_.]*"?\s*$')
_LOOKED_INTO = (".tsv", ".csv", ".tab", ".txt", ".zip", "")


def format_for(path: str, given: str | None) -> InputFormat:
    """The hand-coded format of a file: `given`, told by the extension, or (standard input) by its first bytes."""
    if given:
        if given not in FORMATS:
            raise InputError([Problem(path, 1, 1, f"unknown input format {given!r}: use one of {', '.join(FORMATS)}")])
        return given  # type: ignore[return-value]
    if path == "-":
        found = sniff(stdin.head())
        return "yaml" if found in MACHINE_FORMATS else found  # type: ignore[return-value]
    suffix = Path(path).suffix.lower()
    if suffix not in _EXTENSIONS:
        what = suffix or "a file without extension"
        known = ", ".join(sorted(_EXTENSIONS))
        raise InputError(
            [Problem(path, 1, 1, f"cannot tell the format of {what!r}: name the file {known}, or use --input-format")]
        )
    return _EXTENSIONS[suffix]


def sniff(head: bytes) -> str:
    """What the first bytes of a stream show it to be: `gdelt`, `icews`, or a hand-coded format (YAML by default)."""
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    line = text.split("\n", 1)[0].rstrip("\r")
    if looks_like_icews(line):
        return "icews"
    if looks_like_gdelt(line):
        return "gdelt"
    start = text.lstrip()[:1]
    if start == "[":
        return "json"
    if start == "{" and line.rstrip().endswith("}") and ":" in line and '"' in line:
        return "jsonl"
    for delimiter, fmt in ((",", "csv"), ("\t", "tsv"), (";", "csv")):
        cells = line.split(delimiter)
        if len(cells) > 1 and all(_HEADER_CELL.match(cell) for cell in cells):
            return fmt
    return "yaml"


def detect(path: str) -> str | None:
    """`gdelt` or `icews` when a file shows it is one, else None (a hand-coded file, or one that cannot be read)."""
    if path == "-":
        found = sniff(stdin.head())
        return found if found in MACHINE_FORMATS else None
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
