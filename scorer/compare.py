"""Two rulepacks on the same events, side by side: `scorer compare EVENTS --rules A --rules B` (or `--set`).

When the second pack differs from the first only in weights (`--set`), the
events are matched once and scored twice; otherwise each pack is matched on
its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scorer.engine import Matcher
from scorer.events import EventSet
from scorer.explanation import locations
from scorer.report import _code, _md, clean, signed, table
from scorer.rules import RulePack
from scorer.timeline import ActorScore, Score, Share, match, rescore, score

if TYPE_CHECKING:
    from scorer.model import Event


@dataclass(frozen=True)
class Difference:
    """One event's or rule's share of the final balance under each pack (None: not a driver there)."""

    name: str
    a: float | None
    b: float | None
    a_at: str | None = None  # where a rule is defined in each pack
    b_at: str | None = None

    @property
    def difference(self) -> float:
        return (self.b or 0.0) - (self.a or 0.0)


@dataclass(frozen=True)
class ActorComparison:
    actor: str
    a: ActorScore
    b: ActorScore
    events: tuple[Difference, ...]  # biggest difference first
    rules: tuple[Difference, ...]


@dataclass(frozen=True)
class WeightChange:
    """A rule whose weights (or existence) differ between the packs."""

    rule: str
    a: dict[str, float] | None
    b: dict[str, float] | None
    a_at: str | None
    b_at: str | None


@dataclass(frozen=True)
class Comparison:
    labels: tuple[str, str]
    a: Score
    b: Score
    actors: dict[str, ActorComparison]
    changes: tuple[WeightChange, ...]  # in the order of pack A, then rules only in B


def same_rules(a: RulePack, b: RulePack) -> bool:
    """Whether B is A with other weights only, so that one match serves both."""
    return [(r.id, r.enabled, r.when) for r in a.rules] == [(r.id, r.enabled, r.when) for r in b.rules]


def compare(
    events: EventSet | Sequence[Event],
    a: RulePack,
    b: RulePack,
    *,
    labels: tuple[str, str] = ("A", "B"),
    actor: str | None = None,
    as_of: str | None = None,
    matcher: Matcher | None = None,
) -> Comparison:
    """Score the events with both packs and line the results up per actor, event and rule."""
    if same_rules(a, b):
        matched = match(events, a, actor=actor, as_of=as_of, matcher=matcher)
        score_a, score_b = rescore(matched, a), rescore(matched, b)
    else:
        score_a = score(events, a, actor=actor, as_of=as_of, matcher=matcher)
        score_b = score(events, b, actor=actor, as_of=as_of)
    where_a, where_b = locations(a), locations(b)
    actors = {}
    for name, actor_a in score_a.actors.items():
        actor_b = score_b.actors[name]
        order = {step.event.id: i for i, step in enumerate(actor_a.trail)}
        events_diff = _differences(actor_a.event_drivers, actor_b.event_drivers, order, {}, {})
        rule_order = {rule.id: i for i, rule in enumerate(list(a.rules) + list(b.rules))}
        rules_diff = _differences(actor_a.rule_drivers, actor_b.rule_drivers, rule_order, where_a, where_b)
        actors[name] = ActorComparison(name, actor_a, actor_b, events_diff, rules_diff)
    return Comparison(labels, score_a, score_b, actors, _changes(a, b))


def _differences(
    a: Sequence[Share], b: Sequence[Share], order: dict[str, int], where_a: dict[str, str], where_b: dict[str, str]
) -> tuple[Difference, ...]:
    shares_a = {s.name: s.share for s in a}
    shares_b = {s.name: s.share for s in b}
    names = sorted(set(shares_a) | set(shares_b), key=lambda n: order.get(n, len(order)))
    items = [Difference(n, shares_a.get(n), shares_b.get(n), where_a.get(n), where_b.get(n)) for n in names]
    # Stable sort: equal differences keep processing (or pack) order.
    return tuple(sorted(items, key=lambda d: -round(abs(d.difference), 12)))


def _changes(a: RulePack, b: RulePack) -> tuple[WeightChange, ...]:
    rules_b = {rule.id: rule for rule in b.rules}
    ids_a = {rule.id for rule in a.rules}
    changes = []
    for rule in a.rules:
        other = rules_b.get(rule.id)
        if other is None or other.signals != rule.signals or other.enabled != rule.enabled:
            changes.append(
                WeightChange(
                    rule.id,
                    dict(rule.signals) if rule.enabled else {},
                    None if other is None else dict(other.signals) if other.enabled else {},
                    f"{rule.file}:{rule.line}",
                    None if other is None else f"{other.file}:{other.line}",
                )
            )
    for rule in b.rules:
        if rule.id not in ids_a:
            signals = dict(rule.signals) if rule.enabled else {}
            changes.append(WeightChange(rule.id, None, signals, None, f"{rule.file}:{rule.line}"))
    return tuple(changes)


def _side(totals: dict[str, float], balance: float, lean: float) -> dict[str, Any]:
    return {"totals": {k: clean(v) for k, v in totals.items()}, "balance": clean(balance), "lean": clean(lean)}


def to_document(result: Comparison) -> dict[str, Any]:
    """The JSON document of `compare --format json`."""

    def pole(s: Score) -> dict[str, str]:
        return {"plus": s.pack.scoring.plus, "minus": s.pack.scoring.minus}

    def share(value: float | None) -> float | None:
        return None if value is None else clean(value)

    actors: dict[str, Any] = {}
    for name, c in result.actors.items():
        fa, fb = c.a.final, c.b.final
        actors[name] = {
            "final": {
                "date": fa.date,
                "a": _side(fa.totals, fa.balance, fa.lean),
                "b": _side(fb.totals, fb.balance, fb.lean),
                "balance_difference": clean(fb.balance - fa.balance),
                "lean_difference": clean(fb.lean - fa.lean),
            },
            "timeline": [
                {
                    "date": ra.date,
                    "event": ra.event,
                    "a": _side(ra.totals, ra.balance, ra.lean),
                    "b": _side(rb.totals, rb.balance, rb.lean),
                    "balance_difference": clean(rb.balance - ra.balance),
                }
                for ra, rb in zip(c.a.timeline, c.b.timeline, strict=True)
            ],
            "events": [
                {"event": d.name, "a": share(d.a), "b": share(d.b), "difference": clean(d.difference)}
                for d in c.events
            ],
            "rules": [
                {
                    "rule": d.name,
                    "defined_at": {"a": d.a_at, "b": d.b_at},
                    "a": share(d.a),
                    "b": share(d.b),
                    "difference": clean(d.difference),
                }
                for d in c.rules
            ],
        }
    return {
        "a": {"rules": result.labels[0], "balance": pole(result.a)},
        "b": {"rules": result.labels[1], "balance": pole(result.b)},
        "changed_weights": [
            {"rule": ch.rule, "defined_at": {"a": ch.a_at, "b": ch.b_at}, "a": ch.a, "b": ch.b}
            for ch in result.changes
        ],
        "actors": actors,
    }


def _signals(signals: dict[str, float] | None) -> str:
    if signals is None:
        return "(not in this pack)"
    if not signals:
        return "(disabled)"
    return ", ".join(f"{axis} {signed(w)}" for axis, w in signals.items())


def _at(a: str | None, b: str | None) -> str:
    if a == b or b is None:
        return a or ""
    if a is None:
        return b
    return f"A {a}, B {b}"


def _share(value: float | None) -> str:
    return "-" if value is None else signed(value)


def _shown(items: tuple[Difference, ...], top: int | None) -> list[Difference]:
    moved = [d for d in items if round(d.difference, 12) != 0]
    return moved if top is None else moved[:top]


def compare_text(result: Comparison, *, top: int | None = 10) -> str:
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
    a_label, b_label = result.labels
    lines = ["# Two rulepacks compared", "", f"- A: {_md(a_label)}", f"- B: {_md(b_label)}", ""]
    if result.changes:
        lines += ["## Weights that differ", "", "| rule | defined at | A | B |", "|---|---|---|---|"]
        for ch in result.changes:
            at = _code(_at(ch.a_at, ch.b_at))
            lines.append(f"| `{ch.rule}` | {at} | {_md(_signals(ch.a))} | {_md(_signals(ch.b))} |")
    else:
        lines.append("The packs have the same weights.")
    for name, c in result.actors.items():
        fa, fb = c.a.final, c.b.final
        lines += [
            "",
            f"## {_md(name)}",
            "",
            f"Balance A **{signed(fa.balance)}** (lean {signed(fa.lean)}), B **{signed(fb.balance)}** "
            f"(lean {signed(fb.lean)}) on {_md(fa.date)}; B − A {signed(fb.balance - fa.balance)}.",
            "",
            "| date | event | balance A | balance B | B − A | lean A | lean B |",
            "|---|---|---:|---:|---:|---:|---:|",
        ]
        for ra, rb in zip(c.a.timeline, c.b.timeline, strict=True):
            lines.append(
                f"| {_md(ra.date)} | {_code(ra.event or '')} | {signed(ra.balance)} | {signed(rb.balance)} | "
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
                at = f" {_code(_at(d.a_at, d.b_at))} |" if located else ""
                lines.append(
                    f"| {_code(d.name)} |{at} {_share(d.a)} | {_share(d.b)} | {signed(d.difference)} |"
                )
    return "\n".join(lines) + "\n"
