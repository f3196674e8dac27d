"""Rule conditions compiled to durable_rules expressions over a fact's channels.

Negations are pushed to the leaves; a rule whose expression durable_rules
cannot hold (counted as the engine counts, scorer/engine/limits.py) is
evaluated whole in Python and reaches the engine as one boolean channel.
"""

from __future__ import annotations

from typing import Any

from scorer.engine.channels import Channels
from scorer.engine.limits import MAX_CHANNELS, MAX_SEQUENCE, Network, sequence_length
from scorer.engine.semantics import ABSENT, in_python, token, walk
from scorer.pack.model import ORDERING, All, AnyOf, Condition, Not, Test


class _StandIns(dict[Any, str]):
    """Channel names for counting alone: a distinct name for every key, as the real names are."""

    def __missing__(self, key: Any) -> str:
        """The stand-in name of `key`."""
        return repr(key)


def shape(condition: Condition) -> dict[str, Any]:
    """The expression of `condition` under stand-in names: what the engine builds of it, for counting."""
    return expression(condition, _StandIns())


def fits_engine(condition: Condition) -> bool:
    """Whether durable_rules can hold `condition` as one rule of a ruleset of its own (see scorer/engine/limits.py)."""
    if Channels.of(walk(condition)).size() > MAX_CHANNELS:
        return False
    compiled = shape(condition)
    if sequence_length(compiled) > MAX_SEQUENCE:
        return False
    network = Network()
    network.add(compiled)
    return network.fits()


def for_engine(condition: Condition) -> Condition:
    """The condition the engine is given: itself, or where it does not fit, one channel computed in Python."""
    return condition if fits_engine(condition) else Test("*", "when", condition)


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
    """One part alone, or all of them joined by `$and` (conjunction) or `$or`."""
    if len(parts) == 1:
        return parts[0]
    return {"$and" if conjunction else "$or": parts}


def _leaf(test: Test, names: dict[Any, str], negated: bool) -> dict[str, Any]:
    """One test (or its negation) over its channel."""
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
