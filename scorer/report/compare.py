"""Comparisons rendered for people: the weights that differ, both timelines, the biggest differences."""

from __future__ import annotations

from scorer.analysis.compare import Comparison, Difference
from scorer.report.format import md_code, md_text, signed, table


def _signals(signals: dict[str, float] | None) -> str:
    """A rule's weights in one pack, or why it has none."""
    if signals is None:
        return "(not in this pack)"
    if not signals:
        return "(disabled)"
    return ", ".join(f"{axis} {signed(w)}" for axis, w in signals.items())


def _at(a: str | None, b: str | None) -> str:
    """Where a rule is defined in A and B (once, when the same)."""
    if a == b or b is None:
        return a or ""
    if a is None:
        return b
    return f"A {a}, B {b}"


def _share(value: float | None) -> str:
    """A share, or `-` when it is none."""
    return "-" if value is None else signed(value)


def _shown(items: tuple[Difference, ...], top: int | None) -> list[Difference]:
    """The differences that moved, at most `top`."""
    moved = [d for d in items if round(d.difference, 12) != 0]
    return moved if top is None else moved[:top]


def compare_text(result: Comparison, *, top: int | None = 10) -> str:
    """The comparison as text: weights that differ, timelines side by side, the biggest differences."""
    a_label, b_label = result.labels
    lines = [f"A: {a_label}", f"B: {b_label}", ""]
    if result.changes:
        rows = [[ch.rule, _at(ch.a_at, ch.b_at), _signals(ch.a), _signals(ch.b)] for ch in result.changes]
        lines += ["Weights that differ:", ""]
        lines += ["  " + line for line in table(["rule", "defined at", "A", "B"], rows, set())]
    else:
        lines.append("The packs have the same weights.")
    blocks = ["\n".join(lines)]
    for name, c in result.actors.items():
        fa, fb = c.a.final, c.b.final
        out = [
            f"{name}: balance A {signed(fa.balance)} (lean {signed(fa.lean)}), "
            f"B {signed(fb.balance)} (lean {signed(fb.lean)}) on {fa.date}; B - A {signed(fb.balance - fa.balance)}",
            "",
        ]
        rows = [
            [
                ra.date,
                ra.event or "",
                signed(ra.balance),
                signed(rb.balance),
                signed(rb.balance - ra.balance),
                signed(ra.lean),
                signed(rb.lean),
            ]
            for ra, rb in zip(c.a.timeline, c.b.timeline, strict=True)
        ]
        out += table(["date", "event", "balance A", "balance B", "B - A", "lean A", "lean B"], rows, {2, 3, 4, 5, 6})
        for title, items, located in (("event", c.events, False), ("rule", c.rules, True)):
            shown = _shown(items, top)
            out += ["", f"Biggest differences by {title} (share of the final balance):"]
            if not shown:
                out.append("  none")
                continue
            headers = [title, *(["defined at"] if located else []), "A", "B", "B - A"]
            body = [
                [d.name, *([_at(d.a_at, d.b_at)] if located else []), _share(d.a), _share(d.b), signed(d.difference)]
                for d in shown
            ]
            numeric = {len(headers) - 3, len(headers) - 2, len(headers) - 1}
            out += ["  " + line for line in table(headers, body, numeric)]
        blocks.append("\n".join(out))
    if not result.actors:
        blocks.append("no events to compare")
    return "\n\n".join(blocks) + "\n"


def compare_markdown(result: Comparison, *, top: int | None = 10) -> str:
    """The comparison as markdown."""
    a_label, b_label = result.labels
    lines = ["# Two rulepacks compared", "", f"- A: {md_text(a_label)}", f"- B: {md_text(b_label)}", ""]
    if result.changes:
        lines += ["## Weights that differ", "", "| rule | defined at | A | B |", "|---|---|---|---|"]
        for ch in result.changes:
            at = md_code(_at(ch.a_at, ch.b_at))
            lines.append(f"| {md_code(ch.rule)} | {at} | {md_text(_signals(ch.a))} | {md_text(_signals(ch.b))} |")
    else:
        lines.append("The packs have the same weights.")
    for name, c in result.actors.items():
        fa, fb = c.a.final, c.b.final
        lines += [
            "",
            f"## {md_text(name)}",
            "",
            f"Balance A **{signed(fa.balance)}** (lean {signed(fa.lean)}), B **{signed(fb.balance)}** "
            f"(lean {signed(fb.lean)}) on {md_text(fa.date)}; B − A {signed(fb.balance - fa.balance)}.",
            "",
            "| date | event | balance A | balance B | B − A | lean A | lean B |",
            "|---|---|---:|---:|---:|---:|---:|",
        ]
        for ra, rb in zip(c.a.timeline, c.b.timeline, strict=True):
            lines.append(
                f"| {md_text(ra.date)} | {md_code(ra.event or '')} | {signed(ra.balance)} | {signed(rb.balance)} | "
                f"{signed(rb.balance - ra.balance)} | {signed(ra.lean)} | {signed(rb.lean)} |"
            )
        for title, items, located in (("event", c.events, False), ("rule", c.rules, True)):
            shown = _shown(items, top)
            lines += ["", f"### Biggest differences by {title}", ""]
            if not shown:
                lines.append("None.")
                continue
            lines.append(f"| {title} |{' defined at |' if located else ''} A | B | B − A |")
            lines.append("|---|" + ("---|" if located else "") + "---:|---:|---:|")
            for d in shown:
                at = f" {md_code(_at(d.a_at, d.b_at))} |" if located else ""
                lines.append(
                    f"| {md_code(d.name)} |{at} {_share(d.a)} | {_share(d.b)} | {signed(d.difference)} |"
                )
    return "\n".join(lines) + "\n"
