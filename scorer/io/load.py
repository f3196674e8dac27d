"""Event files of every kind read together: hand-coded, Parquet and machine-coded, in the order given.

Hand-coded files (YAML, JSON Lines, CSV) go to the exact reader or, when
large, the column reader; Parquet files and folders to `scorer.io.parquet`;
every problem in them is an error. Machine-coded
exports go to `scorer.io.gdelt` and `scorer.io.icews`, which skip the rows
that cannot become events and say why; `strict=True` turns each skip into an
error instead.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace

import polars as pl

from scorer.io import early
from scorer.io.columns import BLOCK, jsonl_columns
from scorer.io.exact import parse, yaml_events
from scorer.io.files import MAX_YAML_BYTES, file_size, missing, read_text
from scorer.io.formats import MACHINE_FORMATS, detect, format_for
from scorer.io.gdelt.read import read_gdelt
from scorer.io.icews.read import read_icews
from scorer.io.machine_coded.rows import Intensity, Reading
from scorer.io.parquet.read import is_parquet, read_parquet
from scorer.io.yaml import load_yaml
from scorer.model.frame import LEFT_OUT, SCHEMA, EventSet, empty, from_events
from scorer.model.skipped import Tally
from scorer.problems import InputError, Problem

# Below this size the exact reader is as fast as the column reader and simpler to trust.
COLUMNS_FROM = early.COLUMNS_FROM


def read_events(
    paths: list[str] | str,
    input_format: str | None = None,
    *,
    strict: bool = False,
    intensity: Intensity = "goldstein",
    columns_from: int = COLUMNS_FROM,
    block_size: int = BLOCK,
    columns: Sequence[str] | None = None,
) -> EventSet:
    """Read event files of any kind, in the order given; the set's tally is None when none was machine-coded.

    Every problem of every file is raised together (InputError), skipped rows
    among them when `strict`. JSON Lines files of more than `columns_from` bytes
    are read by columns, `block_size` bytes at a time. Of Parquet input only
    the fields in `columns` (and those every score needs) are read; of GDELT
    and ICEWS files, and of JSON Lines read by columns, the summary, source,
    tags and attributes are kept only if named there (they are checked all the same).
    """
    if isinstance(paths, str):
        paths = [paths]
    absent = [missing(path) for path in paths if path != "-" and not os.path.exists(path)]
    if absent:
        raise InputError(absent)
    kinds = [input_format if input_format in MACHINE_FORMATS else None if input_format else detect(p) for p in paths]
    if not any(kinds):
        read = hand_coded(paths, input_format, columns_from=columns_from, block_size=block_size, columns=columns)
        return replace(read, sources=tuple(paths))
    tally = Tally()
    # A score reads what its pack tests: a machine-coded file's text for people and attributes are left out.
    left = _left_out(columns)
    frames: list[pl.DataFrame] = []
    problems: list[Problem] = []
    for path, kind in zip(paths, kinds, strict=True):
        try:
            if kind is None:
                frame, found = _hand_coded(
                    [path], input_format, columns_from=columns_from, block_size=block_size, columns=columns
                )
                frames.append(frame)
                problems.extend(found)
                continue
            reading = read_machine_coded(path, kind, intensity=intensity, left=left)
        except InputError as err:
            problems.extend(err.problems)
            continue
        tally.rows += reading.rows
        tally.skipped.extend(reading.skipped)
        if strict:
            problems.extend(skip.problem() for skip in reading.skipped)
        # (Rows read one by one have every field: those left out are none in every row.)
        frames.append(reading.frame.with_columns(pl.lit(None, SCHEMA[name]).alias(name) for name in sorted(left)))
    frame = pl.concat(frames, rechunk=True) if frames else empty()  # one chunk a column: gathers are quicker
    # Repeated ids are named with every other problem, among the events that were read.
    problems.extend(duplicate_ids(frame))
    if problems:
        raise InputError(list(dict.fromkeys(problems)))
    return EventSet(frame, tally, tuple(paths))


def _left_out(columns: Sequence[str] | None) -> frozenset[str]:
    """The text for people and the attributes a reading for these fields need not keep (all fields: none)."""
    return LEFT_OUT - set(columns) if columns is not None else frozenset()


def read_machine_coded(
    path: str, fmt: str, *, intensity: Intensity = "goldstein", left: frozenset[str] = frozenset()
) -> Reading:
    """Read one machine-coded file (`fmt` is `gdelt` or `icews`); the fields in `left` need not be read."""
    if fmt == "gdelt":
        return read_gdelt(path, intensity=intensity, left=left)
    if fmt == "icews":
        return read_icews(path, intensity=intensity)
    raise ValueError(f"not a machine-coded format: {fmt!r}")


def hand_coded(
    paths: list[str] | str,
    input_format: str | None = None,
    *,
    columns_from: int = COLUMNS_FROM,
    block_size: int = BLOCK,
    columns: Sequence[str] | None = None,
) -> EventSet:
    """Read and validate hand-coded (and Parquet) event files; every problem of every file is raised together."""
    frame, problems = _hand_coded(
        [paths] if isinstance(paths, str) else paths,
        input_format,
        columns_from=columns_from,
        block_size=block_size,
        columns=columns,
    )
    if problems:
        raise InputError(problems)
    return EventSet(frame)


def _hand_coded(
    paths: list[str], input_format: str | None, *, columns_from: int, block_size: int, columns: Sequence[str] | None
) -> tuple[pl.DataFrame, list[Problem]]:
    """The events of hand-coded (and Parquet) files that are good, and every problem of the others (repeated ids too)."""
    frames: list[pl.DataFrame] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            if input_format == "parquet" or (input_format is None and is_parquet(path)):
                frame, found = read_parquet(path, columns)
                frames.append(frame)
                problems.extend(found)
                continue
            fmt = format_for(path, input_format)
            fast = None
            if fmt == "jsonl" and file_size(path) > columns_from:
                # (A score reads what its pack tests: the text for people it does not test is checked, then dropped.)
                fast = jsonl_columns(path, block_size=block_size, left=_left_out(columns))
            if fast is not None:
                frames.append(fast.frame)
                problems.extend(fast.problems)
                continue
            batch = parse(read_text(path, MAX_YAML_BYTES if fmt == "yaml" else None), path, fmt)
        except InputError as err:
            problems.extend(err.problems)
            continue
        good = [item for item in batch if not isinstance(item, Problem)]
        problems.extend(item for item in batch if isinstance(item, Problem))
        frames.append(from_events([e for e, _ in good], [o for _, o in good]))
    frame = pl.concat(frames, rechunk=True) if frames else empty()  # one chunk a column: gathers are quicker
    problems.extend(duplicate_ids(frame))
    # A bad field in `defaults:` fails every event that inherits it: say it once.
    return frame, list(dict.fromkeys(problems))


def duplicate_ids(frame: pl.DataFrame) -> list[Problem]:
    """Each repeat of an event id, named where it stands and where the id first stood."""
    if frame["id"].hash().n_unique() == frame.height:
        return []  # distinct hashes, distinct ids (much faster than comparing the text)
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


def looks_like_events(path: str) -> bool:
    """Whether a YAML file holds events rather than a rulepack (for `validate`); a broken file most often does."""
    try:
        return yaml_events(load_yaml(read_text(path), path))
    except InputError:
        return not any(word in read_text(path) for word in ("rules:", "scoring:"))
