"""Events as the scorer holds them: the field rules, the columns, the pydantic model, the skipped rows.

The pydantic model (`Event`, `to_events`) is loaded on first use: most runs
read and score by columns and never need it, and it costs a noticeable part
of the command's start-up.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from scorer.model.fields import (
    DATE_RE,
    MAX_FIELD_CHARS,
    TESTED_TEXT,
    TYPE_RE,
    UNPRINTABLE_RE,
    Origin,
    parse_date,
    unprintable,
)
from scorer.model.frame import NUMBER_FIELDS, NUMBERS, SCHEMA, TEXT_FIELDS, EventSet, empty, from_events, to_origins
from scorer.model.skipped import Skip, Skipped, Tally

if TYPE_CHECKING:
    from scorer.model.event import Event, ValidationError, to_events

__all__ = [
    "DATE_RE",
    "MAX_FIELD_CHARS",
    "NUMBERS",
    "NUMBER_FIELDS",
    "SCHEMA",
    "TESTED_TEXT",
    "TEXT_FIELDS",
    "TYPE_RE",
    "UNPRINTABLE_RE",
    "ValidationError",
    "Event",
    "EventSet",
    "Origin",
    "Skip",
    "Skipped",
    "Tally",
    "empty",
    "from_events",
    "parse_date",
    "to_events",
    "to_origins",
    "unprintable",
]


def __getattr__(name: str) -> Any:
    """`Event`, `ValidationError` and `to_events`, from the pydantic model's module, loaded when first asked for."""
    if name in ("Event", "ValidationError", "to_events"):
        return getattr(importlib.import_module("scorer.model.event"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
