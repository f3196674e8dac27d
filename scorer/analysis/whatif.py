"""What-if on the events: score as if some events had not happened (`--without EVENT_ID`)."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from scorer.model.frame import EventSet


def without(events: EventSet, ids: Sequence[str]) -> EventSet:
    """The events less those with these ids; ValueError naming every id that is not among them."""
    if not ids:
        return events
    wanted = list(dict.fromkeys(ids))
    known = set(events.frame.filter(pl.col("id").is_in(wanted))["id"].to_list())
    missing = [event_id for event_id in wanted if event_id not in known]
    if missing:
        raise ValueError("no event " + ", ".join(repr(event_id) for event_id in missing) + " among the events")
    return EventSet(events.frame.filter(~pl.col("id").is_in(wanted)), events.tally, events.sources)
