"""The bundled pack and the Kazakhstan 2009 fixture: the case an analyst runs first."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Run, models, write

from scorer.io.load import read_events as load_events
from scorer.pack.load import load_rules
from scorer.pack.model import Condition, Not
from scorer.pack.model import Test as FieldTest  # not a pytest class
from scorer.scoring.score import score

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "fixtures" / "kazakhstan-2009.yaml"

CODEBOOK = [
    "membership.join",
    "membership.suspend",
    "partnership.upgrade",
    "exercise.join",
    "exercise.decline",
    "exercise.host",
    "forces.contribute",
    "forces.withdraw",
    "access.grant",
    "access.revoke",
    "arms.acquire",
    "arms.reduce_dependence",
    "standards.adopt",
    "diplomacy.support",
    "diplomacy.criticize",
    "diplomacy.meeting",
    "economy.agreement",
]
PARTNERS = ["NATO", "USA", "RUS", "CSTO", "CHN", "SCO"]


def test_the_fixture_scores_with_every_event_matched(cli: Callable[..., Run], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Run from another folder: the bundled pack is found without --rules.
    monkeypatch.chdir(tmp_path)
    document = cli("explain", FIXTURE, "--format", "json").json()
    # Russia's protest is context for a sequence rule, and Russia's own event: it shows under RUS.
    assert list(document["actors"]) == ["KAZ", "RUS"]
    assert [step["event"] for step in document["actors"]["RUS"]["trail"]] == ["ru-2009-04-protest"]
    kaz = document["actors"]["KAZ"]
    assert kaz["unmatched"] == []
    assert len(kaz["timeline"]) >= 12
    assert all(step["matches"] for step in kaz["trail"])
    for kind in ("events", "rules"):
        total = sum(item["share"] for item in kaz["drivers"][kind])
        assert math.isclose(total, kaz["final"]["balance"], abs_tol=1e-9)


def test_the_fixture_output_is_deterministic(cli: Callable[..., Run]) -> None:
    for argv in (["score"], ["score", "--format", "json"], ["explain"], ["explain", "--format", "json"], ["score", "--every", "year"]):
        first = cli(argv[0], FIXTURE, *argv[1:])
        second = cli(argv[0], FIXTURE, *argv[1:])
        assert first.code == 0, first.err
        assert first.out == second.out


def test_the_fixture_is_coded_from_its_sources() -> None:
    events = models(load_events(str(FIXTURE)))
    assert len(events) >= 12
    assert all(e.summary and e.source for e in events)
    # Every act is Kazakhstan's but the context a sequence rule needs: Russia's protest.
    assert [e.id for e in events if e.actor != "KAZ"] == ["ru-2009-04-protest"]
    assert any(len(e.date) < 10 for e in events), "the article gives some acts only a year or month"


@pytest.mark.parametrize("event_type", CODEBOOK)
def test_the_bundled_pack_scores_every_codebook_type(tmp_path: Path, event_type: str) -> None:
    pack = load_rules()
    lines = [
        json.dumps({"id": f"e-{partner}", "date": "2009", "actor": "KAZ", "type": event_type, "partner": partner})
        for partner in PARTNERS
    ]
    events = load_events(str(write(tmp_path, "events.jsonl", "\n".join(lines) + "\n")))
    actor = score(events, pack).actors["KAZ"]
    assert len(actor.unmatched) < len(PARTNERS), f"no rule of the bundled pack scores {event_type}"


def test_every_bundled_rule_says_why() -> None:
    # Next to every weight a one-line rationale: the rule's description or a comment in its block.
    pack = load_rules()
    assert {"nato", "russia"} <= set(pack.scoring.axes)
    for rule in pack.rules:
        lines = Path(rule.file).read_text(encoding="utf-8").splitlines()
        block = []
        for line in lines[rule.line - 1 :]:
            if block and line.lstrip().startswith("- id:"):
                break
            block.append(line)
        assert rule.description or any("#" in line for line in block), rule.id


def test_every_type_the_default_pack_tests_is_in_its_codebook() -> None:
    pack = load_rules()
    tested = {
        value
        for rule in pack.rules
        for test in _tests(rule.when)
        if test.field == "type"
        for value in (test.operand if isinstance(test.operand, tuple) else (test.operand,))
    }
    assert tested and tested <= set(pack.codebook)


def _tests(condition: Condition) -> list[FieldTest]:
    if isinstance(condition, FieldTest):
        return [condition]
    if isinstance(condition, Not):
        return _tests(condition.item)
    return [test for item in condition.items for test in _tests(item)]


def test_the_refusal_after_russias_protest_is_weighed_as_deference(cli: Callable[..., Run]) -> None:
    # Kazakhstan's refusal of Cooperative Longbow/Lancer comes 20 days after Russia's protest
    # (2009-04 counts from April 1): the sequence rule fires and names the protest.
    document = cli("explain", FIXTURE, "--format", "json", "--actor", "KAZ").json()
    assert list(document["actors"]) == ["KAZ"]  # --actor filters the output, never the context
    step = next(s for s in document["actors"]["KAZ"]["trail"] if s["event"] == "kaz-2009-04-21-longbow")
    after = [m for m in step["matches"] if m["rule"] == "exercise-decline-west-after-russian-protest"]
    assert [(m["axis"], m["contribution"], m["after"]) for m in after] == [("russia", 1.0, ["ru-2009-04-protest"])]
    text = cli("explain", FIXTURE, "--actor", "KAZ", "--event", "kaz-2009-04-21-longbow").out
    assert "exercise-decline-west-after-russian-protest: after ru-2009-04-protest (20 days before)" in text
    # Without the protest, the refusal is a plain one: Kazakhstan's russia total drops by exactly 1.
    with_it = cli("score", FIXTURE, "--format", "json").json()["actors"]["KAZ"]["final"]["totals"]["russia"]
    without = cli("score", FIXTURE, "--format", "json", "--without", "ru-2009-04-protest").json()
    assert without["actors"]["KAZ"]["final"]["totals"]["russia"] == pytest.approx(with_it - 1.0)


def test_reversals_and_renewals_in_the_bundled_pack(tmp_path: Path) -> None:
    rows = [
        ("d", "2008-06-01", "exercise.decline", "NATO"),
        ("j", "2009-05-31", "exercise.join", "NATO"),  # 364 days later: a reversal
        ("a", "2009-06-02", "access.grant", "NATO"),  # 366 days: not any more
        ("m1", "1994-05", "membership.join", "NATO"),
        ("m2", "2009-01", "membership.join", "NATO"),  # a renewal
        ("c1", "2009-01", "membership.join", "CSTO"),  # a first membership with another partner
    ]
    lines = [json.dumps({"id": i, "date": d, "actor": "KAZ", "type": t, "partner": p}) for i, d, t, p in rows]
    events = load_events(str(write(tmp_path, "events.jsonl", "\n".join(lines) + "\n")))
    trail = score(events, load_rules()).actors["KAZ"].trail
    fired = {step.event.id: sorted({m.rule for m in step.matches}) for step in trail}
    assert fired["j"] == ["exercise-join-west", "exercise-join-west-after-decline"]
    assert fired["a"] == ["access-grant-west"]
    assert fired["m1"] == ["membership-join-west"]
    assert fired["m2"] == ["membership-join-west-renewed"]
    assert fired["c1"] == ["membership-join-russia-bloc"]
