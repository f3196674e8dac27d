"""Regexes in rules, checked at load so that no rule can hang a run.

Python's `re` backtracks: on a value it fails to match, `(a+)+$` tries a
number of ways exponential in the length of the value, and `a.*a.*a.*b` a
high power of it. A time limit per match cannot be had from `re` without
signals or threads, so the check is done before any event is seen: a regex
is accepted only if a bound on the steps it can take, searching a value of
MAX_FIELD_CHARS characters (the most a field that rules test may hold,
scorer/model/fields.py), stays within MAX_STEPS. A step of `re` takes 1 to 12 ns
(the most for repeats of groups), so a value costs at most about 0.3 s even
then; over 14,000 random accepted patterns searched on hostile values of
1,000 characters, the slowest took 0.07 s.

The bound is computed on the parse tree of `re` itself. For each part P of
the pattern: paths(P), how many ways P can match from one place (each of which
a failing remainder makes the engine try), and work(P), the steps to try them
all. A sequence multiplies paths; alternatives add; `X*` with a body that
matches in one way only has as many paths as it can repeat; atomic groups,
possessive repeats and lookarounds commit to one path. A repeat whose body can
match in more than one way (nested repeats, alternatives) may repeat only a
few times: that is where exponential time comes from. Backreferences and
conditionals are refused outright, since the bound does not cover them.

One refinement keeps common patterns cheap: a repeat of one character class
that is followed by a character the class cannot match (`\\d+-`, `[^,]*,`)
has only one way to let the rest match.
"""

from __future__ import annotations

import importlib
import math
import re
import sys
from dataclasses import dataclass
from functools import cache
from typing import Any

from scorer.model.fields import MAX_FIELD_CHARS

# `re`'s own parser and compiler: the only exact account of what a pattern means.
_parser: Any = importlib.import_module("re._parser")
_compiler: Any = importlib.import_module("re._compiler")

MAX_STEPS = 30_000_000
MAX_PATTERN_CHARS = 1000

_ONE_CHAR = {"LITERAL", "NOT_LITERAL", "ANY", "IN"}
_REPEATS = {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}


class _TooCostly(Exception):
    """A regex whose bound is over the limit."""
    pass


def regex_problem(pattern: str) -> str | None:
    """Why `pattern` cannot be used in a rule, or None when it compiles and its cost is bounded."""
    if len(pattern) > MAX_PATTERN_CHARS:
        return f"regex longer than {MAX_PATTERN_CHARS:,} characters"
    try:
        re.compile(pattern)
        parsed = _parser.parse(pattern)
    except re.error as err:
        return f"regex does not compile: {err}"
    except (RecursionError, OverflowError, ValueError):
        return "regex nested too deeply or with too large a repeat count"
    try:
        bound = _Bound(parsed.state)
        items = list(parsed)
        # A search ends at the first match: parts at the end that can match nothing never
        # fail, so they run once, not once per way the parts before them matched.
        tail = 0
        while tail < len(items) and _parser.SubPattern(parsed.state, items[len(items) - tail - 1 :]).getwidth()[0] == 0:
            tail += 1
        head = items[: len(items) - tail]
        steps = (MAX_FIELD_CHARS + 1) * (bound.sequence(head)[1] + bound.sequence(items[len(head) :])[1])
    except _TooCostly as err:
        return str(err) or _TOO_LONG
    except RecursionError:
        return "regex nested too deeply"
    return _TOO_LONG if steps > MAX_STEPS else None


_TOO_LONG = (
    f"regex could take too long on a value of {MAX_FIELD_CHARS:,} characters: open-ended repeats such as .* "
    "multiply each other's cost; bound them ({0,20}), make them possessive (.*+), let each stop at a "
    "character it cannot match ([^,]*,), or split the test in two"
)


# What can come right after a part of a pattern: a character (a one-character
# string), a character class (the parsed item), END (the end of the value, `\Z`),
# EOL (`$`: the end, or before a final line break) or UNKNOWN (anything).
_END, _EOL, _UNKNOWN = "end", "eol", "unknown"


@dataclass(frozen=True, eq=False)
class _Class:
    """What one position of a regex can match, as a set of characters (or any)."""
    item: Any  # a parsed one-character item, told apart by identity


Follow = frozenset[Any]


class _Bound:
    """paths and work of parts of one parsed pattern, for values of MAX_FIELD_CHARS characters."""

    def __init__(self, state: Any) -> None:
        self.state = state
        self.flags = state.flags
        self.n = MAX_FIELD_CHARS

    def sequence(self, items: list[Any], follow: Follow = frozenset({_UNKNOWN})) -> tuple[float, float]:
        """paths and work of parts matched one after another; `follow` is what can come after the last."""
        paths, work = 1.0, 1.0
        for index, item in enumerate(items):
            item_paths, item_work = self.item(item, self.first(items[index + 1 :], follow))
            work += paths * item_work
            paths *= item_paths
            if paths > MAX_STEPS:
                raise _TooCostly()
        return paths, work

    def item(self, item: Any, follow: Follow) -> tuple[float, float]:
        """The bound of one regex item, and how far it can go."""
        op, av = item
        name = str(op)
        if name in _ONE_CHAR or name == "AT":
            return 1.0, 1.0
        if name == "SUBPATTERN":
            return self.sequence(list(av[-1]), follow)
        if name == "BRANCH":
            parts = [self.sequence(list(branch), follow) for branch in av[1]]
            return sum(p for p, _ in parts), sum(w for _, w in parts)
        if name == "ATOMIC_GROUP":
            return 1.0, self.sequence(list(av), follow)[1]
        if name in ("ASSERT", "ASSERT_NOT"):
            return 1.0, self.sequence(list(av[1]))[1]
        if name in _REPEATS:
            return self.repeat(name, av, follow)
        if name in ("GROUPREF", "GROUPREF_EXISTS"):
            raise _TooCostly("regex uses a backreference or a conditional group, which rules do not allow")
        raise _TooCostly(f"regex uses {name}, which rules do not allow")

    def repeat(self, name: str, av: Any, follow: Follow) -> tuple[float, float]:
        """The bound of a repeat, refusing nested ambiguous repeats."""
        low, high, body = av
        items = list(body)
        body_paths, body_work = self.sequence(items, self.first(items, follow))
        # A body that consumes a character repeats at most once per character of the value.
        times = float(high) if high != _parser.MAXREPEAT else float(self.n + 1)
        if body.getwidth()[0] > 0:
            times = min(times, float(self.n))
        if body_paths > 1:
            if high > 1 and times > 8:
                raise _TooCostly(
                    "regex repeats a part that can match in more than one way (such as (a+)+ or (a|ab)*), "
                    "which can take exponential time: repeat a single character class, or make the inner "
                    "repeat possessive (a++)"
                )
            # k repeats: each way of the first k-1 tries the body once more.
            paths = sum(body_paths**k for k in range(int(low), int(times) + 1))
            work = sum(body_paths**k for k in range(int(times))) * body_work + 1
            return (1.0 if name == "POSSESSIVE_REPEAT" else max(paths, 1.0)), work
        # One way through the body: the iterations walk forward over the value, each step of each
        # part taking a character, so the whole repeat costs in proportion to the value; unless a
        # lookaround in the body looks at the value again in every iteration.
        work = times * body_work + times + 1 if _looks_around(items) else _size(items) * (self.n + times) + 1
        paths = max(times - low + 1, 1.0)
        if name == "POSSESSIVE_REPEAT":
            paths = 1.0
        elif len(items) == 1 and str(items[0][0]) in _ONE_CHAR:
            paths = min(paths, self._ends(items, follow))
        return paths, work

    def _ends(self, body: list[Any], follow: Follow) -> float:
        """Ways a repeat of one character class can hand over to what follows it, if that is few."""
        if _UNKNOWN in follow:
            return math.inf
        own = self._alone(body[0])
        for token in follow:
            if isinstance(token, _Class):
                other = token.item
                if not (self._misses(own, other) or self._misses(self._alone(other), body[0])):
                    return math.inf
            elif len(token) == 1 and own.fullmatch(token):
                return math.inf
        # Only the end of the run can be followed by such a character (or by the end of the value);
        # `$` also holds before a final line break, which the run may or may not have taken.
        return 2.0 if _EOL in follow and own.fullmatch("\n") else 1.0

    def _alone(self, item: Any) -> re.Pattern[str]:
        # Compiled ignoring case whatever the flags: a class that cannot match a character even
        # then cannot match it under any flags the pattern sets for parts of itself.
        """An item compiled on its own, to test what it matches."""
        compiled: re.Pattern[str] = _compiler.compile(_parser.SubPattern(self.state, [item]), self.flags | re.IGNORECASE)
        return compiled

    def _misses(self, pattern: re.Pattern[str], item: Any) -> bool:
        """Whether `pattern` matches none of the characters of the one-character `item` (False if unsure)."""
        members = _members(item)
        return members is not None and not any(pattern.fullmatch(member) for member in members)

    def first(self, items: list[Any], follow: Follow) -> Follow:
        """What the first character matched by `items` can be, followed by `follow`."""
        found: set[int | str] = set()
        for item in items:
            op, av = item
            name = str(op)
            if name == "LITERAL":
                return frozenset(found | {chr(av)})
            if name in _ONE_CHAR:
                return frozenset(found | {_Class(item)})
            if name == "AT":
                if str(av) == "AT_END_STRING":
                    return frozenset(found | {_END})
                if str(av) == "AT_END":
                    return frozenset(found | {_EOL})
                continue  # ^, \b, \A ... take no character
            if name in ("ASSERT", "ASSERT_NOT"):
                continue
            if name == "SUBPATTERN":
                inner = list(av[-1])
            elif name == "ATOMIC_GROUP":
                inner = list(av)
            elif name in _REPEATS:
                inner = list(av[2])
            elif name == "BRANCH":
                for branch in av[1]:
                    found |= self.first(list(branch), frozenset())
                inner = []
            else:
                return frozenset({_UNKNOWN})
            found |= self.first(inner, frozenset())
            if _parser.SubPattern(self.state, [item]).getwidth()[0] > 0:
                return frozenset(found)
        return frozenset(found | follow)


_LARGEST_RANGE = 5000


def _members(item: Any) -> frozenset[str] | None:
    """Every character a one-character item can match (case aside), or None if they are too many to list."""
    op, av = item
    if str(op) == "LITERAL":
        return frozenset({chr(av)})
    if str(op) != "IN":
        return None
    members: set[str] = set()
    for kind, value in av:
        kind = str(kind)
        if kind == "LITERAL":
            members.add(chr(value))
        elif kind == "RANGE" and value[1] - value[0] <= _LARGEST_RANGE:
            members.update(map(chr, range(value[0], value[1] + 1)))
        elif kind == "CATEGORY" and str(value) in ("CATEGORY_DIGIT", "CATEGORY_SPACE"):
            members |= _category(str(value))
        else:
            return None
    return frozenset(members)


@cache
def _category(name: str) -> frozenset[str]:
    # `re` defines \d as str.isdecimal and \s as str.isspace (with re.ASCII, a subset of these).
    """The characters of a regex category such as \\d or \\w (ASCII and the common ranges)."""
    test = str.isdecimal if name == "CATEGORY_DIGIT" else str.isspace
    return frozenset(c for c in map(chr, range(sys.maxunicode + 1)) if test(c))


def _looks_around(items: list[Any]) -> bool:
    """Whether a part holds a lookaround or an atomic group: steps that take no character."""
    for op, av in items:
        name = str(op)
        if name in ("ASSERT", "ASSERT_NOT", "ATOMIC_GROUP"):
            return True
        inner: list[Any] = []
        if name == "SUBPATTERN":
            inner = list(av[-1])
        elif name in _REPEATS:
            inner = list(av[2])
        elif name == "BRANCH":
            inner = [part for branch in av[1] for part in branch]
        if _looks_around(inner):
            return True
    return False


def _size(items: list[Any]) -> int:
    """Parts in a part, counted all the way down."""
    total = 0
    for op, av in items:
        name = str(op)
        total += 1
        if name == "SUBPATTERN":
            total += _size(list(av[-1]))
        elif name in _REPEATS:
            total += _size(list(av[2]))
        elif name == "BRANCH":
            total += sum(_size(list(branch)) for branch in av[1])
        elif name == "ATOMIC_GROUP":
            total += _size(list(av))
        elif name in ("ASSERT", "ASSERT_NOT"):
            total += _size(list(av[1]))
    return total
