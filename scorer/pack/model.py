"""A rulepack as the scorer holds it: scoring settings, sets, rules and their conditions, weights.

A rule's `when` is a small condition tree (`All`, `AnyOf`, `Not`, `Test`)
that the engine compiles. Every rule knows where it is defined, so that every
report line that names it can say so (`Rule.where`).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field, replace
from typing import Any

from scorer.problems import describe

FIELDS = ("id", "date", "actor", "type", "partner", "intensity", "confidence", "source", "tags")
OPERATORS = ("eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte", "prefix", "regex", "contains", "in_set", "exists")
ORDERING = ("gt", "gte", "lt", "lte")

Scalar = str | int | float | bool

# Weights are "how much an event moves the country", on a scale of a few units;
# past a million a weight is a typo (or an attempt to drown every other rule), and
# sums of such weights times intensities could overflow to infinity.
MAX_WEIGHT = 1e6


def weight_problem(weight: Any, what: str) -> str | None:
    """What is wrong with a weight (of `what`, such as `'nato'`), or None: the one check for every way in."""
    if isinstance(weight, bool) or not isinstance(weight, (int, float)):
        return f"weight of {what} must be a number, not {describe(weight)}"
    if not math.isfinite(weight):
        return f"weight of {what} must be finite, not {weight}"
    if abs(weight) > MAX_WEIGHT:
        return f"weight of {what} is {weight:g}: weights may be at most {MAX_WEIGHT:,.0f} either way"
    return None


def parse_weight(text: str) -> float:
    """A weight as given on the command line; ValueError for text that is not a number."""
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"weight must be a number, not {text!r}") from None


@dataclass(frozen=True)
class Test:
    """One operator on one event field; `in_set` arrives here as `in` with the set's members.

    `set` names the set of an `in_set`; `spots` are where each value of the
    operand stands in the rule file (line, column), for messages about them.
    Neither is part of what the test means: tests that differ only in them are equal.
    """

    field: str
    op: str
    operand: Any
    set: str | None = dataclasses.field(default=None, compare=False)
    spots: tuple[tuple[int, int], ...] = dataclasses.field(default=(), compare=False, repr=False)


@dataclass(frozen=True)
class All:
    """Every item holds."""

    items: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    """At least one item holds."""

    items: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    """The item does not hold."""

    item: Condition


Condition = Test | All | AnyOf | Not



@dataclass(frozen=True)
class Rule:
    """One rule: when it fires, what it signals on which axis, and where it is defined."""

    id: str
    description: str
    when: Condition
    signals: dict[str, float]
    enabled: bool
    references: tuple[str, ...]
    file: str
    line: int

    @property
    def where(self) -> str:
        """Where the rule is defined, as `file:line`: every report line naming a rule says it."""
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Scoring:
    """The pack's axes, which two make the balance, and the half-life of contributions (None: no decay)."""

    axes: tuple[str, ...] = ("nato", "russia")
    plus: str = "nato"
    minus: str = "russia"
    half_life_days: float | None = None


@dataclass(frozen=True)
class RulePack:
    """Scoring settings, named sets, rules in pack order, the codebook of event types, and the files they came from."""

    scoring: Scoring
    sets: dict[str, tuple[Scalar, ...]]
    rules: tuple[Rule, ...]
    files: tuple[str, ...] = field(default=())
    codebook: dict[str, str] = field(default_factory=dict)  # event type -> what it means, in pack order

    def rule(self, rule_id: str) -> Rule:
        """The rule of this id; KeyError if the pack has none."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def locations(self) -> dict[str, str]:
        """Where each rule is defined (`file:line`), by id."""
        return {rule.id: rule.where for rule in self.rules}

    def with_weight(self, rule_id: str, axis: str, weight: float) -> RulePack:
        """The same pack with one weight changed (for `--set`)."""
        rules = tuple(
            replace(rule, signals={**rule.signals, axis: weight}) if rule.id == rule_id else rule for rule in self.rules
        )
        return replace(self, rules=rules)

    def with_setting(self, setting: str) -> RulePack:
        """The pack with `RULE.AXIS=WEIGHT` applied; ValueError saying what is wrong with the setting."""
        name, equals, value = setting.partition("=")
        rule_id, dot, axis = name.rpartition(".")
        if not equals or not dot:
            raise ValueError("expected RULE.AXIS=WEIGHT")
        try:
            self.rule(rule_id)
        except KeyError:
            raise ValueError(f"unknown rule '{rule_id}'") from None
        if axis not in self.scoring.axes:
            raise ValueError(f"unknown axis '{axis}' (axes: {', '.join(self.scoring.axes)})")
        weight = parse_weight(value)
        problem = weight_problem(weight, f"{rule_id!r} on {axis!r}")
        if problem:
            raise ValueError(problem)
        return self.with_weight(rule_id, axis, weight)

    def same_rules(self, other: RulePack) -> bool:
        """Whether `other` is this pack with other weights only, so that one match serves both."""
        return [(r.id, r.enabled, r.when) for r in self.rules] == [(r.id, r.enabled, r.when) for r in other.rules]
