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

import numpy as np
import polars as pl

from scorer.engine.semantics import base_column, judge, token, walk
from scorer.pack.model import All, AnyOf, Condition, Rule, RulePack, Test

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
        self._by_type: dict[Any, tuple[list[Rule], list[Rule]]] = {}
        self._sets: dict[Any, list[str]] = {}
        self._partnered: dict[Any, str | frozenset[str] | None] = {}  # what `decided` knows of each type
        self._types = {rule.id: _allowed(rule.when, "type") for rule in pack.rules}
        self._partners = {rule.id: _allowed(rule.when, "partner") for rule in pack.rules}
        # The rules that may hold for each type token their eq/in tests name (in pack order), and
        # those that may hold for any: a type's candidates without walking every rule of the pack.
        self._naming: dict[str, list[int]] = {}
        self._any: list[int] = []
        for at, rule in enumerate(pack.rules):
            types = self._types[rule.id]
            for told in types or ():
                self._naming.setdefault(told, []).append(at)
            if types is None:
                self._any.append(at)

    def _for_type(self, values: Mapping[str, Any]) -> tuple[list[Rule], list[Rule]]:
        """The enabled rules the event's type allows, and the disabled ones."""
        kind = values.get("type")
        if kind not in self._by_type:
            told = None if kind is None else token(kind)
            places = range(len(self.pack.rules)) if told is None else sorted(self._naming.get(told, []) + self._any)
            rules = [self.pack.rules[at] for at in places]
            allowed = [rule for rule in rules if rule.enabled and self._allows(rule, told, values)]
            idle = [rule for rule in rules if not rule.enabled and self._allows(rule, told, values)]
            self._by_type[kind] = (allowed, idle)
        return self._by_type[kind]

    def _allows(self, rule: Rule, told: str | None, values: Mapping[str, Any]) -> bool:
        """Whether knowing only the event's type (`told`, its token) leaves the rule a chance."""
        types = self._types[rule.id]
        if told is not None and types is not None and told not in types:
            return False  # what judge would say, without walking the rule
        return judge(rule.when, values, _BY_TYPE) is not False

    def _partner_allows(self, rule: Rule, told: str | None, values: Mapping[str, Any]) -> bool:
        """Whether knowing the event's type and partner (`told`, its token; None for none) leaves the rule a chance."""
        partners = self._partners[rule.id]
        if partners is not None and told not in partners:
            return False  # an absent partner fails the test as any other outside it
        return judge(rule.when, values, _BY_PARTNER) is not False

    def decided(self, kind: Any, partner: Any) -> str | None:
        """Why no rule matched an event of this type and partner, where those two alone say it (no rule
        tests the type, or the partner is none that a rule for the type names); None where other fields
        may decide (then the event's values are judged as a whole). Worked out once per type: a million
        events of a large pack alike in everything the rules test but their type and partner are judged
        in a set lookup each."""
        if kind not in self._partnered:
            values = dict.fromkeys(_FIELDS) | {"type": kind}
            for_type, _ = self._for_type(values)
            partners = [self._partners[rule.id] for rule in for_type]
            if not for_type:
                self._partnered[kind] = self(values)
            elif None in partners:
                self._partnered[kind] = None  # a rule that may allow any partner
            else:
                self._partnered[kind] = frozenset().union(*(told for told in partners if told is not None))
        known = self._partnered[kind]
        if known is None or isinstance(known, str):
            return known
        if partner is not None and token(partner) in known:
            return None
        if kind not in self._sets:
            self._sets[kind] = _partner_sets(self._for_type({"type": kind})[0])
        return _partner_reason(self._sets[kind], partner, kind)

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
        partner = values.get("partner")
        told = None if partner is None else token(partner)
        for_partner = [rule for rule in for_type if self._partner_allows(rule, told, values)]
        if not for_partner:
            if kind not in self._sets:
                self._sets[kind] = _partner_sets(for_type)  # the same for every partner of the type
            return _partner_reason(self._sets[kind], partner, kind)
        for rule in for_partner:
            if rule.contexts and judge(rule.when, values, _ALL) is True:
                return _sequence_reason(rule)
        return _field_reason(for_partner[0], values)


def _allowed(condition: Condition, field: str) -> frozenset[str] | None:
    """The tokens of the values of `field` a condition can hold for at most, read from its `eq`/`in` tests of
    that field; None for any value.

    A value outside them (or none at all) fails a test that every way to hold
    passes through, so `judge` knowing the field says False: a quick way to rule
    out most rules of a large pack for each type and partner.
    """
    if isinstance(condition, Test):
        if condition.field != field or condition.op not in ("eq", "in"):
            return None
        operands = condition.operand if condition.op == "in" else (condition.operand,)
        return frozenset(token(value) for value in operands)
    if isinstance(condition, All):
        known = [found for item in condition.items if (found := _allowed(item, field)) is not None]
        return frozenset.intersection(*known) if known else None
    if isinstance(condition, AnyOf):
        each = [_allowed(item, field) for item in condition.items]
        return None if any(found is None for found in each) else frozenset().union(*each)  # type: ignore[arg-type]
    return None


def _may_match(when: Condition | None, values: Mapping[str, Any]) -> bool:
    """Whether a context's `when` may take an earlier event of this type."""
    return when is None or judge(when, values, _BY_TYPE) is not False


def reason(pack: RulePack, values: Mapping[str, Any]) -> str:
    """Why no rule of `pack` matched the event of these field values."""
    return Reasons(pack)(values)


def _partner_reason(sets: list[str], partner: Any, kind: Any) -> str:
    """Why the partner ruled out every rule its type allows (whose partner tests use these sets)."""
    if partner is None:
        return f"it has no partner, and every rule for type '{kind}' tests one"
    if sets:
        return f"its partner '{partner}' is in no set a rule for type '{kind}' uses ({', '.join(sets)})"
    return f"its partner '{partner}' is not one a rule for type '{kind}' names"


def _partner_sets(rules: list[Rule]) -> list[str]:
    """The sets of partners these rules test, by name."""
    return sorted({test.set for rule in rules for test in walk(rule.when) if test.field == "partner" and test.set})


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


def _values(blank: dict[str, Any], columns: list[str], row: tuple[Any, ...]) -> dict[str, Any]:
    """A row of these columns as the field values conditions test: `blank` (every field none) copied and
    filled, tags and attributes decoded."""
    values = blank | dict(zip(columns, row, strict=True))
    for name in ("tags", "attrs"):
        text = values[name]
        if isinstance(text, str):
            values[name] = json.loads(text)
    return values


def tested_columns(pack: RulePack) -> list[str]:
    """The columns the reasons read: those the rules' conditions test, and type and partner."""
    return sorted({base_column(t.field) for rule in pack.rules for t in walk(rule.when)} | {"type", "partner"})


def reasons(pack: RulePack, rows: pl.DataFrame) -> tuple[np.ndarray, list[str]]:
    """Why no rule matched each event of `rows` (events of the frame's schema, or of its `tested_columns`):
    each row's reason, as its place in the list of reasons that follows.

    Events alike in every field a rule tests share one judgement.
    """
    columns = [name for name in tested_columns(pack) if name in rows.columns]
    if rows.height == 0:
        return np.zeros(0, dtype=np.int64), []
    first, groups = _alike(rows.select(columns))
    return groups, judged(pack, rows[pl.Series(first)])


def judged(pack: RulePack, rows: pl.DataFrame) -> list[str]:
    """Why no rule matched each event of `rows` (as in `reasons`), one judgement a row: for rows that differ
    in what the rules test."""
    columns = [name for name in tested_columns(pack) if name in rows.columns]
    alike = rows.select(pl.col(name) if name in _NUMBERS else pl.col(name).cast(pl.String) for name in columns)
    why, blank = Reasons(pack), dict.fromkeys(_FIELDS)
    kinds, partners = ([None] * alike.height if name not in alike else alike[name].to_list() for name in ("type", "partner"))
    said = [why.decided(kind, partner) for kind, partner in zip(kinds, partners, strict=True)]
    rest = [at for at, why_not in enumerate(said) if why_not is None]
    judged_rest = (why(_values(blank, columns, row)) for row in alike[rest].iter_rows())
    return [why_not if why_not is not None else next(judged_rest) for why_not in said]


def grouped(key: np.ndarray, span: int) -> tuple[np.ndarray, np.ndarray]:
    """Numbers below `span` grouped: the first place of each distinct one, and each one's group."""
    if span > 1 << 24:
        _, first, groups = np.unique(key, return_index=True, return_inverse=True)
        return first, groups.reshape(-1).astype(np.int64)
    kind = np.int32 if len(key) < 1 << 31 else np.int64  # (half the memory of int64 where it will do)
    places = np.arange(len(key), dtype=kind)
    first_at: np.ndarray = np.full(span, len(key), dtype=kind)
    first_at[key[::-1]] = places[::-1]  # the last write wins: each key's first place
    present = np.flatnonzero(first_at < len(key))
    group_of = np.zeros(span, dtype=kind)
    group_of[present] = np.arange(len(present), dtype=kind)
    return first_at[present], group_of[key]


def _alike(rows: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Rows grouped by their values: the first row of each group, and each row's group.

    Categories (type, partner, actor, date) are grouped by their codes, all
    columns as one number, by numpy: a million rows in a few tens of
    megabytes. Other columns (numbers, attributes) are grouped by polars.
    """
    key = np.zeros(rows.height, dtype=np.uint64)
    span = 1
    for name in rows.columns:
        if rows.schema[name] != pl.Categorical:
            break
        physical = rows[name].to_physical()
        most = int(physical.max() or 0) + 1  # type: ignore[arg-type] # (codes number every category of the process)
        codes = physical.fill_null(most).to_numpy()
        used = np.zeros(most + 1, dtype=np.int64)
        used[codes] = 1
        dense = (np.cumsum(used) - 1).astype(np.uint64)  # the codes used, numbered from 0
        size = int(dense[-1]) + 1
        span *= size
        if span >= 1 << 63:
            break
        key *= np.uint64(size)  # (in place: a million rows make no copies)
        key += dense[codes]
    else:
        return grouped(key, span)
    keyed = rows.with_row_index("_row")
    distinct = keyed.unique(subset=rows.columns, keep="first", maintain_order=True).with_row_index("_group")
    joined = keyed.join(distinct, on=rows.columns, how="left", nulls_equal=True, maintain_order="left")
    return distinct["_row"].to_numpy(), joined["_group"].to_numpy().astype(np.int64)
