"""The ids of the events no rule matched and why, as columns: a million of them never become a million
Python strings unless a report asks for them one by one.

The ids come one actor after another (by date within each); each reason is
a place in a short list of distinct reasons. A JSON document takes an
actor's list and reasons in pieces (`json_parts`), joined by polars byte for
byte as orjson writes them indented; text reports take tuples and
dicts (`between`, `reasons_between`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property, partial

import numpy as np
import orjson
import polars as pl


class UnmatchedIds:
    """Unmatched events' ids, one actor after another, and each one's reason as its place in `said`."""

    def __init__(self, ids: pl.Series, codes: np.ndarray, said: list[str], rows: np.ndarray | None = None) -> None:
        """`ids` and `codes` row by row, or with `rows`, row i's id at `rows[i]` of `ids` (the events'
        column, not copied: a piece gathers its own); `said` the distinct reasons."""
        self._ids, self._codes, self._said, self._rows = ids, codes, said, rows
        self._windows: dict[int, pl.Series] = {}  # with `rows`: the last windows gathered, by number

    def _between(self, a: int, b: int) -> pl.Series:
        """The ids of rows a to b, as a column: with `rows`, sliced from their window of `WINDOW` rows,
        gathered once for the pieces in it (pieces are made in order: the two last windows are kept)."""
        if self._rows is None:
            return self._ids.slice(a, b - a)
        at = a // WINDOW
        if (b - 1) // WINDOW != at:  # across two windows: gathered by itself
            return self._ids[self._rows[a:b]]
        window = self._windows.get(at)
        if window is None:
            window = self._ids[self._rows[at * WINDOW : (at + 1) * WINDOW]]
            # (Replaced whole, not changed: the other thread making pieces may be reading it.)
            kept = self._windows
            self._windows = {at: window} | ({at - 1: kept[at - 1]} if at - 1 in kept else {})
        return window.slice(a - at * WINDOW, b - a)

    @cached_property
    def _texts(self) -> list[str]:
        """The ids as Python text (for the reports that ask for them one by one)."""
        return self._between(0, len(self._codes)).to_list()

    @cached_property
    def _plain(self) -> bool:
        """Whether no id needs escaping in JSON (no quote, backslash or control character): then each is
        written as it is, between quotes. (With `rows`, asked of every id of the column: one that needs
        escaping anywhere sends these the way that escapes, which writes the same bytes.)

        The ids are joined `PLAIN_IDS` at a time and their UTF-8 bytes looked at by numpy (a character
        outside ASCII is bytes of 0x80 and over): under half the time of a pattern asked of each id
        (14 ms against 37 ms for a million), on the way to the document's first piece."""
        ids = self._ids
        for start in range(0, len(ids), PLAIN_IDS):
            joined = ids.slice(start, PLAIN_IDS).str.join("").cast(pl.Binary).item()
            text = np.frombuffer(joined, dtype=np.uint8)
            if ((text < 0x20) | (text == ord('"')) | (text == ord("\\"))).any():
                return False
        return True

    @cached_property
    def _said_texts(self) -> list[str]:
        """The reasons as JSON strings."""
        return [orjson.dumps(why).decode() for why in self._said]

    def between(self, a: int, b: int) -> tuple[str, ...]:
        """The ids of rows a to b."""
        return tuple(self._texts[a:b])

    def reasons_between(self, a: int, b: int) -> dict[str, str]:
        """Why no rule matched each of rows a to b, by id."""
        said = self._said
        return dict(zip(self._texts[a:b], [said[code] for code in self._codes[a:b].tolist()], strict=True))

    def json_parts(self, a: int, b: int, pad: str = "") -> tuple[list[Piece], list[Piece]]:
        """Rows a to b for a JSON document, in pieces (`json_parts`)."""
        return json_parts(self._itself, a, b, pad)

    def _itself(self) -> UnmatchedIds:
        """These ids (what `json_parts` asks for when a piece is made)."""
        return self

    def piece(self, c: int, d: int, pad: str, keyed: bool, first: bool, last: bool) -> Parts:
        """Rows c to d of the list (of the reasons, when `keyed`) as they stand in the whole, in parts."""
        line = "\n" + pad + "  "
        opening, closing = "{}" if keyed else "[]"
        start = f"{opening if first else ','}{line}".encode()
        end = ("\n" + pad + closing if last else "").encode()
        if self._plain:
            # Joined by polars as bytes, handed on as they are: no Python string per id, and the text
            # copied once into Python (the parts are written one after another, not joined again).
            ids = self._between(c, d)
            if keyed:
                # Each id, then `": ` and its reason; between one and the next, `,`, a new line and a quote.
                # (Indexing gathers as `gather` does, without building a query: 100 µs less a piece.)
                joined = (ids + self._follows[self._codes[c:d]]).str.join(f',{line}"')
                return start + b'"', joined.cast(pl.Binary).item(), end
            joined = ids.str.join(f'",{line}"')
            return start + b'"', joined.cast(pl.Binary).item(), b'"' + end
        items = [orjson.dumps(one).decode() for one in self._texts[c:d]]
        if keyed:
            said = [self._said_texts[code] for code in self._codes[c:d].tolist()]
            items = [f"{one}: {why}" for one, why in zip(items, said, strict=True)]
        return start, ("," + line).join(items).encode(), end

    @cached_property
    def _follows(self) -> pl.Series:
        """What follows each id in the reasons, by reason: `": ` and the reason as JSON."""
        return pl.Series([f'": {why}' for why in self._said_texts], dtype=pl.String)


PIECE = 20_000  # unmatched ids (or reasons) made into JSON at a time
PLAIN_IDS = 50_000  # ids joined at a time to see whether any needs escaping (a few MB held at once)
WINDOW = 50_000  # unmatched ids gathered from the events' column at a time (for the pieces within)
Parts = tuple[bytes, ...]  # a piece of JSON: its parts, to be written one after another
Piece = Callable[[], Parts]  # a piece of JSON, made when called


def json_parts(ids: Callable[[], UnmatchedIds], a: int, b: int, pad: str = "") -> tuple[list[Piece], list[Piece]]:
    """Rows a to b of `ids()` as the list and the reasons stand in a JSON document: `between` and
    `reasons_between` as `orjson.dumps(..., option=OPT_INDENT_2)` writes them, each line after the first
    indented by `pad`. Each comes in pieces to make one after another (joined, the whole), `PIECE` ids
    a piece, so that an actor of a million unmatched events is never held whole; `ids` is asked for only
    when a piece is made."""
    if a == b:
        return [partial(tuple, (b"[]",))], [partial(tuple, (b"{}",))]
    cuts = [*range(a, b, PIECE), b]
    spans = list(zip(cuts, cuts[1:], strict=False))
    return (
        [partial(_piece, ids, c, d, pad, False, c == a, d == b) for c, d in spans],
        [partial(_piece, ids, c, d, pad, True, c == a, d == b) for c, d in spans],
    )


def _piece(ids: Callable[[], UnmatchedIds], c: int, d: int, pad: str, keyed: bool, first: bool, last: bool) -> Parts:
    """A piece of `json_parts`."""
    return ids().piece(c, d, pad, keyed, first, last)


def indented(value: object, pad: str) -> bytes:
    """`value` as `orjson.dumps(..., option=OPT_INDENT_2)` writes it, each line after the first indented by `pad`."""
    return orjson.dumps(value, option=orjson.OPT_INDENT_2).replace(b"\n", b"\n" + pad.encode())


NO_IDS = UnmatchedIds(pl.Series([], dtype=pl.String), np.zeros(0, dtype=np.int64), [])  # for actors without events
