"""Who acts: the country names and codes of machine-coded event data, as the actors events carry.

States become ISO 3166-1 alpha-3 codes and blocs upper-case names, as in
hand-coded event files (docs/reference.md). The tables are data files kept
by hand in `scorer/data/`:

* `countries.tsv`: every ISO 3166-1 code with the spellings event data uses
  for it (ICEWS writes "Russian Federation", "Moldova, Republic of", ...);
* `cameo-countries.tsv`: the CAMEO country codes that differ from ISO
  (`ROM` for Romania, `TMP` for East Timor, ...) and CAMEO's region codes;
* `blocs.tsv`: blocs and intergovernmental bodies, with CAMEO's known-group
  code (`NAT` is NATO) and the names ICEWS gives them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files


@dataclass(frozen=True)
class Places:
    """The country and bloc tables, indexed every way the readers look them up."""
    iso: frozenset[str]
    shown: dict[str, str]  # ISO code -> name for reports
    names: dict[str, str]  # casefolded name or ISO code -> ISO code
    cameo: dict[str, str]  # CAMEO country or region code that is not ISO -> actor
    regions: frozenset[str]  # CAMEO region codes (WST, EUR, ...)
    groups: dict[str, str]  # CAMEO known-group code -> bloc
    bloc_names: dict[str, str]  # casefolded name -> bloc


def _rows(name: str) -> list[list[str]]:
    """The rows of one bundled table (tab-separated, `#` comments)."""
    text = files("scorer").joinpath("data", name).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


@cache
def places() -> Places:
    """The tables, read once."""
    iso: set[str] = set()
    shown: dict[str, str] = {}
    names: dict[str, str] = {}
    for code, name, other in _rows("countries.tsv"):
        iso.add(code)
        shown[code] = name
        for spelling in [code, name, *other.split("|")]:
            if spelling:
                names[spelling.casefold()] = code
    cameo: dict[str, str] = {}
    regions: set[str] = set()
    for code, actor, what in _rows("cameo-countries.tsv"):
        cameo[code] = actor
        if what.startswith("region"):
            regions.add(code)
    groups: dict[str, str] = {}
    bloc_names: dict[str, str] = {}
    for bloc, group, spellings in _rows("blocs.tsv"):
        if group != "-":
            groups[group] = bloc
        for spelling in [bloc, *spellings.split("|")]:
            bloc_names[spelling.casefold()] = bloc
    return Places(frozenset(iso), shown, names, cameo, frozenset(regions), groups, bloc_names)


def cameo_country(code: str) -> str | None:
    """The actor a CAMEO country or region code stands for, or None for a code no table knows."""
    table = places()
    if code in table.cameo:
        return table.cameo[code]
    return code if code in table.iso else None


def is_region(code: str) -> bool:
    """Whether a CAMEO code is a region (WST, EUR, ...) rather than a country."""
    return code in places().regions


def cameo_bloc(group: str) -> str | None:
    """The bloc a CAMEO known-group code stands for, or None (NGOs, parties, armed groups, unknown codes)."""
    return places().groups.get(group)


def country_named(name: str) -> str | None:
    """The ISO code of a country written out (ICEWS style), or None."""
    return places().names.get(name.strip().casefold())


def bloc_named(name: str) -> str | None:
    """The bloc a body's written name stands for (ICEWS's Source Name for NATO, the CSTO, ...), or None."""
    return places().bloc_names.get(name.strip().casefold())
