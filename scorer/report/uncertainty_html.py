"""The parts of the HTML report that say how sure the balance is: the robustness of its sign, the Sobol' section."""

from __future__ import annotations

from collections.abc import Callable

from scorer.analysis.indices import ActorIndices
from scorer.analysis.uncertain import ActorBands, robustness
from scorer.report.format import shown, signed
from scorer.report.page import escape as _e
from scorer.report.page import where_html
from scorer.report.uncertainty_charts import sobol_chart


def robustness_html(band: ActorBands, plus: str, minus: str, draws: int) -> str:
    """The sentence on the sign's robustness, as the report's verdicts are shown."""
    b = band.balance
    return (
        f'<p class="verdict">{_e(robustness(band, plus, minus))} '
        f"(Median {signed(b.p50)}; lean from {signed(band.lean.p05)} to {signed(band.lean.p95)}; {draws} draws.)</p>"
    )


def sobol_heading(actor: ActorIndices) -> str:
    """The section's title."""
    return f"{actor.actor}: which uncertain weights the balance's spread comes from"


def sobol_table(actor: ActorIndices, draws: int) -> str:
    """Every uncertain weight that moves the balance with its Sobol' indices, largest ST first."""
    if not actor.signals:
        return "<p>No uncertain weight moves the balance.</p>"
    rows = "".join(
        f"<tr><td><code>{_e(i.name)}</code></td><td class='where'>{where_html(i.where)}</td>"
        f"<td class='num'>{shown(i.s1, 3):.3f} ± {i.s1_conf:.3f}</td>"
        f"<td class='num'>{shown(i.st, 3):.3f} ± {i.st_conf:.3f}</td></tr>"
        for i in actor.signals
    )
    note = (
        f"<p class='note'>Every uncertain weight drawn at once ({draws} base draws of Saltelli's scheme). "
        "S1: the share of the balance's variance a weight explains alone; ST: alone and with others. "
        "The tornado above moves one weight at a time by a fixed step; these indices weigh each weight's whole "
        "range against the others'. ± is the 95% interval.</p>"
    )
    return (
        note + "<table><thead><tr><th>weight</th><th>defined at</th><th class='num'>S1</th>"
        f"<th class='num'>ST</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def sobol_section(actor: ActorIndices, draws: int, top: int | None, embed: Callable[[bytes, str], str]) -> str:
    """The report's global sensitivity section of one actor: heading, bar chart (SVG through `embed`), table."""
    heading = sobol_heading(actor)
    parts = [f"<h3>Global sensitivity: {_e(heading)}</h3>"]
    if actor.signals:
        parts.append(f"<figure>{embed(sobol_chart([actor], 'svg', top=top), heading)}</figure>")
    parts.append(sobol_table(actor, draws))
    return "\n".join(parts)
