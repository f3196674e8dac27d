"""What a rule's conditions mean, evaluated in Python: the semantics the compiled rules must reproduce.

The engine sees tokens, stand-in numbers and booleans (`scorer.engine.channels`);
this module says what an event's value is for a tested field, how a value
becomes a token, which tests only Python can decide, and what a whole
condition says of an event.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from scorer.model.fields import parse_date
from scorer.pack.model import ORDERING, All, AnyOf, Condition, Not, Test

ABSENT = "\u0000absent"
OTHER = "\u0000other"
MISSING = object()
def field_value(values: Mapping[str, Any], name: str) -> Any:
    """The value of an event field a rule may test, or MISSING; `values` is one row of tested fields."""
    if name.startswith("attrs."):
        attrs = values.get("attrs") or {}
        return attrs.get(name[len("attrs.") :], MISSING)
    value = values.get(name)
    return MISSING if value is None else value


def base_column(name: str) -> str:
    """The column a tested field lives in."""
    return "attrs" if name.startswith("attrs.") else name


def token(value: Any) -> str:
    """A value as the engine compares it: typed text, so `1`, `1.0` and `"1"` stay apart where they should."""
    if isinstance(value, bool):
        return "b:true" if value else "b:false"
    if isinstance(value, (int, float)):
        return "n:" + repr(float(value) + 0.0)  # -0.0 is 0
    return "s:" + str(value)


def is_number(value: Any) -> bool:
    """Whether a value is a number (a boolean is not)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def in_python(test: Test) -> bool:
    """Whether only Python can decide this test (dates, tags, prefixes, regexes, whole conditions)."""
    return test.field in ("date", "tags") or test.op in ("regex", "prefix", "contains", "when")



def holds(condition: Condition, values: Mapping[str, Any]) -> bool:
    """A whole condition evaluated in Python, with the same semantics as the compiled one."""
    if isinstance(condition, All):
        return all(holds(item, values) for item in condition.items)
    if isinstance(condition, AnyOf):
        return any(holds(item, values) for item in condition.items)
    if isinstance(condition, Not):
        return not holds(condition.item, values)
    value = field_value(values, condition.field)
    if in_python(condition):
        return python_test(condition, value)
    if condition.op == "exists":
        return bool((value is not MISSING) == condition.operand)
    if value is MISSING:
        return False
    if condition.op in ORDERING:
        if not is_number(value):
            return False
        number, limit = float(value), float(condition.operand)
        return {"gt": number > limit, "gte": number >= limit, "lt": number < limit, "lte": number <= limit}[
            condition.op
        ]
    told = token(value)
    if condition.op in ("in", "not_in"):
        hit = told in {token(v) for v in condition.operand}
        return hit if condition.op == "in" else not hit
    equal = told == token(condition.operand)
    return equal if condition.op == "eq" else not equal


def judge(condition: Condition, values: Mapping[str, Any], known: frozenset[str]) -> bool | None:
    """The condition's truth knowing only the fields in `known` (columns): True, False, or None (may go either way).

    What a rule could still do once some of an event's fields are known: why an
    event matched nothing, and whether a value is one any rule could match.
    """
    if isinstance(condition, Test):
        return holds(condition, values) if base_column(condition.field) in known else None
    if isinstance(condition, Not):
        inner = judge(condition.item, values, known)
        return None if inner is None else not inner
    results = [judge(item, values, known) for item in condition.items]
    if isinstance(condition, All):
        return False if False in results else True if all(results) else None
    if isinstance(condition, AnyOf):
        return True if True in results else False if all(r is False for r in results) else None
    return None  # pragma: no cover - every condition is one of the above


def python_test(test: Test, value: Any) -> bool:
    """Tests the engine cannot express exactly, evaluated on the event's value."""
    if value is MISSING:
        return test.op == "exists" and test.operand is False
    if test.op == "exists":
        return bool(test.operand)
    if test.op == "regex":
        return isinstance(value, str) and re.search(test.operand, value) is not None
    if test.op == "prefix":
        return isinstance(value, str) and value.startswith(test.operand)
    if test.field == "tags":
        wanted = test.operand if isinstance(test.operand, tuple) else (test.operand,)
        hit = any(tag in value for tag in wanted)
        return not hit if test.op == "not_in" else hit
    day = parse_date(value)
    if test.op in ("in", "not_in"):
        hit = day in {parse_date(str(v)) for v in test.operand}
        return not hit if test.op == "not_in" else hit
    other = parse_date(str(test.operand))
    return {
        "eq": day == other,
        "ne": day != other,
        "gt": day > other,
        "gte": day >= other,
        "lt": day < other,
        "lte": day <= other,
    }[test.op]



def walk(condition: Condition) -> Iterable[Test]:
    """Every test of a condition, in order."""
    if isinstance(condition, Test):
        yield condition
    elif isinstance(condition, Not):
        yield from walk(condition.item)
    else:
        for item in condition.items:
            yield from walk(item)
