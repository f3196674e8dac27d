"""One block of JSON Lines read by polars and checked by columns (`block_columns`), for `scorer.io.columns`.

polars reads a block's fields without saying what it left out or turned into
what; the checks here (byte counts, then the values) make sure every line
is one the exact reader would take as it stands. A block they are not sure
of is the caller's to validate line by line.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from scorer.io.json_bytes import SURROGATE, byte_counts, escaped_quotes, outside_strings
from scorer.model.fields import MAX_FIELD_CHARS, MAX_INTENSITY, TESTED_TEXT, UNPRINTABLE_RE
from scorer.model.frame import READ_SCHEMA, SCHEMA, TEXT_FIELDS
from scorer.problems import Problem

# Read as text (polars reads text faster than categories), made Categorical block by
# block and checked once per distinct value; the other text is checked block by block.
CATEGORICAL = ("date", "actor", "type", "partner")
PLAIN_TEXT = tuple(name for name in TEXT_FIELDS if name not in CATEGORICAL)
KEPT = {name: SCHEMA[name] if name in CATEGORICAL else kind for name, kind in READ_SCHEMA.items()}  # a block's kinds

# A block's rows, whether it is all ASCII, how many lines it holds, each row's line
# counted from the block's first (None: row i is line i + 1), and the problems of the
# lines it could not read (lines counted from the block's first).
Read = tuple[pl.DataFrame, bool, int, np.ndarray | None, list[Problem]]


def block_columns(raw: bytes, schema: dict[str, pl.DataType] = READ_SCHEMA, parsed: pl.DataFrame | None = None) -> Read | None:
    """Whole lines of JSON as a frame of `READ_SCHEMA`, if every check passes; else None.

    polars makes the fields of `schema` (`USUAL` or `READ_SCHEMA`); the others are none. `parsed`: what
    `pl.read_ndjson(raw, schema=schema)` made of them already (`scorer.io.early`), checked the same.
    """
    try:
        read = parsed if parsed is not None else pl.read_ndjson(raw, schema=schema)
    except Exception:  # noqa: BLE001 - any trouble at all: the exact reader will say what it is
        return None
    frame = read.select(pl.col(name) if name in schema else pl.lit(None, kind).alias(name) for name, kind in READ_SCHEMA.items())
    # polars silently drops unknown fields, reads null as absent, turns numbers and
    # booleans into text where the schema says text, and a list or an object into its
    # JSON text (where it says a number, any of these is an error). Where no quote is
    # escaped (no backslash), `":` ends a key and nothing else, unless white space comes
    # between (then the exact reader looks). So each line holds at least one `":` per
    # field read, and exactly one when it holds no other key: then it holds two quotes
    # per key, two per text value that is a JSON string and none elsewhere. Counted over
    # the block, as many `":` as fields read and twice as many quotes as fields read and
    # text fields read mean: no unknown key, no null, and every text value a string.
    # `[` is refused outright; one `{` per line (every line that parsed holds one) rules
    # out objects; DEL is the one control character polars takes in a string. As many
    # newlines as rows (or one fewer, at the end of a file) means no blank line, which
    # would shift the line numbers. None of this rests on which fields were read: a key
    # of a field not read is a `":` no value counts, and the block fails.
    escapes = b"\\" in raw
    if frame.height == 0 or b"\x7f" in raw or (escapes and SURROGATE.search(raw)):
        return None
    fields, texts = frame.select(
        pl.sum_horizontal([pl.col(name).count() for name in READ_SCHEMA]).alias("fields"),
        pl.sum_horizontal([pl.col(name).count() for name in TEXT_FIELDS]).alias("texts"),
    ).row(0)
    braces, quotes, keys, newlines, spaced = byte_counts(raw)
    escaped = escaped_quotes(raw) if escapes else np.zeros(0, dtype=np.int64)
    if len(escaped):
        # A quote after an odd run of backslashes is text: not counted as a string's end.
        followed = escaped[escaped + 1 < len(raw)] + 1
        quotes -= len(escaped)
        keys -= int(np.count_nonzero(np.frombuffer(raw, dtype=np.uint8)[followed] == ord(":")))
    if b"[" in raw or braces != frame.height:
        # A `[` or `{` in a text is text: only those outside strings count.
        brackets, braces = outside_strings(raw, escaped)
        if brackets:
            return None
    if braces != frame.height or quotes != 2 * fields + 2 * texts or keys != fields or spaced:
        return None
    if newlines not in (frame.height, frame.height - 1):
        return None
    ascii = raw.isascii() and not escapes  # (an escape may stand for any character)
    if not _values_pass(frame, ascii):
        return None
    # Kept as little as it can be: a column the block does not fill as a constant,
    # text with few distinct values as categories.
    kept = frame.select(
        pl.lit(None, kind).alias(name) if frame[name].null_count() == frame.height else pl.col(name).cast(kind)
        for name, kind in KEPT.items()
    )
    return kept, ascii, frame.height, None, []  # no blank line (checked above): row i is line i + 1


def _values_pass(frame: pl.DataFrame, ascii: bool) -> bool:
    """Whether every value of a block is one the exact reader takes as it stands (else it reads the block)."""
    confidence = pl.col("confidence")
    checks = frame.select(
        (pl.col("id").is_null().any() | (pl.col("id") == "").any()).alias("id"),
        *[pl.col(name).is_null().any().alias(name) for name in ("actor", "type", "date")],
        ((pl.col("intensity") < 0) | (pl.col("intensity") > MAX_INTENSITY) | ~pl.col("intensity").is_finite())
        .any()
        .alias("intensity"),
        (((confidence < 0) | (confidence > 1)).any() | ~confidence.is_finite().all()).alias("confidence"),
        # Text the exact reader may refuse: over-long tested fields, control characters
        # (polars refuses those below 0x20 in a string; DEL is looked for above, and
        # the others are not ASCII).
        *[
            (pl.col(name).str.len_bytes() > MAX_FIELD_CHARS).any().alias(f"n{name}")
            for name in TESTED_TEXT
            if name in PLAIN_TEXT
        ],
        *[pl.col(name).str.contains(UNPRINTABLE_RE).any().alias(f"c{name}") for name in PLAIN_TEXT if not ascii],
    ).row(0)
    return not any(checks)
