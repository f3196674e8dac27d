"""Why no rule matched an event, in one short sentence an analyst can act on.

The reasons are tried from the broadest to the narrowest, each by judging the
rules with only some of the event's fields known (a test on a field not yet
known may go either way):

1. no rule tests its type: knowing only the type, every enabled rule fails;
2. its partner is in no set a rule for its type uses: knowing the type and
   the partner, every rule that its type allows fails;
3. a sequence rule's `when` holds but the earlier events are not as its
   `after` or `not_after` asks;
4. a condition on a field failed: the first rule its type and partner allow,
   and the fields whose tests fail on their own.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import polars as pl

from scorer.engine.semantics import base_column, judge, walk
from scorer.pack.model import Condition, Rule, RulePack

_FIELDS = ("id", "date", "actor", "type", "partner", "intensity", "confidence", "source", "tags", "attrs")
_NUMBERS = ("intensity", "confidence")
_BY_TYPE = frozenset({"type"})
_BY_PARTNER = frozenset({"type", "partner"})
_ALL = frozenset(_FIELDS)


class Reasons:
    """Why no rule of a pack matched an event; what depends on the type alone is worked out once per type."""

    def __init__(self, pack: RulePack) -> None:
        """The rules of `pack`, enabled and not; nothing judged yet."""
        self.pack = pack
        self._enabled = [rule for rule in pack.rules if rule.enabled]
        self._idle = [rule for rule in pack.rules if not rule.enabled]
        self._by_type: dict[Any, tuple[list[Rule], list[Rule]]] = {}

    def _for_type(self, values: Mapping[str, Any]) -> tuple[list[Rule], list[Rule]]:
        """The enabled rules the event's type allows, and the disabled ones."""
        kind = values.get("type")
        if kind not in self._by_type:
            allowed = [rule for rule in self._enabled if judge(rule.when, values, _BY_TYPE) is not False]
            idle = [rule for rule in self._idle if judge(rule.when, values, _BY_TYPE) is not False]
            self._by_type[kind] = (allowed, idle)
        return self._by_type[kind]

    def __call__(self, values: Mapping[str, Any]) -> str:
        """Why no rule matched the event of these field values."""
        kind = values.get("type")
        for_type, idle = self._for_type(values)
        if not for_type:
            if idle:
                return f"no enabled rule tests type '{kind}' (rule '{idle[0].id}' is disabled)"
            earlier = [rule for rule in self._enabled for c in rule.contexts if _may_match(c.when, values)]
            if earlier:
                return f"no rule scores type '{kind}' (rule '{earlier[0].id}' looks for it among earlier events)"
            return f"no rule tests type '{kind}'"
        for_partner = [rule for rule in for_type if judge(rule.when, values, _BY_PARTNER) is not False]
        if not for_partner:
            return _partner_reason(for_type, values.get("partner"), kind)
        for rule in for_partner:
            if rule.contexts and judge(rule.when, values, _ALL) is True:
                return _sequence_reason(rule)
        return _field_reason(for_partner[0], values)


def _may_match(when: Condition | None, values: Mapping[str, Any]) -> bool:
    """Whether a context's `when` may take an earlier event of this type."""
    return when is None or judge(when, values, _BY_TYPE) is not False


def reason(pack: RulePack, values: Mapping[str, Any]) -> str:
    """Why no rule of `pack` matched the event of these field values."""
    return Reasons(pack)(values)


def _partner_reason(rules: list[Rule], partner: Any, kind: Any) -> str:
    """Why the partner ruled out every rule its type allows."""
    if partner is None:
        return f"it has no partner, and every rule for type '{kind}' tests one"
    sets = sorted({test.set for rule in rules for test in walk(rule.when) if test.field == "partner" and test.set})
    if sets:
        return f"its partner '{partner}' is in no set a rule for type '{kind}' uses ({', '.join(sets)})"
    return f"its partner '{partner}' is not one a rule for type '{kind}' names"


def _sequence_reason(rule: Rule) -> str:
    """Why a sequence rule whose `when` holds did not fire: the earlier events were not as it asks."""
    asked = []
    for context in rule.contexts:
        within = f" within {context.within_days:g} days" if context.within_days is not None else ""
        count = f"{context.min_count} earlier events" if context.min_count > 1 else "an earlier event"
        verb = "needs" if context.kind == "after" else "is ruled out by"
        asked.append(f"{verb} {count}{within} as its {context.kind} says")
    return f"rule '{rule.id}' ({rule.where}) {' and '.join(asked)}"


def _field_reason(rule: Rule, values: Mapping[str, Any]) -> str:
    """Which fields' tests failed in the first rule the type and partner allow."""
    fields = sorted({base_column(test.field) for test in walk(rule.when)} - {"type", "partner"})
    failed = [name for name in fields if judge(rule.when, values, frozenset({"type", "partner", name})) is False]
    named = ", ".join(failed or fields)
    which = "a condition" if len(failed or fields) < 2 else "conditions"
    return f"{which} on {named} failed (rule '{rule.id}', {rule.where})"


def row_values(row: Mapping[str, Any]) -> dict[str, Any]:
    """An event row of the frame as the field values conditions test (tags and attributes decoded)."""
    values = {name: row.get(name) for name in _FIELDS}
    for name in ("tags", "attrs"):
        text = values[name]
        if isinstance(text, str):
            values[name] = json.loads(text)
    return values


def reasons(pack: RulePack, rows: pl.DataFrame) -> list[str]:
    """Why no rule matched each event of `rows` (events of the frame's schema), in order.

    Events alike in every field a rule tests share one judgement.
    """
    tested = sorted({base_column(t.field) for rule in pack.rules for t in walk(rule.when)} | {"type", "partner"})
    columns = [name for name in tested if name in rows.columns]
    if rows.height == 0:
        return []
    keyed = rows.select(pl.col(name) if name in _NUMBERS else pl.col(name).cast(pl.String) for name in columns)
    distinct = keyed.unique(maintain_order=True).with_row_index("_group")
    groups = keyed.join(distinct, on=columns, how="left", nulls_equal=True, maintain_order="left")["_group"].to_list()
    why = Reasons(pack)
    said = [why(row_values(row)) for row in distinct.drop("_group").iter_rows(named=True)]
    return [said[group] for group in groups]
