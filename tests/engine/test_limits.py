"""What one durable_rules ruleset can hold: the engine's real limits, our count of them, and valid packs that reach them.

The limits are pinned on the engine itself (a rule or a network one step past each
one fails), and every pack that would reach one still matches exactly as the
conditions say, through the fallback that evaluates a rule in Python.
"""

from __future__ import annotations

import itertools
import random
from typing import Any

import pytest

from scorer import api
from scorer.engine import Matcher, host
from scorer.engine.compile import fits_engine, shape
from scorer.engine.limits import MAX_SEQUENCE, MAX_STACK, MAX_TESTS_BELOW, Network, sequence_length
from scorer.engine.semantics import holds
from scorer.model.event import Event
from scorer.pack.model import All, AnyOf, Condition, Not, Rule, RulePack, Scoring
from scorer.pack.model import Test as FieldTest

_names = itertools.count()


def engine_says(expression: dict[str, Any], fact: dict[str, Any]) -> str:
    """What durable_rules itself does with a one-rule ruleset of this expression and this fact."""
    name = f"limits-{next(_names)}"
    try:
        host.register(name, {"r0": {"all": [{"m": expression}]}}, [0])
    except Exception as err:  # the engine's own error, which names its code
        return f"refused: {err}"
    try:
        return f"fired {host.ask(name, dict(fact), host.new_run())}"
    except Exception as err:
        return f"failed: {err}"


def pairs(count: int) -> dict[str, Any]:
    """An `$or` of `count - 1` `$and`s: `count` groups in all, each taking two entries of the sequence."""
    return {"$or": [{"$and": [{"v0": "x"}, {"v1": "x"}]} for _ in range(count - 1)]}


def wide(count: int) -> dict[str, Any]:
    """An `$or` of `count` equality tests on distinct channels, every one of which a fact can meet at once."""
    return {"$or": [{f"v{i}": "x"} for i in range(count)]}


def one_channel(count: int) -> dict[str, Any]:
    """An `$or` of `count` equality tests on one channel: `count` test nodes below the root."""
    return {"$or": [{"v0": f"x{i}"} for i in range(count)]}


FACT = {f"v{i}": "x" for i in range(100)}


# --- the engine's limits, and our count of them -----------------------------


def test_a_rule_may_hold_fifteen_and_or_groups_not_sixteen() -> None:
    assert sequence_length(pairs(15)) == 30 <= MAX_SEQUENCE
    assert engine_says(pairs(15), FACT) == "fired (0,)"
    assert sequence_length(pairs(16)) == 32 > MAX_SEQUENCE
    assert engine_says(pairs(16), FACT) == "refused: Could not create ruleset, error code: 113"


def test_a_fact_may_leave_sixty_four_nodes_pending_not_sixty_five() -> None:
    for count, fits in ((MAX_STACK, True), (MAX_STACK + 1, False)):
        network = Network()
        network.add(wide(count))
        assert network.stack_bound() == count
        assert network.fits() is fits
        said = engine_says(wide(count), FACT)
        assert said == "fired (0,)" if fits else said == "failed: Could not assert fact, error code: 303"


@pytest.mark.slow
def test_a_node_may_hold_511_tests_below_it() -> None:
    # At 512 the engine's table is full: a fact meeting one of them overflows the stack,
    # and a fact meeting none of them never returns (so that case is not asked here).
    for count, fits in ((MAX_TESTS_BELOW, True), (MAX_TESTS_BELOW + 1, False)):
        network = Network()
        network.add(one_channel(count))
        assert network.fits() is fits
        said = engine_says(one_channel(count), {"v0": "x0"})
        assert said == "fired (0,)" if fits else said.startswith("failed:")
    assert engine_says(one_channel(MAX_TESTS_BELOW), {"v0": "none of them"}) == "fired ()"


def test_tests_shared_between_rules_are_counted_once() -> None:
    network = Network()
    for _ in range(3):
        network.add({"$and": [{"v0": "x"}, {"$neq": {"v1": "y"}}]})
    assert len(network.nodes) == 3  # the root and one chain of two tests


# --- valid packs at and past the limits --------------------------------------


def event(**fields: Any) -> Event:
    return Event.model_validate({"id": "e", "date": "2009-05-01", "actor": "KAZ", "type": "arms.acquire", **fields})


def matches_like_python(conditions: list[Condition], events: list[Event]) -> None:
    """A pack of these rules matches every event exactly as the conditions say."""
    rules = tuple(Rule(f"r{i}", "", c, {"nato": 1.0}, True, (), "pack.yaml", i + 1) for i, c in enumerate(conditions))
    found = Matcher(RulePack(Scoring(), {}, rules)).match(events)
    for one, fired in zip(events, found, strict=True):
        values = one.model_dump()
        assert fired == tuple(i for i, c in enumerate(conditions) if holds(c, values)), values


ARMS = All((FieldTest("type", "eq", "arms.acquire"), FieldTest("confidence", "gte", 0.5), FieldTest("intensity", "gte", 1)))


@pytest.mark.parametrize("count", [3, 4, 5, 6])
def test_any_of_repeated_three_part_conditions(count: int) -> None:
    # Five of these make sixteen groups: one past what a rule may hold.
    condition = AnyOf((ARMS,) * count)
    assert fits_engine(condition) is (sequence_length(shape(condition)) <= MAX_SEQUENCE)
    events = [event(confidence=0.9, intensity=2), event(confidence=0.1, intensity=2), event()]
    matches_like_python([condition], events)


@pytest.mark.parametrize("count", [13, 14, 15, 16])
def test_any_of_many_not_equal_tests(count: int) -> None:
    condition = AnyOf(tuple(FieldTest("partner", "ne", f"P{i}") for i in range(count)))
    matches_like_python([condition], [event(partner="P1"), event(partner="ZZZ"), event()])


@pytest.mark.parametrize("rules", [4, 5, 9])
def test_rules_whose_tests_a_fact_meets_all_at_once(rules: int) -> None:
    # Each rule alone fits; five of them together would leave 70 nodes pending.
    conditions: list[Condition] = [
        AnyOf(tuple(FieldTest("partner", "ne", f"P{r}-{i}") for i in range(14))) for r in range(rules)
    ]
    matches_like_python(conditions, [event(partner="ZZZ"), event(partner="P1-3"), event()])


def test_a_rule_testing_more_fields_than_a_fact_may_carry() -> None:
    condition = AnyOf(tuple(FieldTest(f"attrs.f{i}", "eq", 1) for i in range(300)))
    matches_like_python([condition, FieldTest("attrs.f0", "eq", 1)], [event(attrs={"f299": 1}), event(attrs={"f0": 1})])


# --- random nested packs never fail ----------------------------------------

PARTNERS = ("AAA", "BBB", "CCC", "DDD")


def random_test(r: random.Random) -> FieldTest:
    """One test on a field, with values the random events also take."""
    name = r.choice(["type", "partner", "intensity", "confidence", "attrs.a", "attrs.b", "source", "date", "tags"])
    if name == "date":
        return FieldTest("date", r.choice(["eq", "gt", "lte", "ne"]), r.choice(["2009", "2009-02", "2009-03-01"]))
    if name == "tags":
        return FieldTest("tags", r.choice(["contains", "in"]), r.choice(["x", ("x", "y")]))
    if name == "source":
        return FieldTest("source", r.choice(["regex", "prefix"]), r.choice(["ab", "b"]))
    values: list[Any] = {"type": ["a.a", "b.b", "c.c"], "partner": list(PARTNERS)}.get(name, ["A", "B", 1, 2, 0.5, 0])
    ops = ["eq", "ne", "in", "not_in", "exists"] + (["gt", "gte", "lt", "lte"] if name not in ("type", "partner") else [])
    op = r.choice(ops)
    if op == "exists":
        return FieldTest(name, op, r.random() < 0.5)
    if op in ("in", "not_in"):
        return FieldTest(name, op, tuple(r.sample(values, r.randint(1, 3))))
    if op in ("gt", "gte", "lt", "lte"):
        return FieldTest(name, op, r.choice([0, 0.5, 1, 2, 3]))
    return FieldTest(name, op, r.choice(values))


def random_condition(r: random.Random, depth: int) -> Condition:
    """A random condition of nested all/any/not down to `depth`."""
    roll = r.random()
    if depth <= 0 or roll < 0.3:
        return random_test(r)
    if roll < 0.45:
        return Not(random_condition(r, depth - 1))
    items = tuple(random_condition(r, depth - 1) for _ in range(r.randint(1, 6)))
    return All(items) if roll < 0.7 else AnyOf(items)


def random_event(r: random.Random) -> Event:
    """A random event with each optional field present or not."""
    fields: dict[str, Any] = {"type": r.choice(["a.a", "b.b", "c.c"]), "date": r.choice(["2009", "2009-02", "2009-02-15"])}
    options: dict[str, list[Any]] = {
        "partner": list(PARTNERS),
        "intensity": [0, 0.5, 1, 2, 3],
        "confidence": [0, 0.5, 1],
        "source": ["ab", "b", "cab", "zz"],
        "tags": [[], ["x"], ["y", "z"]],
        "attrs": [{"a": "A"}, {"a": 1, "b": "B"}, {"b": 2}, {"a": 0.5}],
    }
    for name, choices in options.items():
        if r.random() < 0.7:
            fields[name] = r.choice(choices)
    return event(**fields)


@pytest.mark.parametrize("seed", range(12))
def test_random_nested_packs_match_like_python(seed: int) -> None:
    r = random.Random(seed)
    conditions = [random_condition(r, r.randint(1, 5)) for _ in range(r.randint(1, 70))]
    matches_like_python(conditions, [random_event(r) for _ in range(25)])


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(12, 212))
def test_many_random_nested_packs_match_like_python(seed: int) -> None:
    test_random_nested_packs_match_like_python(seed)


def _any_not_partner(count: int, tag: str) -> str:
    """A YAML `any:` of `count` `partner: {ne: ...}` tests."""
    return "{any: [" + ", ".join(f"{{partner: {{ne: {tag}{i}}}}}" for i in range(count)) + "]}"


@pytest.mark.parametrize("count", [15, 16])
def test_after_and_not_after_conditions_are_counted_like_rules(count: int, tmp_path: Any) -> None:
    # A sequence rule's earlier-event conditions are compiled as rules of their own: the same limits hold.
    rules = "".join(
        f"  - id: r{r}\n    when: {_any_not_partner(count, f'Q{r}-')}\n"
        f"    after: {{when: {_any_not_partner(count, f'P{r}-')}}}\n"
        f"    not_after: {{when: {{all: [{_any_not_partner(count, f'N{r}-')}, {{type: never}}]}}}}\n"
        "    signals: {nato: 1}\n"
        for r in range(6)
    )
    pack = tmp_path / "pack.yaml"
    pack.write_text("rules:\n" + rules, encoding="utf-8")
    events = tmp_path / "e.yaml"
    events.write_text(
        "events:\n"
        "  - {id: a, date: 2009-01-01, actor: KAZ, type: t, partner: ZZZ}\n"
        "  - {id: b, date: 2009-01-02, actor: KAZ, type: t, partner: ZZZ}\n",
        encoding="utf-8",
    )
    score = api.score(api.read_events(events), pack)
    assert [row.totals["nato"] for row in score.actors["KAZ"].timeline] == [0.0, 6.0]
