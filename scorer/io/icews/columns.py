"""ICEWS rows read by columns: what `icews.rows.row_event` makes of each row, for a block of rows at once.

As for GDELT (`scorer.io.gdelt.columns`): polars parses a block of whole lines,
each of `row_event`'s checks runs once per distinct value of the cells it
reads, with `row_event`'s own functions, and the events come out as the
columns `model.frame.from_events` makes. ICEWS names are often not ASCII
(`Recep Tayyip Erdoğan`), so text is JSON-encoded once per distinct value by
the standard library, as `from_events` encodes it. What the checks are not
sure of is left to `row_event`, line by line: a control character, a
character the event model refuses, white space at the edge of a cell, an
unknown country, a value `row_event` refuses, a cell too long for the event
model. `tests/io/test_icews.py` holds the two readings to be the same.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import polars as pl

from scorer.io.icews import rows as i
from scorer.io.machine_coded.cameo import cameo_code
from scorer.io.machine_coded.columns import (
    NONE,
    REFUSED,
    Block,
    Sorted,
    attrs_text,
    cells,
    events,
    lookup,
    odd_rows,
    skips,
)
from scorer.io.machine_coded.rows import Intensity, number
from scorer.model.fields import MAX_FIELD_CHARS


def _looked(table: pl.DataFrame, at: dict[str, int], optional: list[tuple[str, str]]) -> pl.DataFrame:
    """The columns worked out of each row's cells by lookups over their distinct values: date, CAMEO code and
    its parts, actor and partner, Goldstein value and the optional attributes (as JSON)."""

    def one(column: str, work: Callable[[str], str | None]) -> pl.Series:
        """A lookup over one named column."""
        index = at[column]
        return lookup(table, [index], lambda f: work(f[index].strip()))

    def code_part(text: str, part: str) -> str | None:
        """A part of the CAMEO code in `text`, or None."""
        code = cameo_code(text)
        return None if code is None else str(getattr(code, part))

    def side(country: str, who: str, role: str) -> pl.Series:
        """The source's or target's country or bloc, per row."""
        c, n = at[country], at[who]
        return lookup(table, [c, n], lambda f: i.side(f[c].strip(), f[n].strip(), role, c))

    return table.select(
        date=one("Event Date", lambda t: i.event_date(t, at["Event Date"])),
        code=one("CAMEO Code", lambda t: code_part(t, "code")),
        root=one("CAMEO Code", lambda t: code_part(t, "root")),
        quad=one("CAMEO Code", lambda t: code_part(t, "quad_class")),
        what=one("CAMEO Code", lambda t: code_part(t, "description")),
        actor=side("Source Country", "Source Name", "Source"),
        partner=side("Target Country", "Target Name", "Target"),
        # Numbers as JSON writes them (Python's repr), and read back from that text: the same floats.
        goldstein=one("Intensity", lambda t: json.dumps(number(t, "", 0, low=-10, high=10))),
        **{f"j_{key}": one(column, json.dumps) for column, key in optional},
    )


def block(raw: bytes, first: int, name: str, header: i.Header, intensity: Intensity) -> Block | None:
    """Whole lines, the first of them line `first`: their events, their skips, and the lines left to `row_event`.

    None when the block is not for columns at all: `row_event` then reads each of its lines.
    """
    parsed = cells(raw)
    if parsed is None or parsed.width != header.width:
        return None
    at = header.at
    # ICEWS's NA is a missing value, as `row_event` reads it.
    table: pl.DataFrame = parsed.with_columns(
        pl.when(pl.col(c) == i.MISSING).then(pl.lit("")).otherwise(pl.col(c)).alias(c) for c in parsed.columns
    )
    c_at, n_at = at["Source Country"], at["Source Name"]
    why = lookup(parsed, [c_at, n_at], lambda f: i.no_actor(f[c_at], f[n_at]))

    def cell(column: str) -> pl.Expr:
        """The cell of a named column."""
        return pl.col(f"f{at[column]}")

    optional = [(column, key) for column, key in i.OPTIONAL_ATTRS.items() if column in at]
    looked = _looked(table, at, optional)
    table = pl.concat([table, looked, why.alias("why").to_frame()], how="horizontal")
    sentence = "Sentence Number" in at
    story = cell("Story ID") if "Story ID" in at else pl.lit("")
    publisher = cell("Publisher") if "Publisher" in at else pl.lit("")
    source = pl.concat_str(publisher, pl.lit(", story "), pl.when(story != "").then(story).otherwise(pl.lit("?")))
    capped = [cell("Event ID").str.len_chars() + 11, source.str.len_chars()]
    capped += [cell(column).str.len_chars() for column, _ in optional]
    unsure = table.select(
        # What row_event checks before the actor: a row that fails them is not "no actor country".
        pl.Series(_unusual(raw, table.height, header.width))
        | pl.any_horizontal(pl.col(f"f{n}").str.contains(r"^\s|\s$") for n in range(header.width))
        | (cell("Event ID") == "")
        | pl.any_horizontal(pl.col(c).is_in([NONE, REFUSED]) for c in ("date", "code"))
        | (pl.col("actor") == REFUSED),
        (pl.col("partner") == REFUSED)
        | (pl.col("goldstein") == REFUSED)
        | pl.any_horizontal(length > MAX_FIELD_CHARS for length in capped)
        | (~cell("Sentence Number").str.contains(r"^[0-9]{0,18}$") if sentence else pl.lit(False)),
    )
    lines = pl.int_range(first, first + table.height, dtype=pl.Int32, eager=True)
    rows = Sorted.of(table["actor"], lines, unsure.to_series(0), unsure.to_series(1))
    # Where a skipped row's Source Country starts is counted in its cells as written (an `NA` is two characters).
    skipped = skips(parsed.filter(rows.nobody), lines.filter(rows.nobody), name, at["Source Country"], why.filter(rows.nobody))
    kept = table.filter(rows.events)
    return _events(kept, lines.filter(rows.events), name, header, optional, source, intensity), skipped, rows.slow


def _unusual(raw: bytes, rows: int, width: int) -> np.ndarray:
    """Rows not `width` cells wide, or holding a control character or another character the event model
    refuses (C1 controls but U+0085, U+FFFE, U+FFFF): such rows are for `row_event`."""
    text = np.frombuffer(raw, dtype=np.uint8)
    odd = ((text < 0x20) & (text != 0x09) & (text != 0x0A)) | (text == 0x7F)
    after = np.append(text[1:], 0)
    odd |= (text == 0xC2) & (after >= 0x80) & (after <= 0x9F) & (after != 0x85)
    odd |= (text == 0xEF) & (after == 0xBF) & (np.append(after[1:], 0) >= 0xBE)
    return odd_rows(text, rows, width, odd)


def _events(
    table: pl.DataFrame,
    lines: pl.Series,
    name: str,
    header: i.Header,
    optional: list[tuple[str, str]],
    source: pl.Expr,
    intensity: Intensity,
) -> pl.DataFrame:
    """The rows' events as `model.frame.from_events` makes them of `row_event`'s events."""
    at = header.at

    def cell(column: str) -> pl.Expr:
        """The cell of a named column."""
        return pl.col(f"f{at[column]}")

    partner = pl.when(pl.col("partner") != NONE).then(pl.col("partner"))
    text = pl.col("what")
    if "Event Text" in at:
        text = pl.when(cell("Event Text") != "").then(cell("Event Text")).otherwise(text)
    keys: dict[str, pl.Expr] = {
        "cameo": pl.lit('"') + pl.col("code") + pl.lit('"'),
        "cameo_root": pl.lit('"') + pl.col("root") + pl.lit('"'),
        "goldstein": pl.col("goldstein"),
        "quad_class": pl.col("quad"),
    }
    keys |= {key: pl.col(f"j_{key}") for _, key in optional}
    present = {key: cell(column) != "" for column, key in optional}
    if "Sentence Number" in at:
        keys["sentence"] = cell("Sentence Number").cast(pl.Int64, strict=False).cast(pl.String)
        present["sentence"] = cell("Sentence Number") != ""
    return events(
        table,
        lines,
        name,
        intensity,
        id=pl.concat_str(cell("Event ID"), pl.lit("@"), pl.col("date")),
        who=pl.when(cell("Source Name") != "").then(cell("Source Name")).otherwise(pl.col("actor")),
        whom=pl.when(cell("Target Name") != "").then(cell("Target Name")).otherwise(partner),
        text=text,
        source=pl.when(cell("Publisher") != "").then(source) if "Publisher" in at else pl.lit(None, pl.String),
        attrs=attrs_text(keys, present),
    )
