"""Sensitivity rendered for people: a table per actor and one sentence on which weights flip the sign."""

from __future__ import annotations

from scorer.analysis.sensitivity import ActorSensitivity, Sensitivity, Variation
from scorer.report.format import clean, md_code, md_text, shown, signed, table

# A verdict names this many flipping weights; the table marks them all.
_NAMED = 5
def _percent(delta: float) -> str:
    """A relative change as a percentage: `25%`."""
    return f"{delta * 100:g}%"


def _change(variation: Variation) -> str:
    """The breakeven weight as a relative change of the weight, the way an analyst would argue it."""
    if variation.breakeven is None:
        return "-"
    if variation.weight == 0:
        return f"at {clean(float(f'{variation.breakeven:.3g}')):+.3g}"
    change = (variation.breakeven - variation.weight) / abs(variation.weight) * 100
    return f"{shown(change, 1):+.1f}%" if abs(change) < 10 else f"{shown(change, 0):+.0f}%"



def verdict(actor: ActorSensitivity, delta: float) -> str:
    """One sentence: which weights, if any, flip the sign of the balance."""
    if not actor.variations:
        return "No rule moved the balance: no weight to vary."
    if not actor.flips:
        return f"No single weight changed by ±{_percent(delta)} flips the sign of the balance."
    flips = actor.flips
    names = ", ".join(f"{v.name} ({v.where})" for v in flips[:_NAMED])
    more = f", and {len(flips) - _NAMED} more marked in the table" if len(flips) > _NAMED else ""
    count = f"All {len(flips)}" if len(flips) == len(actor.variations) else f"{len(flips)} of {len(actor.variations)}"
    return (
        f"{count} weights flip the sign of the balance when changed by ±{_percent(delta)}, "
        f"largest first: {names}{more}."
    )


def _cells(v: Variation) -> list[str]:
    """One variation's row of the table."""
    return [
        v.name,
        v.where,
        signed(v.weight),
        signed(v.low.balance),
        signed(v.high.balance),
        signed(v.low.lean),
        signed(v.high.lean),
        _change(v),
        "yes" if v.flips else "",
    ]


def _headers(delta: float) -> list[str]:
    """The table's headers for this delta."""
    d = _percent(delta)
    return ["weight", "defined at", "now", f"bal. -{d}", f"bal. +{d}", f"lean -{d}", f"lean +{d}", "zero at", "flips"]


def sensitivity_text(result: Sensitivity) -> str:
    """Sensitivity as text: a table per actor and the verdict."""
    blocks = []
    for name, actor in result.actors.items():
        lines = [
            f"{name}: balance {signed(actor.balance)} (lean {signed(actor.lean)}) on {actor.date}"
            f"  [{result.plus} +, {result.minus} -], each weight varied by ±{_percent(result.delta)}",
            "",
        ]
        if actor.variations:
            rows = [_cells(v) for v in actor.variations]
            lines += table(_headers(result.delta), rows, {2, 3, 4, 5, 6, 7})
            lines.append("")
        lines.append(verdict(actor, result.delta))
        blocks.append("\n".join(lines))
    if not blocks:
        return "no events to score\n"
    footer = "'zero at': the change of that weight alone at which the balance would be 0."
    return "\n\n".join(blocks) + "\n\n" + footer + "\n"


def sensitivity_markdown(result: Sensitivity) -> str:
    """Sensitivity as markdown."""
    blocks = []
    for name, actor in result.actors.items():
        lines = [
            f"## {md_text(name)}",
            "",
            f"Balance **{signed(actor.balance)}** (lean {signed(actor.lean)}) on {md_text(actor.date)}, "
            f"{md_text(result.plus)} +, {md_text(result.minus)} −; each weight varied by ±{_percent(result.delta)}.",
            "",
        ]
        if actor.variations:
            headers = _headers(result.delta)
            lines.append("| " + " | ".join(headers) + " |")
            lines.append("|---|---|" + "---:|" * 6 + "---|")
            for v in actor.variations:
                cells = _cells(v)
                cells[0], cells[1] = md_code(v.name), md_code(v.where)
                lines.append("| " + " | ".join(cells) + " |")
            lines.append("")
        lines.append(md_text(verdict(actor, result.delta)))
        blocks.append("\n".join(lines))
    body = "\n\n".join(blocks) if blocks else "No events to score."
    footer = "*zero at*: the change of that weight alone at which the balance would be 0."
    return "# Sensitivity of the balance to each weight\n\n" + body + "\n\n" + footer + "\n"
