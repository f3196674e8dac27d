"""Sensitivity: how the final balance and lean move when one weight changes by a relative ±delta.

Which rules fire on which events does not depend on the weights, so the
events are matched once (`timeline.match`) and only rescored per variation
(`timeline.rescore`): the engine is asked no more than for one `score`.

Only weights on the balance's two axes are varied; a weight on any other axis
moves neither the balance nor the lean. Per actor, only weights of rules that
moved that actor's balance are listed: any other change leaves it as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scorer.engine import Matcher
from scorer.events import EventSet
from scorer.report import _code, _md, clean, signed, table
from scorer.rules import RulePack
from scorer.timeline import Matched, match, rescore

if TYPE_CHECKING:
    from scorer.model import Event

DELTA = 0.25

# A balance this close to 0 has no sign: float rounding must not count as a flip.
_ZERO = 1e-9

# A verdict names this many flipping weights; the table marks them all.
_NAMED = 5


@dataclass(frozen=True)
class Variant:
    """The outcome of one weight set to `weight`."""

    weight: float
    balance: float
    lean: float


@dataclass(frozen=True)
class Variation:
    """One weight varied down and up by delta, the others as in the pack."""

    rule: str
    axis: str
    file: str
    line: int
    weight: float
    low: Variant
    high: Variant
    flips: bool  # the balance's sign differs from the unvaried one in either direction
    breakeven: float | None  # the weight at which the balance would be 0, None when the weight does not move it

    @property
    def name(self) -> str:
        return f"{self.rule}.{self.axis}"

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    def swing(self, balance: float) -> float:
        return max(abs(self.low.balance - balance), abs(self.high.balance - balance))


@dataclass(frozen=True)
class ActorSensitivity:
    actor: str
    date: str
    balance: float
    lean: float
    variations: tuple[Variation, ...]  # largest move of the balance first

    @property
    def flips(self) -> tuple[Variation, ...]:
        return tuple(v for v in self.variations if v.flips)


@dataclass(frozen=True)
class Sensitivity:
    delta: float
    plus: str
    minus: str
    actors: dict[str, ActorSensitivity]


def sign(value: float) -> int:
    return 0 if abs(value) <= _ZERO else (1 if value > 0 else -1)


def sensitivity(
    events: EventSet | Sequence[Event],
    pack: RulePack,
    *,
    delta: float = DELTA,
    actor: str | None = None,
    as_of: str | None = None,
    matcher: Matcher | None = None,
) -> Sensitivity:
    """Vary each weight of the balance's axes by ±delta (relative), one at a time, on one match of the events."""
    return of_matched(match(events, pack, actor=actor, as_of=as_of, matcher=matcher), pack, delta=delta)


def of_matched(matched: Matched, pack: RulePack, *, delta: float = DELTA) -> Sensitivity:
    """Sensitivity of events already matched with `pack`."""
    if not delta > 0:
        raise ValueError(f"delta must be a number above 0, not {delta}")
    scoring = pack.scoring
    base = rescore(matched, pack)
    # Per actor, the rules with a share of its balance; across actors, the weights worth varying.
    moving = {name: {s.name for s in actor.rule_drivers} for name, actor in base.actors.items()}
    wanted = set().union(*moving.values()) if moving else set()
    weights = [
        (rule, axis, weight)
        for rule in pack.rules
        if rule.id in wanted
        for axis, weight in rule.signals.items()
        if axis in (scoring.plus, scoring.minus)
    ]
    outcomes: dict[tuple[str, str], tuple[dict[str, Variant], dict[str, Variant]]] = {}
    for rule, axis, weight in weights:
        sides = []
        for factor in (1 - delta, 1 + delta):
            varied = rescore(matched, pack.with_weight(rule.id, axis, weight * factor))
            sides.append(
                {
                    name: Variant(weight * factor, actor.final.balance, actor.final.lean)
                    for name, actor in varied.actors.items()
                }
            )
        outcomes[(rule.id, axis)] = (sides[0], sides[1])
    actors: dict[str, ActorSensitivity] = {}
    for name, actor in base.actors.items():
        final = actor.final
        rows = []
        for order, (rule, axis, weight) in enumerate(weights):
            if rule.id not in moving[name]:
                continue
            low, high = (side[name] for side in outcomes[(rule.id, axis)])
            rows.append(
                (
                    order,
                    Variation(
                        rule.id,
                        axis,
                        rule.file,
                        rule.line,
                        weight,
                        low,
                        high,
                        sign(low.balance) != sign(final.balance) or sign(high.balance) != sign(final.balance),
                        _breakeven(weight, low, high, final.balance),
                    ),
                )
            )
        rows.sort(key=lambda item: (-round(item[1].swing(final.balance), 12), item[0]))
        actors[name] = ActorSensitivity(
            name, final.date, final.balance, final.lean, tuple(variation for _, variation in rows)
        )
    return Sensitivity(delta, scoring.plus, scoring.minus, actors)


def _breakeven(weight: float, low: Variant, high: Variant, balance: float) -> float | None:
    """The balance is linear in each weight: where the line through both variants crosses 0."""
    if high.weight == low.weight or high.balance == low.balance:
        return None
    slope = (high.balance - low.balance) / (high.weight - low.weight)
    return clean(weight - balance / slope)


def _percent(delta: float) -> str:
    return f"{delta * 100:g}%"


def _change(variation: Variation) -> str:
    """The breakeven weight as a relative change of the weight, the way an analyst would argue it."""
    if variation.breakeven is None:
        return "-"
    if variation.weight == 0:
        return f"at {variation.breakeven:+.3g}"
    change = (variation.breakeven - variation.weight) / abs(variation.weight) * 100
    return f"{change:+.1f}%" if abs(change) < 10 else f"{change:+.0f}%"


def to_document(result: Sensitivity) -> dict[str, Any]:
    """The JSON document of `sensitivity --format json`."""

    def variant(v: Variant) -> dict[str, float]:
        return {"weight": clean(v.weight), "balance": clean(v.balance), "lean": clean(v.lean)}

    return {
        "delta": result.delta,
        "balance": {"plus": result.plus, "minus": result.minus},
        "actors": {
            name: {
                "date": actor.date,
                "balance": clean(actor.balance),
                "lean": clean(actor.lean),
                "variations": [
                    {
                        "rule": v.rule,
                        "axis": v.axis,
                        "file": v.file,
                        "line": v.line,
                        "weight": v.weight,
                        "low": variant(v.low),
                        "high": variant(v.high),
                        "flips": v.flips,
                        "breakeven_weight": v.breakeven,
                    }
                    for v in actor.variations
                ],
                "flips": [v.name for v in actor.flips],
            }
            for name, actor in result.actors.items()
        },
    }


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
    d = _percent(delta)
    return ["weight", "defined at", "now", f"bal. -{d}", f"bal. +{d}", f"lean -{d}", f"lean +{d}", "zero at", "flips"]


def sensitivity_text(result: Sensitivity) -> str:
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
    blocks = []
    for name, actor in result.actors.items():
        lines = [
            f"## {_md(name)}",
            "",
            f"Balance **{signed(actor.balance)}** (lean {signed(actor.lean)}) on {_md(actor.date)}, "
            f"{_md(result.plus)} +, {_md(result.minus)} −; each weight varied by ±{_percent(result.delta)}.",
            "",
        ]
        if actor.variations:
            headers = _headers(result.delta)
            lines.append("| " + " | ".join(headers) + " |")
            lines.append("|---|---|" + "---:|" * 6 + "---|")
            for v in actor.variations:
                cells = _cells(v)
                cells[0], cells[1] = _code(v.name), _code(v.where)
                lines.append("| " + " | ".join(cells) + " |")
            lines.append("")
        lines.append(_md(verdict(actor, result.delta)))
        blocks.append("\n".join(lines))
    body = "\n\n".join(blocks) if blocks else "No events to score."
    footer = "*zero at*: the change of that weight alone at which the balance would be 0."
    return "# Sensitivity of the balance to each weight\n\n" + body + "\n\n" + footer + "\n"


