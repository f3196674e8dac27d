"""Matching through durable_rules: the behaviours the engine design relies on (see scorer/engine/).

Each test states what an analyst sees: which rules fire on which events.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import write
from differential_cases import make_case

from scorer.engine import Matcher, fields_of, host
from scorer.engine import distinct as engine
from scorer.engine.semantics import base_column, walk
from scorer.io.load import read_events as load_events
from scorer.model.frame import EventSet
from scorer.pack.load import load_rules
from scorer.pack.model import RulePack
from scorer.problems import InputError
from scorer.scoring.score import score

BASE = {"date": "2009-05-01", "actor": "KAZ", "type": "x.y"}


def events_of(tmp_path: Path, events: list[dict[str, Any]], name: str = "events.jsonl") -> EventSet:
    rows = []
    for i, fields in enumerate(events):
        rows.append(json.dumps({"id": f"e{i}", **BASE, **fields}))
    return load_events(str(write(tmp_path, name, "\n".join(rows) + "\n")))


def pack_of(tmp_path: Path, text: str, name: str = "pack.yaml") -> RulePack:
    return load_rules(write(tmp_path, name, text))


def fired(pack: RulePack, events: EventSet) -> list[list[str]]:
    """Rule ids that fire on each event, in input order."""
    return [[pack.rules[i].id for i in found] for found in Matcher(pack).match(events)]


def holds(tmp_path: Path, when: str, event: dict[str, Any], sets: str = "") -> bool:
    """Whether a one-rule pack with this `when` matches this event."""
    pack = pack_of(tmp_path, f"{sets}rules:\n  - id: r\n    when: {when}\n    signals: {{nato: 1}}\n")
    (result,) = fired(pack, events_of(tmp_path, [event]))
    return result == ["r"]


# --- every matching rule fires ---------------------------------------------


def test_one_event_matched_by_three_rules_contributes_three_times(tmp_path: Path) -> None:
    pack = pack_of(
        tmp_path,
        """\
        rules:
          - {id: by-type, when: {type: exercise.decline}, signals: {russia: 2}}
          - {id: by-partner, when: {partner: NATO}, signals: {nato: -1}}
          - {id: by-both, when: {type: exercise.decline, partner: NATO}, signals: {russia: 0.5}}
          - {id: other, when: {type: exercise.join}, signals: {nato: 1}}
        """,
    )
    events = events_of(tmp_path, [{"type": "exercise.decline", "partner": "NATO", "intensity": 2}])
    assert fired(pack, events) == [["by-type", "by-partner", "by-both"]]
    result = score(events, pack).actors["KAZ"]
    (step,) = result.trail
    assert [(m.rule, m.axis, m.contribution) for m in step.matches] == [
        ("by-type", "russia", 4.0),
        ("by-partner", "nato", -2.0),
        ("by-both", "russia", 1.0),
    ]
    assert result.final.totals == {"nato": -2.0, "russia": 5.0}


def test_event_no_rule_matches_is_unmatched_not_an_error(tmp_path: Path) -> None:
    pack = pack_of(tmp_path, "rules:\n  - {id: r, when: {type: a.b}, signals: {nato: 1}}\n")
    events = events_of(tmp_path, [{"type": "a.b"}, {"type": "c.d"}, {"type": "a.b"}])
    assert fired(pack, events) == [["r"], [], ["r"]]
    result = score(events, pack).actors["KAZ"]
    assert result.unmatched == ("e1",)
    assert [len(step.matches) for step in result.trail] == [1, 0, 1]
    assert result.final.totals["nato"] == 2.0


def test_all_events_unmatched(tmp_path: Path) -> None:
    pack = pack_of(tmp_path, "rules:\n  - {id: r, when: {type: a.b}, signals: {nato: 1}}\n")
    events = events_of(tmp_path, [{"type": "c.d"}, {"type": "e.f"}])
    result = score(events, pack).actors["KAZ"]
    assert result.unmatched == ("e0", "e1")
    assert result.final.totals == {"nato": 0.0, "russia": 0.0}
    assert (result.final.balance, result.final.lean) == (0.0, 0.0)


def test_events_with_identical_fields_are_all_matched(tmp_path: Path) -> None:
    pack = pack_of(tmp_path, "rules:\n  - {id: r, when: {type: a.b, partner: NATO}, signals: {nato: 1}}\n")
    same = {"type": "a.b", "partner": "NATO"}
    events = events_of(tmp_path, [same, same, {"type": "c.d"}, same])
    assert fired(pack, events) == [["r"], ["r"], [], ["r"]]
    assert score(events, pack).actors["KAZ"].final.totals["nato"] == 3.0


def test_the_same_events_match_again_in_later_runs(tmp_path: Path) -> None:
    # The engine drops a fact it has seen before; every run must still match everything.
    text = "rules:\n  - {id: r, when: {type: a.b}, signals: {nato: 1}}\n  - {id: s, when: {partner: NATO}, signals: {nato: 1}}\n"
    events = events_of(tmp_path, [{"type": "a.b", "partner": "NATO"}, {"type": "a.b"}])
    matcher = Matcher(pack_of(tmp_path, text))
    expected = [(0, 1), (0,)]
    assert matcher.match(events) == expected
    assert matcher.match(events) == expected
    assert Matcher(pack_of(tmp_path, text, "again.yaml")).match(events) == expected
    assert Matcher(pack_of(tmp_path, text)).match(events) == expected


def test_a_run_leaves_no_facts_in_the_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Facts stay in a run's state while it lasts (each rule tests one fact, so they fire
    # nothing more) and are retracted together when it ends: a long session does not grow.
    text = "rules:\n  - {id: r, when: {type: a.b}, signals: {nato: 1}}\n  - {id: s, when: {partner: NATO}, signals: {nato: 1}}\n"
    matcher = Matcher(pack_of(tmp_path, text))
    runs: list[str] = []
    new_run = host.new_run
    monkeypatch.setattr(host, "new_run", lambda: runs.append(new_run()) or runs[-1])
    events = events_of(tmp_path, [{"type": "a.b", "partner": "NATO"}, {"type": "a.b"}, {"type": "c.d"}])
    assert matcher.match(events) == [(0, 1), (0,), ()]
    assert matcher.match(events) == [(0, 1), (0,), ()]
    assert len(runs) == 2
    for sid in runs:
        for ruleset in matcher.rulesets:
            assert host.facts_of(ruleset.name, sid) == []


def test_any_with_two_true_branches_fires_once(tmp_path: Path) -> None:
    pack = pack_of(
        tmp_path,
        """\
        rules:
          - id: either
            when:
              any:
                - {type: exercise.join}
                - {partner: NATO}
                - {intensity: {gte: 1}}
            signals: {nato: 1.5}
          - id: negated-all
            when:
              not: {all: [{type: other}, {partner: other}]}
            signals: {russia: 1}
        """,
    )
    events = events_of(tmp_path, [{"type": "exercise.join", "partner": "NATO"}])
    assert fired(pack, events) == [["either", "negated-all"]]
    (step,) = score(events, pack).actors["KAZ"].trail
    assert [(m.rule, m.contribution) for m in step.matches] == [("either", 1.5), ("negated-all", 1.0)]


def test_disabled_rules_never_fire(tmp_path: Path) -> None:
    pack = pack_of(
        tmp_path,
        """\
        rules:
          - {id: off, when: {type: a.b}, signals: {nato: 5}, enabled: false}
          - {id: on, when: {type: a.b}, signals: {russia: 1}}
          - {id: off-too, when: {partner: {exists: false}}, signals: {nato: 5}, enabled: false}
        """,
    )
    events = events_of(tmp_path, [{"type": "a.b"}, {"type": "c.d"}])
    assert fired(pack, events) == [["on"], []]
    result = score(events, pack).actors["KAZ"]
    assert result.final.totals == {"nato": 0.0, "russia": 1.0}
    assert result.unmatched == ("e1",)


def test_a_pack_with_every_rule_disabled(tmp_path: Path) -> None:
    pack = pack_of(tmp_path, "rules:\n  - {id: off, when: {type: a.b}, signals: {nato: 5}, enabled: false}\n")
    events = events_of(tmp_path, [{"type": "a.b"}])
    assert fired(pack, events) == [[]]
    assert score(events, pack).actors["KAZ"].unmatched == ("e0",)


# --- every operator, on event fields and attrs -----------------------------

FULL = {
    "partner": "NATO",
    "intensity": 2,
    "confidence": 0.5,
    "source": "gazeta.ru, 2009-04-21",
    "tags": ["csto", "rrf"],
    "attrs": {"units": 3, "kind": "brigade", "airborne": True, "code": "012"},
}

OPERATOR_CASES: list[tuple[str, dict[str, Any], bool]] = [
    # scalar and list
    ("{partner: NATO}", FULL, True),
    ("{partner: USA}", FULL, False),
    ("{partner: [USA, NATO]}", FULL, True),
    ("{partner: [USA, RUS]}", FULL, False),
    ("{type: x.y}", {}, True),
    ("{actor: KAZ}", {}, True),
    ("{actor: [UZB]}", {}, False),
    ("{id: e0}", {}, True),
    # eq / ne
    ("{partner: {eq: NATO}}", FULL, True),
    ("{partner: {ne: NATO}}", FULL, False),
    ("{partner: {ne: USA}}", FULL, True),
    ("{intensity: {eq: 2}}", FULL, True),
    ("{intensity: {eq: 2.0}}", FULL, True),
    ("{intensity: 2}", FULL, True),
    ("{intensity: {ne: 2}}", FULL, False),
    ("{intensity: 1}", {}, True),
    ("{confidence: 1}", {}, True),
    ("{confidence: 0.5}", FULL, True),
    # in / not_in
    ("{partner: {in: [NATO, USA]}}", FULL, True),
    ("{partner: {in: [RUS]}}", FULL, False),
    ("{partner: {not_in: [RUS, CHN]}}", FULL, True),
    ("{partner: {not_in: [NATO]}}", FULL, False),
    ("{intensity: {in: [1, 2, 3]}}", FULL, True),
    ("{intensity: {not_in: [2]}}", FULL, False),
    # gt / gte / lt / lte
    ("{intensity: {gt: 1}}", FULL, True),
    ("{intensity: {gt: 2}}", FULL, False),
    ("{intensity: {gte: 2}}", FULL, True),
    ("{intensity: {lt: 2}}", FULL, False),
    ("{intensity: {lte: 2}}", FULL, True),
    ("{confidence: {lt: 0.75}}", FULL, True),
    ("{intensity: {gte: 1.5, lt: 2.5}}", FULL, True),
    ("{intensity: {gt: 2, lt: 3}}", FULL, False),
    # prefix / regex
    ("{type: {prefix: x.}}", {}, True),
    ("{type: {prefix: y}}", {}, False),
    ("{source: {regex: 'gazeta\\.ru'}}", FULL, True),
    ("{source: {regex: '^2009'}}", FULL, False),
    ("{source: {regex: '\\d{4}-\\d{2}-\\d{2}$'}}", FULL, True),
    ("{partner: {regex: '(?i)^nato$'}}", FULL, True),
    ("{partner: {regex: 'AT'}}", FULL, True),
    ("{type: {regex: '^x\\.y$'}}", {}, True),
    ("{type: {regex: '^x.y$'}}", {"type": "xzy"}, True),
    ("{type: {regex: '^x\\.y$'}}", {"type": "xzy"}, False),
    # contains (tags)
    ("{tags: {contains: rrf}}", FULL, True),
    ("{tags: {contains: pfp}}", FULL, False),
    ("{tags: {contains: rr}}", FULL, False),
    ("{tags: {contains: csto}}", {"tags": []}, False),
    # in_set
    ("{partner: {in_set: west}}", FULL, True),
    ("{partner: {in_set: east}}", FULL, False),
    ("{actor: {in_set: east}}", {}, False),
    # exists
    ("{partner: {exists: true}}", FULL, True),
    ("{partner: {exists: false}}", FULL, False),
    ("{tags: {exists: true}}", {"tags": []}, True),
    ("{intensity: {exists: true}}", {}, True),
    ("{attrs.units: {exists: true}}", FULL, True),
    ("{attrs.units: {exists: false}}", FULL, False),
    ("{attrs.other: {exists: false}}", FULL, True),
    # attrs
    ("{attrs.units: 3}", FULL, True),
    ("{attrs.units: 3.0}", FULL, True),
    ("{attrs.units: '3'}", FULL, False),
    ("{attrs.units: {gt: 2.5}}", FULL, True),
    ("{attrs.units: {lte: 2.5}}", FULL, False),
    ("{attrs.units: {in: [1, 3]}}", FULL, True),
    ("{attrs.units: {not_in: [1, 3]}}", FULL, False),
    ("{attrs.units: {ne: 4}}", FULL, True),
    ("{attrs.kind: brigade}", FULL, True),
    ("{attrs.kind: {prefix: bri}}", FULL, True),
    ("{attrs.kind: {regex: 'gad'}}", FULL, True),
    ("{attrs.kind: {gt: 0}}", FULL, False),
    ("{attrs.kind: {in_set: east}}", FULL, False),
    ("{attrs.airborne: true}", FULL, True),
    ("{attrs.airborne: false}", FULL, False),
    ("{attrs.airborne: 1}", FULL, False),
    ("{attrs.airborne: {gt: 0}}", FULL, False),
    ("{attrs.code: '012'}", FULL, True),
    ("{attrs.code: 012}", FULL, True),
    ("{attrs.code: 12}", FULL, False),
    ("{attrs.code: {prefix: '01'}}", FULL, True),
    ("{attrs.units: {prefix: '3'}}", FULL, False),
    ("{attrs.units: {regex: '3'}}", FULL, False),
    # not
    ("{not: {partner: NATO}}", FULL, False),
    ("{not: {partner: USA}}", FULL, True),
    ("{not: {not: {partner: NATO}}}", FULL, True),
    ("{not: {intensity: {gt: 2}}}", FULL, True),
    ("{not: {source: {regex: gazeta}}}", FULL, False),
    ("{not: {tags: {contains: rrf}}}", FULL, False),
    ("{not: {any: [{partner: USA}, {partner: RUS}]}}", FULL, True),
    ("{any: [{partner: USA}, {not: {type: z}}]}", FULL, True),
    ("{all: [{partner: NATO}, {not: {type: x.y}}]}", FULL, False),
]

# When an event lacks a field, only `exists: false` holds for it; every other operator,
# `ne` and `not_in` included, is false there (docs/reference.md). And `not` of such a test is true.
MISSING_CASES: list[tuple[str, bool]] = [
    ("{exists: false}", True),
    ("{exists: true}", False),
    ("{eq: NATO}", False),
    ("{ne: NATO}", False),
    ("{ne: ''}", False),
    ("{in: [NATO, USA]}", False),
    ("{not_in: [NATO, USA]}", False),
    ("{gt: 0}", False),
    ("{gte: -1000}", False),
    ("{lt: 1000}", False),
    ("{lte: 0}", False),
    ("{prefix: ''}", False),
    ("{regex: ''}", False),
    ("{regex: '.*'}", False),
    ("{in_set: west}", False),
]

SETS = "sets: {west: [NATO, USA], east: [RUS, CSTO]}\n"


@pytest.mark.parametrize(("when", "event", "expected"), OPERATOR_CASES)
def test_operator(tmp_path: Path, when: str, event: dict[str, Any], expected: bool) -> None:
    assert holds(tmp_path, when, event, SETS) is expected


@pytest.mark.parametrize("field", ["partner", "source", "attrs.units", "attrs.kind"])
@pytest.mark.parametrize(("test", "expected"), MISSING_CASES)
def test_a_missing_field_only_satisfies_exists_false(tmp_path: Path, field: str, test: str, expected: bool) -> None:
    event = {"attrs": {"other": 1}}
    assert holds(tmp_path, f"{{{field}: {test}}}", event, SETS) is expected
    assert holds(tmp_path, f"{{not: {{{field}: {test}}}}}", event, SETS) is (not expected)


@pytest.mark.parametrize(("test", "expected"), [("{contains: a}", False), ("{exists: true}", False), ("{exists: false}", True)])
def test_missing_tags(tmp_path: Path, test: str, expected: bool) -> None:
    assert holds(tmp_path, f"{{tags: {test}}}", {}, SETS) is expected
    assert holds(tmp_path, f"{{not: {{tags: {test}}}}}", {}, SETS) is (not expected)


def test_missing_attrs_mapping(tmp_path: Path) -> None:
    assert holds(tmp_path, "{attrs.units: {exists: false}}", {})
    assert not holds(tmp_path, "{attrs.units: {ne: 3}}", {})
    assert holds(tmp_path, "{not: {attrs.units: {ne: 3}}}", {})


# --- dates -----------------------------------------------------------------

DATE_CASES: list[tuple[str, str, bool]] = [
    ("{gt: 2009-04-30}", "2009-05-01", True),
    ("{gt: 2009-04-30}", "2009-04-30", False),
    ("{gte: 2009-04-30}", "2009-04-30", True),
    ("{lt: 2009-04-30}", "2009-04-29", True),
    ("{lt: 2009-04-30}", "2009-04-30", False),
    ("{lte: 2009-04-30}", "2009-04-30", True),
    # partial dates of events count as the first day of their period
    ("{gt: 2009-04-30}", "2009-05", True),
    ("{gte: 2009-05-01}", "2009-05", True),
    ("{gt: 2009-05-01}", "2009-05", False),
    ("{lt: 2009-01-02}", "2009", True),
    ("{lt: 2009-01-01}", "2009", False),
    ("{gte: 2009-01-01}", "2009", True),
    # and those of rules too
    ("{gte: 2009-05}", "2009-04-30", False),
    ("{gte: 2009-05}", "2009-05-01", True),
    ("{lt: 2010}", "2009-12-31", True),
    ("{lt: 2010}", "2010-01-01", False),
    ("{gte: 2009}", "2008-12-31", False),
    ("{gte: 2009, lt: 2010}", "2009-07", True),
    ("{gte: 2009, lt: 2010}", "2010", False),
    # as dates, not as text: "2009-05" sorts after "2009-05-01" as text
    ("{lte: 2009-05-01}", "2009-05", True),
    ("{gt: 2009-12}", "2009-12-02", True),
    # equality of whole days
    ("2009-04-21", "2009-04-21", True),
    ("{eq: 2009-04-21}", "2009-04-22", False),
    ("{ne: 2009-04-21}", "2009-04-22", True),
    ("[2009-04-21, 2009-04-22]", "2009-04-22", True),
    ("{not_in: [2009-04-21]}", "2009-04-22", True),
    # leap years
    ("{gt: 2008-02-28}", "2008-02-29", True),
    ("{lt: 2008-03-01}", "2008-02-29", True),
]


@pytest.mark.parametrize(("test", "date", "expected"), DATE_CASES)
def test_dates_compare_as_dates(tmp_path: Path, test: str, date: str, expected: bool) -> None:
    assert holds(tmp_path, f"{{date: {test}}}", {"date": date}) is expected


def test_date_text_operators_see_the_date_as_written(tmp_path: Path) -> None:
    assert holds(tmp_path, "{date: {prefix: '2009-05'}}", {"date": "2009-05"})
    assert holds(tmp_path, "{date: {regex: '^\\d{4}-\\d{2}$'}}", {"date": "2009-05"})
    assert not holds(tmp_path, "{date: {regex: '^\\d{4}-\\d{2}$'}}", {"date": "2009-05-01"})


# --- numbers at and around thresholds --------------------------------------


@pytest.mark.parametrize(
    ("value", "gt", "gte", "lt", "lte", "eq"),
    [
        (1.999999, False, False, True, True, False),
        (2, False, True, False, True, True),
        (2.0000001, True, True, False, False, False),
        (0, False, False, True, True, False),
        (1e9, True, True, False, False, False),
    ],
)
def test_numbers_on_both_sides_of_and_at_a_threshold(
    tmp_path: Path, value: float, gt: bool, gte: bool, lt: bool, lte: bool, eq: bool
) -> None:
    pack = pack_of(
        tmp_path,
        """\
        rules:
          - {id: gt, when: {intensity: {gt: 2}}, signals: {nato: 1}}
          - {id: gte, when: {intensity: {gte: 2}}, signals: {nato: 1}}
          - {id: lt, when: {intensity: {lt: 2}}, signals: {nato: 1}}
          - {id: lte, when: {intensity: {lte: 2}}, signals: {nato: 1}}
          - {id: eq, when: {intensity: 2}, signals: {nato: 1}}
          - {id: other-cuts, when: {intensity: {gt: 1.5, lt: 2.5}}, signals: {nato: 1}}
          - {id: more-cuts, when: {intensity: {gte: 1.9999995, lte: 2.0000005}}, signals: {nato: 1}}
        """,
    )
    (found,) = fired(pack, events_of(tmp_path, [{"intensity": value}]))
    expected = {"gt": gt, "gte": gte, "lt": lt, "lte": lte, "eq": eq}
    assert {name: name in found for name in expected} == expected
    assert ("other-cuts" in found) is (1.5 < value < 2.5)
    assert ("more-cuts" in found) is (1.9999995 <= value <= 2.0000005)


def test_thresholds_on_attrs_with_negative_and_fractional_values(tmp_path: Path) -> None:
    pack = pack_of(
        tmp_path,
        """\
        rules:
          - {id: below, when: {attrs.x: {lt: -0.5}}, signals: {nato: 1}}
          - {id: band, when: {attrs.x: {gte: -0.5, lte: 0.25}}, signals: {nato: 1}}
          - {id: above, when: {attrs.x: {gt: 0.25}}, signals: {nato: 1}}
        """,
    )
    values = [-3, -0.5000001, -0.5, -0.4999999, 0, 0.25, 0.2500001, 7]
    found = fired(pack, events_of(tmp_path, [{"attrs": {"x": v}} for v in values]))
    expected = [
        [name for name, ok in (("below", v < -0.5), ("band", -0.5 <= v <= 0.25), ("above", v > 0.25)) if ok]
        for v in values
    ]
    assert found == expected


def test_a_non_number_attr_fails_every_comparison(tmp_path: Path) -> None:
    # NaN is not below or above anything: an event that carries it must not pass a threshold.
    path = write(
        tmp_path,
        "events.yaml",
        "events:\n  - {id: e0, date: 2009, actor: KAZ, type: x.y, attrs: {x: .nan}}\n",
    )
    pack = pack_of(
        tmp_path,
        """\
        rules:
          - {id: lt, when: {attrs.x: {lt: 5}}, signals: {nato: 1}}
          - {id: gt, when: {attrs.x: {gt: 5}}, signals: {nato: 1}}
          - {id: lte, when: {attrs.x: {lte: 5}}, signals: {nato: 1}}
          - {id: gte, when: {attrs.x: {gte: 5}}, signals: {nato: 1}}
        """,
    )
    try:
        events = load_events(str(path))
    except InputError as err:  # refusing the value outright is fine too, if it says where
        assert str(err.problems[0]).startswith(f"{path}:2:")
        return
    assert fired(pack, events) == [[]]


# --- a pack larger than one engine ruleset ---------------------------------


def test_a_pack_split_over_several_rulesets_matches_like_python(tmp_path: Path) -> None:
    words = [f"w{i:03d}" for i in range(300)]
    lines = ["rules:"]
    for i, word in enumerate(words):
        lines.append(f"  - {{id: r{i:03d}, when: {{source: {{regex: '\\b{word}\\b'}}}}, signals: {{nato: {i + 1}}}}}")
    pack = pack_of(tmp_path, "\n".join(lines) + "\n")
    matcher = Matcher(pack)
    assert len(matcher.rulesets) > 1, "this pack is meant to need more than one ruleset"
    sources = [" ".join(words[j] for j in range(i % 7, 300, 8 + i % 11)) for i in range(40)]
    sources += ["nothing here", "w1000 w0001", f"{words[0]} {words[299]}"]
    events = events_of(tmp_path, [{"source": s} for s in sources])
    expected = [
        tuple(i for i, word in enumerate(words) if re.search(rf"\b{word}\b", source)) for source in sources
    ]
    assert matcher.match(events) == expected


@pytest.mark.parametrize("packed", [True, False], ids=["facts told apart by one number", "by rows"])
def test_many_fields_split_over_several_rulesets_matches_like_python(tmp_path: Path, packed: bool) -> None:
    lines = ["rules:"]
    for i in range(260):
        lines.append(f"  - {{id: a{i}, when: {{attrs.f{i}: {i % 5}}}, signals: {{russia: 1}}}}")
    lines.append("  - {id: any-of-two, when: {any: [{attrs.f0: 0}, {attrs.f259: 4}]}, signals: {nato: 1}}")
    pack = pack_of(tmp_path, "\n".join(lines) + "\n")
    assert len(Matcher(pack).rulesets) > 1
    attrs = [{f"f{i}": (i * k) % 5 for i in range(0, 260, 6 + k)} for k in range(12)]
    events = events_of(tmp_path, [{"attrs": a} for a in attrs])
    expected = []
    for a in attrs:
        found = [i for i in range(260) if a.get(f"f{i}") == i % 5]
        if a.get("f0") == 0 or a.get("f259") == 4:
            found.append(260)
        expected.append(tuple(found))
    assert Matcher(pack).match(events, packed=engine.PACKED if packed else 0) == expected


@pytest.mark.parametrize("kind", ["attrs", "regex"])
def test_an_event_matched_by_a_hundred_rules(tmp_path: Path, kind: str) -> None:
    # A richly coded event can meet many rules at once; every one of them fires.
    count = 100
    lines = ["rules:"]
    for i in range(count):
        when = f"{{attrs.f{i}: 1}}" if kind == "attrs" else f"{{source: {{regex: 'w{i}\\b'}}}}"
        lines.append(f"  - {{id: r{i}, when: {when}, signals: {{nato: 1}}}}")
    pack = pack_of(tmp_path, "\n".join(lines) + "\n")
    event = {"attrs": {f"f{i}": 1 for i in range(count)}, "source": " ".join(f"w{i}" for i in range(count))}
    events = events_of(tmp_path, [event, {}])
    assert Matcher(pack).match(events) == [tuple(range(count)), ()]
    assert score(events, pack).actors["KAZ"].final.totals["nato"] == count


# --- numbers of every size, and larger rules -------------------------------


@pytest.mark.parametrize("threshold", [0.00001, 0.000001, 1e-9, 1e16, 1e22, -1e16, 123456789.125])
def test_thresholds_of_any_size(tmp_path: Path, threshold: float) -> None:
    # A share of 0.00001 or a sum of 1e16 is a threshold like any other.
    pack = pack_of(
        tmp_path,
        f"""\
        rules:
          - {{id: above, when: {{attrs.x: {{gt: {threshold!r}}}}}, signals: {{nato: 1}}}}
          - {{id: at-most, when: {{attrs.x: {{lte: {threshold!r}}}}}, signals: {{nato: 1}}}}
        """,
    )
    values = [threshold / 2, threshold, threshold * 2, 0, -1, 1]
    found = fired(pack, events_of(tmp_path, [{"attrs": {"x": v}} for v in values]))
    assert found == [["above"] if v > threshold else ["at-most"] for v in values]


def test_a_value_between_two_small_thresholds(tmp_path: Path) -> None:
    pack = pack_of(
        tmp_path,
        """\
        rules:
          - {id: positive, when: {attrs.share: {gt: 0}}, signals: {nato: 1}}
          - {id: tiny, when: {attrs.share: {lt: 0.0001}}, signals: {nato: 1}}
        """,
    )
    events = events_of(tmp_path, [{"attrs": {"share": 0.00005}}, {"attrs": {"share": 0.5}}, {"attrs": {"share": -1}}])
    assert fired(pack, events) == [["positive", "tiny"], ["positive"], ["tiny"]]


def test_negative_zero_equals_zero(tmp_path: Path) -> None:
    # `-0` in a CSV cell or `-0.0` in JSON is the number 0: equal to 0, not different from it.
    pack = pack_of(
        tmp_path,
        """\
        rules:
          - {id: zero, when: {intensity: 0}, signals: {nato: 1}}
          - {id: not-zero, when: {intensity: {ne: 0}}, signals: {nato: 1}}
          - {id: attr-zero, when: {attrs.delta: {in: [0, 1]}}, signals: {nato: 1}}
        """,
    )
    events = events_of(tmp_path, [{"intensity": -0.0, "attrs": {"delta": -0.0}}, {"intensity": 0, "attrs": {"delta": 0}}])
    assert fired(pack, events) == [["zero", "attr-zero"], ["zero", "attr-zero"]]


def test_a_rule_that_excludes_many_cases(tmp_path: Path) -> None:
    # "Any meeting, except with these sixteen partners on these topics."
    pairs = [(f"P{i:02d}", f"topic-{i}") for i in range(16)]
    excluded = ", ".join(f"{{partner: {p}, source: {s}}}" for p, s in pairs)
    pack = pack_of(
        tmp_path,
        f"rules:\n  - {{id: r, when: {{type: x.y, not: {{any: [{excluded}]}}}}, signals: {{nato: 1}}}}\n",
    )
    events = [{"partner": p, "source": s} for p, s in pairs[:3]] + [{"partner": "P00", "source": "topic-1"}, {}]
    assert fired(pack, events_of(tmp_path, events)) == [[], [], [], ["r"], ["r"]]


def test_a_rule_with_sixteen_tests(tmp_path: Path) -> None:
    tests = ", ".join(f"attrs.f{i}: {{ne: bad}}" for i in range(16))
    pack = pack_of(tmp_path, f"rules:\n  - {{id: r, when: {{{tests}}}, signals: {{nato: 1}}}}\n")
    good = {f"f{i}": "ok" for i in range(16)}
    events = events_of(tmp_path, [{"attrs": good}, {"attrs": {**good, "f7": "bad"}}, {"attrs": {"f0": "ok"}}])
    assert fired(pack, events) == [["r"], [], []]


def test_many_facts_asked_at_once_fire_what_each_fires_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # `ask_many` reads the engine's queue of actions itself, facts that fire nothing among
    # the others, several rules per fact, an `any` firing once, batches of a few facts.
    monkeypatch.setattr(host, "_BATCH", 3)
    text = (
        "rules:\n"
        "  - {id: r, when: {type: a.b}, signals: {nato: 1}}\n"
        "  - {id: s, when: {partner: NATO}, signals: {nato: 1}}\n"
        "  - {id: t, when: {any: [{type: a.b}, {partner: CSTO}]}, signals: {nato: 1}}\n"
        "  - {id: u, when: {partner: {ne: NATO}}, signals: {nato: 1}}\n"
    )
    matcher = Matcher(pack_of(tmp_path, text))
    kinds = [{"type": t, "partner": p} for t in ("a.b", "c.d") for p in ("NATO", "CSTO", "SCO")] + [{"type": "c.d"}]
    events = events_of(tmp_path, kinds * 2)
    found = matcher.match(events)
    ruleset = matcher.rulesets[0]
    frame = events.frame
    alone = []
    for row in frame.iter_rows(named=True):
        fact = ruleset.channels.fact(tuple(p(row)[0] for _, p in ruleset.channels.parts()))
        alone.append(host.ask(ruleset.name, fact, host.new_run()))
    assert found == alone
    assert found[:7] == [(0, 1, 2), (0, 2, 3), (0, 2, 3), (1,), (2, 3), (3,), ()]


# --- the fields a pack tests, read from its rules ----------------------------


def _channel_fields(matcher: Matcher) -> list[str]:
    """The fields of every channel of the compiled rulesets (a condition computed in Python: its tests')."""
    names: set[str] = set()
    for ruleset in matcher.rulesets:
        channels = ruleset.channels
        names.update(base_column(name) for name in [*channels.tokens, *channels.cuts])
        for test in channels.booleans:
            names.update(base_column(t.field) for t in (walk(test.operand) if test.op == "when" else [test]))
    return sorted(names)


def test_the_fields_read_from_the_rules_are_those_the_engine_is_given(tmp_path: Path) -> None:
    # `fields_of` reads them without compiling (a command compiles while it reads the events, for these).
    packs = [load_rules(str(write(tmp_path, f"p{seed}.yaml", json.dumps(make_case(seed).pack)))) for seed in range(150)]
    split = ["rules:"] + [f"  - {{id: a{i}, when: {{attrs.f{i}: {i % 5}}}, signals: {{russia: 1}}}}" for i in range(260)]
    packs.append(pack_of(tmp_path, "\n".join(split) + "\n"))
    packs.append(pack_of(tmp_path, SEQUENCE_PACK))
    for pack in packs:
        matcher = Matcher(pack)
        assert fields_of(pack) == matcher.fields() == _channel_fields(matcher)
    assert any(len(Matcher(pack).rulesets) > 1 for pack in packs)
    assert "source" in fields_of(packs[-1])  # a context's condition counts (its `same_as` joins are not tests)


SEQUENCE_PACK = """
rules:
  - id: after-a-protest
    when: {type: act.decline}
    after: {when: {type: act.protest, source: {regex: riot}}}
    signals: {nato: 1}
  - id: first
    when: {type: act.decline}
    not_after: {when: {type: act.decline, actor: {same_as: actor}}}
    signals: {nato: 1}
"""


def test_the_facts_keys_are_their_parts_values_one_after_another() -> None:
    import numpy as np

    from scorer.engine.distinct import _joined

    columns = [np.array([1, 0, 1]), np.array([0, 2, 1])]
    tokens = [("s:KAZ",), ("s:RUS",)]
    cuts = [(1.5, True), (None, False), (3.0, True)]  # a stand-in's two values
    assert _joined(columns, [tokens, cuts]) == [("s:RUS", 1.5, True), ("s:KAZ", 3.0, True), ("s:RUS", None, False)]
    uneven = [("a",), ("b", "c")]  # (values of differing lengths are joined fact by fact)
    assert _joined(columns, [uneven, cuts]) == [("b", "c", 1.5, True), ("a", 3.0, True), ("b", "c", None, False)]
    assert _joined([np.array([], dtype=np.int64)], [tokens]) == []
