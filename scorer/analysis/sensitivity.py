"""Sensitivity: how the final balance and lean move when one weight changes by a relative ±delta.

Which rules fire on which events does not depend on the weights, so the
events are matched once (`scoring.match`) and only rescored per variation
(`scoring.rescore`): the engine is asked no more than for one `score`.

Only weights on the balance's two axes are varied; a weight on any other axis
moves neither the balance nor the lean. Per actor, only weights of rules that
moved that actor's balance are listed: any other change leaves it as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import polars as pl

from scorer.analysis.defaults import DELTA
from scorer.engine import Matcher
from scorer.model.frame import EventSet
from scorer.pack.model import RulePack
from scorer.problems import printable
from scorer.scoring import tables
from scorer.scoring.score import Matched, match, rescore

if TYPE_CHECKING:
    from scorer.model.event import Event


# A balance this close to 0 has no sign: float rounding must not count as a flip.
_ZERO = 1e-9
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
    shown: str = ""  # the rule's file as reports name it ("" for `file`)

    @property
    def name(self) -> str:
        """`RULE.AXIS`, as `--set` names a weight."""
        return f"{self.rule}.{self.axis}"

    @property
    def where(self) -> str:
        """Where the rule is defined (`file:line`)."""
        return printable(f"{self.shown or self.file}:{self.line}")

    def swing(self, balance: float) -> float:
        """The larger move of the balance, down or up, from `balance`."""
        return max(abs(self.low.balance - balance), abs(self.high.balance - balance))


@dataclass(frozen=True)
class ActorSensitivity:
    """One actor's final balance and every weight's variation, largest move first."""
    actor: str
    date: str
    balance: float
    lean: float
    variations: tuple[Variation, ...]  # largest move of the balance first

    @property
    def flips(self) -> tuple[Variation, ...]:
        """The variations that flip the sign of the balance."""
        return tuple(v for v in self.variations if v.flips)


@dataclass(frozen=True)
class Sensitivity:
    """Per actor, how its final balance moves when each weight changes by ±delta (relative), one at a time."""

    delta: float
    plus: str
    minus: str
    actors: dict[str, ActorSensitivity]

    def to_polars(self) -> pl.DataFrame:
        """A row per actor and weight varied, largest move of the balance first, with the numbers of the JSON output.

        Columns: `actor`, `date`, `balance` and `lean` (unvaried), `rule`,
        `axis`, `weight`, `low_weight`, `low_balance`, `low_lean` (the weight
        lowered by delta), `high_weight`, `high_balance`, `high_lean` (raised),
        `flips` (the balance changes sign either way), `breakeven_weight` (the
        weight at which the balance would be 0; null when the weight does not
        move it), `file` and `line` (where the rule is defined).
        """
        rows = [
            (name, actor.date, actor.balance + 0.0, actor.lean + 0.0, v.rule, v.axis, v.weight)
            + tuple(x + 0.0 for side in (v.low, v.high) for x in (side.weight, side.balance, side.lean))
            + (v.flips, v.breakeven, v.file, v.line)
            for name, actor in self.actors.items()
            for v in actor.variations
        ]
        return pl.DataFrame(rows, schema=_SCHEMA, orient="row")

    def to_pandas(self) -> Any:
        """`to_polars()` as a pandas DataFrame; needs the `pandas` extra (`pip install 'scorer[pandas]'`)."""
        return tables.to_pandas(self.to_polars())


_SCHEMA = {
    "actor": pl.String,
    "date": pl.String,
    "balance": pl.Float64,
    "lean": pl.Float64,
    "rule": pl.String,
    "axis": pl.String,
    "weight": pl.Float64,
    **{f"{side}_{x}": pl.Float64 for side in ("low", "high") for x in ("weight", "balance", "lean")},
    "flips": pl.Boolean,
    "breakeven_weight": pl.Float64,
    "file": pl.String,
    "line": pl.Int64,
}


def sign(value: float) -> int:
    """-1, 0 or 1; a balance within rounding of 0 has no sign."""
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
                        rule.shown,
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
    return weight - balance / slope + 0.0  # (-0.0 is 0)
