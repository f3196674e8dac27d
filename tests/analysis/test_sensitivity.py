"""Sensitivity: one match of the events, every variation equal to a fresh score, sign flips named."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import scorer
from scorer.analysis.sensitivity import sensitivity
from scorer.cli import main
from scorer.engine import Matcher
from scorer.report.sensitivity import sensitivity_markdown, sensitivity_text
from scorer.scoring.score import score

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "fixtures" / "kazakhstan-2009.yaml"

RULES = """\
scoring: {axes: [nato, russia, china], balance: {plus: nato, minus: russia}}
rules:
  - id: join-west
    when: {type: exercise.join, partner: NATO}
    signals: {nato: 1.0}
  - id: buy-russian
    when: {type: arms.acquire, partner: RUS}
    signals: {russia: 0.9, china: 3.0}
  - id: talk-west
    when: {type: diplomacy.meeting}
    signals: {nato: 0.04}
  - id: never-fires
    when: {type: access.revoke}
    signals: {nato: 5.0}
"""

EVENTS = """\
defaults: {actor: KAZ}
events:
  - {id: join, date: 2003-05, type: exercise.join, partner: NATO}
  - {id: buy, date: 2008, type: arms.acquire, partner: RUS}
  - {id: talk, date: 2009-04-21, type: diplomacy.meeting, partner: USA}
"""


@pytest.fixture()
def case(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "rules.yaml").write_text(RULES)
    (tmp_path / "events.yaml").write_text(EVENTS)
    return tmp_path / "events.yaml", tmp_path / "rules.yaml"


@pytest.fixture()
def engine_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Counts how often the engine is asked to match a batch of events."""
    calls: list[int] = []
    original = Matcher.match_frame

    def counted(self: Matcher, frame):  # type: ignore[no-untyped-def]
        calls.append(frame.height)
        return original(self, frame)

    monkeypatch.setattr(Matcher, "match_frame", counted)
    yield calls


def test_names_the_weights_that_flip_the_sign(case: tuple[Path, Path]) -> None:
    events, rules = case
    result = sensitivity(scorer.read_events(str(events)), scorer.load_pack(rules), delta=0.25)
    kaz = result.actors["KAZ"]
    assert kaz.balance == pytest.approx(0.14)
    # join-west.nato -25%: 0.75 + 0.04 - 0.9 < 0; buy-russian.russia +25%: 1.04 - 1.125 < 0.
    assert [v.name for v in kaz.flips] == ["join-west.nato", "buy-russian.russia"]
    # Largest move first; only the balance's axes are varied (not china), only rules that moved it.
    assert [v.name for v in kaz.variations] == ["join-west.nato", "buy-russian.russia", "talk-west.nato"]
    assert not kaz.variations[-1].flips
    assert [v.where for v in kaz.variations] == [f"{rules}:3", f"{rules}:6", f"{rules}:9"]


def test_reuses_one_match_of_the_events(case: tuple[Path, Path], engine_calls: list[int]) -> None:
    events, rules = case
    sensitivity(scorer.read_events(str(events)), scorer.load_pack(rules))
    assert engine_calls == [3]
    engine_calls.clear()
    assert main(["sensitivity", str(events), "--rules", str(rules), "--format", "json"]) == 0
    assert engine_calls == [3]


def test_every_variation_equals_a_score_from_scratch(case: tuple[Path, Path]) -> None:
    events, rules = case
    loaded, pack = scorer.read_events(str(events)), scorer.load_pack(rules)
    result = sensitivity(loaded, pack, delta=0.3)
    for v in result.actors["KAZ"].variations:
        for variant in (v.low, v.high):
            fresh = score(loaded, pack.with_weight(v.rule, v.axis, variant.weight)).actors["KAZ"].final
            assert variant.balance == pytest.approx(fresh.balance, abs=1e-9)
            assert variant.lean == pytest.approx(fresh.lean, abs=1e-9)
        assert v.breakeven is not None
        zero = score(loaded, pack.with_weight(v.rule, v.axis, v.breakeven)).actors["KAZ"].final
        assert zero.balance == pytest.approx(0.0, abs=1e-9)


def test_outputs_say_where_each_rule_is_defined(case: tuple[Path, Path]) -> None:
    events, rules = case
    result = sensitivity(scorer.read_events(str(events)), scorer.load_pack(rules))
    text = sensitivity_text(result)
    markdown = sensitivity_markdown(result)
    for v in result.actors["KAZ"].variations:
        line = next(line for line in text.splitlines() if line.startswith(v.name))
        assert v.where in line
        row = next(line for line in markdown.splitlines() if line.startswith(f"| `{v.name}`"))
        assert f"`{v.where}`" in row
    assert "2 of 3 weights flip the sign" in text


def test_json_document(case: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    events, rules = case
    assert main(["sensitivity", str(events), "--rules", str(rules), "--delta", "0.5", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["delta"] == 0.5
    kaz = data["actors"]["KAZ"]
    assert kaz["flips"] == ["join-west.nato", "buy-russian.russia"]
    second = kaz["variations"][1]
    assert (second["rule"], second["axis"], second["file"], second["line"]) == ("buy-russian", "russia", str(rules), 6)
    assert second["low"]["weight"] == pytest.approx(0.45) and second["high"]["weight"] == pytest.approx(1.35)
    assert second["high"]["balance"] == pytest.approx(1.04 - 1.35)
    assert second["breakeven_weight"] == pytest.approx(1.04)


@pytest.mark.parametrize("delta", ["0", "-0.1", "nan"])
def test_refuses_a_delta_that_is_not_above_zero(
    case: tuple[Path, Path], delta: str, capsys: pytest.CaptureFixture[str]
) -> None:
    events, rules = case
    assert main(["sensitivity", str(events), "--rules", str(rules), f"--delta={delta}"]) == 2
    assert "--delta" in capsys.readouterr().err


def test_bundled_pack_and_fixture(capsys: pytest.CaptureFixture[str], engine_calls: list[int]) -> None:
    assert main(["sensitivity", str(FIXTURE), "--format", "json"]) == 0
    assert len(engine_calls) == 1
    data = json.loads(capsys.readouterr().out)
    pack = scorer.load_pack()
    for actor in data["actors"].values():
        assert actor["variations"]
        for v in actor["variations"]:
            rule = pack.rule(v["rule"])
            assert (v["line"], v["axis"] in rule.signals) == (rule.line, True)
        flips = [f"{v['rule']}.{v['axis']}" for v in actor["variations"] if v["flips"]]
        assert actor["flips"] == flips
