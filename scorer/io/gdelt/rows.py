"""GDELT event exports: the layout of a row, and the event one row stands for.

GDELT 1.0 exports (daily files and the historical backfile) are tab-separated
without a header: 57 columns up to `DATEADDED`, 58 with `SOURCEURL` (daily
files from April 2013 on). GDELT 2.0 exports (15-minute files,
`*.export.CSV`, tab-separated despite the name) have 61: the same first 35
columns, an `ADM2Code` in each of the three geography blocks, `DATEADDED`
to the second, and `SOURCEURL`. Each row is read by its own column count.

A row becomes an event of its Actor1 toward its Actor2:

* `actor` from `Actor1CountryCode` (CAMEO country codes are ISO 3166
  alpha-3 but for a few, see `scorer/data/cameo-countries.tsv`), or the bloc
  of `Actor1KnownGroupCode` when the actor is an intergovernmental body
  (NATO is `IGOWSTNAT`: region `WST`, known group `NAT`); a row with neither
  has no actor country and is skipped, with its line;
* `partner` likewise from Actor2, none when Actor2 has no country or bloc;
* `type` is `cameo.` and the `EventCode` as written (`cameo.043`);
* `intensity` the magnitude of `GoldsteinScale` (or 1 with `--intensity one`);
* `attrs`: `cameo`, `cameo_root`, `quad_class`, `goldstein`, `mentions`,
  `sources`, `articles`, `tone`, `root_event`, `date_added`, and where
  present `actor1_code`, `actor2_code` and `source_url`;
* `tags: [domestic]` when actor and partner are the same.
"""

from __future__ import annotations

import re
from datetime import date as Date
from functools import cache
from typing import TYPE_CHECKING

from scorer.io.machine_coded.cameo import Code, cameo_code
from scorer.io.machine_coded.countries import cameo_bloc, cameo_country, is_region
from scorer.io.machine_coded.rows import Intensity, RowError, event, intensity_of, number, whole

if TYPE_CHECKING:
    from scorer.model.event import Event

# Column indices shared by both versions.
ID, DAY = 0, 1
A1_CODE, A1_NAME, A1_COUNTRY, A1_GROUP = 5, 6, 7, 8
A2_CODE, A2_NAME, A2_COUNTRY, A2_GROUP = 15, 16, 17, 18
ROOT_EVENT, EVENT_CODE, QUAD_CLASS, GOLDSTEIN = 25, 26, 29, 30
MENTIONS, SOURCES, ARTICLES, TONE = 31, 32, 33, 34

# Column count -> (DATEADDED index, SOURCEURL index or None).
LAYOUTS: dict[int, tuple[int, int | None]] = {57: (56, None), 58: (56, 57), 61: (59, 60)}

_SQLDATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def looks_like(line: str) -> bool:
    """Whether a first line is a GDELT event row: 57, 58 or 61 tab-separated columns, a YYYYMMDD date second."""
    fields = line.split("\t")
    return len(fields) in LAYOUTS and _SQLDATE.match(fields[DAY]) is not None


def row_event(fields: list[str], intensity: Intensity) -> Event:
    """The event one row of a GDELT export stands for; RowError if it cannot be one."""
    if fields == [""]:
        raise RowError("blank line", "no columns at all")
    if len(fields) not in LAYOUTS:
        raise RowError(
            "wrong column count",
            f"{len(fields)} tab-separated columns; GDELT 1.0 rows have 57 or 58, GDELT 2.0 rows 61",
        )
    added, url = LAYOUTS[len(fields)]
    # Most rows that cannot be events lack an actor country: look at that first.
    actor = actor_of(fields, A1_COUNTRY, A1_GROUP, "Actor1")
    if actor is None:
        raise RowError("no actor country", no_actor_why(fields), A1_COUNTRY)
    partner = actor_of(fields, A2_COUNTRY, A2_GROUP, "Actor2")
    event_id = fields[ID].strip()
    if not event_id.isdigit():
        raise RowError("bad event id", f"GLOBALEVENTID is {event_id!r}, not a number", ID)
    day = sql_date(fields[DAY])
    if day is None:
        raise RowError("bad date", f"SQLDATE is {fields[DAY]!r}, not a YYYYMMDD date", DAY)
    code = cameo_code(fields[EVENT_CODE])
    if code is None:
        raise RowError("bad CAMEO code", f"EventCode {fields[EVENT_CODE]!r} is not a CAMEO event code", EVENT_CODE)
    quad = whole(fields[QUAD_CLASS], "QuadClass", QUAD_CLASS)
    if not 1 <= quad <= 4:
        raise RowError("bad number", f"QuadClass is {quad}, not 1 to 4", QUAD_CLASS)
    goldstein = number(fields[GOLDSTEIN], "GoldsteinScale", GOLDSTEIN, low=-10, high=10)
    attrs = _attrs(fields, code, quad, goldstein, added, url)
    link = fields[url].strip() if url is not None else ""
    who = fields[A1_NAME].strip() or actor
    whom = fields[A2_NAME].strip() or partner
    return event(
        id=event_id,
        date=day,
        actor=actor,
        type=f"cameo.{code.code}",
        partner=partner,
        intensity=intensity_of(goldstein, intensity),
        confidence=1.0,
        summary=f"{who} -> {whom}: {code.description}" if whom else f"{who}: {code.description}",
        source=link or None,
        quote=None,
        tags=["domestic"] if partner == actor else None,
        attrs=attrs,
    )


def _attrs(
    fields: list[str], code: Code, quad: int, goldstein: float, added: int, url: int | None
) -> dict[str, str | int | float | bool]:
    """The attributes a GDELT row gives its event: its CAMEO code, counts, tone, actor codes and link."""
    attrs: dict[str, str | int | float | bool] = {
        "cameo": code.code,
        "cameo_root": code.root,
        "quad_class": quad,
        "goldstein": goldstein,
        "mentions": whole(fields[MENTIONS], "NumMentions", MENTIONS),
        "sources": whole(fields[SOURCES], "NumSources", SOURCES),
        "articles": whole(fields[ARTICLES], "NumArticles", ARTICLES),
        "tone": number(fields[TONE], "AvgTone", TONE),
        "root_event": whole(fields[ROOT_EVENT], "IsRootEvent", ROOT_EVENT) != 0,
        "date_added": fields[added].strip(),
    }
    for name, index in (("actor1_code", A1_CODE), ("actor2_code", A2_CODE)):
        if fields[index].strip():
            attrs[name] = fields[index].strip()
    link = fields[url].strip() if url is not None else ""
    if link:
        attrs["source_url"] = link
    return attrs


@cache
def sql_date(text: str) -> str | None:
    """YYYYMMDD as YYYY-MM-DD, or None; a file holds few distinct days, so each is worked out once."""
    found = _SQLDATE.match(text.strip())
    if not found:
        return None
    year, month, day = found.groups()
    try:
        return Date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def actor_of(fields: list[str], country_at: int, group_at: int, role: str) -> str | None:
    """Actor1's or Actor2's country (ISO code or region name) or bloc, or None when it has neither."""
    country = fields[country_at].strip()
    bloc = cameo_bloc(fields[group_at].strip())
    if not country:
        return bloc
    actor = cameo_country(country)
    if actor is None:
        raise RowError(
            "unknown country",
            f"{role}CountryCode {country!r} is neither an ISO 3166 code nor a CAMEO country or region code",
            country_at,
        )
    # An intergovernmental body carries its region as its country: NATO is WST + NAT.
    return bloc if bloc and is_region(country) else actor


def no_actor_why(fields: list[str]) -> str:
    """Why a row's Actor1 has no country, in words."""
    code, name, group = fields[A1_CODE].strip(), fields[A1_NAME].strip(), fields[A1_GROUP].strip()
    if not code:
        return "the row has no Actor1 (Actor1Code is empty)"
    who = f"Actor1 {code!r}" + (f" ({name})" if name else "")
    if group:
        return f"{who} has no country code, and its known group {group!r} is not a state or bloc"
    return f"{who} has no country code and no known group"
