"""ICEWS event files read as events, row by row.

The published layout (Harvard Dataverse, `events.YYYY.*.tab`) is
tab-separated with a header row: `Event ID`, `Event Date`, `Source Name`,
`Source Sectors`, `Source Country`, `Event Text`, `CAMEO Code`, `Intensity`,
`Target Name`, `Target Sectors`, `Target Country`, `Story ID`,
`Sentence Number`, `Publisher`, `City`, `District`, `Province`, `Country`,
`Latitude`, `Longitude`. Columns are found by their header name.

A row becomes an event of its source toward its target:

* a cell of `NA` is a missing value, as an empty one is;
* `actor` from `Source Country`, a country name mapped to ISO 3166 alpha-3
  (`Russian Federation` is `RUS`; `scorer/data/countries.tsv`), or, when the
  source has no country (`NA`), the bloc its `Source Name` names (`North Atlantic
  Treaty Organization` is `NATO`, `Collective Security Treaty Organization`
  `CSTO`; `scorer/data/blocs.tsv`); a row with neither is skipped, with its line;
* `partner` likewise from `Target Country` or `Target Name`, none otherwise;
* `id` is `Event ID@Event Date`: ICEWS reuses an Event ID on another date;
* `type` is `cameo.` and the `CAMEO Code` as written (`cameo.043`);
* `intensity` the magnitude of `Intensity`, ICEWS's Goldstein value (or 1
  with `--intensity one`);
* `attrs`: `cameo`, `cameo_root`, `quad_class` (from the root, as GDELT
  defines it), `goldstein`, `source_sectors`, `target_sectors`, `story_id`,
  `sentence`, `publisher` where present;
* `tags: [domestic]` when actor and partner are the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date as Date
from typing import TYPE_CHECKING

from scorer.io.machine_coded.cameo import cameo_code
from scorer.io.machine_coded.countries import bloc_named, country_named
from scorer.io.machine_coded.rows import Intensity, RowError, event, intensity_of, number
from scorer.problems import InputError, Problem

if TYPE_CHECKING:
    from scorer.model.event import Event

HEADER = "Event ID"
REQUIRED = (
    "Event ID",
    "Event Date",
    "Source Name",
    "Source Country",
    "CAMEO Code",
    "Intensity",
    "Target Name",
    "Target Country",
)
OPTIONAL_ATTRS = {
    "Source Sectors": "source_sectors",
    "Target Sectors": "target_sectors",
    "Story ID": "story_id",
    "Publisher": "publisher",
}
# ICEWS writes NA in any cell that has no value: an international organisation as
# source or target has no country (its name says which body it is).
MISSING = "NA"
_WITHIN = re.compile(r"\(([^()]+)\)\s*$")
_DATE = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})$")


def looks_like(line: str) -> bool:
    """Whether a first line is the header of an ICEWS event file."""
    return line.lstrip("\ufeff").startswith(HEADER + "\t")


@dataclass(frozen=True)
class Header:
    """Where each column of an ICEWS file is, by name."""
    at: dict[str, int]  # column name -> index
    width: int


def read_header(fields: list[str], name: str) -> Header:
    """The header row's columns by name; InputError if a required one is missing."""
    names = [cell.strip().lstrip("\ufeff") for cell in fields]
    at = {cell: index for index, cell in enumerate(names)}
    missing = [wanted for wanted in REQUIRED if wanted not in at]
    if missing:
        raise InputError(
            [Problem(name, 1, 1, f"not an ICEWS header: no column {', '.join(repr(m) for m in missing)}")]
        )
    return Header(at, len(names))


def row_event(fields: list[str], header: Header, intensity: Intensity) -> Event:
    """The event one row of an ICEWS file stands for; RowError if it cannot be one."""
    if fields == [""]:
        raise RowError("blank line", "no columns at all")
    if len(fields) != header.width:
        raise RowError("wrong column count", f"{len(fields)} tab-separated columns; the header names {header.width}")
    at = header.at

    def cell(name: str) -> str:
        """The row's cell of a named column."""
        return present(fields[at[name]])

    event_id = cell("Event ID")
    if not event_id:
        raise RowError("bad event id", "Event ID is empty", at["Event ID"])
    day = event_date(cell("Event Date"), at["Event Date"])
    code = cameo_code(cell("CAMEO Code"))
    if code is None:
        raise RowError("bad CAMEO code", f"CAMEO Code {cell('CAMEO Code')!r} is not a CAMEO event code", at["CAMEO Code"])
    actor = side(cell("Source Country"), cell("Source Name"), "Source", at["Source Country"])
    if actor is None:
        detail = no_actor(fields[at["Source Country"]], fields[at["Source Name"]])
        raise RowError("no actor country", detail, at["Source Country"])
    partner = side(cell("Target Country"), cell("Target Name"), "Target", at["Target Country"])
    goldstein = number(cell("Intensity"), "Intensity", at["Intensity"], low=-10, high=10)
    attrs: dict[str, str | int | float | bool] = {
        "cameo": code.code,
        "cameo_root": code.root,
        "quad_class": code.quad_class,
        "goldstein": goldstein,
    }
    for column, name in OPTIONAL_ATTRS.items():
        if column in at and cell(column):
            attrs[name] = cell(column)
    if "Sentence Number" in at and cell("Sentence Number").isdigit():
        attrs["sentence"] = int(cell("Sentence Number"))
    who = cell("Source Name") or actor
    whom = cell("Target Name") or partner
    text = cell("Event Text") if "Event Text" in at and cell("Event Text") else code.description
    publisher = attrs.get("publisher")
    return event(
        id=f"{event_id}@{day}",
        date=day,
        actor=actor,
        type=f"cameo.{code.code}",
        partner=partner,
        intensity=intensity_of(goldstein, intensity),
        confidence=1.0,
        summary=f"{who} -> {whom}: {text}" if whom else f"{who}: {text}",
        source=f"{publisher}, story {attrs.get('story_id', '?')}" if publisher else None,
        quote=None,
        tags=["domestic"] if partner == actor else None,
        attrs=attrs,
    )


def present(text: str) -> str:
    """A cell as the event reads it: trimmed, and empty where ICEWS writes NA for "no value"."""
    text = text.strip()
    return "" if text == MISSING else text


def no_actor(country: str, name: str) -> str:
    """Why a row whose source is neither a country nor a known bloc has no actor (from the raw cells)."""
    given = "NA" if country.strip() == MISSING else "empty"
    return f"Source Country is {given} and Source Name {present(name)!r} is not a known bloc"


def event_date(text: str, index: int) -> str:
    """An ICEWS date (YYYY-MM-DD or YYYYMMDD) as YYYY-MM-DD; RowError otherwise."""
    found = _DATE.match(text)
    if found:
        year, month, day = found.groups()
        try:
            return Date(int(year), int(month), int(day)).isoformat()
        except ValueError:
            pass
    raise RowError("bad date", f"Event Date is {text!r}, not a YYYY-MM-DD date", index)


def side(country: str, name: str, role: str, index: int) -> str | None:
    """The source's or target's country code, or the bloc it names when it has no country."""
    if country:
        code = country_named(country)
        if code is None:
            raise RowError("unknown country", f"{role} Country {country!r} is not in the country table", index)
        return code
    if not name:
        return None
    # "Ministry (European Union)": a body of a bloc is the bloc, as "Ministry (Georgia)" is Georgia.
    inner = _WITHIN.search(name)
    return bloc_named(name) or (bloc_named(inner.group(1)) if inner else None)
