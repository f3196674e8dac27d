"""What the row readers of machine-coded event data share: rows that fail, events made from rows, numbers in cells.

A row reader (GDELT's, ICEWS's) turns one tab-separated row into an event or
raises `RowError`, which becomes a `Skip` naming the row's line and column.
`Reading` gathers what one file gave: its events as columns, its skips, its
row count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import polars as pl

from scorer import model
from scorer.model.fields import MAX_FIELD_CHARS, TESTED_TEXT, TYPE_RE, Origin, parse_date, unprintable
from scorer.model.frame import empty, from_events
from scorer.model.skipped import Skipped

if TYPE_CHECKING:
    from scorer.model.event import Event

Intensity = Literal["goldstein", "one"]
INTENSITIES: tuple[str, ...] = ("goldstein", "one")


class RowError(Exception):
    """Raised by a row reader: the row cannot become an event; `field` is the index of the culprit."""

    def __init__(self, reason: str, detail: str, field: int = 0) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.field = field


_SLICE = 4096  # events held as models at a time: then they are columns

_COMPACT = 8  # frames of blocks made one at a time


@dataclass
class Reading:
    """What one file gave: its events as columns (with where each was read), the rows skipped, the row count.

    Events are added one by one and made columns a slice at a time, so that a
    file of millions of rows never holds a model (and its attributes) per row.
    """

    skipped: Skipped = field(default_factory=Skipped)
    rows: int = 0
    _frames: list[pl.DataFrame] = field(default_factory=list)
    _events: list[Event] = field(default_factory=list)
    _origins: list[Origin] = field(default_factory=list)
    _loose: int = 0  # frames added since the last were made one

    def add(self, event: Event, origin: Origin) -> None:
        """Add one event and where it was read."""
        self._events.append(event)
        self._origins.append(origin)
        if len(self._events) >= _SLICE:
            self._flush()

    def add_frame(self, frame: pl.DataFrame) -> None:
        """Events already made columns (`scorer.model.SCHEMA`), after those added so far."""
        self._flush()
        self._frames.append(frame)
        self._loose += 1
        if self._loose == _COMPACT:
            # The latest blocks made one frame, a chunk a column: scoring gathers from a few chunks much
            # faster than from one per block, and copying a few blocks at a time holds little more.
            self._frames[-_COMPACT:] = [pl.concat(self._frames[-_COMPACT:], rechunk=True)]
            self._loose = 0

    def _flush(self) -> None:
        """The events added so far made columns."""
        if self._events:
            self._frames.append(from_events(self._events, self._origins))
            self._events, self._origins = [], []

    @property
    def frame(self) -> pl.DataFrame:
        """Every event read, as columns."""
        self._flush()
        if len(self._frames) > 1:
            self._frames = [pl.concat(self._frames)]
        return self._frames[0] if self._frames else empty()

    @property
    def events(self) -> list[Event]:
        """The events as models (for a look at a few; `frame` is what scoring reads)."""
        return model.to_events(self.frame)


def cell_col(fields: list[str], index: int) -> int:
    """1-based character column where field `index` of a tab-separated line starts."""
    return len("\t".join(fields[:index])) + (2 if index else 1)


def event(**values: Any) -> Event:
    """An event from values a row reader has made and checked.

    A row reader makes each value of the right kind, and its dates, types and
    numbers valid; what it copies from the file is text. Where that text passes
    the model's text rules (`_plain`), the model is built without validating
    again (pydantic's validation took ~35 us a row, most of a GDELT read);
    otherwise pydantic validates it and names what is wrong.
    """
    if _plain(values):
        return model.Event.model_construct(**values)
    try:
        return model.Event.model_validate(values)
    except model.ValidationError as err:
        first = err.errors()[0]
        name = ".".join(str(part) for part in first["loc"]) or "event"
        raise RowError("invalid event", f"field '{name}': {first['msg']}") from None


def _plain(values: dict[str, Any]) -> bool:
    """Whether an event's values surely pass the model's checks: the same rules, on all its text at once."""
    more: list[str] = list(values.get("tags") or ())  # tags, and attributes' names and text
    for name, value in (values.get("attrs") or {}).items():
        more.append(name)
        if isinstance(value, str):
            more.append(value)
        elif isinstance(value, float) and not math.isfinite(value):
            return False
    texts = [value for value in values.values() if isinstance(value, str)] + more
    capped = [values[name] for name in TESTED_TEXT if isinstance(values.get(name), str)] + more
    numbers = [values.get("intensity"), values.get("confidence")]
    try:
        parse_date(values["date"])
    except (KeyError, TypeError, ValueError):
        return False
    return (
        all(isinstance(values.get(name), str) and values[name] for name in ("id", "actor", "type"))
        and TYPE_RE.match(values["type"]) is not None
        and all(isinstance(n, float) and math.isfinite(n) for n in numbers)
        and numbers[0] >= 0  # type: ignore[operator]
        and 0 <= numbers[1] <= 1  # type: ignore[operator]
        and not any(len(text) > MAX_FIELD_CHARS for text in capped)
        and unprintable("\n".join(texts)) is None  # (a newline is not among the characters refused)
    )


def intensity_of(goldstein: float, intensity: Intensity) -> float:
    """An event's intensity from its Goldstein value: its magnitude, or 1."""
    return abs(goldstein) if intensity == "goldstein" else 1.0


def number(text: str, name: str, index: int, *, low: float | None = None, high: float | None = None) -> float:
    """A finite number from a cell, within [low, high]; RowError otherwise."""
    try:
        value = float(text)
    except ValueError:
        raise RowError("bad number", f"{name} is {text!r}, not a number", index) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise RowError("bad number", f"{name} is {text!r}, not a finite number", index)
    if (low is not None and value < low) or (high is not None and value > high):
        raise RowError("bad number", f"{name} is {text!r}, outside {low} to {high}", index)
    return value


def whole(text: str, name: str, index: int) -> int:
    """A whole number >= 0 from a cell; RowError otherwise."""
    if not text.isdigit():
        raise RowError("bad number", f"{name} is {text!r}, not a whole number", index)
    return int(text)


