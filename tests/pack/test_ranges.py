"""Uncertain weights: `{weight: W, range: [LO, HI]}` and `scoring.uncertainty`, listed, kept by `weights set`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Run, write

from scorer.pack.edit import set_weights
from scorer.pack.load import load_rules
from scorer.problems import InputError

PACK = """\
scoring:
  axes: [nato, russia, china]
  balance: {plus: nato, minus: russia}
  uncertainty: 0.2
rules:
  - id: join
    when: {type: exercise.join}
    signals:
      nato: {weight: 1.5, range: [1.0, 2.5]}   # explicit range
      china: 2
  - id: buy
    when: {type: arms.acquire}
    signals: {russia: -2, nato: {weight: 0.5}}
"""


def test_ranges_explicit_relative_and_none(tmp_path: Path) -> None:
    pack = load_rules(write(tmp_path, "pack.yaml", PACK))
    join, buy = pack.rules
    assert join.signals == {"nato": 1.5, "china": 2.0} and join.ranges == {"nato": (1.0, 2.5)}
    assert pack.scoring.uncertainty == 0.2
    assert pack.weight_range(join, "nato") == (1.0, 2.5)
    assert pack.weight_range(join, "china") == pytest.approx((1.6, 2.4))
    assert pack.weight_range(buy, "russia") == pytest.approx((-2.4, -1.6))
    assert pack.weight_range(buy, "nato") == pytest.approx((0.4, 0.6))
    assert [(r.id, a) for r, a, _, _ in pack.ranged()] == [("join", "nato"), ("join", "china"), ("buy", "russia"), ("buy", "nato")]


def test_without_uncertainty_plain_weights_are_exact(tmp_path: Path) -> None:
    pack = load_rules(write(tmp_path, "pack.yaml", PACK.replace("  uncertainty: 0.2\n", "")))
    assert pack.scoring.uncertainty == 0
    assert [(r.id, a) for r, a, _, _ in pack.ranged()] == [("join", "nato")]


@pytest.mark.parametrize(
    ("signal", "where", "words"),
    [
        ("{weight: 1.5, range: [2, 3]}", "9:34", "must hold its weight 1.5"),
        ("{weight: 1.5, range: [1]}", "9:34", "must be [LOW, HIGH]"),
        ("{weight: 1.5, range: [1, .inf]}", "9:34", "must be [LOW, HIGH]"),
        ("{range: [1, 2]}", "9:13", "missing required key 'weight'"),
        ("{weight: x, range: [1, 2]}", "9:22", "must be a number"),
        ("{weight: 1, spread: 2}", "9:25", "unknown key 'spread'"),
    ],
)
def test_bad_ranges_are_located(tmp_path: Path, signal: str, where: str, words: str) -> None:
    text = PACK.replace("{weight: 1.5, range: [1.0, 2.5]}   # explicit range", signal)
    path = write(tmp_path, "pack.yaml", text)
    with pytest.raises(InputError) as caught:
        load_rules(path)
    found = [str(p) for p in caught.value.problems]
    assert len(found) == 1 and found[0].startswith(f"{path}:{where}: ") and words in found[0], found


@pytest.mark.parametrize("value", ["-0.1", "x", ".nan", "11", "true"])
def test_bad_uncertainty_is_refused(tmp_path: Path, value: str) -> None:
    path = write(tmp_path, "pack.yaml", PACK.replace("uncertainty: 0.2", f"uncertainty: {value}"))
    with pytest.raises(InputError) as caught:
        load_rules(path)
    assert [p.line for p in caught.value.problems] == [4]
    assert "uncertainty must be a number from 0 to 10" in str(caught.value.problems[0])


def test_weights_list_shows_ranges(cli: Callable[..., Run], tmp_path: Path) -> None:
    path = write(tmp_path, "pack.yaml", PACK)
    text = cli("weights", "list", "--rules", path).out
    assert "nato +1.50 [+1.00, +2.50], china +2.00 [+1.60, +2.40]" in text
    assert "russia -2.00 [-2.40, -1.60], nato +0.50 [+0.40, +0.60]" in text
    rules = cli("weights", "list", "--rules", path, "--format", "json").json()["rules"]
    assert rules[0]["signals"] == {"nato": 1.5, "china": 2.0}
    assert rules[0]["ranges"] == {"nato": [1.0, 2.5], "china": [pytest.approx(1.6), pytest.approx(2.4)]}
    plain = write(tmp_path, "plain.yaml", PACK.replace("  uncertainty: 0.2\n", "").replace(
        "{weight: 1.5, range: [1.0, 2.5]}", "1.5"))
    assert "\"ranges\"" not in json.dumps(cli("weights", "list", "--rules", plain, "--format", "json").json())
    assert "[" not in cli("weights", "list", "--rules", plain).out.split("signals", 1)[1]


def test_weights_set_keeps_the_range(cli: Callable[..., Run], tmp_path: Path) -> None:
    path = write(tmp_path, "pack.yaml", PACK)
    run = cli("weights", "set", "join", "nato", "2", "--rules", path)
    assert run.code == 0, run.err
    assert f"{path}:9: join nato 1.5 -> 2.0" in run.out
    after = path.read_text()
    assert after == PACK.replace("{weight: 1.5, range:", "{weight: 2.0, range:")
    assert load_rules(path).rules[0].ranges == {"nato": (1.0, 2.5)}


def test_a_weight_outside_its_range_is_refused(cli: Callable[..., Run], tmp_path: Path) -> None:
    path = write(tmp_path, "pack.yaml", PACK)
    run = cli("weights", "set", "join", "nato", "3", "--rules", path)
    assert run.code == 2 and "outside its range [1, 2.5]" in run.err and "nothing changed" in run.err
    assert path.read_text() == PACK
    events = write(tmp_path, "e.yaml", "- {id: a, date: 2009, actor: KAZ, type: exercise.join}\n")
    run = cli("score", events, "--rules", path, "--set", "join.nato=3")
    assert run.code == 2 and "outside its range" in run.err


def test_set_weights_checks_every_change_before_writing(tmp_path: Path) -> None:
    path = write(tmp_path, "pack.yaml", PACK)
    with pytest.raises(InputError):
        set_weights(path, [("buy", "russia", -1.0), ("join", "nato", 9.0)])
    assert path.read_text() == PACK
    edits = set_weights(path, [("buy", "russia", -1.0), ("join", "nato", 2.25)])
    assert [(e.rule, e.axis, e.old, e.new) for e in edits] == [("buy", "russia", -2, -1.0), ("join", "nato", 1.5, 2.25)]
    assert path.read_text() == PACK.replace("russia: -2,", "russia: -1,").replace("weight: 1.5,", "weight: 2.25,")
