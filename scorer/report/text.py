"""Plain-text reports for the terminal: the timeline, the explanation with its drivers, the weights."""

from __future__ import annotations

from scorer.pack.model import Rule, RulePack
from scorer.report.format import Palette, collapse, contexts, heading, signed, table, toward
from scorer.report.labels import act, acts_by_id, labels_by_id
from scorer.report.ranking import ranking_text
from scorer.scoring.actor import ActorScore
from scorer.scoring.score import Score


def timeline_text(score: Score, palette: Palette) -> str:
    """One actor's timeline as an aligned table; for several actors, the ranking (`--actor` picks one)."""
    if len(score.actors) > 1:
        return ranking_text(score, palette)
    scoring = score.pack.scoring
    axes = list(scoring.axes)
    poles = [toward(a, scoring.plus, scoring.minus) for a in axes]
    blocks = []
    for name, actor in score.actors.items():
        periodic = bool(actor.timeline) and actor.timeline[0].period is not None
        described = {} if periodic else acts_by_id(actor)
        headers = (["period", "date", "events"] if periodic else ["date", "event"]) + axes + ["balance", "lean"]
        headers += ["what happened"] if described else []
        rows, values = [], []
        for row in actor.timeline:
            first = [row.period or "", row.date, str(row.events)] if periodic else [row.date, row.event or ""]
            last = [described.get(row.event or "", "")] if described else []
            rows.append(first + [signed(row.totals[a]) for a in axes] + [signed(row.balance), signed(row.lean)] + last)
            moved = [row.totals[a] * pole for a, pole in zip(axes, poles, strict=True)]
            values.append([None] * len(first) + moved + [row.balance, row.lean] + [None] * len(last))
        lead = 3 if periodic else 2
        right = set(range(lead, lead + len(axes) + 2)) | ({2} if periodic else set())
        lines = [palette.bold(heading(score, name, actor, palette)), ""]
        if rows:
            lines += table(headers, rows, right, palette, values)
        else:
            lines.append(f"no events on or before {actor.final.date}")
        lines.append("")
        lines.append("unmatched: " + (", ".join(actor.unmatched) if actor.unmatched else "none"))
        blocks.append("\n".join(lines))
    if not blocks:
        return "no events to score\n"
    return "\n\n".join(blocks) + "\n"


def explain_text(score: Score, palette: Palette, *, top: int | None = 10, event: str | None = None) -> str:
    """Every event with the rules that fired on it, then the drivers of the final balance."""
    where = score.pack.locations()
    axes = list(score.pack.scoring.axes)
    scoring = score.pack.scoring
    blocks = []
    for name, actor in score.actors.items():
        lines = [palette.bold(heading(score, name, actor, palette)), ""]
        if not actor.trail:
            lines += [f"no events on or before {actor.final.date}", ""]
        why = actor.unmatched_reasons
        for step in actor.trail:
            if event is not None and step.event.id != event:
                continue
            e = step.event
            what = act(e.actor, e.partner, e.type) or (f"{e.type} -> {e.partner}" if e.partner else e.type)
            lines.append(palette.bold(f"{e.date}  {e.id}  {what}"))
            for label, text in (("summary", e.summary), ("source", e.source), ("quote", e.quote)):
                if text:
                    lines.append(f"    {label}: {' '.join(text.split())}")
            if not step.matches:
                lines.append(f"    no rule matched: {why.get(e.id, 'unmatched')}")
            rows, values = [], []
            for m in step.matches:
                pole = toward(m.axis, scoring.plus, scoring.minus)
                rows.append(
                    [
                        m.rule,
                        where[m.rule],
                        m.axis,
                        signed(m.weight),
                        f"x{m.intensity:.2f}",
                        f"x{m.confidence:.2f}",
                        "= " + signed(m.contribution),
                    ]
                )
                values.append([None, None, None, m.weight * pole, None, None, m.contribution * pole])
            if rows:
                body = table(
                    ["rule", "defined at", "axis", "weight", "int.", "conf.", "contribution"],
                    rows,
                    {3, 4, 5, 6},
                    palette,
                    values,
                )
                lines += ["    " + line for line in body]
                lines += [f"    {rule}: {text}" for rule, text in contexts(step.matches)]
            totals = ", ".join(f"{a} {signed(step.totals[a])}" for a in axes)
            lines.append(f"    running: {totals}; balance {palette.signed(step.balance, signed(step.balance))}")
            lines.append("")
        lines += _drivers_text(actor, where, palette, top)
        lines.append("")
        lines.append("unmatched: " + (", ".join(actor.unmatched) if actor.unmatched else "none"))
        blocks.append("\n".join(lines))
    if not blocks:
        return "no events to explain\n"
    return "\n\n".join(blocks) + "\n"


def _drivers_text(actor: ActorScore, where: dict[str, str], palette: Palette, top: int | None) -> list[str]:
    """The waterfalls of the final balance by event and by rule, as tables (CAMEO events with what happened)."""
    lines = [palette.bold(f"Drivers of the final balance {signed(actor.final.balance)} on {actor.final.date}")]
    events, _ = collapse(actor.event_drivers, top)
    labels = labels_by_id(actor.described([share.name for share in events]))
    described = {name: text for name, text in labels.items() if text != name}
    for title, shares, located in (("event", actor.event_drivers, False), ("rule", actor.rule_drivers, True)):
        extra = "defined at" if located else "what happened" if described else ""
        where_of = where if located else described
        shown, rest = collapse(shares, top)
        rows, values = [], []
        running = 0.0
        listed = shown + ([rest] if rest else [])
        for number, share in enumerate(listed, start=1):
            # The shares add up to the final balance; summed in another order the last bits can
            # differ, so the last cumulative is the final balance itself, printed the same way.
            running = actor.final.balance if number == len(listed) else running + share.share
            at = [where_of.get(share.name, "")] if extra else []
            rows.append([share.name, *at, signed(share.share), signed(running)])
            values.append([None, *([None] if extra else []), share.share, running])
        rows.append(["= final balance", *([""] if extra else []), signed(actor.final.balance), ""])
        values.append([None, *([None] if extra else []), actor.final.balance, None])
        headers = [title, *([extra] if extra else []), "share", "cumulative"]
        numeric = {len(headers) - 2, len(headers) - 1}
        lines.append("")
        lines += ["  " + line for line in table(headers, rows, numeric, palette, values)]
    return lines



def weights_text(pack: RulePack) -> str:
    """Every rule with where it is defined and its weights."""
    rows = []
    for r in pack.rules:
        signals = ", ".join(f"{axis} {signed(w)}{_range(pack, r, axis)}" for axis, w in r.signals.items())
        rows.append([r.id, r.where, "yes" if r.enabled else "no", signals])
    return "\n".join(table(["rule", "defined at", "enabled", "signals"], rows, set())) + "\n"


def _range(pack: RulePack, rule: Rule, axis: str) -> str:
    """` [low, high]` after a weight that may vary, nothing after one that may not."""
    low, high = pack.weight_range(rule, axis)
    return f" [{signed(low)}, {signed(high)}]" if high > low else ""
