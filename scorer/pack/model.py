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

from scorer.model.fields import fits_float, too_large
from scorer.problems import describe, printable

FIELDS = ("id", "date", "actor", "type", "partner", "intensity", "confidence", "source", "tags")
OPERATORS = ("eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte", "prefix", "regex", "contains", "in_set", "exists", "same_as")
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
    if isinstance(weight, int) and not fits_float(weight):
        return f"weight of {what} is a number too large: weights may be at most {MAX_WEIGHT:,.0f} either way"
    if not math.isfinite(weight):
        return f"weight of {what} must be finite, not {weight}"
    if abs(weight) > MAX_WEIGHT:
        return f"weight of {what} is {weight:g}: weights may be at most {MAX_WEIGHT:,.0f} either way"
    return None


def parse_weight(text: str) -> float:
    """A weight as given on the command line; ValueError for text that is not a number."""
    try:
        weight = float(text)
    except ValueError:
        raise ValueError(f"weight must be a number, not {text!r}") from None
    if math.isinf(weight) and "inf" not in text.lower():
        raise ValueError(f"weight {too_large(text).removeprefix('number ')}: weights may be at most {MAX_WEIGHT:,.0f} either way")
    return weight


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

# Fields an earlier event's field may be compared with by `same_as` (and that may be compared):
# every event field but tags, which is a list; `attrs.NAME` as well.
SAME_AS_FIELDS = tuple(name for name in FIELDS if name != "tags")


@dataclass(frozen=True)
class Context:
    """What a sequence rule asks of the events before the one it scores (`after` or `not_after`).

    `when` tests the earlier event alone (None: any event); `same` pairs an earlier
    event's field with this event's field that it must equal (`same_as`);
    `within_days` bounds how long before (None: any time before); with `after` at
    least `min_count` such events must exist, with `not_after` fewer than that.
    """

    kind: str  # "after" or "not_after"
    when: Condition | None
    same: tuple[tuple[str, str], ...]
    within_days: float | None
    min_count: int = 1


@dataclass(frozen=True)
class Rule:
    """One rule: when it fires, what it signals on which axis, and where it is defined."""

    id: str
    description: str
    when: Condition
    signals: dict[str, float]
    enabled: bool
    references: tuple[str, ...]
    file: str  # the file as read: weights are edited there
    line: int
    shown: str = ""  # the file as reports name it (`rules/military.yaml`, `cameo:conflict.yaml`); "" for `file`
    after: Context | None = None
    not_after: Context | None = None
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)  # axis -> [low, high] the pack gives

    @property
    def contexts(self) -> tuple[Context, ...]:
        """The rule's `after` and `not_after`, those it has: a rule with any is a sequence rule."""
        return tuple(c for c in (self.after, self.not_after) if c is not None)

    @property
    def where(self) -> str:
        """Where the rule is defined, as `file:line`: every report line naming a rule says it."""
        return printable(f"{self.shown or self.file}:{self.line}")


def outside_range(rule: Rule, axis: str, weight: float) -> str | None:
    """What is wrong with giving `rule` this weight on `axis` when the rule's own range leaves it out, or None."""
    if axis not in rule.ranges:
        return None
    low, high = rule.ranges[axis]
    if low <= weight <= high:
        return None
    return f"weight {weight:g} of {rule.id!r} on {axis!r} is outside its range [{low:g}, {high:g}] ({rule.where}): widen the range first"


@dataclass(frozen=True)
class Scoring:
    """The pack's axes, which two make the balance, the half-life of contributions (None: no decay), and how
    uncertain a plain weight is (relative: a weight W may lie anywhere in [W - R|W|, W + R|W|])."""

    axes: tuple[str, ...] = ("nato", "russia")
    plus: str = "nato"
    minus: str = "russia"
    half_life_days: float | None = None
    uncertainty: float = 0.0


@dataclass(frozen=True)
class RulePack:
    """Scoring settings, named sets, rules in pack order, the codebook of event types, and the files they came from."""

    scoring: Scoring
    sets: dict[str, tuple[Scalar, ...]]
    rules: tuple[Rule, ...]
    files: tuple[str, ...] = field(default=())
    name: str = ""  # how reports name the pack: "the bundled pack", "cameo (bundled)", or the path given
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

    def weight_range(self, rule: Rule, axis: str) -> tuple[float, float]:
        """Where the weight of `rule` on `axis` may lie: the range the rule gives, else the pack's relative one."""
        if axis in rule.ranges:
            return rule.ranges[axis]
        weight = rule.signals[axis]
        spread = self.scoring.uncertainty * abs(weight)
        return (weight - spread, weight + spread)

    def ranged(self) -> list[tuple[Rule, str, float, float]]:
        """Every enabled signal whose weight may vary (a range of some width), in pack and signal order."""
        found = []
        for rule in self.rules:
            if not rule.enabled:
                continue
            for axis in rule.signals:
                low, high = self.weight_range(rule, axis)
                if high > low:
                    found.append((rule, axis, low, high))
        return found

    def with_weight(self, rule_id: str, axis: str, weight: float) -> RulePack:
        """The same pack with one weight changed (for `--set`); a range the rule gives keeps its bounds."""
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
        # Rule ids and axes may both hold dots: the split that names a rule and one of its axes.
        ids = {rule.id for rule in self.rules}
        for at in (i for i, char in enumerate(name) if char == "."):
            if name[:at] in ids:
                rule_id, axis = name[:at], name[at + 1 :]
                if axis in self.scoring.axes:
                    break
        try:
            self.rule(rule_id)
        except KeyError:
            raise ValueError(f"unknown rule '{rule_id}'") from None
        if axis not in self.scoring.axes:
            raise ValueError(f"unknown axis '{axis}' (axes: {', '.join(self.scoring.axes)})")
        weight = parse_weight(value)
        problem = weight_problem(weight, f"{rule_id!r} on {axis!r}") or outside_range(self.rule(rule_id), axis, weight)
        if problem:
            raise ValueError(problem)
        return self.with_weight(rule_id, axis, weight)

    def same_rules(self, other: RulePack) -> bool:
        """Whether `other` is this pack with other weights only, so that one match serves both."""
        mine = [(r.id, r.enabled, r.when, r.contexts) for r in self.rules]
        return mine == [(r.id, r.enabled, r.when, r.contexts) for r in other.rules]
