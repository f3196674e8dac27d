"""ICEWS rows read by columns: what `icews.row_event` makes of each row, for a block of rows at once.

As for GDELT (`scorer.gdelt_columns`): polars parses a block of whole lines,
each of `row_event`'s checks runs once per distinct value of the cells it
reads, with `row_event`'s own functions, and the events come out as the
columns `table.from_events` makes. ICEWS names are often not ASCII
(`Recep Tayyip Erdoğan`), so text is JSON-encoded once per distinct value by
the standard library, as `from_events` encodes it. What the checks are not
sure of is left to `row_event`, line by line: a control character, a
character the event model refuses, white space at the edge of a cell, an
unknown country, a value `row_event` refuses, a cell too long for the event
model. `tests/test_icews.py` holds the two readings to be the same.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import polars as pl

from scorer import icews as i
from scorer.events import MAX_FIELD_CHARS, parse_date
from scorer.gdelt_columns import _NONE, _REFUSED, lookup
from scorer.machine import Intensity, Skip, cameo_code, number
from scorer.table import SCHEMA


def block(
    raw: bytes, first: int, name: str, header: i.Header, intensity: Intensity
) -> tuple[pl.DataFrame, list[Skip], list[int]] | None:
    """Whole lines, the first of them line `first`: their events, their skips, and the lines left to `row_event`.

    None when the block is not for columns at all (rows of differing widths,
    blank lines, carriage returns, bytes that are not UTF-8): `row_event` then
    reads each of its lines.
    """
    if not raw or b"\r" in raw or b"\n\n" in raw or raw.startswith(b"\n"):
        return None
    try:
        table = pl.read_csv(raw, separator="\t", has_header=False, quote_char=None, infer_schema=False)
    except Exception:  # noqa: BLE001 - rows of differing widths, not UTF-8, or worse: row by row
        return None
    if table.width != header.width or table.height != raw.count(b"\n") + (not raw.endswith(b"\n")):
        return None
    table = table.rename({old: f"f{n}" for n, old in enumerate(table.columns)}).fill_null("")
    at = header.at

    def cell(column: str) -> pl.Expr:
        return pl.col(f"f{at[column]}")

    def one(column: str, work: Callable[[str], str | None]) -> pl.Series:
        index = at[column]
        return lookup(table, [index], lambda f: work(f[index].strip()))

    def code_part(text: str, part: str) -> str | None:
        code = cameo_code(text)
        return None if code is None else str(getattr(code, part))

    def sides(country: str, who: str, role: str) -> pl.Series:
        c, n = at[country], at[who]
        return lookup(table, [c, n], lambda f: i.side(f[c].strip(), f[n].strip(), role, c))

    optional = [(column, key) for column, key in i._OPTIONAL_ATTRS.items() if column in at]
    looked = table.select(
        date=one("Event Date", lambda t: i.event_date(t, at["Event Date"])),
        code=one("CAMEO Code", lambda t: code_part(t, "code")),
        root=one("CAMEO Code", lambda t: code_part(t, "root")),
        quad=one("CAMEO Code", lambda t: code_part(t, "quad_class")),
        what=one("CAMEO Code", lambda t: code_part(t, "description")),
        actor=sides("Source Country", "Source Name", "Source"),
        partner=sides("Target Country", "Target Name", "Target"),
        # Numbers as JSON writes them (Python's repr), and read back from that text: the same floats.
        goldstein=one("Intensity", lambda t: json.dumps(number(t, "", 0, low=-10, high=10))),
        why=one("Source Name", lambda t: f"Source Country is empty and Source Name {t!r} is not a known bloc"),
        **{f"j_{key}": one(column, json.dumps) for column, key in optional},
    )
    table = pl.concat([table, looked], how="horizontal")
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
        | pl.any_horizontal(pl.col(c).is_in([_NONE, _REFUSED]) for c in ("date", "code"))
        | (pl.col("actor") == _REFUSED),
        (pl.col("partner") == _REFUSED)
        | (pl.col("goldstein") == _REFUSED)
        | pl.any_horizontal(length > MAX_FIELD_CHARS for length in capped)
        | (~cell("Sentence Number").str.contains(r"^[0-9]{0,18}$") if sentence else pl.lit(False)),
    )
    lines = pl.int_range(first, first + table.height, dtype=pl.Int32, eager=True)
    anyway, later = unsure.to_series(0), unsure.to_series(1)
    nobody = (table["actor"] == _NONE) & ~anyway
    kept = (table["actor"] != _NONE) & ~anyway & ~later
    slow = lines.filter(anyway | ((table["actor"] != _NONE) & later)).to_list()
    gone = table.filter(nobody)
    col = gone.select(pl.sum_horizontal(pl.col(f"f{n}").str.len_chars() + 1 for n in range(at["Source Country"])) + 1)
    skips = [
        Skip(name, line, where, "no actor country", why)
        for line, where, why in zip(lines.filter(nobody).to_list(), col.to_series().to_list(), gone["why"], strict=True)
    ]
    events = _events(table.filter(kept), lines.filter(kept), name, header, optional, source, intensity)
    return events, skips, slow


def _unusual(raw: bytes, rows: int, width: int) -> np.ndarray:
    """Rows not `width` cells wide (polars fills short rows), or holding a control character or another
    character the event model refuses (C1 controls, U+FFFE, U+FFFF): such rows are for `row_event`."""
    text = np.frombuffer(raw, dtype=np.uint8)
    tab = text == 0x09
    odd = ((text < 0x20) & ~tab & (text != 0x0A)) | (text == 0x7F)
    after = np.append(text[1:], 0)
    odd |= (text == 0xC2) & (after >= 0x80) & (after <= 0x9F) & (after != 0x85)
    odd |= (text == 0xEF) & (after == 0xBF) & (np.append(after[1:], 0) >= 0xBE)
    starts = np.concatenate([[0], np.flatnonzero(text == 0x0A)[: rows - 1] + 1])
    found: np.ndarray = np.add.reduceat(tab, starts, dtype=np.int32) != width - 1
    found |= np.add.reduceat(odd, starts, dtype=np.int32) > 0
    return found


def _events(
    table: pl.DataFrame,
    lines: pl.Series,
    name: str,
    header: i.Header,
    optional: list[tuple[str, str]],
    source: pl.Expr,
    intensity: Intensity,
) -> pl.DataFrame:
    """The rows' events as `table.from_events` makes them of `row_event`'s events."""
    at = header.at

    def cell(column: str) -> pl.Expr:
        return pl.col(f"f{at[column]}")

    partner = pl.when(pl.col("partner") != _NONE).then(pl.col("partner"))
    who = pl.when(cell("Source Name") != "").then(cell("Source Name")).otherwise(pl.col("actor"))
    whom = pl.when(cell("Target Name") != "").then(cell("Target Name")).otherwise(partner)
    text = pl.col("what")
    if "Event Text" in at:
        text = pl.when(cell("Event Text") != "").then(cell("Event Text")).otherwise(text)
    # json.dumps(attrs, sort_keys=True), key by key in that order.
    keys: dict[str, pl.Expr] = {
        "cameo": pl.lit('"') + pl.col("code") + pl.lit('"'),
        "cameo_root": pl.lit('"') + pl.col("root") + pl.lit('"'),
        "goldstein": pl.col("goldstein"),
        "quad_class": pl.col("quad"),
    }
    present: dict[str, pl.Expr] = {key: cell(column) != "" for column, key in optional}
    keys |= {key: pl.col(f"j_{key}") for _, key in optional}
    if "Sentence Number" in at:
        keys["sentence"] = cell("Sentence Number").cast(pl.Int64, strict=False).cast(pl.String)
        present["sentence"] = cell("Sentence Number") != ""
    parts: list[pl.Expr] = []
    for n, key in enumerate(sorted(keys)):
        item = pl.lit(("" if n == 0 else ", ") + f'"{key}": ') + keys[key]
        parts.append(pl.when(present[key]).then(item).otherwise(pl.lit("")) if key in present else item)
    # A leading ", " can come only from an optional first key, and "cameo" always comes first.
    attrs = pl.concat_str(pl.lit("{"), *parts, pl.lit("}"))
    days = {d: parse_date(d).toordinal() for d in table["date"].unique().to_list()}
    has_publisher = "Publisher" in at
    made = table.select(
        id=pl.concat_str(cell("Event ID"), pl.lit("@"), pl.col("date")),
        date=pl.col("date"),
        day=pl.col("date").replace_strict(days, return_dtype=pl.Int32),
        actor=pl.col("actor"),
        type=pl.lit("cameo.") + pl.col("code"),
        partner=partner,
        intensity=pl.col("goldstein").cast(pl.Float64).abs() if intensity == "goldstein" else pl.lit(1.0),
        confidence=pl.lit(1.0),
        summary=pl.when(whom.is_not_null())
        .then(pl.concat_str(who, pl.lit(" -> "), whom, pl.lit(": "), text))
        .otherwise(pl.concat_str(who, pl.lit(": "), text)),
        source=pl.when(cell("Publisher") != "").then(source) if has_publisher else pl.lit(None, pl.String),
        quote=pl.lit(None, pl.String),
        tags=pl.when(partner == pl.col("actor")).then(pl.lit('["domestic"]')),
        attrs=attrs,
        file=pl.lit(name),
        line=lines,
        col=pl.lit(1, pl.Int32),
    )
    return made.cast(SCHEMA)  # type: ignore[arg-type]
