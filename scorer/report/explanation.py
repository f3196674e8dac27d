"""What the published reports show beyond the trail: waterfall rows, the rule table, each event's effect.

Shared by the HTML report, the markdown report and the charts, so that all
of them say the same thing about the same score.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from scorer.pack.model import Rule, RulePack
from scorer.report.format import collapse
from scorer.scoring.actor import ActorScore, Share, Step


@dataclass(frozen=True)
class Bar:
    """One row of a waterfall: a driver's signed share, from where the running sum stood to where it ends.

    `kind` is "driver" for one event or rule, "others" for the collapsed rest and
    "total" for the closing row, which runs from 0 to the final balance.
    """

    label: str
    value: float
    start: float
    end: float
    kind: Literal["driver", "others", "total"]
    where: str = ""


def waterfall(shares: Sequence[Share], final: float, top: int | None, where: dict[str, str] | None = None) -> list[Bar]:
    """Start at 0, one signed row per driver (largest first), the rest as "N others", then the final balance.

    The drivers' shares add up to the final balance (docs/reference.md), so the
    last driver row ends where the closing row does, up to float rounding.
    """
    where = where or {}
    shown, rest = collapse(shares, top)
    bars: list[Bar] = []
    running = 0.0
    for share in shown:
        bars.append(Bar(share.name, share.share, running, running + share.share, "driver", where.get(share.name, "")))
        running += share.share
    if rest is not None:
        bars.append(Bar(rest.name, rest.share, running, running + rest.share, "others"))
    bars.append(Bar("final balance", final, 0.0, final, "total"))
    return bars


@dataclass(frozen=True)
class RuleUse:
    """One row of the rule table: a rule, how often it fired for an actor, and its share of the final balance."""

    rule: Rule
    fired: int
    share: float | None  # None: it never moved an axis of the balance


def rule_uses(actor: ActorScore, pack: RulePack) -> list[RuleUse]:
    """Every rule of the pack: those with a share first (largest first), then those that fired, then the rest."""
    fired: dict[str, int] = {}
    for step in actor.trail:
        for rule_id in {m.rule for m in step.matches}:
            fired[rule_id] = fired.get(rule_id, 0) + 1
    shares = {share.name: share.share for share in actor.rule_drivers}
    rank = {share.name: i for i, share in enumerate(actor.rule_drivers)}
    uses = [RuleUse(rule, fired.get(rule.id, 0), shares.get(rule.id)) for rule in pack.rules]
    order = {rule.id: i for i, rule in enumerate(pack.rules)}
    return sorted(
        uses,
        key=lambda use: (
            rank.get(use.rule.id, len(rank)),
            use.fired == 0,
            order[use.rule.id],
        ),
    )


def effect(step: Step, plus: str, minus: str) -> float:
    """How far an event moved the balance on its own date (before any decay)."""
    return sum(m.contribution if m.axis == plus else -m.contribution if m.axis == minus else 0.0 for m in step.matches)
