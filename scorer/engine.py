"""Matching: the pack compiled into durable_rules rulesets, asked once per distinct event shape.

The seam is `Matcher.match(events) -> fired rule indices per event`.

What the engine sees of an event is a small fact of *channels* derived from
the fields the pack tests:

* `vN`: the field's value as a token when the pack names that value, else
  `OTHER`, or `ABSENT` when the event lacks the field (equality, `in`, `ne`,
  `not_in`, `exists`);
* `nN`/`kN`: for `gt`/`gte`/`lt`/`lte`, a stand-in number on the same side of
  every threshold the pack uses, and whether the value is a number at all;
* `tN`: a boolean computed in Python for tests the engine cannot express
  exactly: Python regexes, prefixes, date comparisons and tags.

Events with the same channels get the same answer, so the engine is asked
once per distinct fact and the answer reused (SPEC section 3 allows it).

Design notes on durable_rules 2.0.28, each pinned by a test in
tests/test_engine.py:

* a posted event is consumed by the first matching rule, so we assert facts,
  which fire every matching rule; every rule tests one fact, so the facts of
  a run fire nothing more once asserted, and they are retracted together when
  the run's asking ends (retracting each one by a catch-all rule cost a third
  of the engine's time; `delete_state` crashes the process);
* a fact id already seen is dropped silently: every fact gets a fresh id;
* `$nex` (field does not exist) hangs the engine, so absence is a token;
* `Host` starts timer threads that may run actions on their own thread: we
  keep one host per process with those threads never started, register each
  compiled ruleset once under a name derived from its content, and start each
  run on a fresh state id;
* an exception inside an action is stored in the state, not raised: we check
  the state after each call;
* at most 4,096 rules per ruleset and 255 properties per fact: a large pack is
  split into several rulesets.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import math
import re
import threading
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl
from durable.engine import Host, MessageNotHandledException

from scorer.events import EventSet, parse_date
from scorer.rules import ORDERING, All, AnyOf, Condition, Not, RulePack, Test

if TYPE_CHECKING:
    from scorer.model import Event

ABSENT = "\u0000absent"
OTHER = "\u0000other"
# durable_rules fails (error 303) when one fact fires 64 rules of one ruleset.
MAX_RULES_PER_RULESET = 60
MAX_CHANNELS_PER_FACT = 240  # 255 properties less id, sid and headroom

_MISSING = object()


class EngineError(RuntimeError):
    """durable_rules failed inside an action: a bug of ours, never the user's input."""


def field_value(values: Mapping[str, Any], name: str) -> Any:
    """The value of an event field a rule may test, or _MISSING; `values` is one row of tested fields."""
    if name.startswith("attrs."):
        attrs = values.get("attrs") or {}
        return attrs.get(name[len("attrs.") :], _MISSING)
    value = values.get(name)
    return _MISSING if value is None else value


def _base(name: str) -> str:
    """The column a tested field lives in."""
    return "attrs" if name.startswith("attrs.") else name


def _token(value: Any) -> str:
    if isinstance(value, bool):
        return "b:true" if value else "b:false"
    if isinstance(value, (int, float)):
        return "n:" + repr(float(value) + 0.0)  # -0.0 is 0
    return "s:" + str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _in_python(test: Test) -> bool:
    return test.field in ("date", "tags") or test.op in ("regex", "prefix", "contains", "when")


# durable_rules refuses a rule expression of more than 32 terms (error 113): a rule
# that would need more is evaluated whole in Python and reaches the engine as one boolean.
MAX_TERMS = 30


def _terms(condition: Condition) -> int:
    return sum(len(t.operand) + 1 if t.op in ("in", "not_in") else 2 for t in _walk(condition))


def _for_engine(condition: Condition) -> Condition:
    return condition if _terms(condition) <= MAX_TERMS else Test("*", "when", condition)


def _holds(condition: Condition, values: Mapping[str, Any]) -> bool:
    """A whole condition evaluated in Python, with the same semantics as the compiled one."""
    if isinstance(condition, All):
        return all(_holds(item, values) for item in condition.items)
    if isinstance(condition, AnyOf):
        return any(_holds(item, values) for item in condition.items)
    if isinstance(condition, Not):
        return not _holds(condition.item, values)
    value = field_value(values, condition.field)
    if _in_python(condition):
        return _python_test(condition, value)
    if condition.op == "exists":
        return bool((value is not _MISSING) == condition.operand)
    if value is _MISSING:
        return False
    if condition.op in ORDERING:
        if not _is_number(value):
            return False
        number, limit = float(value), float(condition.operand)
        return {"gt": number > limit, "gte": number >= limit, "lt": number < limit, "lte": number <= limit}[
            condition.op
        ]
    token = _token(value)
    if condition.op in ("in", "not_in"):
        hit = token in {_token(v) for v in condition.operand}
        return hit if condition.op == "in" else not hit
    equal = token == _token(condition.operand)
    return equal if condition.op == "eq" else not equal


def _python_test(test: Test, value: Any) -> bool:
    """Tests the engine cannot express exactly, evaluated on the event's value."""
    if value is _MISSING:
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


def _stand_in(value: float, cuts: Sequence[float]) -> int:
    """Where `value` lies among the sorted cuts, as a small integer: cut i is 2*i, the gaps odd.

    The engine compares these codes exactly as it would the numbers, and small integers
    avoid its parser, which refuses numbers written with an exponent (1e-05, 1e+16).
    """
    i = bisect_left(cuts, value)
    if i < len(cuts) and cuts[i] == value:
        return 2 * i
    return 2 * i - 1


def _walk(condition: Condition) -> Iterable[Test]:
    if isinstance(condition, Test):
        yield condition
    elif isinstance(condition, Not):
        yield from _walk(condition.item)
    else:
        for item in condition.items:
            yield from _walk(item)


Part = Callable[[Mapping[str, Any]], tuple[Any, ...]]  # some of a fact's channels, from an event's values


@dataclass
class _Channels:
    """What one ruleset's facts carry, in a fixed order (the cache key)."""

    tokens: dict[str, set[str]]  # field -> tokens the pack names
    cuts: dict[str, list[float]]  # field -> sorted thresholds
    booleans: list[Test]

    @classmethod
    def of(cls, tests: Iterable[Test]) -> _Channels:
        tokens: dict[str, set[str]] = {}
        cuts: dict[str, set[float]] = {}
        booleans: dict[Test, None] = {}
        for test in tests:
            if _in_python(test):
                booleans[test] = None
            elif test.op in ORDERING:
                cuts.setdefault(test.field, set()).add(float(test.operand))
            else:
                named = tokens.setdefault(test.field, set())
                if test.op in ("eq", "ne"):
                    named.add(_token(test.operand))
                elif test.op in ("in", "not_in"):
                    named.update(_token(v) for v in test.operand)
        return cls(tokens, {f: sorted(c) for f, c in cuts.items()}, list(booleans))

    def size(self) -> int:
        return len(self.tokens) + 2 * len(self.cuts) + len(self.booleans)

    def names(self) -> dict[Any, str]:
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
            named = self.tokens[name]

            def part(event: Mapping[str, Any]) -> tuple[Any, ...]:
                value = field_value(event, name)
                if value is _MISSING:
                    return (ABSENT,)
                token = _token(value)
                return (token if token in named else OTHER,)

            return part

        def stand_in_of(name: str) -> Part:
            cuts = self.cuts[name]

            def part(event: Mapping[str, Any]) -> tuple[Any, ...]:
                value = field_value(event, name)
                number = _is_number(value)
                return (_stand_in(float(value), cuts) if number else 0, number)

            return part

        def holds(test: Test) -> Part:
            if test.op == "when":
                return lambda event: (_holds(test.operand, event),)
            return lambda event: (_python_test(test, field_value(event, test.field)),)

        parts: list[tuple[tuple[str, ...], Part]] = [((_base(name),), token_of(name)) for name in sorted(self.tokens)]
        parts += [((_base(name),), stand_in_of(name)) for name in sorted(self.cuts)]
        for test in self.booleans:
            inner = _walk(test.operand) if test.op == "when" else [test]
            parts.append((tuple(sorted({_base(t.field) for t in inner})), holds(test)))
        return parts

    @cached_property
    def _slots(self) -> list[str]:
        slots = [f"v{i}" for i in range(len(self.tokens))]
        for i in range(len(self.cuts)):
            slots += [f"n{i}", f"k{i}"]
        return slots + [f"t{i}" for i in range(len(self.booleans))]

    def fact(self, key: tuple[Any, ...]) -> dict[str, Any]:
        return dict(zip(self._slots, key, strict=True))


def _expression(condition: Condition, names: dict[Any, str], negated: bool = False) -> dict[str, Any]:
    """A durable_rules expression for `condition` (or its negation), negations pushed to the leaves."""
    if isinstance(condition, Not):
        return _expression(condition.item, names, not negated)
    if isinstance(condition, (All, AnyOf)):
        parts = [_expression(item, names, negated) for item in condition.items]
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
    if _in_python(test):
        return {names[test]: not negated}
    if test.op in ORDERING:
        n, k = names[("n", test.field)], names[("k", test.field)]
        flip = {"gt": "$lte", "gte": "$lt", "lt": "$gte", "lte": "$gt"}
        code = names[("cut", test.field, float(test.operand))]
        if negated:
            return {"$or": [{k: False}, {flip[test.op]: {n: code}}]}
        return {"$and": [{k: True}, {"$" + test.op: {n: code}}]}
    v = names[("v", test.field)]

    def is_(token: str) -> dict[str, Any]:
        return {v: token}

    def is_not(token: str) -> dict[str, Any]:
        return {"$neq": {v: token}}

    if test.op == "exists":
        holds = test.operand != negated
        return is_not(ABSENT) if holds else is_(ABSENT)
    values = [_token(x) for x in (test.operand if test.op in ("in", "not_in") else (test.operand,))]
    if test.op in ("eq", "in"):
        if negated:
            return _either([is_not(t) for t in values], conjunction=True)
        return _either([is_(t) for t in values], conjunction=False)
    # ne / not_in hold only where the field is present.
    if negated:
        return _either([is_(ABSENT)] + [is_(t) for t in values], conjunction=False)
    return _either([is_not(ABSENT)] + [is_not(t) for t in values], conjunction=True)


def _distinct(frame: pl.DataFrame, columns: list[str]) -> tuple[np.ndarray, pl.DataFrame]:
    """The distinct rows of `columns`, and which of them each row is."""
    if all(frame[name].dtype == pl.Categorical for name in columns):
        return _distinct_codes(frame, columns)
    groups = frame.select(columns).with_row_index("row").group_by(columns, maintain_order=True).agg(pl.col("row"))
    members = groups.select(pl.int_range(pl.len(), dtype=pl.Int64).alias("group"), "row").explode("row")
    where = np.empty(frame.height, dtype=np.int32 if frame.height < 1 << 31 else np.int64)
    where[members["row"].to_numpy()] = members["group"].to_numpy()
    return where, groups.select(columns)


def _distinct_codes(frame: pl.DataFrame, columns: list[str]) -> tuple[np.ndarray, pl.DataFrame]:
    """`_distinct` of Categorical columns, by their integer codes: a few passes, no sort, no hash table.

    Each column's codes are made dense (nulls 0), combined into one number per row,
    and the numbers that occur are numbered in turn. Arrays are kept narrow: this
    runs over every event, and its temporaries are the peak of a large run.
    """
    small = np.int32 if frame.height < 1 << 31 else np.int64
    # Each column's codes, shifted up by one so that null is 0: one pass of polars for all.
    shifted = frame.select((pl.col(name).to_physical() + pl.lit(1, pl.UInt32)).fill_null(0) for name in columns)
    key = np.zeros(frame.height, dtype=np.int32)  # below 1 << 26, as checked below
    size = 1  # every key is below this
    for name in columns:
        codes = shifted[name].to_numpy()
        occurring = shifted[name].unique().sort().to_numpy()
        occurring = occurring[occurring > 0]
        width = len(occurring) + 1  # and null
        if size * width > 1 << 26:  # too many combinations to count directly
            return _distinct(frame.select(pl.col(c).cast(pl.String) for c in columns), columns)
        dense = np.zeros(int(occurring.max(initial=0)) + 1, dtype=np.int32)
        dense[occurring] = np.arange(1, width, dtype=np.int32)  # code -> its place among those occurring
        key *= width
        key += dense[codes]
        size *= width
    present = np.bincount(key, minlength=size) > 0
    number = (np.cumsum(present) - 1).astype(small)
    where = number[key]
    row = np.empty(int(number[-1]) + 1, dtype=small)
    row[where] = np.arange(frame.height, dtype=small)  # a row of each group (all its rows hold the same values)
    return where, frame.select(columns)[pl.Series(row)]


_PACKED = 1 << 62  # facts whose parts' codes fit in one int64 are told apart by that number


def _facts(
    channels: _Channels, groups: pl.DataFrame, seen: dict[tuple[str, ...], tuple[np.ndarray, list[dict[str, Any]]]]
) -> tuple[np.ndarray, list[tuple[Any, ...]]]:
    """The distinct facts (as keys) of one ruleset over the groups, and which one each group gives.

    Each part of a fact is worked out once per distinct value of the columns it
    reads (`seen` keeps those values across rulesets), then the parts are joined.
    """
    codes, values = [], []
    for columns, part in channels.parts():
        if columns not in seen:
            where, distinct = _distinct(groups, list(columns))
            seen[columns] = where, [_decoded(row) for row in distinct.iter_rows(named=True)]
        where, rows = seen[columns]
        found: dict[tuple[Any, ...], int] = {}
        code = np.array([found.setdefault(part(row), len(found)) for row in rows], dtype=np.int64)
        codes.append(code[where])
        values.append(list(found))
    sizes = [len(known) for known in values]
    if math.prod(sizes) < _PACKED:
        # The parts' codes as one number each (the first part most significant), so
        # the distinct keys come out in the same order as the distinct rows would.
        number = np.zeros(groups.height, dtype=np.int64)
        for code, size in zip(codes, sizes, strict=True):
            number *= size
            number += code
        numbers, which = np.unique(number, return_inverse=True)
        digits: list[np.ndarray] = []
        for size in reversed(sizes):
            digits.append(numbers % size)
            numbers //= size
        keys = list(zip(*[d.tolist() for d in reversed(digits)], strict=True))
    else:
        stacked, which = np.unique(np.stack(codes, axis=1), axis=0, return_inverse=True)
        keys = [tuple(key) for key in stacked.tolist()]
    facts = [tuple(v for c, known in zip(key, values, strict=True) for v in known[c]) for key in keys]
    return which.reshape(-1), facts


def _decoded(row: dict[str, Any]) -> dict[str, Any]:
    """A frame row with its JSON columns (tags, attrs) as Python values."""
    for name in ("tags", "attrs"):
        if row.get(name) is not None:
            row[name] = json.loads(row[name])
    return row


class _QuietHost(Host):  # type: ignore[misc]
    """A durable_rules host whose timer threads never start: actions run only inside our calls."""

    def _run(self) -> None:
        return None


_host: Any = None
_registered: set[str] = set()
_fired: list[int] = []
_lock = threading.Lock()
_ids = itertools.count(1)


def _get_host() -> Any:
    global _host
    if _host is None:
        _host = _QuietHost()
    return _host


def _record(index: int) -> Any:
    def action(c: Any) -> None:
        _fired.append(index)

    return action


@dataclass
class _Ruleset:
    name: str
    channels: _Channels


def _chunks(pack: RulePack) -> list[tuple[list[int], _Channels]]:
    """Enabled rules split into groups that fit one durable_rules ruleset each."""
    groups: list[tuple[list[int], list[Test]]] = []
    for index, rule in enumerate(pack.rules):
        if not rule.enabled:
            continue
        tests = list(_walk(_for_engine(rule.when)))
        if groups:
            indices, pooled = groups[-1]
            if len(indices) < MAX_RULES_PER_RULESET and _Channels.of(pooled + tests).size() <= MAX_CHANNELS_PER_FACT:
                indices.append(index)
                pooled.extend(tests)
                continue
        if _Channels.of(tests).size() > MAX_CHANNELS_PER_FACT:
            raise EngineError(f"rule '{rule.id}' tests more than {MAX_CHANNELS_PER_FACT} distinct things")
        groups.append(([index], tests))
    return [(indices, _Channels.of(tests)) for indices, tests in groups]


class Matcher:
    """A pack compiled for the engine; weights play no part, so `--set` reuses it."""

    def __init__(self, pack: RulePack) -> None:
        self.pack = pack
        self.rulesets: list[_Ruleset] = []
        host = _get_host()
        for indices, channels in _chunks(pack):
            names = channels.names()
            definition: dict[str, Any] = {
                f"r{index}": {"all": [{"m": _expression(_for_engine(pack.rules[index].when), names)}], "pri": order}
                for order, index in enumerate(indices)
            }
            digest = hashlib.sha256(json.dumps(definition, sort_keys=True).encode()).hexdigest()[:24]
            name = f"scorer-{digest}"
            with _lock:
                if name not in _registered:
                    for index in indices:
                        definition[f"r{index}"]["run"] = _record(index)
                    host.register_rulesets({name: definition})
                    _registered.add(name)
            self.rulesets.append(_Ruleset(name, channels))

    def fields(self) -> list[str]:
        """The event columns the pack tests."""
        names: set[str] = set()
        for ruleset in self.rulesets:
            channels = ruleset.channels
            names.update(_base(name) for name in list(channels.tokens) + list(channels.cuts))
            for test in channels.booleans:
                inner = _walk(test.operand) if test.op == "when" else [test]
                names.update(_base(t.field) for t in inner)
        return sorted(names)

    def match(self, events: EventSet | Sequence[Event]) -> list[tuple[int, ...]]:
        """For each event, the indices into `pack.rules` of the enabled rules that match it, in pack order."""
        frame = events.frame if isinstance(events, EventSet) else EventSet.of(events).frame
        combos, fired = self.match_frame(frame)
        return [fired[combo] for combo in combos.tolist()]

    def match_frame(self, frame: pl.DataFrame) -> tuple[np.ndarray, list[tuple[int, ...]]]:
        """Rows grouped by the values the pack tests: each row's group, and each group's fired rules.

        The engine is asked once per distinct fact, however many rows share it; and
        each part of a fact is worked out once per distinct value of the columns it
        reads, not once per group.
        """
        fields = self.fields()
        if not self.rulesets or not fields or frame.height == 0:
            return np.zeros(frame.height, dtype=np.int64), [()]
        combos, groups = _distinct(frame, fields)
        sid = f"run{next(_ids)}"
        seen: dict[tuple[str, ...], tuple[np.ndarray, list[dict[str, Any]]]] = {}
        per_ruleset: list[tuple[np.ndarray, list[tuple[int, ...]]]] = []
        for ruleset in self.rulesets:
            which, keys = _facts(ruleset.channels, groups, seen)
            asked: list[dict[str, Any]] = []
            per_ruleset.append((which, [self._ask(ruleset, key, sid, asked) for key in keys]))
            if asked:
                with _lock, contextlib.suppress(MessageNotHandledException):
                    _get_host().retract_facts(ruleset.name, asked)
        # Each ruleset holds the next rules of the pack (see _chunks) and each answer is
        # sorted, so a group's answers, one ruleset after another, are in pack order.
        fired: list[tuple[int, ...]] = [()] * groups.height
        for which, answers in per_ruleset:
            fired = [before + answers[w] for before, w in zip(fired, which.tolist(), strict=True)]
        host = _get_host()
        for ruleset in self.rulesets:
            # An action that failed leaves its exception in the state rather than raising it.
            state = host.get_state(ruleset.name, sid)
            if "exception" in state:
                raise EngineError(f"durable_rules action failed: {state['exception']}")
        return combos, fired

    def _ask(self, ruleset: _Ruleset, key: tuple[Any, ...], sid: str, asked: list[dict[str, Any]]) -> tuple[int, ...]:
        fact = ruleset.channels.fact(key)
        fact.update(id=next(_ids), sid=sid)
        asked.append(fact)
        host = _get_host()
        with _lock:
            _fired.clear()
            with contextlib.suppress(MessageNotHandledException):
                host.assert_fact(ruleset.name, fact)
            # An `$or` fires a rule once per branch that holds; a rule counts once.
            return tuple(sorted(set(_fired)))
