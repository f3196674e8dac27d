"""GDELT rows read by columns: what `gdelt.rows.row_event` makes of each row, for a block of rows at once.

A GDELT export holds hundreds of thousands of rows a day, and row by row each
costs ~20 us of Python. Here polars parses a block of whole lines, and each
of `row_event`'s checks runs once per distinct value of the cells it reads
(countries, groups, dates, codes, Goldstein values, tones), with
`row_event`'s own functions. The events come out as the columns
`model.frame.from_events` makes of `row_event`'s events, and the rows without an
actor country as the same skips. What these checks are not sure of is left
to `row_event`, line by line: a row with a byte outside printable ASCII or
white space at the edge of a cell, an unknown country, a value `row_event`
refuses, a cell too long for the event model. `tests/io/test_gdelt.py` holds the
two readings to be the same.
"""

from __future__ import annotations

import json
import math

import numpy as np
import polars as pl

from scorer.io.gdelt import rows as g
from scorer.io.machine_coded.cameo import cameo_code
from scorer.io.machine_coded.columns import (
    NONE,
    REFUSED,
    Block,
    Known,
    Sorted,
    attrs_text,
    cells,
    events,
    lookup,
    odd_rows,
    skips,
    width_of,
)
from scorer.io.machine_coded.rows import Intensity, number, whole
from scorer.model.fields import MAX_FIELD_CHARS

# The cells a row's event is made of and checked by (`row_event`), but for DATEADDED and SOURCEURL,
# whose places depend on the layout; the cells before Actor1's country also give a skip its column.
_READ = (
    g.ID, g.DAY, 2, 3, 4, g.A1_CODE, g.A1_NAME, g.A1_COUNTRY, g.A1_GROUP, g.A2_CODE, g.A2_NAME, g.A2_COUNTRY,
    g.A2_GROUP, g.ROOT_EVENT, g.EVENT_CODE, g.QUAD_CLASS, g.GOLDSTEIN, g.MENTIONS, g.SOURCES, g.ARTICLES, g.TONE,
)  # fmt: skip


def _looked(table: pl.DataFrame, known: Known, *, exact: bool = True) -> pl.DataFrame:
    """The columns worked out of each row's cells by lookups over their distinct values: actor, partner, date,
    CAMEO code and its parts, quad class, Goldstein value and tone (as JSON; without `exact`, a plain
    decimal as it stands: see `_number`)."""

    def code_parts(fields: list[str]) -> str | None:
        """The row's CAMEO code, its root and its description, joined by `_APART`; None when the cell is no
        CAMEO code."""
        code = cameo_code(fields[g.EVENT_CODE])
        return None if code is None else _APART.join((code.code, code.root, code.description))

    def quad(fields: list[str]) -> str:
        """The row's quad class as text, or REFUSED when not 1 to 4."""
        value = whole(fields[g.QUAD_CLASS], "QuadClass", g.QUAD_CLASS)
        return str(value) if 1 <= value <= 4 else REFUSED

    def side(country: int, group: int, role: str) -> pl.Series:
        """Actor1's or Actor2's country or bloc, per row."""
        return lookup(table, [country, group], lambda f: g.actor_of(f, country, group, role), known, role)

    # (One lookup for the three parts of the code: its join back to the rows is most of its cost.)
    cameo = lookup(table, [g.EVENT_CODE], code_parts, known, "cameo").str.split_exact(_APART, 2)
    return table.select(
        actor=side(g.A1_COUNTRY, g.A1_GROUP, "Actor1"),
        partner=side(g.A2_COUNTRY, g.A2_GROUP, "Actor2"),
        date=lookup(table, [g.DAY], lambda f: g.sql_date(f[g.DAY]), known, "date"),
        code=cameo.struct.field("field_0"),
        root=cameo.struct.field("field_1"),
        what=cameo.struct.field("field_2"),
        quad=lookup(table, [g.QUAD_CLASS], quad, known, "quad"),
        goldstein=_number(table, g.GOLDSTEIN, exact, known, low=-10, high=10),
        # (Tones are many: nearly one per article. What earlier blocks found is not kept.)
        tone=_number(table, g.TONE, exact),
    )


_APART = "\x02"  # between the parts of a CAMEO code in one lookup (no CAMEO name holds it)
_PLAIN_DECIMAL = r"^-?[0-9]{1,20}(\.[0-9]{1,20})?$"


def _number(
    table: pl.DataFrame,
    n: int,
    exact: bool,
    known: Known | None = None,
    low: float | None = None,
    high: float | None = None,
) -> pl.Series:
    """Cell `n` of each row as `row_event` reads the number (`number`, within [low, high]): as JSON writes
    it (Python's repr, read back from that text: the same float), or REFUSED.

    Without `exact` (the events' attributes not made, so the text is only read
    back as a float), a plain decimal within the bounds stands as written:
    polars reads such text to the same float as Python does. Only the other
    cells (none, in GDELT's own files) are worked out one distinct value at a time.
    """

    def work(fields: list[str]) -> str:
        """The number as JSON."""
        return json.dumps(number(fields[n], "", 0, low=low, high=high))

    if exact:
        return lookup(table, [n], work, known, f"number {n}")
    cell = pl.col(f"f{n}")
    value = cell.cast(pl.Float64, strict=False)
    bounds = (-math.inf if low is None else low, math.inf if high is None else high)
    plain = table.select(cell.str.contains(_PLAIN_DECIMAL) & value.is_between(*bounds)).to_series()
    if plain.all():
        return table[f"f{n}"]
    rest = table.select(pl.when(plain).then(pl.lit("0")).otherwise(cell).alias(f"f{n}"))
    found = lookup(rest, [n], work)
    return table.select(pl.when(plain).then(cell).otherwise(pl.lit(found))).to_series()


def block(
    raw: bytes,
    first: int,
    name: str,
    intensity: Intensity,
    known: Known | None = None,
    left: frozenset[str] = frozenset(),
) -> Block | None:
    """Whole lines, the first of them line `first`: their events, their skips, and the lines left to `row_event`;
    the events' fields in `left` are none (see `machine_coded.columns.events`).

    None when the block is not for columns at all: `row_event` then reads each of its lines.
    """
    width = width_of(raw)
    if width not in g.LAYOUTS:
        return None
    added, url = g.LAYOUTS[width]
    parsed = cells(raw, _READ + (added,) + ((url,) if url is not None else ()))
    if parsed is None:
        return None
    table: pl.DataFrame = parsed

    looked = _looked(table, {} if known is None else known, exact="attrs" not in left)
    table = pl.concat([table, looked], how="horizontal")
    digits = [g.ID, g.MENTIONS, g.SOURCES, g.ARTICLES, g.ROOT_EVENT]
    capped = [g.ID, g.A1_CODE, g.A2_CODE, added] + ([url] if url is not None else [])
    unsure = table.select(
        pl.Series(_unusual(raw, table.height, width)) | (pl.col("actor") == REFUSED),
        # What row_event checks after the actor. (A partner may be none; a date, code or number must be one.)
        (pl.col("partner") == REFUSED)
        | pl.any_horizontal(pl.col(c).is_in([NONE, REFUSED]) for c in ("date", "code", "quad", "goldstein", "tone"))
        | ~pl.all_horizontal(pl.col(f"f{n}").str.contains(r"^[0-9]{1,18}$") for n in digits)
        | pl.any_horizontal(pl.col(f"f{n}").str.len_chars() > MAX_FIELD_CHARS for n in capped),
    )
    lines = pl.int_range(first, first + table.height, dtype=pl.Int32, eager=True)
    rows = Sorted.of(table["actor"], lines, unsure.to_series(0), unsure.to_series(1))
    gone = table.filter(rows.nobody)
    why = lookup(gone, [g.A1_CODE, g.A1_NAME, g.A1_GROUP], g.no_actor_why)  # only for the rows skipped
    skipped = skips(gone, lines.filter(rows.nobody), name, g.A1_COUNTRY, why)
    return (
        _events(table.filter(rows.events), lines.filter(rows.events), name, added, url, intensity, left),
        skipped,
        rows.slow,
    )


def _unusual(raw: bytes, rows: int, width: int) -> np.ndarray:
    """Rows not `width` cells wide, or holding a byte other than printable ASCII and the tab, or a space
    at the edge of a cell: `row_event` strips cells and the event model refuses control characters."""
    text = np.frombuffer(raw, dtype=np.uint8)
    tab = text == 0x09
    bounds = tab | (text == 0x0A)
    space = text == 0x20
    # Most blocks hold no odd byte at all: counted over the block first (a few passes, not a dozen).
    controls = int(np.count_nonzero(text < 0x20)) - int(np.count_nonzero(bounds))
    if not controls and raw.isascii() and b"\x7f" not in raw and not _edge_spaces(space, bounds):
        return odd_rows(text, rows, width, None, tab)
    odd = (text < 0x20) & ~bounds
    odd |= text >= 0x7F
    if space.any():
        odd[1:] |= space[1:] & bounds[:-1]  # a cell's first byte
        odd[:-1] |= space[:-1] & bounds[1:]  # a cell's last byte
        odd[0] |= space[0]
        odd[-1] |= space[-1]
    return odd_rows(text, rows, width, odd, tab)


def _edge_spaces(space: np.ndarray, bounds: np.ndarray) -> bool:
    """Whether a space stands at the edge of a cell anywhere (`bounds`: where tabs and newlines are)."""
    return bool(space[0] or space[-1] or (space[1:] & bounds[:-1]).any() or (space[:-1] & bounds[1:]).any())


def _json_text(column: pl.Expr) -> pl.Expr:
    """Printable ASCII as a JSON string (only `"` and `\\` need escaping)."""
    escaped = column.str.replace_all("\\", "\\\\", literal=True).str.replace_all('"', '\\"', literal=True)
    return pl.lit('"') + escaped + pl.lit('"')


def _events(
    table: pl.DataFrame,
    lines: pl.Series,
    name: str,
    added: int,
    url: int | None,
    intensity: Intensity,
    left: frozenset[str] = frozenset(),
) -> pl.DataFrame:
    """The rows' events as `model.frame.from_events` makes them of `row_event`'s events."""
    f = {int(c[1:]): pl.col(c) for c in table.columns if c[0] == "f" and c[1:].isdigit()}  # the cells read
    link = f[url] if url is not None else pl.lit("")

    def whole_text(n: int) -> pl.Expr:
        """Cell `n` as the whole number it holds."""
        return f[n].cast(pl.Int64).cast(pl.String)

    keys = {
        "actor1_code": _json_text(f[g.A1_CODE]),
        "actor2_code": _json_text(f[g.A2_CODE]),
        "articles": whole_text(g.ARTICLES),
        "cameo": _json_text(pl.col("code")),
        "cameo_root": _json_text(pl.col("root")),
        "date_added": _json_text(f[added]),
        "goldstein": pl.col("goldstein"),
        "mentions": whole_text(g.MENTIONS),
        "quad_class": pl.col("quad"),
        "root_event": pl.when(f[g.ROOT_EVENT].cast(pl.Int64) != 0).then(pl.lit("true")).otherwise(pl.lit("false")),
        "source_url": _json_text(link),
        "sources": whole_text(g.SOURCES),
        "tone": pl.col("tone"),
    }
    present = {"actor1_code": f[g.A1_CODE] != "", "actor2_code": f[g.A2_CODE] != "", "source_url": link != ""}
    partner = pl.when(pl.col("partner") != NONE).then(pl.col("partner"))
    return events(
        table,
        lines,
        name,
        intensity,
        id=f[g.ID],
        who=pl.when(f[g.A1_NAME] != "").then(f[g.A1_NAME]).otherwise(pl.col("actor")),
        whom=pl.when(f[g.A2_NAME] != "").then(f[g.A2_NAME]).otherwise(partner),
        text=pl.col("what"),
        source=pl.when(link != "").then(link),
        attrs=attrs_text(keys, present),
        left=left,
    )
