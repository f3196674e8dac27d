"""CAMEO event codes: what a code is, its root, its quad class and its description."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

_CODE = re.compile(r"^(0[1-9]|1[0-9]|20)[0-9]{0,2}$")


@dataclass(frozen=True)
class Code:
    """A CAMEO event code with what follows from it."""

    code: str
    root: str
    quad_class: int
    description: str


# CAMEO's four quad classes by root code, as GDELT defines them:
# 1 verbal cooperation, 2 material cooperation, 3 verbal conflict, 4 material conflict.
_QUADS = {**{f"{r:02d}": 1 for r in range(1, 6)}, **{f"{r:02d}": 2 for r in range(6, 10)}}
_QUADS |= {**{f"{r:02d}": 3 for r in range(10, 15)}, **{f"{r:02d}": 4 for r in range(15, 21)}}


@cache
def _descriptions() -> dict[str, str]:
    """The CAMEO codes' descriptions, from the bundled table."""
    text = files("scorer").joinpath("data", "cameo-codes.tsv").read_text(encoding="utf-8")
    rows = (line.split("\t") for line in text.splitlines() if line and not line.startswith("#"))
    return {code: description for code, _, description in rows}


# How a pack names the codebook of CAMEO event types (`codebook: cameo`).
CODEBOOK = "cameo"


def codebook() -> dict[str, str]:
    """Every CAMEO event code as the event type the readers give it (`cameo.043`), with what it means."""
    return {f"cameo.{code}": _said(text) for code, text in _descriptions().items()}


def _said(description: str) -> str:
    """A description as a sentence starts: the root codes' upper-case names in lower case."""
    return description.capitalize() if description.isupper() else description


@cache
def cameo_code(text: str) -> Code | None:
    """A CAMEO event code as written (`"043"`, leading zero kept), or None if it is not one."""
    code = text.strip()
    if not _CODE.match(code):
        return None
    root = code[:2]
    described = _descriptions()
    description = described.get(code) or _said(described[root])
    return Code(code, root, _QUADS[root], description)

