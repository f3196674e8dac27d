"""The HTML report of `scorer explain --format html`: one self-contained file an analyst can publish.

Charts are inline SVG (matplotlib), styles inline, no script at all, and a
Content-Security-Policy that forbids fetching or running anything: the page
reads the same offline, from an e-mail attachment or an archive. Every piece
of text that came from an input file (ids, summaries, sources, quotes, rule
descriptions, file names) is escaped, so a summary of `<script>` is shown as
those characters.
"""

from __future__ import annotations

from collections.abc import Sequence

from scorer.analysis.indices import GlobalSensitivity
from scorer.analysis.sensitivity import ActorSensitivity, Sensitivity
from scorer.analysis.uncertain import Bands
from scorer.pack.model import RulePack, Scoring
from scorer.report.bars import driver_bars, tornado_chart, waterfall_chart
from scorer.report.charts import timeline_chart
from scorer.report.explanation import Bar, RuleUse, effect, rule_uses
from scorer.report.format import contexts, signed
from scorer.report.html_ranking import ranking_page
from scorer.report.labels import act, arrowed
from scorer.report.page import PAGE_END, inline_svg, page_start, where_html
from scorer.report.page import escape as _e
from scorer.report.page import number as _num
from scorer.report.sensitivity import verdict
from scorer.report.uncertainty_html import robustness_html, sobol_section
from scorer.scoring.actor import ActorScore, Step
from scorer.scoring.score import Score


def _on_axis(axis: str, value: float, scoring: Scoring) -> str:
    """A value on one axis, coloured by the way it moves the balance: the minus pole's numbers count against it."""
    toward = 1.0 if axis == scoring.plus else -1.0 if axis == scoring.minus else 0.0
    text = signed(value)
    css = "pos" if toward * round(value, 2) > 0 else "neg" if toward * round(value, 2) < 0 else ""
    return f'<span class="{css}">{text}</span>' if css else text


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
    """The whole report of one actor: the chart, the waterfalls, the sensitivity, the rule table and the events;
    with `bands` and `indices` (`explain --bands`), how sure the balance is.

    For several actors, their ranking (`ranking_page`): a report per actor is `--actor`'s.
    """
    names = list(score.actors)
    if len(names) > 1:
        return ranking_page(score, inputs, bands)
    title = "Alignment report" + (f": {', '.join(names)}" if names else "")
    parts = page_start(title, score.pack, inputs)
    if not names:
        parts.append("<p>No events to explain.</p>")
    for k, (name, actor) in enumerate(score.actors.items(), 1):
        sens = sensitivity.actors.get(name) if sensitivity else None
        sure = (bands, indices) if bands else None
        parts.append(_actor(k, actor, score, sens, sensitivity.delta if sensitivity else 0.0, top, event, sure))
    parts += PAGE_END
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
    """One actor's section: headline and verdicts, the charts and their tables, the rules, the events."""
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
    out.append(f"<figure>{inline_svg(chart, f'{actor.actor}: balance and totals over time')}")
    out.append(
        "<figcaption class='note'>Each marker is an event, numbered as in the events table below; "
        "hover it for its summary and contribution, click it to jump to its row.</figcaption></figure>"
    )

    out += _drivers(actor, score, sens, delta, top)
    if spread is not None and sure and sure[1]:
        out.append(sobol_section(spread, sure[1].draws, top, inline_svg))

    out.append("<h3>Rules</h3>")
    uses = rule_uses(actor, pack)
    out.append(_rules_table([use for use in uses if use.fired], scoring))
    idle = [use for use in uses if not use.fired]
    if idle:
        out.append(f"<details><summary>{len(idle)} rule(s) of the pack did not fire on these events</summary>")
        out.append(_rules_table(idle, scoring) + "</details>")

    out += _events(k, actor, pack, event)
    out.append("</section>")
    return "\n".join(out)


def _drivers(actor: ActorScore, score: Score, sens: ActorSensitivity | None, delta: float, top: int | None) -> list[str]:
    """The waterfalls by event and by rule (each with its table), and the sensitivity tornado and table."""
    scoring = score.pack.scoring
    out: list[str] = []
    out.append("<h3>What drives the final balance</h3>")
    by_event, by_rule = driver_bars(actor, score, top)
    for bars, what in ((by_event, "event"), (by_rule, "rule")):
        label = f"{actor.actor}: drivers by {what}"
        out.append(f"<figure>{inline_svg(waterfall_chart(bars, label, scoring, 'svg'), label)}</figure>")
        out.append(f"<details><summary>The waterfall by {what} as a table</summary>{_waterfall_table(bars, what)}")
        out.append("</details>")

    if sens is not None:
        percent = f"{delta * 100:g}%"
        out.append(f"<h3>Sensitivity: each weight changed by ±{percent}, one at a time</h3>")
        if sens.variations:
            label = f"{actor.actor}: the balance if one weight changes by ±{percent}"
            out.append(f"<figure>{inline_svg(tornado_chart(sens, delta, 'svg', top=top), label)}</figure>")
        out.append(_sensitivity_table(sens, percent, scoring))
    return out


def _events(k: int, actor: ActorScore, pack: RulePack, event: str | None) -> list[str]:
    """The events table (of one event with `event`), and the events no rule matched."""
    out: list[str] = []
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
    return out


def _waterfall_table(bars: list[Bar], what: str) -> str:
    """A waterfall as a table."""
    located = what == "rule"
    rows = [
        f"<table><thead><tr><th>{what}</th>{'<th>defined at</th>' if located else ''}"
        "<th class='num'>share</th><th class='num'>from</th><th class='num'>to</th></tr></thead><tbody>"
    ]
    for bar in bars:
        name = "= final balance" if bar.kind == "total" else bar.label
        cell = f"<span class='id'>{_e(name)}</span>" if bar.kind == "driver" else _e(name)
        cell += f"<br><span class='note'>{_e(bar.what)}</span>" if bar.what else ""
        where = f"<td class='where'>{where_html(bar.where)}</td>" if located else ""
        rows.append(
            f"<tr class='{bar.kind}'><td>{cell}</td>{where}<td class='num'>{_num(bar.value)}</td>"
            f"<td class='num'>{_num(bar.start)}</td><td class='num'>{_num(bar.end)}</td></tr>"
        )
    rows.append("</tbody></table>")
    return "".join(rows)


def _sensitivity_table(sens: ActorSensitivity, percent: str, scoring: Scoring) -> str:
    """The sensitivity table of one actor."""
    if not sens.variations:
        return "<p>No rule moved the balance: there is no weight to vary.</p>"
    rows = [
        "<div class='scroll'><table class='sensitivity'><thead><tr><th>weight</th><th>defined at</th><th class='num'>now</th>"
        f"<th class='num'>balance −{percent}</th><th class='num'>balance +{percent}</th>"
        f"<th class='num'>lean −{percent}</th><th class='num'>lean +{percent}</th>"
        "<th class='num'>0 at weight</th><th>sign</th></tr></thead><tbody>"
    ]
    for v in sens.variations:
        zero = "—" if v.breakeven is None else signed(v.breakeven, 3)
        rows.append(
            f"<tr><td class='id'>{_e(v.name)}</td><td class='where'>{where_html(v.where)}</td>"
            f"<td class='num'>{_on_axis(v.axis, v.weight, scoring)}</td><td class='num'>{_num(v.low.balance)}</td>"
            f"<td class='num'>{_num(v.high.balance)}</td><td class='num'>{_num(v.low.lean)}</td>"
            f"<td class='num'>{_num(v.high.lean)}</td><td class='num'>{zero}</td>"
            f"<td>{'<span class=flip>flips</span>' if v.flips else 'holds'}</td></tr>"
        )
    rows.append("</tbody></table></div>")
    return "".join(rows)


def _rules_table(uses: list[RuleUse], scoring: Scoring) -> str:
    """The rule table: every rule that fired, the others folded away."""
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
            f"<tr><td class='id'>{_e(rule.id)}{state}</td><td class='where'>{where_html(rule.where)}</td>"
            f"<td class='text'>{_e(rule.description)}</td><td>{weights}</td><td class='num'>{fired}</td>"
            f"<td class='num'>{share}</td></tr>"
        )
    rows.append("</tbody></table>")
    return "".join(rows)


def _kind(actor: str, partner: str | None, kind: str) -> str:
    """What kind of event, as HTML: `GEO → RUS 042 Make a visit` for a CAMEO event, else `type → partner`."""
    what = act(actor, partner, kind)
    if what is not None:
        return _e(arrowed(what))
    return _e(kind) + (f" → {_e(partner)}" if partner else "")


def _event_text(step: Step) -> str:
    """An event's summary, quote and source, escaped."""
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
    """The events table of one actor."""
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
        toward = _kind(e.actor, e.partner, e.type)
        if step.matches:
            by_rule: dict[str, list[str]] = {}
            for m in step.matches:
                by_rule.setdefault(m.rule, []).append(
                    f"<span class='nw'>{_e(m.axis)} {_on_axis(m.axis, m.contribution, scoring)}</span>"
                )
            after = dict(contexts(step.matches))
            fired = "".join(
                f"<li><span class='id'>{_e(rule)}</span> <span class='where'>{where_html(where[rule])}</span><br>"
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
            f"<td><span class='id'>{_e(e.id)}</span><br><span class='note'>{toward}</span></td>"
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
        toward = _kind(e.actor, e.partner, e.type)
        rows.append(
            f"<tr><td class='num'><a href='#a{k}-event-row-{i}'>{i}</a></td><td>{_e(e.date)}</td>"
            f"<td><span class='id'>{_e(e.id)}</span><br><span class='note'>{toward}</span></td>"
            f"<td>{_event_text(step)}</td><td>{_e(why.get(e.id, ''))}</td></tr>"
        )
    rows.append("</tbody></table>")
    return "".join(rows)
