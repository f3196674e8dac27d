"""Sequence rules (`after`, `not_after`): the columnar join against hand-worked cases and against
durable_rules' own correlated matching (`when_all` over two facts).

Known behaviours of durable_rules 2.0.28 that the comparison designs around,
each seen in these tests:

* a correlated join ignores the order facts arrive in: order comes from a
  number on each fact (`seq`: day, then input row);
* arithmetic on a correlated reference (`m.day <= c.p.day + 90`) next to another
  correlated test in one rule gives wrong pairs or crashes the process: the
  window's end is put on each fact as a number of its own (`u...`);
* an `$or` (`|`) in the later fact's correlated expression loses the correlation
  on some branches and pairs facts it should not: whether an event is a
  candidate of the rule reaches the later slot as a flag on the fact (`c...`),
  worked out from the rule's own `when`, while the earlier slot's `when`, which
  has no reference, is durable_rules' to decide;
* facts are not consumed by a match (posted events would be), and one fact may
  fill the earlier slot of one pair and the later slot of another;
* every fact stays in memory until retracted: each example runs in a state of its own.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from conftest import write
from durable.engine import Host, MessageNotHandledException
from durable.lang import c, m, ruleset, when_all
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scorer.engine import Matcher
from scorer.io.load import read_events
from scorer.model.fields import parse_date
from scorer.model.frame import EventSet
from scorer.pack.load import load_rules
from scorer.pack.model import RulePack


def events_of(folder: Path, events: list[dict[str, Any]]) -> EventSet:
    rows = [json.dumps({"id": f"e{i}", "actor": "KAZ", "type": "x.y", **fields}) for i, fields in enumerate(events)]
    return read_events(str(write(folder, "events.jsonl", "\n".join(rows) + "\n")))


def fired(folder: Path, pack_text: str, events: list[dict[str, Any]]) -> list[list[str]]:
    pack = load_rules(write(folder, "pack.yaml", pack_text))
    return [[pack.rules[i].id for i in found] for found in Matcher(pack).match(events_of(folder, events))]


AFTER = """
rules:
  - id: r
    when: {type: act.decline}
    after:
      within_days: 10
      when: {type: act.protest, partner: {same_as: actor}}
    signals: {nato: 1}
"""


def test_after_counts_earlier_events_within_the_window_of_the_same_keys(tmp_path: Path) -> None:
    events = [
        {"date": "2009-01-01", "actor": "RUS", "type": "act.protest", "partner": "KAZ"},
        {"date": "2009-01-11", "type": "act.decline"},  # exactly 10 days after: fires
        {"date": "2009-01-12", "type": "act.decline"},  # 11 days: does not
        {"date": "2009-01-12", "actor": "RUS", "type": "act.protest", "partner": "UZB"},
        {"date": "2009-01-13", "type": "act.decline"},  # a protest, but about another country
        {"date": "2009-01-13", "actor": "UZB", "type": "act.decline"},  # that one
    ]
    assert fired(tmp_path, AFTER, events) == [[], ["r"], [], [], [], ["r"]]


def test_ties_count_in_input_order(tmp_path: Path) -> None:
    events = [
        {"date": "2009-01-05", "type": "act.decline"},  # before the protest in the input: no
        {"date": "2009-01-05", "actor": "RUS", "type": "act.protest", "partner": "KAZ"},
        {"date": "2009-01-05", "type": "act.decline"},  # after it on the same day: yes
    ]
    assert fired(tmp_path, AFTER, events) == [[], [], ["r"]]


def test_partial_dates_count_from_their_first_day(tmp_path: Path) -> None:
    events = [
        {"date": "2009-01", "actor": "RUS", "type": "act.protest", "partner": "KAZ"},  # 2009-01-01
        {"date": "2009-01-11", "type": "act.decline"},
        {"date": "2009-01-12", "type": "act.decline"},
        {"date": "2009", "type": "act.decline"},  # 2009-01-01, after the protest in the input
    ]
    assert fired(tmp_path, AFTER, events) == [[], ["r"], [], ["r"]]


def test_min_count_and_not_after(tmp_path: Path) -> None:
    pack = """
rules:
  - id: twice
    when: {type: act.decline}
    after: {min_count: 2, when: {type: act.protest}}
    signals: {nato: 1}
  - id: first
    when: {type: act.decline}
    not_after: {when: {type: act.decline, actor: {same_as: actor}}}
    signals: {nato: 1}
"""
    events = [
        {"date": "2009-01-01", "type": "act.protest", "actor": "RUS"},
        {"date": "2009-01-02", "type": "act.decline"},
        {"date": "2009-01-03", "type": "act.protest", "actor": "CHN"},
        {"date": "2009-01-04", "type": "act.decline"},
        {"date": "2009-01-04", "type": "act.decline", "actor": "UZB"},
    ]
    assert fired(tmp_path, pack, events) == [[], ["first"], [], ["twice"], ["twice", "first"]]


def test_a_rule_needs_both_after_and_not_after(tmp_path: Path) -> None:
    pack = """
rules:
  - id: plain
    when: {type: act.protest}
    signals: {nato: 1}
  - id: both
    when: {type: act.decline}
    after: {within_days: 30, when: {type: act.protest}}
    not_after: {within_days: 5, when: {type: act.protest}}
    signals: {nato: 1}
"""
    events = [
        {"date": "2009-01-01", "type": "act.protest"},
        {"date": "2009-01-03", "type": "act.decline"},  # a protest 2 days before: not_after fails
        {"date": "2009-01-10", "type": "act.decline"},  # 9 days: both hold
        {"date": "2009-03-10", "type": "act.decline"},  # none within 30 days
    ]
    assert fired(tmp_path, pack, events) == [["plain"], [], ["both"], []]


def test_same_as_pairs_and_absent_fields(tmp_path: Path) -> None:
    pack = """
rules:
  - id: r
    when: {type: act.join}
    after:
      when: {type: act.decline, partner: {same_as: partner}, actor: {same_as: actor}, attrs.unit: {same_as: attrs.unit}}
    signals: {nato: 1}
"""
    events = [
        {"date": "2009-01-01", "type": "act.decline", "partner": "NATO", "attrs": {"unit": 7}},
        {"date": "2009-01-02", "type": "act.join", "partner": "NATO", "attrs": {"unit": 7}},
        {"date": "2009-01-03", "type": "act.join", "partner": "NATO", "attrs": {"unit": 8}},
        {"date": "2009-01-04", "type": "act.join", "partner": "NATO"},
        {"date": "2009-01-05", "type": "act.join", "partner": "CSTO", "attrs": {"unit": 7}},
        {"date": "2009-01-06", "type": "act.join", "actor": "UZB", "partner": "NATO", "attrs": {"unit": 7}},
    ]
    assert fired(tmp_path, pack, events) == [[], ["r"], [], [], [], []]


def test_disabled_sequence_rules_ask_nothing(tmp_path: Path) -> None:
    pack = AFTER.replace("    signals:", "    enabled: false\n    signals:")
    events = [
        {"date": "2009-01-01", "actor": "RUS", "type": "act.protest", "partner": "KAZ"},
        {"date": "2009-01-02", "type": "act.decline"},
    ]
    assert fired(tmp_path, pack, events) == [[], []]


# --- the same answers from durable_rules' correlated matching ---------------------------------

ACTORS = ["KAZ", "RUS", "USA"]
TYPES = ["act.a", "act.b"]
PAIRS = [("partner", "actor"), ("actor", "actor"), ("actor", "partner"), ("type", "type"), ("partner", "partner")]


class _Quiet(Host):  # type: ignore[misc]
    """A durable_rules host whose timer threads never start."""

    def _run(self) -> None:
        return None


_host = _Quiet()
_names = itertools.count()

tests = st.lists(
    st.tuples(st.sampled_from(["actor", "type", "partner"]), st.lists(st.sampled_from(ACTORS + TYPES), min_size=1, max_size=2)),
    max_size=2,
)
contexts = st.fixed_dictionaries(
    {
        "within": st.sampled_from([None, 0, 1, 3, 10]),
        "min_count": st.integers(1, 3),
        "tests": tests,
        "same": st.lists(st.sampled_from(PAIRS), max_size=2, unique=True),
    }
)
rules = st.lists(
    st.fixed_dictionaries(
        {"tests": tests, "after": st.none() | contexts, "not_after": st.none() | contexts}
    ).filter(lambda r: r["after"] or r["not_after"]),
    min_size=1,
    max_size=3,
)
events = st.lists(
    st.fixed_dictionaries(
        {
            "date": st.sampled_from(["2009-01-01", "2009-01-02", "2009-01-04", "2009-01-12", "2009-01", "2009-02-01"]),
            "actor": st.sampled_from(ACTORS),
            "type": st.sampled_from(TYPES),
            "partner": st.sampled_from([*ACTORS, None]),
        }
    ),
    max_size=12,
)


def _when_yaml(conjunction: list[tuple[str, list[str]]], same: Sequence[tuple[str, str]] = ()) -> dict[str, Any]:
    """A random conjunction (and same_as pairs) as a rule's `when`: each test an item of `all`."""
    items = [{field: {"in": values}} for field, values in conjunction]
    items += [{mine: {"same_as": theirs}} for mine, theirs in same]
    return {"all": items} if items else {"type": {"exists": True}}


def _pack_yaml(spec: list[dict[str, Any]]) -> str:
    rules = []
    for i, rule in enumerate(spec):
        body: dict[str, Any] = {"id": f"r{i}", "when": _when_yaml(rule["tests"]), "signals": {"nato": 1}}
        for kind in ("after", "not_after"):
            context = rule[kind]
            if context:
                body[kind] = {"min_count": context["min_count"], "when": _when_yaml(context["tests"], context["same"])}
                if context["within"] is not None:
                    body[kind]["within_days"] = context["within"]
        rules.append(body)
    return json.dumps({"rules": rules})


def _holds(conjunction: list[tuple[str, list[str]]], row: dict[str, Any]) -> bool:
    """A random rule's single-event conditions (each field in its list of values)."""
    return all(row[field] in values for field, values in conjunction)


def _join_ruleset() -> str:
    """The one correlated rule every comparison asks, registered once: an earlier fact `p` and a later
    fact `e` of the same pairing, `e` after `p` (by `seq`), within `p`'s window (`until`), and each
    `same_as` key of `e` (`k0`, `k1`) equal to `p`'s (`j0`, `j1`)."""
    rules = ruleset("sequence-join")
    with rules:

        @when_all(
            c.p << (m.earlier == 1),
            c.e
            << (m.later == 1)
            & (m.seq > c.p.seq)
            & (m.day <= c.p.until)
            & (m.k0 == c.p.j0)
            & (m.k1 == c.p.j1),
        )
        def pair(found: Any) -> None:
            _found.add((found.p["n"], found.e["n"]))

    name, definition = rules.define()
    _host.register_rulesets({name: definition})
    return name


_found: set[tuple[int, int]] = set()
_ruleset = _join_ruleset()


def _pairs(context: dict[str, Any], rule: dict[str, Any], rows: list[dict[str, Any]]) -> set[tuple[int, int]]:
    """The (earlier, later) pairs durable_rules' correlated join finds for one context of one rule."""
    _found.clear()
    sid = f"s{next(_names)}"
    facts = []
    for i, row in enumerate(rows):
        day = parse_date(row["date"]).toordinal()
        within = context["within"]
        fact: dict[str, Any] = {"id": next(_names), "sid": sid, "n": i, "day": day, "seq": day * 100 + i}
        fact.update(earlier=int(_holds(context["tests"], row)), later=int(_holds(rule["tests"], row)))
        fact["until"] = day + (within if within is not None else 10**6)
        for k in range(2):
            mine, theirs = context["same"][k] if k < len(context["same"]) else ("", "")
            # An absent field leaves the attribute out, and a missing attribute equals nothing.
            if not mine or row[mine] is not None:
                fact[f"j{k}"] = row[mine] if mine else 0
            if not theirs or row[theirs] is not None:
                fact[f"k{k}"] = row[theirs] if theirs else 0
        facts.append(fact)
    for fact in facts:
        with contextlib.suppress(MessageNotHandledException):
            _host.assert_fact(_ruleset, fact)
    found = set(_found)
    if facts:  # retracting no facts crashes the process
        with contextlib.suppress(MessageNotHandledException):
            _host.retract_facts(_ruleset, facts)
    return found


def _durable_fired(spec: list[dict[str, Any]], rows: list[dict[str, Any]]) -> list[list[str]]:
    result: list[list[str]] = [[] for _ in rows]
    for r, rule in enumerate(spec):
        ok = [_holds(rule["tests"], row) for row in rows]
        for kind in ("after", "not_after"):
            context = rule[kind]
            if not context:
                continue
            counts = [0] * len(rows)
            for _, later in _pairs(context, rule, rows):
                counts[later] += 1
            for i in range(len(rows)):
                holds = counts[i] >= context["min_count"]
                ok[i] = ok[i] and (holds if kind == "after" else not holds)
        for i in range(len(rows)):
            if ok[i]:
                result[i].append(f"r{r}")
    return result


def _agree(spec: list[dict[str, Any]], rows: list[dict[str, Any]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        data = [{k: v for k, v in row.items() if v is not None} for row in rows]
        got = fired(Path(folder), _pack_yaml(spec), data) if rows else []
    assert got == _durable_fired(spec, rows)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=rules, rows=events)
def test_the_join_agrees_with_durable_rules_correlated_matching(spec: list[dict[str, Any]], rows: list[dict[str, Any]]) -> None:
    _agree(spec, rows)


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=rules, rows=events)
def test_the_join_agrees_with_durable_rules_on_many_more_inputs(spec: list[dict[str, Any]], rows: list[dict[str, Any]]) -> None:
    _agree(spec, rows)


def test_pack_without_rules_of_this_kind_has_no_sequences(tmp_path: Path) -> None:
    pack: RulePack = load_rules(write(tmp_path, "p.yaml", "rules: [{id: a, when: {type: x.y}, signals: {nato: 1}}]"))
    matcher = Matcher(pack)
    assert not matcher.sequential
    assert matcher.match_frame(events_of(tmp_path, [{"date": "2009"}]).frame).sequences is None


@pytest.mark.parametrize("within", [0, 0.5])
def test_a_window_of_zero_days_is_the_same_day(tmp_path: Path, within: float) -> None:
    pack = AFTER.replace("within_days: 10", f"within_days: {within}")
    events = [
        {"date": "2009-01-01", "actor": "RUS", "type": "act.protest", "partner": "KAZ"},
        {"date": "2009-01-01", "type": "act.decline"},
        {"date": "2009-01-02", "type": "act.decline"},
    ]
    assert fired(tmp_path, pack, events) == [[], ["r"], []]
