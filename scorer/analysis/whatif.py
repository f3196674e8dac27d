"""What-if on the events: score as if some events had not happened (`--without EVENT_ID`), or only some had (`--partner`)."""

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


def toward(events: EventSet, partner: str) -> EventSet:
    """Only the events toward this partner (`--partner CODE`); ValueError listing the partners there are."""
    kept = events.frame.filter(pl.col("partner") == partner)
    if kept.height == 0 and events.frame.height:
        present = sorted(events.frame["partner"].drop_nulls().cast(pl.String).unique().to_list())
        listed = ", ".join(present[:_LISTED]) + (f" and {len(present) - _LISTED} more" if len(present) > _LISTED else "")
        same = [code for code in present if code.casefold() == partner.casefold()]
        hint = f" (did you mean {same[0]!r}?)" if same else ""
        raise ValueError(f"no event has partner {partner!r}{hint}; partners: {listed or 'none'}")
    return EventSet(kept, events.tally, events.sources)


_LISTED = 30  # partners named in the message, at most
