"""What reports call an event: what happened, by whom, to whom and when, where an id alone would say nothing.

Machine-coded events (GDELT, ICEWS) carry ids that are row numbers of a
database and a type that is a CAMEO code (`cameo.042`). A reader needs the
act: `GEO -> RUS 042 Make a visit, 2012-08-14`. Hand-coded events keep their
ids, which their authors chose to be read.
"""

from __future__ import annotations

from collections.abc import Mapping

from scorer.io.machine_coded.cameo import cameo_code
from scorer.scoring.actor import ActorScore

CAMEO_PREFIX = "cameo."


def happened(kind: str) -> str | None:
    """What a CAMEO event type says happened (`042 Make a visit`); None for any other type."""
    if not kind.startswith(CAMEO_PREFIX):
        return None
    code = cameo_code(kind[len(CAMEO_PREFIX) :])
    if code is None:
        return None
    # Root codes are written in capitals in the codebook; reports read better in sentence case.
    description = code.description.capitalize() if code.description.isupper() else code.description
    return f"{code.code} {description}"


def act(actor: str | None, partner: str | None, kind: str) -> str | None:
    """`GEO -> RUS 042 Make a visit` (the actor left out when None); None when the type is not a CAMEO code."""
    what = happened(kind)
    if what is None:
        return None
    who = " -> ".join(part for part in (actor, partner) if part)
    if partner and not actor:
        who = f"-> {partner}"
    return f"{who} {what}" if who else what


def event_label(event_id: str, actor: str | None, partner: str | None, kind: str, date: str) -> str:
    """`GEO -> RUS 042 Make a visit, 2012-08-14` for a CAMEO event; the event's id for any other."""
    what = act(actor, partner, kind)
    return event_id if what is None else f"{what}, {date}"


def arrowed(text: str) -> str:
    """A label for pages and charts, which have the arrow plain text lacks: `GEO → RUS 042 Make a visit`."""
    return text.replace(" -> ", " → ")


def labels_by_id(events: Mapping[str, tuple[str, str | None, str, str]]) -> dict[str, str]:
    """Each event's label by id, from (actor, partner, type, date)."""
    return {
        event_id: event_label(event_id, actor, partner, kind, date)
        for event_id, (actor, partner, kind, date) in events.items()
    }


def acts_by_id(actor: ActorScore) -> dict[str, str]:
    """What happened in each of an actor's CAMEO-coded events, by id (`-> RUS 042 Make a visit`); {} if none is."""
    columns = actor.fields(["id", "partner", "type"])
    return {
        event_id: what
        for event_id, partner, kind in zip(columns["id"], columns["partner"], columns["type"], strict=True)
        if (what := act(None, partner, kind)) is not None
    }
