"""Rule conditions compiled to durable_rules expressions over a fact's channels.

Negations are pushed to the leaves; a rule whose expression would be too
large for durable_rules is evaluated whole in Python and reaches the engine as
one boolean channel.
"""

from __future__ import annotations

from typing import Any

from scorer.engine.semantics import ABSENT, in_python, token, walk
from scorer.pack.model import ORDERING, All, AnyOf, Condition, Not, Test

# durable_rules refuses a rule expression of more than 32 terms (error 113): a rule
# that would need more is evaluated whole in Python and reaches the engine as one boolean.
MAX_TERMS = 30


def terms(condition: Condition) -> int:
    return sum(len(t.operand) + 1 if t.op in ("in", "not_in") else 2 for t in walk(condition))


def for_engine(condition: Condition) -> Condition:
    return condition if terms(condition) <= MAX_TERMS else Test("*", "when", condition)



def expression(condition: Condition, names: dict[Any, str], negated: bool = False) -> dict[str, Any]:
    """A durable_rules expression for `condition` (or its negation), negations pushed to the leaves."""
    if isinstance(condition, Not):
        return expression(condition.item, names, not negated)
    if isinstance(condition, (All, AnyOf)):
        parts = [expression(item, names, negated) for item in condition.items]
        if len(parts) == 1:
            return parts[0]
        conjunction = isinstance(condition, All) != negated
        return {"$and" if conjunction else "$or": parts}
    return _leaf(condition, names, negated)


def _either(parts: list[dict[str, Any]], conjunction: bool) -> dict[str, Any]:
    if len(parts) == 1:
        return parts[0]
    return {"$and" if conjunction else "$or": parts}


def _leaf(test: Test, names: dict[Any, str], negated: bool) -> dict[str, Any]:
    if in_python(test):
        return {names[test]: not negated}
    if test.op in ORDERING:
        n, k = names[("n", test.field)], names[("k", test.field)]
        flip = {"gt": "$lte", "gte": "$lt", "lt": "$gte", "lte": "$gt"}
        code = names[("cut", test.field, float(test.operand))]
        if negated:
            return {"$or": [{k: False}, {flip[test.op]: {n: code}}]}
        return {"$and": [{k: True}, {"$" + test.op: {n: code}}]}
    v = names[("v", test.field)]

    def is_(told: str) -> dict[str, Any]:
        """The channel holds this token."""
        return {v: told}

    def is_not(told: str) -> dict[str, Any]:
        """The channel holds another token."""
        return {"$neq": {v: told}}

    if test.op == "exists":
        present = test.operand != negated
        return is_not(ABSENT) if present else is_(ABSENT)
    values = [token(x) for x in (test.operand if test.op in ("in", "not_in") else (test.operand,))]
    if test.op in ("eq", "in"):
        if negated:
            return _either([is_not(t) for t in values], conjunction=True)
        return _either([is_(t) for t in values], conjunction=False)
    # ne / not_in hold only where the field is present.
    if negated:
        return _either([is_(ABSENT)] + [is_(t) for t in values], conjunction=False)
    return _either([is_not(ABSENT)] + [is_not(t) for t in values], conjunction=True)
