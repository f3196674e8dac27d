"""The one durable_rules host of the process, and the calls the matcher makes of it.

Design notes on durable_rules 2.0.28, each pinned by a test:

* `Host` starts timer threads that may run actions on their own thread: we
  keep one host per process with those threads never started, register each
  compiled ruleset once under a name derived from its content, and start each
  run on a fresh state id;
* an exception inside an action is stored in the state, not raised: we check
  the state after each run;
* a fact id already seen is dropped silently: every fact gets a fresh id;
* many facts are asserted in one call (`assert_facts`): the engine then
  queues one action per (fact, rule) that fired, and the host's
  `MessageNotHandledException` (raised when any fact of the batch fired
  nothing) would drop them all, so `ask_many` calls the engine's own
  functions and reads the queue itself: each action's message names its
  rule and carries the fact, whose id says which fact fired it. Reading it
  that way costs one native call per action, not a closure and two JSON
  round trips. A run's facts are retracted the same way (`retract`).
"""

from __future__ import annotations

import contextlib
import itertools
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import durable_rules_engine
import orjson
from durable.engine import Host, MessageNotHandledException


class EngineError(RuntimeError):
    """durable_rules failed inside an action: a bug of ours, never the user's input."""


class _QuietHost(Host):  # type: ignore[misc]
    """A durable_rules host whose timer threads never start: actions run only inside our calls."""

    def _run(self) -> None:
        """Start no timer thread."""
        return None


_host: Any = None
_registered: set[str] = set()
_fired: list[int] = []
_lock = threading.Lock()
_ids = itertools.count(1)


def _get_host() -> Any:
    """The process's host, made on first use."""
    global _host
    if _host is None:
        _host = _QuietHost()
    return _host


def _record(index: int) -> Any:
    """The action of rule `index`: note that it fired."""

    def action(c: Any) -> None:
        """Record that this rule fired."""
        _fired.append(index)

    return action


def register(name: str, definition: dict[str, Any], indices: list[int]) -> None:
    """Register a compiled ruleset once under `name`; its rule `r{i}` records `i` each time it fires."""
    with _lock:
        if name in _registered:
            return
        for index in indices:
            definition[f"r{index}"]["run"] = _record(index)
        _get_host().register_rulesets({name: definition})
        _registered.add(name)


def new_run() -> str:
    """A fresh state id for one run's facts."""
    return f"run{next(_ids)}"


def ask(name: str, fact: dict[str, Any], sid: str) -> tuple[int, ...]:
    """Assert `fact` (given a fresh id, in state `sid`) and return the indices of the rules it fired, ascending."""
    fact.update(id=next(_ids), sid=sid)
    with _lock:
        _fired.clear()
        with contextlib.suppress(MessageNotHandledException):
            _get_host().assert_fact(name, fact)
        # An `$or` fires a rule once per branch that holds; a rule counts once.
        return tuple(sorted(set(_fired)))


_BATCH = 4096  # facts asserted per call: the JSON of a batch is held whole


def ask_many(name: str, facts: Sequence[dict[str, Any]], sid: str) -> list[tuple[int, ...]]:
    """Assert many facts (each given a fresh id, in state `sid`) in few calls; for each, the indices
    of the rules it fired, ascending (`ask`, for all of them)."""
    fired: list[set[int]] = [set() for _ in facts]
    with _lock:
        handle = _get_host().get_ruleset(name)._handle
        for lo in range(0, len(facts), _BATCH):
            batch = facts[lo : lo + _BATCH]
            where: dict[int, int] = {}
            for i, fact in enumerate(batch, start=lo):
                fact.update(id=next(_ids), sid=sid)
                where[fact["id"]] = i
            _, state = durable_rules_engine.assert_facts(handle, orjson.dumps(batch).decode())
            for message in _actions(handle, state):
                rule, matched = next(iter(message.items()))
                fired[where[matched["m"]["id"]]].add(int(rule[1:]))  # rule `r{index}`
    return [tuple(sorted(rules)) for rules in fired]


def _actions(handle: Any, state: Any) -> Iterator[dict[str, Any]]:
    """The messages of the actions the engine queued for a state, each completed once the next is asked for."""
    started = durable_rules_engine.start_action_for_state(handle, state)
    message = orjson.loads(started[1]) if started else None
    while message:
        yield message
        following = durable_rules_engine.complete_and_start_action(handle, state)
        message = orjson.loads(following) if following else None


def retract(name: str, facts: list[dict[str, Any]]) -> None:
    """Retract a run's facts from a ruleset, all at once (as `ask_many` asserts them: the engine's own
    call, with orjson's text; an action a retraction queues is completed unread)."""
    if facts:
        with _lock:
            handle = _get_host().get_ruleset(name)._handle
            _, state = durable_rules_engine.retract_facts(handle, orjson.dumps(facts).decode())
            for _message in _actions(handle, state):
                pass


def check(name: str, sid: str) -> None:
    """Raise EngineError if an action failed in this run (durable_rules keeps the exception in the state)."""
    state = _get_host().get_state(name, sid)
    if "exception" in state:
        raise EngineError(f"durable_rules action failed: {state['exception']}")


def facts_of(name: str, sid: str) -> list[dict[str, Any]]:
    """The facts a ruleset holds in a state (none once a run has ended)."""
    found: list[dict[str, Any]] = _get_host().get_facts(name, sid)
    return found
