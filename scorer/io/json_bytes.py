"""Byte-level checks of blocks of JSON Lines: counts of braces, quotes and keys, escapes, strings.

Counted with numpy, slice by slice: an order of magnitude faster than
`bytes.count`, which also holds the interpreter lock.
"""

from __future__ import annotations

import re

import numpy as np

from scorer.model.frame import LEFT_OUT, READ_SCHEMA

_SLICE = 1 << 18  # small enough for the allocator to reuse, so no fresh pages per block


def byte_counts(raw: bytes) -> tuple[int, int, int, int, bool]:
    """The `{`, the `"`, the `":` and the newlines in `raw`, and whether white space comes right before a `:`."""
    text = np.frombuffer(raw, dtype=np.uint8)
    spaces = any(space in raw for space in (b" ", b"\t", b"\r"))  # (a search for one byte is fast)
    braces = quotes = keys = newlines = 0
    spaced = False
    for start in range(0, len(text), _SLICE):
        part = text[start : start + _SLICE]
        after = text[start + 1 : start + _SLICE + 1]  # the next byte of each, across the slice's end
        quote = part == ord('"')
        colon = after == ord(":")
        braces += int(np.count_nonzero(part == ord("{")))
        newlines += int(np.count_nonzero(part == ord("\n")))
        quotes += int(np.count_nonzero(quote))
        keys += int(np.count_nonzero(quote[: len(after)] & colon))
        if spaces:
            before = part[: len(after)]
            spaced = spaced or bool(
                np.any(colon & ((before == ord(" ")) | (before == ord("\t")) | (before == ord("\r"))))
            )
    return braces, quotes, keys, newlines, spaced


# A UTF-16 surrogate written as an escape: Python reads a lone one as it is, polars (2.1)
# as U+0000, which the text checks refuse; rather than rest on that, the exact reader
# decides (a pair, an emoji escaped, costs its block that too).
SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")


def escaped_quotes(raw: bytes) -> np.ndarray:
    """Where the quotes in `raw` are that an escape makes text: right after an odd run of backslashes."""
    text = np.frombuffer(raw, dtype=np.uint8)
    slash = np.flatnonzero(text == ord("\\"))
    after = slash[slash + 1 < len(text)] + 1
    candidates: np.ndarray = after[text[after] == ord('"')]  # quotes right after a backslash
    if not len(candidates):
        return candidates
    run_starts = slash[np.concatenate([[True], np.diff(slash) != 1])]
    start = run_starts[np.searchsorted(run_starts, candidates - 1, side="right") - 1]
    escaped: np.ndarray = candidates[(candidates - start) % 2 == 1]
    return escaped


def outside_strings(raw: bytes, escaped: np.ndarray) -> tuple[int, int]:
    """The `[` and the `{` in `raw` outside JSON strings (each line parsed: its quotes pair up)."""
    text = np.frombuffer(raw, dtype=np.uint8)
    quote = text == ord('"')
    quote[escaped] = False
    # After an opening quote, up to its closing one: the running parity of the quotes, a byte each (a running
    # sum in int64 made 8 bytes a byte of the block, and took 20 times as long).
    inside = np.bitwise_xor.accumulate(quote.view(np.uint8)).view(bool)
    return (
        int(np.count_nonzero((text == ord("[")) & ~inside)),
        int(np.count_nonzero((text == ord("{")) & ~inside)),
    )


# The keys of text for people that a block read for every field reads (not `tags` or `attrs`: lines that
# hold them are read line by line whatever the fields).
_PEOPLES = tuple(f'"{name}"'.encode() for name in sorted(LEFT_OUT & set(READ_SCHEMA)))


def names_text_for_people(raw: bytes) -> bool:
    """Whether `raw` names a field of text for people that polars reads (as a key, or anywhere as that
    quoted word): lines read for the fields scoring reads alone would not pass the checks."""
    return any(key in raw for key in _PEOPLES)
