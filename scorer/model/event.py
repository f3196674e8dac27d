"""The event model: one coded act, validated field by field with pydantic.

Only readers that validate event by event, and explanation trails, need it:
the package loads it on first use (`scorer.model.Event`), so that a run that
reads a large file by columns never loads pydantic.
"""

from __future__ import annotations

import json
import math
from datetime import date as Date
from typing import Any

import polars as pl
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from scorer.model.fields import (
    MAX_FIELD_CHARS,
    MAX_INTENSITY,
    TESTED_TEXT,
    TYPE_RE,
    fits_float,
    parse_date,
    unprintable,
)
from scorer.model.frame import TEXT_FIELDS
from scorer.problems import printable

__all__ = ["Event", "ValidationError", "to_events"]

AttrValue = StrictStr | StrictBool | StrictInt | StrictFloat


def _texts(value: Any) -> list[str]:
    """The text in a field's value: itself, a list's items, a mapping's names and values."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    if isinstance(value, dict):
        return [text for pair in value.items() for text in pair if isinstance(text, str)]
    return []


class Event(BaseModel):
    """One coded foreign-policy act."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    id: StrictStr = Field(min_length=1)
    date: StrictStr
    actor: StrictStr = Field(min_length=1)
    type: StrictStr
    partner: StrictStr | None = None
    intensity: float = 1.0
    confidence: float = 1.0
    summary: StrictStr | None = None
    source: StrictStr | None = None
    quote: StrictStr | None = None
    tags: list[StrictStr] | None = None
    attrs: dict[StrictStr, AttrValue] | None = None

    @field_validator("date", mode="before")
    @classmethod
    def _year_as_text(cls, value: Any) -> Any:
        # YAML and JSON read a bare year as a number; it is still a date as written.
        """A bare year, read as a number by YAML and JSON, kept as the date written."""
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return value

    @field_validator("date")
    @classmethod
    def _valid_date(cls, value: str) -> str:
        """A date that names a real day, month or year."""
        parse_date(value)
        return value

    @field_validator("type")
    @classmethod
    def _dotted_lower_case(cls, value: str) -> str:
        """A type in dotted lower case."""
        if not TYPE_RE.match(value):
            raise ValueError(f"bad type {value!r}: expected dotted lower case such as 'exercise.decline'")
        return value

    @field_validator("intensity")
    @classmethod
    def _intensity(cls, value: float) -> float:
        """A finite intensity, 0 or more."""
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"intensity must be a finite number >= 0, not {value}")
        if value > MAX_INTENSITY:
            raise ValueError(f"intensity is {value:g}: intensities may be at most {MAX_INTENSITY:g}")
        return value

    @field_validator("confidence")
    @classmethod
    def _confidence(cls, value: float) -> float:
        """A confidence from 0 to 1."""
        if not math.isfinite(value) or not 0 <= value <= 1:
            raise ValueError(f"confidence must be a number from 0 to 1, not {value}")
        return value

    @field_validator("id", "date", "actor", "type", "partner", "summary", "source", "quote", "tags", "attrs")
    @classmethod
    def _plain_text(cls, value: Any, info: ValidationInfo) -> Any:
        # Held to YAML's rule whatever the format, so no ESC reaches a terminal through a report
        # and the same events score the same from YAML, JSON Lines and CSV.
        """Text YAML would accept, and tested fields no longer than the limit."""
        for text in _texts(value):
            bad = unprintable(text)
            if bad is not None:
                raise ValueError(f"holds the control character U+{ord(bad):04X}")
            if info.field_name in TESTED_TEXT + ("tags", "attrs") and len(text) > MAX_FIELD_CHARS:
                raise ValueError(f"longer than {MAX_FIELD_CHARS:,} characters ({len(text):,})")
        return value

    @field_validator("attrs")
    @classmethod
    def _finite_attrs(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        # Numbers elsewhere must be finite; an attribute of NaN would compare false to everything.
        """Attribute numbers that are finite."""
        for name, item in (value or {}).items():
            if isinstance(item, float) and not math.isfinite(item):
                raise ValueError(f"attribute {printable(name)!r} must be a finite number, not {item}")
            if isinstance(item, int) and not fits_float(item):
                raise ValueError(f"attribute {printable(name)!r} is a number too large: more than a float holds")
        return value

    @property
    def day(self) -> Date:
        """The day the event counts from: the first day of a partial date."""
        return parse_date(self.date)


def to_events(frame: pl.DataFrame) -> list[Event]:
    """Event models for the rows of a frame (for explanation trails; no validation again)."""
    events = []
    for row in frame.iter_rows(named=True):
        values = {name: row[name] for name in TEXT_FIELDS if row[name] is not None}
        values["intensity"] = row["intensity"]
        values["confidence"] = row["confidence"]
        if row["tags"] is not None:
            values["tags"] = json.loads(row["tags"])
        if row["attrs"] is not None:
            values["attrs"] = json.loads(row["attrs"])
        events.append(Event.model_construct(**values))
    return events
