"""Rendering scores for people (text, markdown) and programs (JSON, CSV).

JSON follows SPEC section 5 exactly; the other formats are documented in the
README. Every line of a report that names a rule names where it is defined.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import orjson

from scorer.explanation import defined_at, rule_uses
from scorer.rules import RulePack
from scorer.timeline import ActorScore, Row, Score, Share, Step


def clean(value: float) -> float:
    """-0.0 prints as 0.0: an analyst reads no sign into nothing."""
    return value + 0.0


def _totals(totals: dict[str, float]) -> dict[str, float]:
    return {axis: clean(value) for axis, value in totals.items()}


def _row(row: Row) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if row.period is not None:
        out["period"] = row.period
    out["date"] = row.date
    if row.event is not None:
        out["event"] = row.event
    if row.events is not None:
        out["events"] = row.events
    out.update(totals=_totals(row.totals), balance=clean(row.balance), lean=clean(row.lean))
    return out


def _timeline(actor: ActorScore, axes: tuple[str, ...], lo: int = 0, hi: int | None = None) -> list[dict[str, Any]]:
    """The rows of `_row` (rows lo to hi), built from the timeline's columns (no Row objects)."""
    c = actor.columns
    part = slice(lo, hi)
    # Adding 0.0 turns -0.0 into 0.0, as `clean` does.
    values = (c.values[part] + 0.0).tolist()
    balances, leans = (c.balance[part] + 0.0).tolist(), (c.lean[part] + 0.0).tolist()
    dates, events = c.dates[part], c.events[part]
    if c.periods is None:
        return [
            {"date": d, "event": e, "totals": dict(zip(axes, v, strict=True)), "balance": b, "lean": n}
            for d, e, v, b, n in zip(dates, events, values, balances, leans, strict=True)
        ]
    return [
        {"period": p, "date": d, "events": e, "totals": dict(zip(axes, v, strict=True)), "balance": b, "lean": n}
        for p, d, e, v, b, n in zip(c.periods[part], dates, events, values, balances, leans, strict=True)
    ]


def _step(step: Step) -> dict[str, Any]:
    return {
        "event": step.event.id,
        "date": step.event.date,
        "matches": [
            {
                "rule": m.rule,
                "axis": m.axis,
                "weight": m.weight,
                "intensity": m.intensity,
                "confidence": m.confidence,
                "contribution": clean(m.contribution),
            }
            for m in step.matches
        ],
        "totals": _totals(step.totals),
        "balance": clean(step.balance),
    }


def document(score: Score, *, explain: bool = False, event: str | None = None) -> dict[str, Any]:
    """The JSON document of `score --format json` (and of `explain` with `explain=True`)."""
    head = _head(score)
    axes = score.pack.scoring.axes
    head["actors"] = {name: _actor(actor, axes, explain, event) for name, actor in score.actors.items()}
    return head


def _head(score: Score) -> dict[str, Any]:
    scoring = score.pack.scoring
    return {"axes": list(scoring.axes), "balance": {"plus": scoring.plus, "minus": scoring.minus}}


def _actor(
    actor: ActorScore, axes: tuple[str, ...], explain: bool, event: str | None, *, timeline: bool = True
) -> dict[str, Any]:
    item: dict[str, Any] = {"timeline": _timeline(actor, axes)} if timeline else {}
    item.update(final=_row(actor.final), unmatched=list(actor.unmatched))
    if explain:
        item["trail"] = [_step(step) for step in actor.trail if event is None or step.event.id == event]
        item["drivers"] = {
            "events": [{"event": s.name, "share": clean(s.share)} for s in actor.event_drivers],
            "rules": [{"rule": s.name, "share": clean(s.share)} for s in actor.rule_drivers],
        }
    return item


def to_json(data: Any) -> str:
    # orjson: the same document as the standard library's, several times faster on big timelines.
    return orjson.dumps(data, option=orjson.OPT_INDENT_2, default=list).decode("utf-8") + "\n"


def document_json(
    score: Score, *, explain: bool = False, event: str | None = None, after: dict[str, Any] | None = None
) -> Iterator[bytes]:
    """`to_json(document(...) | after)` as UTF-8, an actor's timeline `_ROWS` rows at a time.

    A million events make a document of many megabytes: written as it is made,
    no more than one actor's part of it (less its timeline, which an actor of a
    million events makes as long) is held as Python objects at once.
    """
    head = orjson.dumps({**_head(score), "actors": {}}, option=orjson.OPT_INDENT_2)
    before, rest = head.split(b'\n  "actors": {}', 1)
    yield before + b'\n  "actors": {'
    axes = score.pack.scoring.axes
    # orjson escapes every newline inside a string, so each one below is between lines:
    # indenting after each moves a part to where it stands in the whole document.
    for i, (name, actor) in enumerate(score.actors.items()):
        yield (b",\n    " if i else b"\n    ") + orjson.dumps(name) + b': {\n      "timeline": ['
        count = len(actor.columns.dates)
        for lo in range(0, count, _ROWS):
            rows = orjson.dumps(_timeline(actor, axes, lo, lo + _ROWS), option=orjson.OPT_INDENT_2)
            yield (b"," if lo else b"") + rows[1:-2].replace(b"\n", b"\n      ")  # without its brackets
        yield b"\n      ]," if count else b"],"
        item = orjson.dumps(_actor(actor, axes, explain, event, timeline=False), option=orjson.OPT_INDENT_2)
        yield item[1:].replace(b"\n", b"\n    ")  # its keys after the timeline
    yield b"\n  }" if score.actors else b"}"
    for key, value in (after or {}).items():
        yield b",\n  " + orjson.dumps(key) + b": "
        yield from _value(value, 1)
    yield rest + b"\n"


_ROWS = 10_000  # timeline rows (and items of a long list) made into Python objects at a time


def _value(value: Any, depth: int) -> Iterator[bytes]:
    """`value` as orjson writes it `depth` levels in, a long list (such as skipped rows) `_ROWS` items at a time."""
    pad = b"\n" + b"  " * depth
    if isinstance(value, dict) and value:
        yield b"{"
        for i, (key, item) in enumerate(value.items()):
            yield (b"," if i else b"") + pad + b"  " + orjson.dumps(key) + b": "
            yield from _value(item, depth + 1)
        yield pad + b"}"
    elif isinstance(value, Sequence) and not isinstance(value, str) and len(value) > _ROWS:
        yield b"["
        for lo in range(0, len(value), _ROWS):
            part = orjson.dumps(list(value[lo : lo + _ROWS]), option=orjson.OPT_INDENT_2)
            yield (b"," if lo else b"") + part[1:-2].replace(b"\n", pad)  # without its brackets
        yield pad + b"]"
    else:
        yield orjson.dumps(value, option=orjson.OPT_INDENT_2, default=list).replace(b"\n", pad)


@dataclass(frozen=True)
class Palette:
    """ANSI colour for signed numbers, only where the output is a terminal and NO_COLOR is unset."""

    enabled: bool = False

    def signed(self, value: float, text: str) -> str:
        if not self.enabled or clean(value) == 0:
            return text
        return f"\033[{32 if value > 0 else 31}m{text}\033[0m"

    def bold(self, text: str) -> str:
        return f"\033[1m{text}\033[0m" if self.enabled else text


def signed(value: float, places: int = 2) -> str:
    return f"{clean(value):+.{places}f}"


def table(
    headers: list[str],
    rows: list[list[str]],
    right: set[int],
    palette: Palette | None = None,
    values: list[list[float | None]] | None = None,
) -> list[str]:
    """Aligned columns; `right` holds the indices of numeric columns."""
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def fit(cells: list[str], nums: list[float | None] | None) -> str:
        out = []
        for i, cell in enumerate(cells):
            padded = cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            if palette and nums and nums[i] is not None:
                padded = palette.signed(nums[i] or 0.0, padded)
            out.append(padded)
        return "  ".join(out).rstrip()

    lines = [fit(headers, None), "  ".join("-" * w for w in widths)]
    for index, cells in enumerate(rows):
        lines.append(fit(cells, values[index] if values else None))
    return lines


def _where(pack: RulePack) -> dict[str, str]:
    return {rule.id: f"{rule.file}:{rule.line}" for rule in pack.rules}


def _heading(score: Score, name: str, actor: ActorScore) -> str:
    scoring = score.pack.scoring
    final = actor.final
    return (
        f"{name}: balance {signed(final.balance)} (lean {signed(final.lean)}) on {final.date}"
        f"  [{scoring.plus} +, {scoring.minus} -]"
    )


def timeline_text(score: Score, palette: Palette) -> str:
    axes = list(score.pack.scoring.axes)
    blocks = []
    for name, actor in score.actors.items():
        periodic = bool(actor.timeline) and actor.timeline[0].period is not None
        headers = (["period", "date", "events"] if periodic else ["date", "event"]) + axes + ["balance", "lean"]
        rows, values = [], []
        for row in actor.timeline:
            first = [row.period or "", row.date, str(row.events)] if periodic else [row.date, row.event or ""]
            rows.append(first + [signed(row.totals[a]) for a in axes] + [signed(row.balance), signed(row.lean)])
            values.append([None] * len(first) + [row.totals[a] for a in axes] + [row.balance, row.lean])
        lead = 3 if periodic else 2
        right = set(range(lead, len(headers))) | ({2} if periodic else set())
        lines = [palette.bold(_heading(score, name, actor)), ""]
        lines += table(headers, rows, right, palette, values)
        lines.append("")
        lines.append("unmatched: " + (", ".join(actor.unmatched) if actor.unmatched else "none"))
        blocks.append("\n".join(lines))
    if not blocks:
        return "no events to score\n"
    return "\n\n".join(blocks) + "\n"


def timeline_markdown(score: Score) -> str:
    axes = list(score.pack.scoring.axes)
    blocks = []
    for name, actor in score.actors.items():
        periodic = bool(actor.timeline) and actor.timeline[0].period is not None
        headers = (["period", "date", "events"] if periodic else ["date", "event"]) + axes + ["balance", "lean"]
        lines = [f"## {_md(name)}", "", _md(_heading(score, name, actor)), ""]
        lines.append("| " + " | ".join(headers) + " |")
        lines.append("|" + "|".join("---" if i < (3 if periodic else 2) else "---:" for i in range(len(headers))) + "|")
        for row in actor.timeline:
            first = [row.period or "", row.date, str(row.events)] if periodic else [row.date, f"`{row.event}`"]
            cells = first + [signed(row.totals[a]) for a in axes] + [signed(row.balance), signed(row.lean)]
            lines.append("| " + " | ".join(_md(c) if not c.startswith("`") else c for c in cells) + " |")
        lines.append("")
        lines.append("Unmatched: " + (", ".join(f"`{e}`" for e in actor.unmatched) if actor.unmatched else "none"))
        blocks.append("\n".join(lines))
    return "# Alignment score\n\n" + ("\n\n".join(blocks) if blocks else "No events to score.") + "\n"


def _md(text: str) -> str:
    """Text from input files, made inert in markdown (no HTML, no table breaks)."""
    return (
        text.replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\n", " ")
        .replace("*", "\\*")
        .replace("_", "\\_")
        .replace("`", "\\`")
    )


def timeline_csv(score: Score) -> str:
    axes = list(score.pack.scoring.axes)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    periodic = any(a.timeline and a.timeline[0].period is not None for a in score.actors.values())
    writer.writerow(
        ["actor"] + (["period", "date", "events"] if periodic else ["date", "event"]) + axes + ["balance", "lean"]
    )
    for name, actor in score.actors.items():
        for row in actor.timeline:
            first = [row.period, row.date, row.events] if periodic else [row.date, row.event]
            writer.writerow(
                [name]
                + first
                + [repr(clean(row.totals[a])) for a in axes]
                + [repr(clean(row.balance)), repr(clean(row.lean))]
            )
    return out.getvalue()


def _collapse(shares: tuple[Share, ...], top: int | None) -> tuple[list[Share], Share | None]:
    if top is None or len(shares) <= top:
        return list(shares), None
    rest = shares[top:]
    return list(shares[:top]), Share(f"{len(rest)} others", sum(s.share for s in rest))


def explain_text(score: Score, palette: Palette, *, top: int | None = 10, event: str | None = None) -> str:
    where = _where(score.pack)
    axes = list(score.pack.scoring.axes)
    blocks = []
    for name, actor in score.actors.items():
        lines = [palette.bold(_heading(score, name, actor)), ""]
        for step in actor.trail:
            if event is not None and step.event.id != event:
                continue
            e = step.event
            toward = f" -> {e.partner}" if e.partner else ""
            lines.append(palette.bold(f"{e.date}  {e.id}  {e.type}{toward}"))
            for label, text in (("summary", e.summary), ("source", e.source), ("quote", e.quote)):
                if text:
                    lines.append(f"    {label}: {' '.join(text.split())}")
            if not step.matches:
                lines.append("    no rule matched (unmatched)")
            rows, values = [], []
            for m in step.matches:
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
                values.append([None, None, None, m.weight, None, None, m.contribution])
            if rows:
                body = table(
                    ["rule", "defined at", "axis", "weight", "int.", "conf.", "contribution"],
                    rows,
                    {3, 4, 5, 6},
                    palette,
                    values,
                )
                lines += ["    " + line for line in body]
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
    lines = [palette.bold(f"Drivers of the final balance {signed(actor.final.balance)} on {actor.final.date}")]
    for title, shares, located in (("event", actor.event_drivers, False), ("rule", actor.rule_drivers, True)):
        shown, rest = _collapse(shares, top)
        rows, values = [], []
        running = 0.0
        for share in shown + ([rest] if rest else []):
            running += share.share
            at = [where.get(share.name, "")] if located else []
            rows.append([share.name, *at, signed(share.share), signed(running)])
            values.append([None, *([None] if located else []), share.share, running])
        rows.append(["= final balance", *([""] if located else []), signed(actor.final.balance), ""])
        values.append([None, *([None] if located else []), actor.final.balance, None])
        headers = [title, *(["defined at"] if located else []), "share", "cumulative"]
        numeric = {len(headers) - 2, len(headers) - 1}
        lines.append("")
        lines += ["  " + line for line in table(headers, rows, numeric, palette, values)]
    return lines


def explain_markdown(
    score: Score,
    *,
    top: int | None = 10,
    event: str | None = None,
    charts: Mapping[str, tuple[str, str]] | None = None,
) -> str:
    """The markdown report; `charts` gives per actor the balance chart and the drivers chart (PNG files) it links."""
    where = _where(score.pack)
    axes = list(score.pack.scoring.axes)
    blocks = []
    for name, actor in score.actors.items():
        lines = [f"## {_md(name)}", "", _md(_heading(score, name, actor)), ""]
        images = (charts or {}).get(name)
        if images:
            lines += ["### Balance over time", "", f"![{_md_alt(name)}: balance over time]({quote(images[0])})", ""]
            lines += ["Markers are numbered as the events below.", ""]
        lines += ["### Events", ""]
        for number, step in enumerate(actor.trail, 1):
            if event is not None and step.event.id != event:
                continue
            e = step.event
            toward = f" → {_md(e.partner)}" if e.partner else ""
            lines.append(f"#### {number}. {_md(e.date)} {_code(e.id)} — {_md(e.type)}{toward}")
            lines.append("")
            for label, text in (("Summary", e.summary), ("Source", e.source), ("Quote", e.quote)):
                if text:
                    lines.append(f"- {label}: {_md(' '.join(text.split()))}")
            if step.matches:
                lines += [
                    "",
                    "| rule | defined at | axis | weight | intensity | confidence | contribution |",
                    "|---|---|---|---:|---:|---:|---:|",
                ]
                for m in step.matches:
                    lines.append(
                        f"| `{m.rule}` | {_code(where[m.rule])} | {_md(m.axis)} | {signed(m.weight)} | "
                        f"{m.intensity:.2f} | {m.confidence:.2f} | {signed(m.contribution)} |"
                    )
            else:
                lines.append("- No rule matched (unmatched).")
            totals = ", ".join(f"{_md(a)} {signed(step.totals[a])}" for a in axes)
            lines += ["", f"Running: {totals}; balance **{signed(step.balance)}**", ""]
        lines += ["### Drivers of the final balance", ""]
        if images:
            lines += [f"![{_md_alt(name)}: drivers of the final balance]({quote(images[1])})", ""]
        for title, shares, located in (("Events", actor.event_drivers, False), ("Rules", actor.rule_drivers, True)):
            shown, rest = _collapse(shares, top)
            lines += [f"| {title[:-1].lower()} | defined at | share |", "|---|---|---:|"]
            for share in shown + ([rest] if rest else []):
                at = _code(where[share.name]) if located and share.name in where else ""
                label = _code(share.name) if share is not rest else share.name
                lines.append(f"| {label} | {at} | {signed(share.share)} |")
            lines += [f"| **final balance** | | **{signed(actor.final.balance)}** |", ""]
        lines += _rules_markdown(score, actor)
        lines += ["### Unmatched events", ""]
        unmatched = [(n, step) for n, step in enumerate(actor.trail, 1) if not step.matches]
        for number, step in unmatched:
            e = step.event
            summary = f": {_md(' '.join(e.summary.split()))}" if e.summary else ""
            lines.append(f"- Event {number}, {_md(e.date)} {_code(e.id)} ({_md(e.type)}){summary}")
        if not unmatched:
            lines.append("None: every event matched at least one rule.")
        blocks.append("\n".join(lines))
    return "# Why the score is what it is\n\n" + ("\n\n".join(blocks) if blocks else "No events to explain.") + "\n"


def _rules_markdown(score: Score, actor: ActorScore) -> list[str]:
    """The rule table: where each rule is defined, its weights, how often it fired, its share."""
    uses = rule_uses(actor, score.pack)
    lines = ["### Rules", "", "| rule | defined at | weights | fired on | share |", "|---|---|---|---:|---:|"]
    for use in uses:
        if not use.fired:
            continue
        weights = ", ".join(f"{_md(axis)} {signed(w)}" for axis, w in use.rule.signals.items())
        share = "—" if use.share is None else signed(use.share)
        disabled = "" if use.rule.enabled else " (disabled)"
        lines.append(
            f"| `{use.rule.id}`{disabled} | {_code(defined_at(use.rule))} | {weights} | {use.fired} | {share} |"
        )
    idle = [use for use in uses if not use.fired]
    if idle:
        names = ", ".join(f"`{use.rule.id}` ({_code(defined_at(use.rule))})" for use in idle)
        lines += ["", f"Did not fire on these events ({len(idle)}): {names}."]
    return lines + [""]


def _code(text: str) -> str:
    """Text from input files as a markdown code span, whatever backticks it holds."""
    text = " ".join(text.split())
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}".replace("|", "\\|")


def _md_alt(text: str) -> str:
    """Text for an image's alt text: inert, and no bracket that would end it."""
    return _md(text).replace("[", "\\[").replace("]", "\\]")


def weights_document(pack: RulePack) -> dict[str, Any]:
    return {
        "rules": [
            {"rule": r.id, "file": r.file, "line": r.line, "enabled": r.enabled, "signals": dict(r.signals)}
            for r in pack.rules
        ]
    }


def weights_text(pack: RulePack) -> str:
    rows = []
    for r in pack.rules:
        signals = ", ".join(f"{axis} {signed(w)}" for axis, w in r.signals.items())
        rows.append([r.id, f"{r.file}:{r.line}", "yes" if r.enabled else "no", signals])
    return "\n".join(table(["rule", "defined at", "enabled", "signals"], rows, set())) + "\n"
