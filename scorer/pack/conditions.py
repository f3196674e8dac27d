"""A rule's `when` parsed into a condition tree, every problem named where the analyst has to look."""

from __future__ import annotations

import math
from typing import Any

from scorer.io.yaml import Located
from scorer.model.fields import parse_date
from scorer.pack.model import FIELDS, OPERATORS, ORDERING, SAME_AS_FIELDS, All, AnyOf, Condition, Not, Scalar, Test
from scorer.pack.patterns import regex_problem
from scorer.problems import Problem, describe
from scorer.suggest import hint


def is_scalar(value: Any) -> bool:
    """Whether a YAML value is one text, number or boolean."""
    return isinstance(value, (str, int, float, bool))


def is_field(name: Any) -> bool:
    """Whether `name` is an event field a condition may test (`attrs.NAME` included)."""
    return isinstance(name, str) and (name in FIELDS or (name.startswith("attrs.") and len(name) > len("attrs.")))


def split_same(condition: Condition) -> tuple[Condition | None, tuple[tuple[str, str], ...]]:
    """A context condition without its `same_as` tests (None if nothing else is left), and those tests
    as (earlier event's field, this event's field) pairs; they stand only in conjunctions (checked on parsing)."""
    if isinstance(condition, Test):
        if condition.op == "same_as":
            return None, ((condition.field, str(condition.operand)),)
        return condition, ()
    if isinstance(condition, All):
        kept: list[Condition] = []
        same: list[tuple[str, str]] = []
        for item in condition.items:
            rest, pairs = split_same(item)
            same.extend(pairs)
            if rest is not None:
                kept.append(rest)
        if not kept:
            return None, tuple(same)
        return (kept[0] if len(kept) == 1 else All(tuple(kept))), tuple(same)
    return condition, ()


class ConditionParser:
    """Parses the conditions of one rule file against the pack's sets; problems go to `problems`.

    With `context`, the condition is an `after`/`not_after` one, where `same_as`
    compares the earlier event with the scored one.
    """

    def __init__(
        self, doc: Located, sets: dict[str, tuple[Scalar, ...]], problems: list[Problem], *, context: bool = False
    ) -> None:
        """The parser of one rule's conditions, naming problems in `doc` with the pack's sets at hand."""
        self.doc = doc
        self.sets = sets
        self.problems = problems
        self.context = context
        self.choice = 0  # how many `any` or `not` the parser is inside

    def fail(self, path: tuple[Any, ...], message: str, *, key: bool = False) -> None:
        """Record a problem at `path` of the file (at its key, with `key`)."""
        self.problems.append(self.doc.problem(path, message, key=key))

    def parse(self, raw: Any, at: tuple[Any, ...]) -> Condition | None:
        """A `when` mapping (or list of them) as a condition tree; None when part of it is wrong."""
        if not isinstance(raw, dict):
            self.fail(at, f"a condition must be a mapping, not {describe(raw)}")
            return None
        if not raw:
            self.fail(at, "a condition must not be empty")
            return None
        items: list[Condition | None] = []
        for key, value in raw.items():
            where = at + (key,)
            if key in ("all", "any"):
                if not isinstance(value, list) or not value:
                    self.fail(where, f"'{key}' must be a non-empty list of conditions")
                    items.append(None)
                    continue
                self.choice += key == "any"
                parts = [self.parse(item, where + (i,)) for i, item in enumerate(value)]
                self.choice -= key == "any"
                if any(p is None for p in parts):
                    items.append(None)
                    continue
                group = tuple(p for p in parts if p is not None)
                items.append(All(group) if key == "all" else AnyOf(group))
            elif key == "not":
                self.choice += 1
                inner = self.parse(value, where)
                self.choice -= 1
                items.append(Not(inner) if inner is not None else None)
            elif is_field(key):
                items.append(self.field(key, value, where))
            else:
                message = (
                    f"unknown field '{key}' in condition: expected an event field "
                    f"({', '.join(FIELDS)}), attrs.NAME, all, any or not"
                )
                self.fail(where, hint(message, str(key), FIELDS + ("all", "any", "not")), key=True)
                items.append(None)
        if any(item is None for item in items):
            return None
        done = tuple(item for item in items if item is not None)
        return done[0] if len(done) == 1 else All(done)

    def field(self, name: str, value: Any, at: tuple[Any, ...]) -> Condition | None:
        """The tests of one field: a value, a list of values, or a mapping of operators."""
        if isinstance(value, dict):
            if not value:
                self.fail(at, f"no operator given for '{name}'")
                return None
            tests = [self.test(name, op, operand, at + (op,)) for op, operand in value.items()]
            if any(t is None for t in tests):
                return None
            done = tuple(t for t in tests if t is not None)
            return done[0] if len(done) == 1 else All(done)
        if isinstance(value, list):
            return self.test(name, "in", value, at)
        return self.test(name, "eq", value, at)

    def test(self, name: str, op: str, operand: Any, at: tuple[Any, ...]) -> Test | None:
        """One operator on one field, its operand checked; None (with the problem noted) when it cannot be used."""
        if op not in OPERATORS:
            self.fail(at, hint(f"unknown operator '{op}': expected one of {', '.join(OPERATORS)}", op, OPERATORS), key=True)
            return None
        named: str | None = None
        if op == "in_set":
            if not isinstance(operand, str) or operand not in self.sets:
                known = ", ".join(sorted(self.sets)) or "none defined"
                self.fail(at, hint(f"unknown set {operand!r} (sets: {known})", str(operand), self.sets))
                return None
            named, op, operand = operand, "in", list(self.sets[operand])
        if op == "same_as":
            return self.same_as(name, operand, at)
        if name == "tags" and op not in ("eq", "in", "not_in", "contains", "exists"):
            self.fail(at, f"'{op}' does not apply to tags: use contains, in, not_in or exists", key=True)
            return None
        if op == "contains" and name != "tags":
            self.fail(at, "'contains' applies to tags only", key=True)
            return None
        if op == "exists":
            if not isinstance(operand, bool):
                self.fail(at, f"exists takes true or false, not {operand!r}")
                return None
            return Test(name, op, operand)
        if op in ("in", "not_in"):
            return self.membership(name, op, operand, at, named)
        if op in ("prefix", "regex", "contains"):
            if not isinstance(operand, str):
                self.fail(at, f"'{op}' takes text, not {describe(operand)}")
                return None
            if op == "regex":
                # Checked for cost as well as syntax, so that no rule can hang a run (scorer/pack/patterns.py).
                problem = regex_problem(operand)
                if problem is not None:
                    self.fail(at, problem)
                    return None
            return Test(name, op, operand)
        if not is_scalar(operand):
            self.fail(at, f"'{op}' takes a single value, not {describe(operand)}")
            return None
        if name == "date":
            text = self.date(operand, at)
            return Test(name, op, text) if text is not None else None
        if op in ("eq", "ne"):
            return Test(name, op, operand, spots=(self.doc.where(at),))
        if op in ORDERING and (
            isinstance(operand, bool) or not isinstance(operand, (int, float)) or not math.isfinite(operand)
        ):
            self.fail(at, f"'{op}' compares numbers (or dates, for date), not {operand!r}")
            return None
        return Test(name, op, operand)

    def membership(self, name: str, op: str, operand: Any, at: tuple[Any, ...], named: str | None) -> Test | None:
        """`in` or `not_in` a list of values (or a named set's, `named`), each value checked."""
        if not isinstance(operand, list) or not operand or not all(is_scalar(v) for v in operand):
            self.fail(at, f"'{op}' takes a non-empty list of values")
            return None
        values = tuple(operand)
        if name == "date":
            dates = [self.date(value, at) for value in values]
            if None in dates:
                return None
            values = tuple(dates)
        spots = () if named else tuple(self.doc.where(at + (i,)) for i in range(len(values)))
        return Test(name, op, values, named, spots)

    def same_as(self, name: str, operand: Any, at: tuple[Any, ...]) -> Test | None:
        """`{same_as: FIELD}`: the earlier event's field `name` equals the scored event's FIELD."""
        if not self.context:
            self.fail(
                at, "'same_as' compares with the scored event: it applies only inside after.when or not_after.when", key=True
            )
            return None
        if self.choice:
            self.fail(at, "'same_as' must hold outright: it may not stand under 'any' or 'not'", key=True)
            return None
        if name == "tags":
            self.fail(at, "'same_as' does not apply to tags", key=True)
            return None
        if not is_field(operand) or operand == "tags":
            self.fail(
                at,
                f"same_as names no field: {operand!r} (fields: {', '.join(SAME_AS_FIELDS)} or attrs.NAME)",
            )
            return None
        return Test(name, "same_as", operand)

    def date(self, value: Any, at: tuple[Any, ...]) -> str | None:
        """A date operand as the text of a real day or partial date; None (with the problem noted) otherwise."""
        text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
        if not isinstance(text, str):
            self.fail(at, f"expected a date YYYY, YYYY-MM or YYYY-MM-DD, not {describe(value)}")
            return None
        try:
            parse_date(text)
        except ValueError as err:
            self.fail(at, str(err))
            return None
        return text
