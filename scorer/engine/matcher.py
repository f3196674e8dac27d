"""Matching: the pack compiled into durable_rules rulesets, asked once per distinct event shape.

The seam is `Matcher.match_frame(frame) -> (each row's group, each group's fired rules)`.
Events with the same channels get the same answer, so the engine is asked
once per distinct fact and the answer reused.

Design notes on durable_rules 2.0.28, each pinned by a test in tests/engine/:

* a posted event is consumed by the first matching rule, so we assert facts,
  which fire every matching rule; every rule tests one fact, so the facts of
  a run fire nothing more once asserted, and they are retracted together when
  the run's asking ends (`delete_state` crashes the process);
* `$nex` (field does not exist) hangs the engine, so absence is a token;
* a ruleset holds only so much (scorer/engine/limits.py counts it as the
  engine does): a large pack is split into several rulesets;
* a sequence rule's `after`/`not_after` conditions are compiled as rules of
  their own (numbered after the pack's rules), counted the same way: the engine
  says which events could be context, and `scorer.engine.sequence` joins them
  by date and keys.
  Correlated `when_all` rules would say the same (a test holds them to it), but
  they keep every fact in memory, join without regard to arrival order and
  count windows in wall-clock seconds, so they are no way to match a million
  historical events.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import polars as pl

from scorer.engine import host
from scorer.engine.channels import Channels
from scorer.engine.compile import expression, for_engine, shape
from scorer.engine.distinct import PACKED, distinct, facts
from scorer.engine.limits import MAX_CHANNELS, Network
from scorer.engine.semantics import base_column, in_python, walk
from scorer.engine.sequence import Sequences, resolve
from scorer.model.frame import EventSet
from scorer.pack.model import ORDERING, Condition, Context, RulePack, Test

if TYPE_CHECKING:
    from scorer.model.event import Event

# Rules per ruleset: besides what the alpha network holds (scorer/engine/limits.py),
# a smaller ruleset costs less to ask for the facts only some of its rules test.
MAX_RULES_PER_RULESET = 60


@dataclass
class _Ruleset:
    """One compiled ruleset: its name in the host, and the channels of its facts."""

    name: str
    channels: Channels


class _Pool:
    """What the facts of one ruleset carry, counted as rules join it (`Channels.size`, without remaking it)."""

    def __init__(self) -> None:
        self.tokens: set[str] = set()
        self.cuts: set[str] = set()
        self.booleans: set[Test] = set()

    def size_with(self, tests: list[Test]) -> int:
        """The size of the channels with these tests too."""
        tokens, cuts, booleans = set(self.tokens), set(self.cuts), set(self.booleans)
        for test in tests:
            if in_python(test):
                booleans.add(test)
            elif test.op in ORDERING:
                cuts.add(test.field)
            else:
                tokens.add(test.field)
        return len(tokens) + 2 * len(cuts) + len(booleans)

    def add(self, tests: list[Test]) -> None:
        """The channels of these tests, now part of the ruleset's."""
        for test in tests:
            if in_python(test):
                self.booleans.add(test)
            elif test.op in ORDERING:
                self.cuts.add(test.field)
            else:
                self.tokens.add(test.field)


class Matching(NamedTuple):
    """What the engine said of a frame: each row's group, each group's fired rules, and for sequence rules
    the earlier events that let them fire (None for a pack without sequence rules)."""

    groups: np.ndarray
    fired: list[tuple[int, ...]]
    sequences: Sequences | None


def _conditions(pack: RulePack) -> tuple[dict[int, Condition], dict[Context, int]]:
    """What the engine tests, by the index it reports: enabled rules by their index in the pack, then the
    distinct `when` of their contexts; and each context's index."""
    conditions = {index: rule.when for index, rule in enumerate(pack.rules) if rule.enabled}
    extra: dict[Context, int] = {}
    for rule in pack.rules:
        for context in rule.contexts if rule.enabled else ():
            if context.when is None:
                continue
            known = next((i for c, i in extra.items() if c.when == context.when), None)
            extra[context] = known if known is not None else len(pack.rules) + len(extra)
            conditions.setdefault(extra[context], context.when)
    return conditions, extra


def fields_of(pack: RulePack) -> list[str]:
    """The event columns a pack's enabled rules and the contexts of its sequence rules test, read from the
    rules without compiling them: every test the engine is given has a channel of its field (a condition
    computed whole in Python, one channel of all the fields it tests)."""
    conditions, _ = _conditions(pack)
    return _tested(conditions)


def _tested(conditions: dict[int, Condition]) -> list[str]:
    """The event columns these conditions test (`fields_of`)."""
    return sorted({base_column(test.field) for condition in conditions.values() for test in walk(condition)})


def _chunks(conditions: dict[int, Condition]) -> list[tuple[list[int], Channels]]:
    """The conditions (as the engine is given them: `for_engine`) split into groups that fit one durable_rules
    ruleset each, in order."""
    groups: list[tuple[list[int], list[Test], _Pool, Network]] = []
    for index, when in conditions.items():
        tests = list(walk(when))
        if groups:
            indices, pooled, pool, network = groups[-1]
            if len(indices) < MAX_RULES_PER_RULESET and pool.size_with(tests) <= MAX_CHANNELS:
                mark = network.mark()
                network.add(shape(when))
                if network.fits():
                    indices.append(index)
                    pooled.extend(tests)
                    pool.add(tests)
                    continue
                network.rollback(mark)
        pool, network = _Pool(), Network()
        pool.add(tests)
        network.add(shape(when))  # fits, channels and terms: for_engine made sure
        groups.append(([index], tests, pool, network))
    return [(indices, Channels.of(tests)) for indices, tests, _, _ in groups]


class Matcher:
    """A pack compiled for the engine; weights play no part, so `--set` reuses it."""

    def __init__(self, pack: RulePack) -> None:
        self.pack = pack
        self.rulesets: list[_Ruleset] = []
        conditions, self.extra = _conditions(pack)
        self.sequential = any(rule.enabled and rule.contexts for rule in pack.rules)
        self._fields = _tested(conditions)
        given = {index: for_engine(condition) for index, condition in conditions.items()}  # (sized once each)
        for indices, channels in _chunks(given):
            names = channels.names()
            definition: dict[str, Any] = {
                f"r{index}": {"all": [{"m": expression(given[index], names)}], "pri": order}
                for order, index in enumerate(indices)
            }
            digest = hashlib.sha256(json.dumps(definition, sort_keys=True).encode()).hexdigest()[:24]
            name = f"scorer-{digest}"
            host.register(name, definition, indices)
            self.rulesets.append(_Ruleset(name, channels))

    def fields(self) -> list[str]:
        """The event columns the pack tests (`fields_of`, worked out once)."""
        return list(self._fields)

    def match(self, events: EventSet | Sequence[Event], *, packed: int = PACKED) -> list[tuple[int, ...]]:
        """For each event, the indices into `pack.rules` of the enabled rules that match it, in pack order."""
        frame = events.frame if isinstance(events, EventSet) else EventSet.of(events).frame
        combos, fired, _ = self.match_frame(frame, packed=packed)
        return [fired[combo] for combo in combos.tolist()]

    def match_frame(self, frame: pl.DataFrame, *, packed: int = PACKED) -> Matching:
        """Rows grouped by the values the pack tests: each row's group, and each group's fired rules.

        With sequence rules, rows of one group that differ in which of them
        fired are told apart (`scorer.engine.sequence`), and the answer says
        which earlier events let each fire.

        The engine is asked once per distinct fact, however many rows share it; and
        each part of a fact is worked out once per distinct value of the columns it
        reads, not once per group. Facts of fewer than `packed` combinations of
        parts are told apart by one number (see `scorer.engine.distinct.facts`).
        """
        combos, fired = self._ask(frame, packed)
        if not self.sequential:
            return Matching(combos, fired, None)
        return Matching(*resolve(frame, combos, fired, self.pack, self.extra))

    def _ask(self, frame: pl.DataFrame, packed: int) -> tuple[np.ndarray, list[tuple[int, ...]]]:
        """Each row's group and each group's fired conditions (rules, and contexts of sequence rules)."""
        fields = self.fields()
        if not self.rulesets or not fields or frame.height == 0:
            return np.zeros(frame.height, dtype=np.int64), [()]
        combos, groups = distinct(frame, fields)
        sid = host.new_run()
        seen: dict[tuple[str, ...], tuple[np.ndarray, list[dict[str, Any]]]] = {}
        per_ruleset: list[tuple[np.ndarray, list[tuple[int, ...]]]] = []
        for ruleset in self.rulesets:
            which, keys = facts(ruleset.channels, groups, seen, packed=packed)
            asked = [ruleset.channels.fact(key) for key in keys]
            per_ruleset.append((which, host.ask_many(ruleset.name, asked, sid)))
            host.retract(ruleset.name, asked)
        # Each ruleset holds the next rules of the pack (see _chunks) and each answer is
        # sorted, so a group's answers, one ruleset after another, are in pack order.
        fired: list[tuple[int, ...]] = [()] * groups.height
        for which, answers in per_ruleset:
            fired = [before + answers[w] for before, w in zip(fired, which.tolist(), strict=True)]
        for ruleset in self.rulesets:
            host.check(ruleset.name, sid)
        return combos, fired


_compiled: list[Matcher] = []  # the last pack compiled: a command compiles it while it reads, then matches with it


def compiled(pack: RulePack) -> Matcher:
    """A matcher of this very pack object, compiled once however often a command asks (the last pack is kept)."""
    if not _compiled or _compiled[0].pack is not pack:
        _compiled[:] = [Matcher(pack)]
    return _compiled[0]
