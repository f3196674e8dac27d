"""The rules every event field follows, whatever file it came from: dates, types, text, limits."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date as Date

# Also run by polars (the column reader) on a large file's distinct values: keep them in the syntax both share.
DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
TYPE_RE = re.compile(r"^[a-z0-9_]+(?:\.[a-z0-9_]+)*$")

# A field that rules can test holds at most MAX_FIELD_CHARS characters: a rule's
# regex runs on it, and the check of regexes at load (`scorer.pack.patterns`) bounds
# their cost for values of that length. Summary and quote are shown, never tested.
MAX_FIELD_CHARS = 1000
TESTED_TEXT = ("id", "actor", "type", "partner", "source")

# An intensity is "how strong the event is", a few units on most scales (|Goldstein| is
# at most 10). It is multiplied by weights (at most 1e6 either way) and added up over an
# actor's events: past a trillion it is a mistake, and sums of such could reach infinity.
MAX_INTENSITY = 1e12

# The characters YAML refuses in a file: C0 and C1 controls other than tab and
# line breaks, DEL, surrogates, U+FFFE and U+FFFF. Text from any input format
# is held to the same rule, so an ESC cannot reach a terminal through a report.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
# The same rule for polars (Rust regex, where text never holds surrogates).
UNPRINTABLE_RE = r"[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F\x{FFFE}\x{FFFF}]"


def parse_date(text: str) -> Date:
    """First day of the period a `YYYY`, `YYYY-MM` or `YYYY-MM-DD` date names; ValueError otherwise."""
    found = DATE_RE.match(text)
    if not found:
        raise ValueError(f"bad date {text!r}: expected YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = found.groups()
    try:
        return Date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        raise ValueError(f"bad date {text!r}: no such day") from None


def last_day(text: str) -> Date:
    """Last day of the period a `YYYY`, `YYYY-MM` or `YYYY-MM-DD` date names; ValueError otherwise."""
    first = parse_date(text)
    if len(text) == len("YYYY"):
        return Date(first.year, 12, 31)
    if len(text) == len("YYYY-MM"):
        following = Date(first.year + first.month // 12, first.month % 12 + 1, 1)
        return Date.fromordinal(following.toordinal() - 1)
    return first


def unprintable(text: str) -> str | None:
    """The first character of `text` that YAML would refuse in a file, or None."""
    found = _UNPRINTABLE.search(text)
    return found.group() if found else None


@dataclass(frozen=True)
class Origin:
    """Where an event was read: for reports and for duplicate-id messages."""

    file: str
    line: int
    col: int


def fits_float(value: int) -> bool:
    """Whether a whole number can be held as a float (at most about 1.8e308 either way)."""
    try:
        float(value)
    except OverflowError:
        return False
    return True


def too_large(text: str) -> str:
    """The problem of a number written as `text` that no float can hold."""
    digits = text.strip().lstrip("+-")
    shown = text.strip() if len(digits) <= 24 else f"{text.strip()[:12]}... ({len(digits):,} digits)"
    return f"number too large: {shown} is more than a float holds (about 1.8e308)"
