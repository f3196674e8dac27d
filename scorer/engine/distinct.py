"""Distinct rows of the tested columns, and the distinct facts they make: the engine is asked once per fact."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import polars as pl

from scorer.engine.channels import Channels


def distinct(frame: pl.DataFrame, columns: list[str]) -> tuple[np.ndarray, pl.DataFrame]:
    """The distinct rows of `columns`, and which of them each row is."""
    if all(frame[name].dtype == pl.Categorical for name in columns):
        return _distinct_codes(frame, columns)
    groups = frame.select(columns).with_row_index("row").group_by(columns, maintain_order=True).agg(pl.col("row"))
    members = groups.select(pl.int_range(pl.len(), dtype=pl.Int64).alias("group"), "row").explode("row")
    where = np.empty(frame.height, dtype=np.int32 if frame.height < 1 << 31 else np.int64)
    where[members["row"].to_numpy()] = members["group"].to_numpy()
    return where, groups.select(columns)


def _distinct_codes(frame: pl.DataFrame, columns: list[str]) -> tuple[np.ndarray, pl.DataFrame]:
    """`distinct` of Categorical columns, by their integer codes: a few passes, no sort, no hash table.

    Each column's codes are made dense (nulls 0), combined into one number per row,
    and the numbers that occur are numbered in turn. Arrays are kept narrow: this
    runs over every event, and its temporaries are the peak of a large run.
    """
    small = np.int32 if frame.height < 1 << 31 else np.int64
    # Each column's codes, shifted up by one so that null is 0: one pass of polars for all.
    shifted = frame.select((pl.col(name).to_physical() + pl.lit(1, pl.UInt32)).fill_null(0) for name in columns)
    key = np.zeros(frame.height, dtype=np.int32)  # below 1 << 26, as checked below
    size = 1  # every key is below this
    for name in columns:
        codes = shifted[name].to_numpy()
        occurring = np.flatnonzero(np.bincount(codes))  # (a third of the time of polars' unique and sort)
        occurring = occurring[occurring > 0]
        width = len(occurring) + 1  # and null
        if size * width > 1 << 26:  # too many combinations to count directly
            return distinct(frame.select(pl.col(c).cast(pl.String) for c in columns), columns)
        dense = np.zeros(int(occurring.max(initial=0)) + 1, dtype=np.int32)
        dense[occurring] = np.arange(1, width, dtype=np.int32)  # code -> its place among those occurring
        key *= width
        key += dense[codes]
        size *= width
    present = np.bincount(key, minlength=size) > 0
    number = (np.cumsum(present) - 1).astype(small)
    where = number[key]
    row = np.empty(int(number[-1]) + 1, dtype=small)
    row[where] = np.arange(frame.height, dtype=small)  # a row of each group (all its rows hold the same values)
    return where, frame.select(columns)[pl.Series(row)]


PACKED = 1 << 62  # facts whose parts' codes fit in one int64 are told apart by that number


def facts(
    channels: Channels,
    groups: pl.DataFrame,
    seen: dict[tuple[str, ...], tuple[np.ndarray, list[dict[str, Any]]]],
    *,
    packed: int = PACKED,
) -> tuple[np.ndarray, list[tuple[Any, ...]]]:
    """The distinct facts (as keys) of one ruleset over the groups, and which one each group gives.

    Each part of a fact is worked out once per distinct value of the columns it
    reads (`seen` keeps those values across rulesets), then the parts are joined.
    """
    codes, values = [], []
    for columns, part in channels.parts():
        if columns not in seen:
            where, rows_of = distinct(groups, list(columns))
            seen[columns] = where, [decoded(row) for row in rows_of.iter_rows(named=True)]
        where, rows = seen[columns]
        found: dict[tuple[Any, ...], int] = {}
        code = np.array([found.setdefault(part(row), len(found)) for row in rows], dtype=np.int64)
        codes.append(code[where])
        values.append(list(found))
    sizes = [len(known) for known in values]
    if math.prod(sizes) < packed:
        # The parts' codes as one number each (the first part most significant), so
        # the distinct keys come out in the same order as the distinct rows would.
        number = np.zeros(groups.height, dtype=np.int64)
        for code, size in zip(codes, sizes, strict=True):
            number *= size
            number += code
        numbers, which = np.unique(number, return_inverse=True)
        digits: list[np.ndarray] = []
        for size in reversed(sizes):
            digits.append(numbers % size)
            numbers //= size
        by_part = digits[::-1]
    else:
        stacked, which = np.unique(np.stack(codes, axis=1), axis=0, return_inverse=True)
        by_part = list(stacked.T)
    return which.reshape(-1), _joined(by_part, values)


def _joined(columns: list[np.ndarray], values: list[list[tuple[Any, ...]]]) -> list[tuple[Any, ...]]:
    """Each distinct fact's key: the values of its parts one after another, part `p`'s being
    `values[p][columns[p][i]]` for fact `i`. Made a column at a time, then zipped (a third of the time of
    a tuple joined fact by fact, 12,000 facts a ruleset)."""
    flat: list[list[Any]] = []
    for column, known in zip(columns, values, strict=True):
        picked = [known[code] for code in column.tolist()]
        widths = {len(value) for value in known}
        if len(widths) > 1:  # (a part whose values differ in length: joined fact by fact)
            keys = zip(*[codes.tolist() for codes in columns], strict=True)
            return [tuple(v for c, part in zip(key, values, strict=True) for v in part[c]) for key in keys]
        flat += [[value[j] for value in picked] for j in range(widths.pop() if widths else 0)]
    return list(zip(*flat, strict=True))


def decoded(row: dict[str, Any]) -> dict[str, Any]:
    """A frame row with its JSON columns (tags, attrs) as Python values."""
    for name in ("tags", "attrs"):
        if row.get(name) is not None:
            row[name] = json.loads(row[name])
    return row
