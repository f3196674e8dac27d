"""GDELT rows read by columns: what `gdelt.row_event` makes of each row, for a block of rows at once.

A GDELT export holds hundreds of thousands of rows a day, and row by row each
costs ~20 us of Python. Here polars parses a block of whole lines, and each
of `row_event`'s checks runs once per distinct value of the cells it reads
(countries, groups, dates, codes, Goldstein values, tones), with
`row_event`'s own functions. The events come out as the columns
`table.from_events` makes of `row_event`'s events, and the rows without an
actor country as the same skips. What these checks are not sure of is left
to `row_event`, line by line: a row with a byte outside printable ASCII or
white space at the edge of a cell, an unknown country, a value `row_event`
refuses, a cell too long for the event model. `tests/test_gdelt.py` holds the
two readings to be the same.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import polars as pl

from scorer import gdelt as g
from scorer.events import MAX_FIELD_CHARS, parse_date
from scorer.machine import Code, Intensity, RowError, Skip, cameo_code, number, whole
from scorer.table import SCHEMA

_NONE, _REFUSED = "\x00", "\x01"  # what a lookup gives for no value and for a value row_event refuses


def block(raw: bytes, first: int, name: str, intensity: Intensity) -> tuple[pl.DataFrame, list[Skip], list[int]] | None:
    """Whole lines, the first of them line `first`: their events, their skips, and the lines left to `row_event`.

    None when the block is not for columns at all (rows of differing widths,
    blank lines, carriage returns): `row_event` then reads each of its lines.
    """
    if not raw or b"\r" in raw or b"\n\n" in raw or raw.startswith(b"\n"):
        return None
    try:
        table = pl.read_csv(raw, separator="\t", has_header=False, quote_char=None, infer_schema=False)
    except Exception:  # noqa: BLE001 - rows of differing widths, or worse: row by row
        return None
    width = table.width
    if width not in g.LAYOUTS or table.height != raw.count(b"\n") + (not raw.endswith(b"\n")):
        return None
    table = table.rename({old: f"f{i}" for i, old in enumerate(table.columns)}).fill_null("")
    added, url = g.LAYOUTS[width]

    def code_part(part: Callable[[Code], str]) -> Callable[[list[str]], str | None]:
        def work(fields: list[str]) -> str | None:
            code = cameo_code(fields[g.EVENT_CODE])
            return None if code is None else part(code)

        return work

    def quad(fields: list[str]) -> str:
        value = whole(fields[g.QUAD_CLASS], "QuadClass", g.QUAD_CLASS)
        return str(value) if 1 <= value <= 4 else _REFUSED

    looked = table.select(
        actor=lookup(table, [g.A1_COUNTRY, g.A1_GROUP], lambda f: g.actor_of(f, g.A1_COUNTRY, g.A1_GROUP, "Actor1")),
        partner=lookup(table, [g.A2_COUNTRY, g.A2_GROUP], lambda f: g.actor_of(f, g.A2_COUNTRY, g.A2_GROUP, "Actor2")),
        date=lookup(table, [g.DAY], lambda f: g.sql_date(f[g.DAY])),
        code=lookup(table, [g.EVENT_CODE], code_part(lambda c: c.code)),
        root=lookup(table, [g.EVENT_CODE], code_part(lambda c: c.root)),
        what=lookup(table, [g.EVENT_CODE], code_part(lambda c: c.description)),
        quad=lookup(table, [g.QUAD_CLASS], quad),
        # Numbers as JSON writes them (Python's repr), and read back from that text: the same floats.
        goldstein=lookup(table, [g.GOLDSTEIN], lambda f: json.dumps(number(f[g.GOLDSTEIN], "", 0, low=-10, high=10))),
        tone=lookup(table, [g.TONE], lambda f: json.dumps(number(f[g.TONE], "", 0))),
    )
    table = pl.concat([table, looked], how="horizontal")
    digits = [g.ID, g.MENTIONS, g.SOURCES, g.ARTICLES, g.ROOT_EVENT]
    capped = [g.ID, g.A1_CODE, g.A2_CODE, added] + ([url] if url is not None else [])
    unsure = table.select(
        pl.Series(_unusual(raw, table.height, width)) | (pl.col("actor") == _REFUSED),
        # What row_event checks after the actor (a row without one is skipped before these).
        # (A partner may be none; a date, code or number must be one.)
        (pl.col("partner") == _REFUSED)
        | pl.any_horizontal(pl.col(c).is_in([_NONE, _REFUSED]) for c in ("date", "code", "quad", "goldstein", "tone"))
        | ~pl.all_horizontal(pl.col(f"f{i}").str.contains(r"^[0-9]{1,18}$") for i in digits)
        | pl.any_horizontal(pl.col(f"f{i}").str.len_chars() > MAX_FIELD_CHARS for i in capped),
    )
    lines = pl.int_range(first, first + table.height, dtype=pl.Int32, eager=True)
    anyway, later = unsure.to_series(0), unsure.to_series(1)
    nobody = (table["actor"] == _NONE) & ~anyway
    kept = (table["actor"] != _NONE) & ~anyway & ~later
    slow = lines.filter(anyway | ((table["actor"] != _NONE) & later)).to_list()
    return (
        _events(table.filter(kept), lines.filter(kept), name, added, url, intensity),
        _skips(table.filter(nobody), lines.filter(nobody), name, width),
        slow,
    )


def lookup(table: pl.DataFrame, columns: list[int], work: Callable[[list[str]], str | None]) -> pl.Series:
    """`work` of each row's cells at `columns` (of `table`, cells `f0`, `f1`, ...), once per distinct combination.

    `work` gets a row's worth of cells, those at `columns` filled; what it
    returns comes back as text, None as `_NONE` and a RowError as `_REFUSED`.
    """
    names = [f"f{i}" for i in columns]
    distinct = table.select(names).unique()
    found = []
    for values in distinct.iter_rows():
        fields = [""] * table.width
        for i, value in zip(columns, values, strict=True):
            fields[i] = value
        try:
            result = work(fields)
        except RowError:
            result = _REFUSED
        found.append(_NONE if result is None else result)
    keyed = distinct.with_columns(pl.Series("found", found, dtype=pl.String))
    return table.select(names).join(keyed, on=names, how="left", maintain_order="left")["found"]


def _unusual(raw: bytes, rows: int, width: int) -> np.ndarray:
    """Rows not `width` cells wide (polars fills short rows), or holding a byte other than printable
    ASCII and the tab, or a space at the edge of a cell.

    `row_event` strips cells and the event model refuses control characters:
    such rows are for `row_event` to read.
    """
    text = np.frombuffer(raw, dtype=np.uint8)
    tab = text == 0x09
    odd = (text < 0x20) & ~tab & (text != 0x0A)
    odd |= text >= 0x7F
    space = text == 0x20
    if space.any():
        bounds = tab | (text == 0x0A)
        odd[1:] |= space[1:] & bounds[:-1]  # a cell's first byte
        odd[:-1] |= space[:-1] & bounds[1:]  # a cell's last byte
        odd[0] |= space[0]
        odd[-1] |= space[-1]
    starts = np.concatenate([[0], np.flatnonzero(text == 0x0A)[: rows - 1] + 1])
    found: np.ndarray = np.add.reduceat(tab, starts, dtype=np.int32) != width - 1
    found |= np.add.reduceat(odd, starts, dtype=np.int32) > 0
    return found


def _skips(table: pl.DataFrame, lines: pl.Series, name: str, width: int) -> list[Skip]:
    """The rows without an actor country, as `row_event` reports them."""
    if not table.height:
        return []
    why = table.select(pl.col(f"f{i}") for i in (g.A1_CODE, g.A1_NAME, g.A1_GROUP)).unique()
    messages = []
    for code, who, group in why.iter_rows():
        fields = [""] * width
        fields[g.A1_CODE], fields[g.A1_NAME], fields[g.A1_GROUP] = code, who, group
        messages.append(g.no_actor_why(fields))
    keyed = why.with_columns(pl.Series("why", messages, dtype=pl.String))
    found = table.join(
        keyed, on=[f"f{i}" for i in (g.A1_CODE, g.A1_NAME, g.A1_GROUP)], how="left", maintain_order="left"
    )
    # Where Actor1CountryCode starts: the cells before it, each with its tab (`machine.cell_col`).
    col = found.select(pl.sum_horizontal(pl.col(f"f{i}").str.len_chars() + 1 for i in range(g.A1_COUNTRY)) + 1)
    return [
        Skip(name, line, at, "no actor country", why)
        for line, at, why in zip(lines.to_list(), col.to_series().to_list(), found["why"].to_list(), strict=True)
    ]


def _json_text(column: pl.Expr) -> pl.Expr:
    """Printable ASCII as a JSON string (only `"` and `\\` need escaping)."""
    escaped = column.str.replace_all("\\", "\\\\", literal=True).str.replace_all('"', '\\"', literal=True)
    return pl.lit('"') + escaped + pl.lit('"')


def _events(
    table: pl.DataFrame, lines: pl.Series, name: str, added: int, url: int | None, intensity: Intensity
) -> pl.DataFrame:
    """The rows' events as `table.from_events` makes them of `row_event`'s events."""
    f = {i: pl.col(f"f{i}") for i in range(table.width) if f"f{i}" in table.columns}
    link = f[url] if url is not None else pl.lit("")
    partner = pl.when(pl.col("partner") != _NONE).then(pl.col("partner"))
    who = pl.when(f[g.A1_NAME] != "").then(f[g.A1_NAME]).otherwise(pl.col("actor"))
    whom = pl.when(f[g.A2_NAME] != "").then(f[g.A2_NAME]).otherwise(partner)
    goldstein = pl.col("goldstein").cast(pl.Float64)

    def whole_text(i: int) -> pl.Expr:
        return f[i].cast(pl.Int64).cast(pl.String)

    def optional(key: str, value: pl.Expr) -> pl.Expr:
        return pl.when(value != "").then(pl.lit(f'"{key}": ') + _json_text(value) + pl.lit(", ")).otherwise(pl.lit(""))

    # json.dumps(attrs, sort_keys=True), key by key in that order.
    attrs = pl.concat_str(
        pl.lit("{"),
        optional("actor1_code", f[g.A1_CODE]),
        optional("actor2_code", f[g.A2_CODE]),
        pl.lit('"articles": '),
        whole_text(g.ARTICLES),
        pl.lit(', "cameo": '),
        _json_text(pl.col("code")),
        pl.lit(', "cameo_root": '),
        _json_text(pl.col("root")),
        pl.lit(', "date_added": '),
        _json_text(f[added]),
        pl.lit(', "goldstein": '),
        pl.col("goldstein"),
        pl.lit(', "mentions": '),
        whole_text(g.MENTIONS),
        pl.lit(', "quad_class": '),
        pl.col("quad"),
        pl.lit(', "root_event": '),
        pl.when(f[g.ROOT_EVENT].cast(pl.Int64) != 0).then(pl.lit("true")).otherwise(pl.lit("false")),
        pl.lit(", "),
        optional("source_url", link),
        pl.lit('"sources": '),
        whole_text(g.SOURCES),
        pl.lit(', "tone": '),
        pl.col("tone"),
        pl.lit("}"),
    )
    days = {d: parse_date(d).toordinal() for d in table["date"].unique().to_list()}
    made = table.select(
        id=f[g.ID],
        date=pl.col("date"),
        day=pl.col("date").replace_strict(days, return_dtype=pl.Int32),
        actor=pl.col("actor"),
        type=pl.lit("cameo.") + pl.col("code"),
        partner=partner,
        intensity=goldstein.abs() if intensity == "goldstein" else pl.lit(1.0),
        confidence=pl.lit(1.0),
        summary=pl.when(whom.is_not_null())
        .then(pl.concat_str(who, pl.lit(" -> "), whom, pl.lit(": "), pl.col("what")))
        .otherwise(pl.concat_str(who, pl.lit(": "), pl.col("what"))),
        source=pl.when(link != "").then(link),
        quote=pl.lit(None, pl.String),
        tags=pl.when(partner == pl.col("actor")).then(pl.lit('["domestic"]')),
        attrs=attrs,
        file=pl.lit(name),
        line=lines,
        col=pl.lit(1, pl.Int32),
    )
    return made.cast(SCHEMA)  # type: ignore[arg-type]
