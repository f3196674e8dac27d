"""What the engine sees of an event: a small fact of channels derived from the fields the pack tests.

* `vN`: the field's value as a token when the pack names that value, else
  `OTHER`, or `ABSENT` when the event lacks the field (equality, `in`, `ne`,
  `not_in`, `exists`);
* `nN`/`kN`: for `gt`/`gte`/`lt`/`lte`, a stand-in number on the same side of
  every threshold the pack uses, and whether the value is a number at all;
* `tN`: a boolean computed in Python for tests the engine cannot express
  exactly: Python regexes, prefixes, date comparisons and tags.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from scorer.engine.semantics import (
    ABSENT,
    MISSING,
    OTHER,
    base_column,
    field_value,
    holds,
    in_python,
    is_number,
    python_test,
    token,
    walk,
)
from scorer.pack.model import ORDERING, Test


def stand_in(value: float, cuts: Sequence[float]) -> int:
    """Where `value` lies among the sorted cuts, as a small integer: cut i is 2*i, the gaps odd.

    The engine compares these codes exactly as it would the numbers, and small integers
    avoid its parser, which refuses numbers written with an exponent (1e-05, 1e+16).
    """
    i = bisect_left(cuts, value)
    if i < len(cuts) and cuts[i] == value:
        return 2 * i
    return 2 * i - 1



Part = Callable[[Mapping[str, Any]], tuple[Any, ...]]  # some of a fact's channels, from an event's values


@dataclass
class Channels:
    """What one ruleset's facts carry, in a fixed order (the cache key)."""

    tokens: dict[str, set[str]]  # field -> tokens the pack names
    cuts: dict[str, list[float]]  # field -> sorted thresholds
    booleans: list[Test]

    @classmethod
    def of(cls, tests: Iterable[Test]) -> Channels:
        """The channels the given tests need."""
        tokens: dict[str, set[str]] = {}
        cuts: dict[str, set[float]] = {}
        booleans: dict[Test, None] = {}
        for test in tests:
            if in_python(test):
                booleans[test] = None
            elif test.op in ORDERING:
                cuts.setdefault(test.field, set()).add(float(test.operand))
            else:
                named = tokens.setdefault(test.field, set())
                if test.op in ("eq", "ne"):
                    named.add(token(test.operand))
                elif test.op in ("in", "not_in"):
                    named.update(token(v) for v in test.operand)
        return cls(tokens, {f: sorted(c) for f, c in cuts.items()}, list(booleans))

    def size(self) -> int:
        """How many properties a fact of these channels carries."""
        return len(self.tokens) + 2 * len(self.cuts) + len(self.booleans)

    def names(self) -> dict[Any, str]:
        """Each channel's property name in the fact, and each threshold's stand-in code."""
        names: dict[Any, str] = {}
        for i, name in enumerate(sorted(self.tokens)):
            names[("v", name)] = f"v{i}"
        for i, name in enumerate(sorted(self.cuts)):
            names[("n", name)] = f"n{i}"
            names[("k", name)] = f"k{i}"
            for position, cut in enumerate(self.cuts[name]):
                names[("cut", name, cut)] = 2 * position  # type: ignore[assignment]
        for i, test in enumerate(self.booleans):
            names[test] = f"t{i}"
        return names

    def parts(self) -> list[tuple[tuple[str, ...], Part]]:
        """The key in parts, in key order: the columns each part reads, and how it reads them."""

        def token_of(name: str) -> Part:
            """The part of a `vN` channel: the field's token, OTHER or ABSENT."""
            named = self.tokens[name]

            def part(event: Mapping[str, Any]) -> tuple[Any, ...]:
                """This part of one event's fact."""
                value = field_value(event, name)
                if value is MISSING:
                    return (ABSENT,)
                told = token(value)
                return (told if told in named else OTHER,)

            return part

        def stand_in_of(name: str) -> Part:
            """The part of an `nN`/`kN` channel pair: the stand-in number and whether the value is a number."""
            cuts = self.cuts[name]

            def part(event: Mapping[str, Any]) -> tuple[Any, ...]:
                """This part of one event's fact."""
                value = field_value(event, name)
                number = is_number(value)
                return (stand_in(float(value), cuts) if number else 0, number)

            return part

        def decided(test: Test) -> Part:
            """The part of a `tN` channel: the test decided in Python."""
            if test.op == "when":
                return lambda event: (holds(test.operand, event),)
            return lambda event: (python_test(test, field_value(event, test.field)),)

        parts: list[tuple[tuple[str, ...], Part]] = [((base_column(name),), token_of(name)) for name in sorted(self.tokens)]
        parts += [((base_column(name),), stand_in_of(name)) for name in sorted(self.cuts)]
        for test in self.booleans:
            inner = walk(test.operand) if test.op == "when" else [test]
            parts.append((tuple(sorted({base_column(t.field) for t in inner})), decided(test)))
        return parts

    @cached_property
    def _slots(self) -> list[str]:
        """The fact's property names, in key order."""
        slots = [f"v{i}" for i in range(len(self.tokens))]
        for i in range(len(self.cuts)):
            slots += [f"n{i}", f"k{i}"]
        return slots + [f"t{i}" for i in range(len(self.booleans))]

    def fact(self, key: tuple[Any, ...]) -> dict[str, Any]:
        """The fact of one key, as durable_rules takes it."""
        return dict(zip(self._slots, key, strict=True))
