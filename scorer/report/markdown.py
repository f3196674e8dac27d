"""Markdown reports: the timeline and the explanation, with text from input files made inert."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

from scorer.report.explanation import rule_uses
from scorer.report.format import collapse, contexts, heading, md_alt, md_code, md_text, signed
from scorer.report.labels import act, acts_by_id, arrowed, labels_by_id
from scorer.scoring.actor import ActorScore, Step
from scorer.scoring.score import Score


def timeline_markdown(score: Score) -> str:
    """The timeline of every actor as markdown tables."""
    axes = list(score.pack.scoring.axes)
    blocks = []
    for name, actor in score.actors.items():
        periodic = bool(actor.timeline) and actor.timeline[0].period is not None
        described = {} if periodic else acts_by_id(actor)
        headers = (["period", "date", "events"] if periodic else ["date", "event"]) + axes + ["balance", "lean"]
        headers += ["what happened"] if described else []
        lead = 3 if periodic else 2
        lines = [f"## {md_text(name)}", "", md_text(heading(score, name, actor)), ""]
        if not actor.timeline:
            lines += [f"No events on or before {actor.final.date}.", ""]
            lines.append("Unmatched: none")
            blocks.append("\n".join(lines))
            continue
        lines.append("| " + " | ".join(headers) + " |")
        lines.append("|" + "|".join("---" if i < lead or i >= lead + len(axes) + 2 else "---:" for i in range(len(headers))) + "|")
        for row in actor.timeline:
            first = [md_text(row.period or ""), md_text(row.date), str(row.events)] if periodic else [
                md_text(row.date),
                md_code(row.event or ""),
            ]
            cells = first + [signed(row.totals[a]) for a in axes] + [signed(row.balance), signed(row.lean)]
            cells += [md_text(arrowed(described.get(row.event or "", "")))] if described else []
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
        lines.append("Unmatched: " + (", ".join(md_code(e) for e in actor.unmatched) if actor.unmatched else "none"))
        blocks.append("\n".join(lines))
    return "# Alignment score\n\n" + ("\n\n".join(blocks) if blocks else "No events to score.") + "\n"



def explain_markdown(
    score: Score,
    *,
    top: int | None = 10,
    event: str | None = None,
    charts: Mapping[str, tuple[str, str]] | None = None,
) -> str:
    """The markdown report; `charts` gives per actor the balance chart and the drivers chart (PNG files) it links."""
    where = score.pack.locations()
    axes = list(score.pack.scoring.axes)
    blocks = []
    for name, actor in score.actors.items():
        lines = [f"## {md_text(name)}", "", md_text(heading(score, name, actor)), ""]
        images = (charts or {}).get(name)
        if images:
            lines += ["### Balance over time", "", f"![{md_alt(name)}: balance over time]({quote(images[0], errors='surrogateescape')})", ""]
            lines += ["Markers are numbered as the events below.", ""]
        lines += ["### Events", ""]
        if not actor.trail:
            lines += [f"No events on or before {actor.final.date}.", ""]
        for number, step in enumerate(actor.trail, 1):
            if event is not None and step.event.id != event:
                continue
            lines += _event_markdown(number, step, where, axes, actor.unmatched_reasons)
        lines += ["### Drivers of the final balance", ""]
        if images:
            lines += [f"![{md_alt(name)}: drivers of the final balance]({quote(images[1], errors='surrogateescape')})", ""]
        lines += _drivers_markdown(actor, where, top)
        lines += _rules_markdown(score, actor)
        lines += ["### Unmatched events", ""]
        unmatched = [(n, step) for n, step in enumerate(actor.trail, 1) if not step.matches]
        for number, step in unmatched:
            e = step.event
            summary = f": {md_text(' '.join(e.summary.split()))}" if e.summary else ""
            why = md_text(actor.unmatched_reasons.get(e.id, "unmatched"))
            lines.append(f"- Event {number}, {md_text(e.date)} {md_code(e.id)} ({md_text(e.type)}){summary}; {why}")
        if not unmatched:
            lines.append("None: every event matched at least one rule.")
        blocks.append("\n".join(lines))
    return "# Why the score is what it is\n\n" + ("\n\n".join(blocks) if blocks else "No events to explain.") + "\n"


def _event_markdown(
    number: int, step: Step, where: dict[str, str], axes: list[str], why: Mapping[str, str]
) -> list[str]:
    """One event of the trail: what it was, its texts, the rules that fired (and after what), the running totals."""
    e = step.event
    what = act(e.actor, e.partner, e.type)
    kind = md_text(arrowed(what)) if what else md_text(e.type) + (f" → {md_text(e.partner)}" if e.partner else "")
    lines = [f"#### {number}. {md_text(e.date)} {md_code(e.id)} — {kind}", ""]
    for label, text in (("Summary", e.summary), ("Source", e.source), ("Quote", e.quote)):
        if text:
            lines.append(f"- {label}: {md_text(' '.join(text.split()))}")
    if step.matches:
        lines += [
            "",
            "| rule | defined at | axis | weight | intensity | confidence | contribution |",
            "|---|---|---|---:|---:|---:|---:|",
        ]
        for m in step.matches:
            lines.append(
                f"| {md_code(m.rule)} | {md_code(where[m.rule])} | {md_text(m.axis)} | {signed(m.weight)} | "
                f"{m.intensity:.2f} | {m.confidence:.2f} | {signed(m.contribution)} |"
            )
        found = contexts(step.matches)
        if found:
            lines.append("")
            lines += [f"- `{rule}`: {md_text(text)}" for rule, text in found]
    else:
        lines.append(f"- No rule matched: {md_text(why.get(e.id, 'unmatched'))}.")
    totals = ", ".join(f"{md_text(a)} {signed(step.totals[a])}" for a in axes)
    lines += ["", f"Running: {totals}; balance **{signed(step.balance)}**", ""]
    return lines


def _drivers_markdown(actor: ActorScore, where: dict[str, str], top: int | None) -> list[str]:
    """The drivers of the final balance as two tables: by event (CAMEO events with what happened) and by rule."""
    events, _ = collapse(actor.event_drivers, top)
    labels = labels_by_id(actor.described([share.name for share in events]))
    described = {key: text for key, text in labels.items() if text != key}
    lines: list[str] = []
    for title, shares, located in (("Events", actor.event_drivers, False), ("Rules", actor.rule_drivers, True)):
        shown, rest = collapse(shares, top)
        second = "defined at" if located or not described else "what happened"
        lines += [f"| {title[:-1].lower()} | {second} | share |", "|---|---|---:|"]
        for share in shown + ([rest] if rest else []):
            at = md_code(where[share.name]) if located and share.name in where else ""
            at = md_text(arrowed(described.get(share.name, ""))) if not located and described else at
            label = md_code(share.name) if share is not rest else share.name
            lines.append(f"| {label} | {at} | {signed(share.share)} |")
        lines += [f"| **final balance** | | **{signed(actor.final.balance)}** |", ""]
    return lines


def _rules_markdown(score: Score, actor: ActorScore) -> list[str]:
    """The rule table: where each rule is defined, its weights, how often it fired, its share."""
    uses = rule_uses(actor, score.pack)
    lines = ["### Rules", "", "| rule | defined at | weights | fired on | share |", "|---|---|---|---:|---:|"]
    for use in uses:
        if not use.fired:
            continue
        weights = ", ".join(f"{md_text(axis)} {signed(w)}" for axis, w in use.rule.signals.items())
        share = "—" if use.share is None else signed(use.share)
        disabled = "" if use.rule.enabled else " (disabled)"
        lines.append(
            f"| {md_code(use.rule.id)}{disabled} | {md_code(use.rule.where)} | {weights} | {use.fired} | {share} |"
        )
    idle = [use for use in uses if not use.fired]
    if idle:
        names = ", ".join(f"{md_code(use.rule.id)} ({md_code(use.rule.where)})" for use in idle)
        lines += ["", f"Did not fire on these events ({len(idle)}): {names}."]
    return lines + [""]
