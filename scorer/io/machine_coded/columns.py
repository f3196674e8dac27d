"""What the column readers of GDELT (`scorer.io.gdelt.columns`) and ICEWS (`scorer.io.icews.columns`) share.

A block of whole tab-separated lines becomes a frame of text cells (`f0`,
`f1`, ...); a row reader's checks run once per distinct value (`lookup`);
rows are sorted into events, rows without an actor country, and rows left to
the row reader (`Sorted`); events become the columns `model.frame.from_events`
makes (`events`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from scorer.io.columns import days_of
from scorer.io.machine_coded.rows import Intensity, RowError
from scorer.model.frame import SCHEMA
from scorer.model.skipped import SKIP_SCHEMA
from scorer.problems import printable

NONE, REFUSED = "\x00", "\x01"  # what a lookup gives for no value and for a value the row reader refuses
Block = tuple[pl.DataFrame, pl.DataFrame, list[int]]  # events, skips (`SKIP_SCHEMA`), lines left to the row reader


def cells(raw: bytes, wanted: Sequence[int] | None = None) -> pl.DataFrame | None:
    """The block's rows as text cells `f0`, `f1`, ... (empty cells ""), or None when it is not for
    columns at all: rows of differing widths, carriage returns, bytes that are not UTF-8. (Blank lines are
    set aside before a block comes here; one that does is a row of no width, for the row reader.)

    With `wanted`, only those cells are parsed, of rows as wide as the first (`width_of`); a row of
    another width is not refused here, so the reader must find it (`odd_rows` does).
    """
    if not raw or b"\r" in raw:
        return None
    named: dict[str, Any] = {}
    if wanted is not None:
        width = width_of(raw)
        if max(wanted) >= width:
            return None
        named = {"columns": sorted(wanted), "new_columns": [f"f{n}" for n in range(width)]}
    try:
        table = pl.read_csv(raw, separator="\t", has_header=False, quote_char=None, infer_schema=False, **named)
    except Exception:  # noqa: BLE001 - rows of differing widths, not UTF-8, or worse: row by row
        return None
    if table.height != raw.count(b"\n") + (not raw.endswith(b"\n")):
        return None
    if wanted is None:
        table = table.rename({old: f"f{n}" for n, old in enumerate(table.columns)})
    return table.fill_null("")


def width_of(raw: bytes) -> int:
    """How many tab-separated cells the first line of a block holds."""
    end = raw.find(b"\n")
    return raw.count(b"\t", 0, end if end >= 0 else len(raw)) + 1


Known = dict[str, pl.DataFrame]  # what each lookup of a file found so far, by the lookup's name


def lookup(
    table: pl.DataFrame,
    columns: list[int],
    work: Callable[[list[str]], str | None],
    known: Known | None = None,
    name: str = "",
) -> pl.Series:
    """`work` of each row's cells at `columns`, once per distinct combination of them.

    `work` gets a row's cells up to the last of `columns`, those filled; what it
    returns comes back as text, None as `NONE` and a RowError as `REFUSED`.
    With `known`, what lookup `name` found in earlier blocks of the file is
    reused: twenty years of dates are worked out once, not once per block.
    (Blocks read at once may both work a value out: neither loses its own.)
    """
    names = [f"f{n}" for n in columns]
    cells_of = table.select(names)
    before = known.get(name) if known is not None else None
    if before is not None:
        # Most blocks of a file hold no value earlier blocks did not: joined to what they found, at once
        # (a third of the time of finding the block's distinct values and those not known first).
        joined = cells_of.join(before, on=names, how="left", maintain_order="left")["found"]
        if not joined.null_count():  # (`found` is never null: none is `NONE`)
            return joined
        distinct = cells_of.filter(joined.is_null()).unique()
    else:
        distinct = cells_of.unique()
    found = []
    for values in distinct.iter_rows():
        fields = [""] * (max(columns) + 1)
        for n, value in zip(columns, values, strict=True):
            fields[n] = value
        try:
            result = work(fields)
        except RowError:
            result = REFUSED
        found.append(NONE if result is None else result)
    keyed = distinct.with_columns(pl.Series("found", found, dtype=pl.String))
    if known is not None:
        keyed = keyed if before is None else pl.concat([before, keyed])
        known[name] = keyed
    return cells_of.join(keyed, on=names, how="left", maintain_order="left")["found"]


def odd_rows(
    text: np.ndarray, rows: int, width: int, odd: np.ndarray | None, tab: np.ndarray | None = None
) -> np.ndarray:
    """Rows not `width` cells wide (polars fills a short row) or holding an `odd` byte (None: no byte is
    odd); `tab` is where the tabs are, if known."""
    starts = np.concatenate([[0], np.flatnonzero(text == 0x0A)[: rows - 1] + 1])
    found: np.ndarray = np.add.reduceat(text == 0x09 if tab is None else tab, starts, dtype=np.int32) != width - 1
    if odd is not None:
        found |= np.add.reduceat(odd, starts, dtype=np.int32) > 0
    return found


@dataclass(frozen=True)
class Sorted:
    """The rows of a block by what becomes of them."""

    events: pl.Series  # events made here
    nobody: pl.Series  # rows skipped for want of an actor country
    slow: list[int]  # the lines left to the row reader

    @classmethod
    def of(cls, actor: pl.Series, lines: pl.Series, before: pl.Series, after: pl.Series) -> Sorted:
        """`before`: rows the row reader must read whatever their actor; `after`: rows it must read
        if they have one (the checks it makes once it has found the actor)."""
        found = (actor != NONE) & ~before
        return cls(found & ~after, (actor == NONE) & ~before, lines.filter(before | (found & after)).to_list())


def skips(table: pl.DataFrame, lines: pl.Series, name: str, column: int, why: pl.Series) -> pl.DataFrame:
    """Rows without an actor country as skips (`SKIP_SCHEMA`): line, where cell `column` starts, and why."""
    # The cells before it, each with its tab (`machine.cell_col`): a row's cells are its characters.
    col = table.select(pl.sum_horizontal(pl.col(f"f{n}").str.len_chars() + 1 for n in range(column)) + 1)
    found = pl.DataFrame({"line": lines, "col": col.to_series(), "message": why})
    return found.select(
        file=pl.lit(printable(name)), line="line", col="col", reason=pl.lit("no actor country"), message="message"
    ).cast(SKIP_SCHEMA)  # type: ignore[arg-type]


def events(
    table: pl.DataFrame,
    lines: pl.Series,
    name: str,
    intensity: Intensity,
    *,
    id: pl.Expr,  # noqa: A002 - the event's field
    who: pl.Expr,
    whom: pl.Expr,
    text: pl.Expr,
    source: pl.Expr,
    attrs: pl.Expr,
    left: frozenset[str] = frozenset(),
) -> pl.DataFrame:
    """Events as `model.frame.from_events` makes them, from looked-up `date`, `actor`, `partner` (NONE for
    none), `code` and `goldstein` (JSON text) columns and the other fields as expressions; the fields in
    `left` (of `model.frame.LEFT_OUT`) none."""
    partner = pl.when(pl.col("partner") != NONE).then(pl.col("partner"))
    made = {
        "id": id,
        "date": pl.col("date"),
        "day": days_of(pl.col("date")),
        "actor": pl.col("actor"),
        "type": pl.lit("cameo.") + pl.col("code"),
        "partner": partner,
        "intensity": pl.col("goldstein").cast(pl.Float64).abs() if intensity == "goldstein" else pl.lit(1.0),
        "confidence": pl.lit(1.0),
        "summary": pl.when(whom.is_not_null())
        .then(pl.concat_str(who, pl.lit(" -> "), whom, pl.lit(": "), text))
        .otherwise(pl.concat_str(who, pl.lit(": "), text)),
        "source": source,
        "quote": pl.lit(None, pl.String),
        "tags": pl.when(partner == pl.col("actor")).then(pl.lit('["domestic"]')),
        "attrs": attrs,
        "file": pl.lit(printable(name)),
        "line": lines,
        "col": pl.lit(1, pl.Int32),
    }
    made |= {field: pl.lit(None, pl.String) for field in left}  # never worked out
    return table.select(**made).cast(SCHEMA)  # type: ignore[arg-type]


def attrs_text(keys: dict[str, pl.Expr], present: dict[str, pl.Expr]) -> pl.Expr:
    """`json.dumps(attrs, sort_keys=True)` from each key's JSON text; a key in `present` only where it holds."""
    items = []
    for key in sorted(keys):
        item = pl.lit(f'"{key}": ') + keys[key]
        items.append(pl.when(present[key]).then(item) if key in present else item)
    return pl.lit("{") + pl.concat_str(items, separator=", ", ignore_nulls=True) + pl.lit("}")
