"""The HTML report of many actors: their ranking as a chart and a table, and what no rule matched, by type.

A report per actor for dozens of actors is megabytes no one reads; this page
ranks them, and `explain --actor CODE --format html` gives one actor's report.
"""

from __future__ import annotations

from collections.abc import Sequence

from scorer.analysis.uncertain import Bands, robustness
from scorer.report.bars import ranking_chart
from scorer.report.page import PAGE_END, escape, inline_svg, number, page_start
from scorer.report.ranking import Standing, standings, unmatched_types
from scorer.scoring.score import Score


def ranking_page(score: Score, inputs: Sequence[str] = (), bands: Bands | None = None) -> str:
    """The page: the ranking chart, the ranking table, the actors no rule matched, the unmatched events by type.

    With `bands` (`explain --bands`), each balance's 90% band in the chart and the table, and whether its sign
    holds over the draws.
    """
    ranked = standings(score)
    scoring = score.pack.scoring
    parts = page_start(f"Alignment ranking: {len(ranked)} actors", score.pack, inputs)
    parts.append(
        "<p class='note'>One actor's full report (its balance over time, what drives it, every event): "
        "<code>scorer explain EVENTS --actor CODE --format html</code>.</p>"
    )
    label = f"{len(ranked)} actors ranked by their final balance ({scoring.plus} − {scoring.minus})"
    chart = ranking_chart(score, "svg", bands=bands)
    parts += ["<h2>Ranking</h2>", f"<figure>{inline_svg(chart, label)}</figure>", _table(ranked, bands)]
    if bands is not None:
        parts.append(f"<p class='note'>Bands: {bands.draws} draws of the ranged weights.</p>")
        parts += [
            f"<p><span class='id'>{escape(row.actor)}</span>: "
            f"{escape(robustness(bands.actors[row.actor], scoring.plus, scoring.minus))}</p>"
            for row in ranked
            if row.actor in bands.actors
        ]
    parts += ["<h2>Unmatched events</h2>", _unmatched(score, sum(row.events for row in ranked))]
    parts += PAGE_END
    return "\n".join(parts)


def _table(ranked: Sequence[Standing], bands: Bands | None) -> str:
    """The ranking as a table (with each balance's 90% band when there are bands)."""
    band_head = "<th class='num'>90% of draws</th>" if bands else ""
    rows = [
        "<table><thead><tr><th class='num'>#</th><th>actor</th><th>name</th><th class='num'>balance</th>"
        f"{band_head}<th class='num'>lean</th><th class='num'>events</th><th class='num'>unmatched</th>"
        "<th>final on</th></tr></thead><tbody>"
    ]
    for k, row in enumerate(ranked, 1):
        band = ""
        if bands is not None and row.actor in bands.actors:
            b = bands.actors[row.actor].balance
            band = f"<td class='num'>{number(b.p05)} to {number(b.p95)}</td>"
        elif bands is not None:
            band = "<td></td>"
        rows.append(
            f"<tr><td class='num'>{k}</td><td class='id'>{escape(row.actor)}</td><td>{escape(row.name)}</td>"
            f"<td class='num'>{number(row.balance)}</td>{band}<td class='num'>{number(row.lean)}</td>"
            f"<td class='num'>{row.events}</td><td class='num'>{row.unmatched}</td><td class='nw'>{escape(row.date)}</td></tr>"
        )
    rows.append("</tbody></table>")
    return "".join(rows)


def _unmatched(score: Score, events: int) -> str:
    """The events no rule matched, by type: how many, what the type means, why its events matched nothing."""
    kinds = unmatched_types(score)
    total = sum(kind.events for kind in kinds)
    if not total:
        return "<p>None: every event matched at least one rule.</p>"
    rows = [
        f"<p class='note'>{total} of {events} events matched no rule: they are scored, but move nothing.</p>",
        "<table><thead><tr><th class='num'>events</th><th>type</th><th>what it is</th><th>why no rule matched</th>"
        "</tr></thead><tbody>",
    ]
    for kind in kinds:
        rows.append(
            f"<tr><td class='num'>{kind.events}</td><td class='id'>{escape(kind.type)}</td>"
            f"<td>{escape(kind.what)}</td><td>{escape(kind.why)}</td></tr>"
        )
    rows.append("</tbody></table>")
    return "".join(rows)

