"""Global sensitivity (`sensitivity --global`): Sobol' indices from SALib on the units of the ranged weights."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Run, write

import scorer
from scorer.analysis.indices import check_draws
from scorer.analysis.sobol import global_sensitivity
from scorer.pack.bundled import bundled_rules

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "fixtures" / "kazakhstan-2009.yaml"

ADDITIVE = """\
scoring: {axes: [nato, russia, china], balance: {plus: nato, minus: russia}, uncertainty: 0.3}
rules:
  - {id: join, when: {type: a}, signals: {nato: 2}}
  - {id: buy, when: {type: b}, signals: {russia: {weight: 1, range: [0, 3]}}}
  - {id: talk, when: {type: c}, signals: {nato: 0.5, china: 4}}
  - {id: drill, when: {type: d}, signals: {russia: 1.5, nato: -0.5}}
"""
EVENTS = """\
defaults: {actor: KAZ}
events:
  - {id: e1, date: 2001, type: a}
  - {id: e2, date: 2002, type: b, intensity: 2}
  - {id: e3, date: 2003, type: c}
  - {id: e4, date: 2004, type: d}
  - {id: e5, date: 2005, type: a, confidence: 0.5}
"""


def test_indices_of_an_additive_pack_add_up_to_one(tmp_path: Path) -> None:
    # The balance is a sum of one term per weight: the first-order indices explain all its variance.
    events = scorer.read_events(str(write(tmp_path, "e.yaml", EVENTS)))
    pack = scorer.load_pack(str(write(tmp_path, "pack.yaml", ADDITIVE)))
    result = global_sensitivity(scorer.score(events, pack), draws=4096, seed=1)
    kaz = result.actors["KAZ"]
    assert [i.name for i in kaz.signals][:2] == ["buy.russia", "join.nato"]
    assert {i.name for i in kaz.signals} == {"join.nato", "buy.russia", "talk.nato", "drill.russia", "drill.nato"}
    # Tolerances from SALib's own intervals: each index's 95% half-width, added up.
    first = sum(i.s1 for i in kaz.signals)
    assert abs(first - 1) <= sum(i.s1_conf for i in kaz.signals)
    total = sum(i.st for i in kaz.signals)
    assert abs(total - 1) <= sum(i.st_conf for i in kaz.signals)
    for index in kaz.signals:
        assert abs(index.s1 - index.st) <= index.s1_conf + index.st_conf
    # The exact shares: each weight's variance (its unit times its range's width, squared, over 12) over the sum.
    spread = {"join.nato": 1.5 * 1.2, "buy.russia": 2 * 3, "talk.nato": 0.3, "drill.russia": 0.9, "drill.nato": 0.3}
    whole = sum(v**2 for v in spread.values())
    for index in kaz.signals:
        assert index.st == pytest.approx(spread[index.name] ** 2 / whole, abs=index.st_conf + 0.01)
    assert kaz.variance == pytest.approx(whole / 12, rel=0.05)


def test_the_largest_total_index_is_the_tornados_first_on_the_fixture() -> None:
    events = scorer.read_events(str(FIXTURE))
    pack = scorer.load_pack()
    tornado = scorer.sensitivity(events, pack).actors["KAZ"].variations
    indices = global_sensitivity(scorer.score(events, pack)).actors["KAZ"].signals
    assert indices[0].name == tornado[0].name


def test_a_pack_without_uncertainty_has_no_indices(tmp_path: Path) -> None:
    events = scorer.read_events(str(write(tmp_path, "e.yaml", EVENTS)))
    pack = scorer.load_pack(str(write(tmp_path, "pack.yaml", ADDITIVE.replace("uncertainty: 0.3", "uncertainty: 0").replace("{weight: 1, range: [0, 3]}", "1"))))
    kaz = global_sensitivity(scorer.score(events, pack), draws=64).actors["KAZ"]
    assert kaz.signals == () and kaz.variance == 0


@pytest.mark.parametrize("draws", [0, 1, 3, 1000])
def test_draws_must_be_a_power_of_two(draws: int) -> None:
    with pytest.raises(ValueError, match="power of two"):
        check_draws(draws)


def test_the_command_json_csv_text_and_chart(cli: Callable[..., Run], tmp_path: Path) -> None:
    document = cli("sensitivity", FIXTURE, "--global", "--format", "json", "--draws", "256").json()
    kaz = document["actors"]["KAZ"]
    assert document["draws"] == 256 and document["seed"] == 0
    first = kaz["signals"][0]
    assert set(first) == {"rule", "axis", "file", "line", "S1", "S1_conf", "ST", "ST_conf"}
    totals = [s["ST"] for s in kaz["signals"]]
    assert totals == sorted(totals, reverse=True)
    again = cli("sensitivity", FIXTURE, "--global", "--format", "json", "--draws", "256").out
    assert json.loads(again) == document
    csv = cli("sensitivity", FIXTURE, "--global", "--format", "csv", "--draws", "256").out.splitlines()
    assert csv[0] == "actor,rule,axis,file,line,S1,S1_conf,ST,ST_conf" and sum(row.startswith("KAZ,") for row in csv) == len(kaz["signals"])
    text = cli("sensitivity", FIXTURE, "--global", "--draws", "256").out
    assert "arms-acquire-russia-bloc.russia" in text and "sum of S1" in text
    markdown = cli("sensitivity", FIXTURE, "--global", "--draws", "256", "--format", "markdown").out
    assert markdown.startswith("# Global sensitivity") and "| weight | defined at | S1 | ST |" in markdown
    assert math.isclose(sum(s["S1"] for s in kaz["signals"]), 1, abs_tol=0.2)
    chart = tmp_path / "sobol.svg"
    assert cli("plot", FIXTURE, "--chart", "sobol", "--actor", "KAZ", "--draws", "256", "--output", chart).code == 0
    assert "share of the final balance" in chart.read_text()


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--global", "--draws", "1000"], "power of two"),
        (["--draws", "64"], "--draws and --seed apply only"),
    ],
)
def test_bad_options(cli: Callable[..., Run], argv: list[str], words: str) -> None:
    run = cli("sensitivity", FIXTURE, *argv)
    assert run.code == 2 and words in run.err


def test_sobol_output_names_rules_in_their_pack_and_draws_one_actor(cli: Callable[..., Run], tmp_path: Path) -> None:
    """Reports and the chart say `rules/FILE.yaml:LINE`, never where scorer is installed; the chart has its caption
    and is drawn for one actor (several: exit 2 naming them)."""
    text = cli("sensitivity", FIXTURE, "--global", "--draws", "256").out
    assert "rules/" in text and str(bundled_rules()) not in text
    chart = tmp_path / "sobol.svg"
    assert cli("plot", FIXTURE, "--chart", "sobol", "--actor", "KAZ", "--draws", "256", "--output", chart).code == 0
    drawn = chart.read_text()
    assert "Data: kazakhstan-2009.yaml" in drawn and "rules/" in drawn and str(bundled_rules()) not in drawn
    refused = cli("plot", FIXTURE, "--chart", "sobol", "--draws", "256", "--output", tmp_path / "two.svg")
    assert refused.code == 2 and "KAZ, RUS" in refused.err
