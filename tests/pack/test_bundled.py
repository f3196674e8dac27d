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
    assert list(document["actors"]) == ["KAZ"]
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
    assert all(e.actor == "KAZ" and e.summary and e.source for e in events)
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
