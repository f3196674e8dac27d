"""The ids of the events no rule matched and why, as columns: a million of them never become a million
Python strings unless a report asks for them one by one.

The ids come one actor after another (by date within each); each reason is
a place in a short list of distinct reasons. A JSON document takes an
actor's list and reasons already written (`json_between`), joined by polars
byte for byte as orjson writes them indented; text reports take tuples and
dicts (`between`, `reasons_between`).
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import orjson
import polars as pl


class UnmatchedIds:
    """Unmatched events' ids, one actor after another, and each one's reason as its place in `said`."""

    def __init__(self, ids: pl.Series, codes: np.ndarray, said: list[str]) -> None:
        """`ids` and `codes` row by row; `said` the distinct reasons."""
        self._ids, self._codes, self._said = ids, codes, said

    @cached_property
    def _texts(self) -> list[str]:
        """The ids as Python text (for the reports that ask for them one by one)."""
        return self._ids.to_list()

    @cached_property
    def _plain(self) -> bool:
        """Whether no id needs escaping in JSON (no quote, backslash or control character): then each is
        written as it is, between quotes."""
        return not self._ids.str.contains(r'[\x00-\x1f"\\]').any()

    @cached_property
    def _said_json(self) -> pl.Series:
        """The reasons as JSON strings."""
        return pl.Series([orjson.dumps(why).decode() for why in self._said], dtype=pl.String)

    def between(self, a: int, b: int) -> tuple[str, ...]:
        """The ids of rows a to b."""
        return tuple(self._texts[a:b])

    def reasons_between(self, a: int, b: int) -> dict[str, str]:
        """Why no rule matched each of rows a to b, by id."""
        said = self._said
        return dict(zip(self._texts[a:b], [said[code] for code in self._codes[a:b].tolist()], strict=True))

    def json_between(self, a: int, b: int, pad: str = "") -> tuple[bytes, bytes]:
        """`between` and `reasons_between` as `orjson.dumps(..., option=OPT_INDENT_2)` writes them, each
        line after the first indented by `pad`."""
        if a == b:
            return b"[]", b"{}"
        if not self._plain:
            return indented(list(self.between(a, b)), pad), indented(self.reasons_between(a, b), pad)
        ids = self._ids.slice(a, b - a)
        why = self._said_json.gather(self._codes[a:b])
        line = "\n" + pad + "  "
        listed, keyed = pl.select(
            pl.lit(ids).str.join(f'",{line}"'),
            pl.concat_str(pl.lit(ids), pl.lit('": '), pl.lit(why)).str.join(f',{line}"').alias("keyed"),
        ).row(0)
        return f'[{line}"{listed}"\n{pad}]'.encode(), f'{{{line}"{keyed}\n{pad}}}'.encode()


def indented(value: object, pad: str) -> bytes:
    """`value` as `orjson.dumps(..., option=OPT_INDENT_2)` writes it, each line after the first indented by `pad`."""
    return orjson.dumps(value, option=orjson.OPT_INDENT_2).replace(b"\n", b"\n" + pad.encode())


NO_IDS = UnmatchedIds(pl.Series([], dtype=pl.String), np.zeros(0, dtype=np.int64), [])  # for actors without events
