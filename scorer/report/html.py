"""The HTML report of `scorer explain --format html`: one self-contained file an analyst can publish.

Charts are inline SVG (matplotlib), styles inline, no script at all, and a
Content-Security-Policy that forbids fetching or running anything: the page
reads the same offline, from an e-mail attachment or an archive. Every piece
of text that came from an input file (ids, summaries, sources, quotes, rule
descriptions, file names) is escaped, so a summary of `<script>` is shown as
those characters.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from scorer import __version__
from scorer.analysis.indices import GlobalSensitivity
from scorer.analysis.sensitivity import ActorSensitivity, Sensitivity
from scorer.analysis.uncertain import Bands
from scorer.pack.model import RulePack, Scoring
from scorer.report.charts import driver_bars, timeline_chart, tornado_chart, waterfall_chart
from scorer.report.explanation import Bar, RuleUse, effect, rule_uses
from scorer.report.format import clean, contexts, signed
from scorer.report.sensitivity import verdict
from scorer.report.uncertainty_html import robustness_html, sobol_section
from scorer.scoring.actor import ActorScore, Step
from scorer.scoring.score import Score

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

_CSS = """
:root { --plus: #2563eb; --minus: #dc2626; --muted: #6b7280; --line: #e5e7eb; }
/* Blue moves the balance toward its plus pole, red toward its minus pole. */
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       color: #111827; margin: 0 auto; padding: 1.5rem 2rem 3rem; max-width: 1180px; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.35rem; margin: 2.2rem 0 .3rem; padding-top: .8rem; border-top: 3px solid #111827; }
h3 { font-size: 1.08rem; margin: 1.8rem 0 .5rem; }
.meta, .note { color: var(--muted); font-size: .88rem; margin: .2rem 0; }
.headline { font-size: 1.12rem; margin: .3rem 0; }
.verdict { margin: .4rem 0; padding: .45rem .7rem; background: #fef3c7; border-left: 4px solid #d97706; }
figure { margin: .4rem 0 1rem; }
figure svg { display: block; width: 100%; height: auto; max-width: 1100px; }
table { border-collapse: collapse; width: 100%; font-size: .86rem; margin: .3rem 0 1rem; }
th, td { border-bottom: 1px solid var(--line); padding: .3rem .45rem; text-align: left; vertical-align: top; }
th { background: #f9fafb; font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.pos { color: var(--plus); } .neg { color: var(--minus); }
code, .id { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .84em; white-space: nowrap; }
.where { color: var(--muted); white-space: nowrap; }
.nw { white-space: nowrap; }
th.wrap { white-space: normal; }
table.events td.text { width: 36%; }
table.rules td.text { width: 40%; }
.fired li { margin-bottom: .25rem; }
.event-text p { margin: 0 0 .2rem; }
.event-text .quote { font-style: italic; }
.fired { margin: 0; padding: 0; list-style: none; }
.flip { color: var(--minus); font-weight: 600; }
tr.others td, tr.total td { font-weight: 600; }
details summary { cursor: pointer; color: var(--muted); font-size: .88rem; }
nav a { margin-right: 1rem; }
"""


def _e(text: object) -> str:
    """Text from input files as inert HTML (attribute-safe too)."""
    return html.escape(str(text), quote=True)


def _num(value: float, places: int = 2) -> str:
    value = clean(value)
    rounded = round(value, places)
    css = "pos" if rounded > 0 else "neg" if rounded < 0 else ""
    return f'<span class="{css}">{signed(value, places)}</span>' if css else signed(value, places)


def _on_axis(axis: str, value: float, scoring: Scoring) -> str:
    """A value on one axis, coloured by the way it moves the balance: the minus pole's numbers count against it."""
    toward = 1.0 if axis == scoring.plus else -1.0 if axis == scoring.minus else 0.0
    text = signed(value)
    css = "pos" if toward * round(value, 2) > 0 else "neg" if toward * round(value, 2) < 0 else ""
    return f'<span class="{css}">{text}</span>' if css else text


def _svg(data: bytes, label: str) -> str:
    """A matplotlib SVG ready to sit inside HTML: no XML prolog, described for screen readers."""
    text = data.decode("utf-8")
    text = text[text.index("<svg") :]
    # The RDF metadata block says nothing a reader of the report needs.
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text, count=1, flags=re.S)
    return text.replace("<svg ", f'<svg role="img" aria-label="{_e(label)}" ', 1)


def html_report(
    score: Score,
    sensitivity: Sensitivity | None = None,
    *,
    top: int | None = 10,
    event: str | None = None,
    inputs: Sequence[str] = (),
    bands: Bands | None = None,
    indices: GlobalSensitivity | None = None,
) -> str:
    """The whole report: per actor the chart, the waterfalls, the sensitivity, the rule table and the events;
    with `bands` and `indices` (`explain --bands`), how sure the balance is."""
    pack = score.pack
    scoring = pack.scoring
    names = list(score.actors)
    title = "Alignment report" + (f": {', '.join(names)}" if names else "")
    half_life = "no decay" if scoring.half_life_days is None else f"half-life {scoring.half_life_days:g} days"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="meta">Balance = {_e(scoring.plus)} − {_e(scoring.minus)} ({half_life}); '
        f"axes: {_e(', '.join(scoring.axes))}. Numbers in <span class='pos'>blue</span> move the balance "
        f"toward {_e(scoring.plus)}, in <span class='neg'>red</span> toward {_e(scoring.minus)}.</p>",
    ]
    if inputs:
        parts.append(f'<p class="meta">Events: {_e(", ".join(inputs))}</p>')
    parts.append(f'<p class="meta">Rules: {_e(", ".join(pack.files) or "the bundled pack")}</p>')
    parts.append(f'<p class="meta">Made by scorer {_e(__version__)}.</p>')
    if len(names) > 1:
        links = " ".join(f'<a href="#actor-{k}">{_e(name)}</a>' for k, name in enumerate(names, 1))
        parts.append(f"<nav>{links}</nav>")
    if not names:
        parts.append("<p>No events to explain.</p>")
    for k, (name, actor) in enumerate(score.actors.items(), 1):
        sens = sensitivity.actors.get(name) if sensitivity else None
        sure = (bands, indices) if bands else None
        parts.append(_actor(k, actor, score, sens, sensitivity.delta if sensitivity else 0.0, top, event, sure))
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def _actor(
    k: int,
    actor: ActorScore,
    score: Score,
    sens: ActorSensitivity | None,
    delta: float,
    top: int | None,
    event: str | None,
    sure: tuple[Bands, GlobalSensitivity | None] | None = None,
) -> str:
    pack = score.pack
    band = sure[0].actors[actor.actor] if sure else None
    spread = sure[1].actors.get(actor.actor) if sure and sure[1] else None
    scoring = pack.scoring
    final = actor.final
    totals = " · ".join(f"{_e(axis)} {_on_axis(axis, value, scoring)}" for axis, value in final.totals.items())
    out = [
        f'<section class="actor" id="actor-{k}">',
        f"<h2>{_e(actor.actor)}</h2>",
        f'<p class="headline">Final balance <strong>{_num(final.balance)}</strong> '
        f"(lean {_num(final.lean)}) on {_e(final.date)} — {totals}</p>",
    ]
    if sens is not None:
        out.append(f'<p class="verdict">{_e(verdict(sens, delta))}</p>')
    if sure and band:
        out.append(robustness_html(band, scoring.plus, scoring.minus, sure[0].draws))

    out.append("<h3>Balance over time</h3>")
    chart = timeline_chart(actor, pack, "svg", prefix=f"a{k}-event", link=f"a{k}-event-row-", band=band)
    out.append(f"<figure>{_svg(chart, f'{actor.actor}: balance and totals over time')}")
    out.append(
        "<figcaption class='note'>Each marker is an event, numbered as in the events table below; "
        "hover it for its summary and contribution, click it to jump to its row.</figcaption></figure>"
    )

    out.append("<h3>What drives the final balance</h3>")
    by_event, by_rule = driver_bars(actor, score, top)
    for bars, what in ((by_event, "event"), (by_rule, "rule")):
        label = f"{actor.actor}: drivers by {what}"
        out.append(f"<figure>{_svg(waterfall_chart(bars, label, scoring, 'svg'), label)}</figure>")
        out.append(f"<details><summary>The waterfall by {what} as a table</summary>{_waterfall_table(bars, what)}")
        out.append("</details>")

    if sens is not None:
        percent = f"{delta * 100:g}%"
        out.append(f"<h3>Sensitivity: each weight changed by ±{percent}, one at a time</h3>")
        if sens.variations:
            label = f"{actor.actor}: the balance if one weight changes by ±{percent}"
            out.append(f"<figure>{_svg(tornado_chart(sens, delta, 'svg', top=top), label)}</figure>")
        out.append(_sensitivity_table(sens, percent, scoring))
    if spread is not None and sure and sure[1]:
        out.append(sobol_section(spread, sure[1].draws, top, _svg))

    out.append("<h3>Rules</h3>")
    uses = rule_uses(actor, pack)
    out.append(_rules_table([use for use in uses if use.fired], scoring))
    idle = [use for use in uses if not use.fired]
    if idle:
        out.append(f"<details><summary>{len(idle)} rule(s) of the pack did not fire on these events</summary>")
        out.append(_rules_table(idle, scoring) + "</details>")

    steps = [(i, step) for i, step in enumerate(actor.trail, 1) if event is None or step.event.id == event]
    out.append("<h3>Events</h3>" if event is None else f"<h3>Event {_e(event)}</h3>")
    out.append(_events_table(k, steps, actor, pack))

    unmatched = [(i, step) for i, step in enumerate(actor.trail, 1) if not step.matches]
    out.append("<h3>Unmatched events</h3>")
    if unmatched:
        out.append(
            f'<p class="note">{len(unmatched)} event(s) no rule matched: they are in the trail but move nothing.</p>'
        )
        out.append(_unmatched_table(k, unmatched, actor.unmatched_reasons))
    else:
        out.append("<p>None: every event matched at least one rule.</p>")
    out.append("</section>")
    return "\n".join(out)


def _waterfall_table(bars: list[Bar], what: str) -> str:
    located = what == "rule"
    rows = [
        f"<table><thead><tr><th>{what}</th>{'<th>defined at</th>' if located else ''}"
        "<th class='num'>share</th><th class='num'>from</th><th class='num'>to</th></tr></thead><tbody>"
    ]
    for bar in bars:
        name = "= final balance" if bar.kind == "total" else bar.label
        cell = f"<span class='id'>{_e(name)}</span>" if bar.kind == "driver" else _e(name)
        where = f"<td class='where'>{_e(bar.where)}</td>" if located else ""
        rows.append(
            f"<tr class='{bar.kind}'><td>{cell}</td>{where}<td class='num'>{_num(bar.value)}</td>"
            f"<td class='num'>{_num(bar.start)}</td><td class='num'>{_num(bar.end)}</td></tr>"
        )
    rows.append("</tbody></table>")
    return "".join(rows)


def _sensitivity_table(sens: ActorSensitivity, percent: str, scoring: Scoring) -> str:
    if not sens.variations:
        return "<p>No rule moved the balance: there is no weight to vary.</p>"
    rows = [
        "<table><thead><tr><th>weight</th><th>defined at</th><th class='num'>now</th>"
        f"<th class='num'>balance −{percent}</th><th class='num'>balance +{percent}</th>"
        f"<th class='num'>lean −{percent}</th><th class='num'>lean +{percent}</th>"
        "<th class='num'>0 at weight</th><th>sign</th></tr></thead><tbody>"
    ]
    for v in sens.variations:
        zero = "—" if v.breakeven is None else signed(v.breakeven, 3)
        rows.append(
            f"<tr><td class='id'>{_e(v.name)}</td><td class='where'>{_e(v.where)}</td>"
            f"<td class='num'>{_on_axis(v.axis, v.weight, scoring)}</td><td class='num'>{_num(v.low.balance)}</td>"
            f"<td class='num'>{_num(v.high.balance)}</td><td class='num'>{_num(v.low.lean)}</td>"
            f"<td class='num'>{_num(v.high.lean)}</td><td class='num'>{zero}</td>"
            f"<td>{'<span class=flip>flips</span>' if v.flips else 'holds'}</td></tr>"
        )
    rows.append("</tbody></table>")
    return "".join(rows)


def _rules_table(uses: list[RuleUse], scoring: Scoring) -> str:
    rows = [
        "<table class='rules'><thead><tr><th>rule</th><th>defined at</th><th>description</th><th>weights</th>"
        "<th class='num'>fired on</th><th class='num wrap'>share of the final balance</th></tr></thead><tbody>"
    ]
    for use in uses:
        rule = use.rule
        weights = ", ".join(
            f"<span class='nw'>{_e(axis)} {_on_axis(axis, weight, scoring)}</span>" for axis, weight in rule.signals.items()
        )
        state = "" if rule.enabled else " <span class='note'>(disabled)</span>"
        share = "—" if use.share is None else _num(use.share)
        fired = f"{use.fired} event{'s' if use.fired != 1 else ''}"
        rows.append(
            f"<tr><td class='id'>{_e(rule.id)}{state}</td><td class='where'>{_e(rule.where)}</td>"
            f"<td class='text'>{_e(rule.description)}</td><td>{weights}</td><td class='num'>{fired}</td>"
            f"<td class='num'>{share}</td></tr>"
        )
    rows.append("</tbody></table>")
    return "".join(rows)


def _event_text(step: Step) -> str:
    e = step.event
    parts = []
    if e.summary:
        parts.append(f"<p class='summary'>{_e(' '.join(e.summary.split()))}</p>")
    if e.quote:
        parts.append(f"<p class='quote'>“{_e(' '.join(e.quote.split()))}”</p>")
    if e.source:
        parts.append(f"<p class='note'>Source: {_e(' '.join(e.source.split()))}</p>")
    return "<div class='event-text'>" + "".join(parts) + "</div>"


def _events_table(k: int, steps: list[tuple[int, Step]], actor: ActorScore, pack: RulePack) -> str:
    scoring = pack.scoring
    where = pack.locations()
    shares = {share.name: share.share for share in actor.event_drivers}
    rows = [
        "<table class='events'><thead><tr><th class='num'>#</th><th>date</th><th>event</th><th>what happened</th>"
        "<th>rules that fired: contributions</th><th class='num wrap'>moved the balance</th>"
        "<th class='num wrap'>balance after</th><th class='num wrap'>share of the final</th></tr></thead><tbody>"
    ]
    for i, step in steps:
        e = step.event
        toward = f" → {_e(e.partner)}" if e.partner else ""
        if step.matches:
            by_rule: dict[str, list[str]] = {}
            for m in step.matches:
                by_rule.setdefault(m.rule, []).append(
                    f"<span class='nw'>{_e(m.axis)} {_on_axis(m.axis, m.contribution, scoring)}</span>"
                )
            after = dict(contexts(step.matches))
            fired = "".join(
                f"<li><span class='id'>{_e(rule)}</span> <span class='where'>{_e(where[rule])}</span><br>"
                f"{', '.join(parts)}"
                + (f"<br><span class='note'>{_e(after[rule])}</span>" if rule in after else "")
                + "</li>"
                for rule, parts in by_rule.items()
            )
            fired = f"<ul class='fired'>{fired}</ul>"
            share = _num(shares[e.id]) if e.id in shares else "—"
        else:
            fired = "<span class='note'>no rule matched</span>"
            share = "—"
        rows.append(
            f"<tr id='a{k}-event-row-{i}'><td class='num'>{i}</td><td class='nw'>{_e(e.date)}</td>"
            f"<td><span class='id'>{_e(e.id)}</span><br><span class='note'>{_e(e.type)}{toward}</span></td>"
            f"<td class='text'>{_event_text(step)}</td><td>{fired}</td>"
            f"<td class='num'>{_num(effect(step, scoring.plus, scoring.minus))}</td>"
            f"<td class='num'>{_num(step.balance)}</td><td class='num'>{share}</td></tr>"
        )
    rows.append("</tbody></table>")
    return "".join(rows)


def _unmatched_table(k: int, steps: list[tuple[int, Step]], why: dict[str, str]) -> str:
    """The events no rule matched, each with why."""
    rows = [
        "<table><thead><tr><th class='num'>#</th><th>date</th><th>event</th><th>what happened</th>"
        "<th>why no rule matched</th></tr></thead>"
    ]
    rows.append("<tbody>")
    for i, step in steps:
        e = step.event
        toward = f" → {_e(e.partner)}" if e.partner else ""
        rows.append(
            f"<tr><td class='num'><a href='#a{k}-event-row-{i}'>{i}</a></td><td>{_e(e.date)}</td>"
            f"<td><span class='id'>{_e(e.id)}</span><br><span class='note'>{_e(e.type)}{toward}</span></td>"
            f"<td>{_event_text(step)}</td><td>{_e(why.get(e.id, ''))}</td></tr>"
        )
    rows.append("</tbody></table>")
    return "".join(rows)
