"""The score with its bands (`score --bands`) as text, markdown, CSV and JSON parts.

Text and markdown show, under each actor's heading, the final balance with
its 90% band and how often the draws put it toward the plus pole, e.g.
`balance +0.04 [-2.10, +2.31] 90%; toward nato in 51% of draws`, and the
timeline with each row's 5th and 95th percentile beside the balance.
"""

from __future__ import annotations

from typing import Any

from scorer.analysis.indices import GlobalSensitivity
from scorer.analysis.uncertain import ActorBands, Band, BandedScore, Bands, robustness
from scorer.report.format import Palette, clean, heading, md_code, md_text, signed, table
from scorer.scoring.actor import ActorScore


def band_line(band: ActorBands, plus: str) -> str:
    """`[-2.10, +2.31] 90%; toward nato in 51% of draws`: what follows the balance."""
    b = band.balance
    return f"[{signed(b.p05)}, {signed(b.p95)}] 90%; toward {plus} in {band.p_plus * 100:.0f}% of draws"


def summary(result: BandedScore, name: str, actor: ActorScore) -> str:
    """The band line of one actor, its balance first."""
    band = result.bands.actors[name]
    plus = result.score.pack.scoring.plus
    return f"balance {signed(actor.final.balance)} {band_line(band, plus)}"


def _about(result: BandedScore) -> str:
    """What the draws were."""
    bands = result.bands
    return (
        f"{bands.draws} draws of {len(bands.ranged)} uncertain weight(s), each uniform in its range (seed {bands.seed}); "
        "5% and 95%: percentiles of the balance over the draws"
    )


def banded_text(result: BandedScore, palette: Palette) -> str:
    """Every actor's timeline with the band of each row's balance, after its band line."""
    score = result.score
    axes = list(score.pack.scoring.axes)
    blocks = []
    for name, actor in score.actors.items():
        periodic = actor.columns.periods is not None
        headers = (["period", "date", "events"] if periodic else ["date", "event"]) + axes
        headers += ["balance", "5%", "95%", "lean"]
        rows, values = [], []
        band = result.bands.actors[name].timeline
        for i, row in enumerate(actor.timeline):
            first = [row.period or "", row.date, str(row.events)] if periodic else [row.date, row.event or ""]
            numbers = [row.totals[a] for a in axes] + [row.balance, float(band[i, 0]), float(band[i, 2]), row.lean]
            rows.append(first + [signed(v) for v in numbers])
            values.append([None] * len(first) + numbers)
        lead = 3 if periodic else 2
        right = set(range(lead, len(headers))) | ({2} if periodic else set())
        lines = [palette.bold(heading(score, name, actor)), summary(result, name, actor), ""]
        if actor.timeline:
            lines += table(headers, rows, right, palette, values)
        else:
            lines.append(f"no events on or before {actor.final.date}")
        lines += ["", "unmatched: " + (", ".join(actor.unmatched) if actor.unmatched else "none")]
        blocks.append("\n".join(lines))
    if not blocks:
        return "no events to score\n"
    return "\n\n".join(blocks) + f"\n\n{_about(result)}.\n"


def banded_markdown(result: BandedScore) -> str:
    """The same as markdown tables."""
    score = result.score
    axes = list(score.pack.scoring.axes)
    blocks = []
    for name, actor in score.actors.items():
        periodic = actor.columns.periods is not None
        headers = (["period", "date", "events"] if periodic else ["date", "event"]) + axes
        headers += ["balance", "5%", "95%", "lean"]
        lead = 3 if periodic else 2
        lines = [f"## {md_text(name)}", "", md_text(heading(score, name, actor)), ""]
        lines += [md_text(summary(result, name, actor)), ""]
        if not actor.timeline:
            lines += [f"No events on or before {actor.final.date}.", "", "Unmatched: none"]
            blocks.append("\n".join(lines))
            continue
        lines.append("| " + " | ".join(headers) + " |")
        lines.append("|" + "|".join("---" if i < lead else "---:" for i in range(len(headers))) + "|")
        band = result.bands.actors[name].timeline
        for i, row in enumerate(actor.timeline):
            first = [md_text(row.period or ""), md_text(row.date), str(row.events)] if periodic else [
                md_text(row.date),
                md_code(row.event or ""),
            ]
            numbers = [row.totals[a] for a in axes] + [row.balance, float(band[i, 0]), float(band[i, 2]), row.lean]
            lines.append("| " + " | ".join(first + [signed(v) for v in numbers]) + " |")
        lines += ["", "Unmatched: " + (", ".join(md_code(e) for e in actor.unmatched) if actor.unmatched else "none")]
        blocks.append("\n".join(lines))
    body = "\n\n".join(blocks) if blocks else "No events to score."
    return f"# Alignment score\n\n{body}\n\n{md_text(_about(result))}.\n"


def band_json(band: Band) -> dict[str, float]:
    """A band as JSON."""
    return {"p05": clean(band.p05), "p50": clean(band.p50), "p95": clean(band.p95)}


def final_bands(band: ActorBands) -> dict[str, Any]:
    """What an actor's `final` gains."""
    return {"balance": band_json(band.balance), "lean": band_json(band.lean), "p_plus": band.p_plus}


def row_bands(band: ActorBands, lo: int, hi: int | None) -> list[dict[str, Any]]:
    """What timeline rows lo to hi gain."""
    part = (band.timeline[lo:hi] + 0.0).tolist()
    return [{"balance": {"p05": a, "p50": b, "p95": c}} for a, b, c in part]


def draws_json(result: BandedScore) -> dict[str, Any]:
    """The top-level description of the draws."""
    bands = result.bands
    return {"draws": bands.draws, "seed": bands.seed, "weights": len(bands.ranged)}


def how_sure(bands: Bands, indices: GlobalSensitivity | None, plus: str, minus: str, top: int = 3) -> dict[str, str]:
    """Per actor, in words: how robust the sign of its final balance is, and which weights its spread comes from."""
    found = {}
    for name, band in bands.actors.items():
        text = robustness(band, plus, minus)
        actor = indices.actors.get(name) if indices else None
        if actor and actor.signals:
            named = ", ".join(f"{i.name} ({i.st:.2f})" for i in actor.signals[:top])
            text += f" Most of its spread comes from {named} (Sobol' total index)."
        found[name] = text
    return found


def how_sure_text(bands: Bands, indices: GlobalSensitivity | None, plus: str, minus: str) -> str:
    """The section `explain --bands` adds to the text report."""
    lines = [f"How sure: {bands.draws} draws of {len(bands.ranged)} uncertain weight(s), seed {bands.seed}", ""]
    for name, text in how_sure(bands, indices, plus, minus).items():
        lines.append(f"{name}: {text}")
    return "\n".join(lines) + "\n"


def how_sure_markdown(bands: Bands, indices: GlobalSensitivity | None, plus: str, minus: str) -> str:
    """The same as a markdown section."""
    lines = ["## How sure", "", md_text(f"{bands.draws} draws of {len(bands.ranged)} uncertain weight(s), seed {bands.seed}."), ""]
    for name, text in how_sure(bands, indices, plus, minus).items():
        lines.append(f"- **{md_text(name)}**: {md_text(text)}")
    return "\n".join(lines) + "\n"
