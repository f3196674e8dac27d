"""Numbers no float can hold, and intensities whose sums could reach infinity: located errors, never a crash.

A whole number such as 10**400 is exact in Python but has no float: wherever it
is written (an event's intensity or attribute, a rule's operand, a weight, a
half-life, `--set`), it is refused where it stands. Intensities are bounded so
that no sum of weight x intensity can overflow: no report ever holds an
infinity or NaN.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Run, write

BIG = "1" + "0" * 400
HUGE = "9" * 5000  # past the 4,300 digits Python reads as a whole number
RULES = "rules:\n  - {id: r1, when: {type: a.b}, signals: {nato: 1000000, russia: -1000000}}\n"

EVENTS = {
    "yaml-intensity.yaml": f"events:\n  - {{id: e1, date: 2009-01-15, actor: KAZ, type: a.b, intensity: {BIG}}}\n",
    "yaml-attr.yaml": f"events:\n  - {{id: e1, date: 2009-01-15, actor: KAZ, type: a.b, attrs: {{x: -{BIG}}}}}\n",
    "yaml-float.yaml": "events:\n  - {id: e1, date: 2009-01-15, actor: KAZ, type: a.b, attrs: {x: 1.5e400}}\n",
    "yaml-5000-digits.yaml": f"events:\n  - {{id: e1, date: 2009-01-15, actor: KAZ, type: a.b, attrs: {{x: {HUGE}}}}}\n",
    "jsonl-intensity.jsonl": f'{{"id": "e1", "date": "2009-01-15", "actor": "KAZ", "type": "a.b", "intensity": {BIG}}}\n',
    "jsonl-attr.jsonl": f'{{"id": "e1", "date": "2009-01-15", "actor": "KAZ", "type": "a.b", "attrs": {{"x": {BIG}}}}}\n',
    "jsonl-5000-digits.jsonl": f'{{"id": "e1", "date": "2009-01-15", "actor": "KAZ", "type": "a.b", "attrs": {{"x": {HUGE}}}}}\n',
    "csv-intensity.csv": f"id,date,actor,type,intensity\ne1,2009-01-15,KAZ,a.b,{BIG}\n",
    "csv-attr.csv": f"id,date,actor,type,attrs.x\ne1,2009-01-15,KAZ,a.b,{BIG}\n",
    "yaml-huge-intensity.yaml": "events:\n  - {id: e1, date: 2009-01-15, actor: KAZ, type: a.b, intensity: 1.0e+308}\n",
    "jsonl-huge-intensity.jsonl": '{"id": "e1", "date": "2009-01-15", "actor": "KAZ", "type": "a.b", "intensity": 1e308}\n',
    "csv-huge-intensity.csv": "id,date,actor,type,intensity\ne1,2009-01-15,KAZ,a.b,1e308\n",
}

PACKS = {
    "operand.yaml": f"rules:\n  - {{id: r1, when: {{attrs.x: {{gt: {BIG}}}}}, signals: {{nato: 1}}}}\n",
    "equal.yaml": f"rules:\n  - {{id: r1, when: {{attrs.x: {BIG}}}, signals: {{nato: 1}}}}\n",
    "in.yaml": f"rules:\n  - {{id: r1, when: {{attrs.x: {{in: [1, {BIG}]}}}}, signals: {{nato: 1}}}}\n",
    "weight.yaml": f"rules:\n  - {{id: r1, when: {{type: a.b}}, signals: {{nato: {BIG}}}}}\n",
    "half-life.yaml": (
        f"scoring: {{axes: [nato, russia], balance: {{plus: nato, minus: russia}}, half_life_days: {BIG}}}\n"
        "rules:\n  - {id: r1, when: {type: a.b}, signals: {nato: 1}}\n"
    ),
    "uncertainty.yaml": (
        f"scoring: {{axes: [nato, russia], balance: {{plus: nato, minus: russia}}, uncertainty: {BIG}}}\n"
        "rules:\n  - {id: r1, when: {type: a.b}, signals: {nato: 1}}\n"
    ),
    "range.yaml": f"rules:\n  - {{id: r1, when: {{type: a.b}}, signals: {{nato: {{weight: 1, range: [0, {BIG}]}}}}}}\n",
    "within-days.yaml": (
        f"rules:\n  - {{id: r1, when: {{type: a.b}}, after: {{within_days: {BIG}, when: {{type: x}}}}, signals: {{nato: 1}}}}\n"
    ),
}

OK_EVENTS = "events:\n  - {id: e1, date: 2009-01-15, actor: KAZ, type: a.b, intensity: 2}\n"


def located(run: Run, path: Path) -> None:
    """Exit 2 and a `file:line:col: message` naming `path`, with no crash and no confusing message."""
    assert run.code == 2, run.err
    first = run.err.splitlines()[0]
    assert first.startswith(f"{path}:"), first
    assert first.split(":")[1].isdigit() and first.split(":")[2].isdigit(), first
    assert "internal error" not in run.err and "Traceback" not in run.err
    assert "got a number" not in run.err
    assert run.out == ""


@pytest.mark.parametrize("name", sorted(EVENTS))
def test_an_event_number_no_float_holds_is_a_located_error(tmp_path: Path, cli: Callable[..., Run], name: str) -> None:
    events, rules = write(tmp_path, name, EVENTS[name]), write(tmp_path, "rules.yaml", RULES)
    done = cli("score", events, "--rules", rules, "--format", "json")
    located(done, events)
    assert ("intensities may be at most" in done.err) == ("huge-intensity" in name)


@pytest.mark.parametrize("name", sorted(PACKS))
def test_a_rule_number_no_float_holds_is_a_located_error(tmp_path: Path, cli: Callable[..., Run], name: str) -> None:
    events, rules = write(tmp_path, "events.yaml", OK_EVENTS), write(tmp_path, name, PACKS[name])
    located(cli("score", events, "--rules", rules), rules)
    assert "number too large" in cli("validate", rules).err


def test_a_range_wider_than_weights_may_be_is_a_located_error(tmp_path: Path, cli: Callable[..., Run]) -> None:
    # Drawn weights times the largest intensities must stay finite: a range holds only what a weight may.
    pack = "rules:\n  - {id: r1, when: {type: a.b}, signals: {nato: {weight: 1, range: [0, 1.0e+300]}}}\n"
    events, rules = write(tmp_path, "events.yaml", OK_EVENTS), write(tmp_path, "range.yaml", pack)
    done = cli("score", events, "--rules", rules, "--bands")
    located(done, rules)
    assert "at most 1,000,000 either way" in done.err


def test_validate_on_a_folder_names_every_file(tmp_path: Path, cli: Callable[..., Run]) -> None:
    for name, text in PACKS.items():
        write(tmp_path / "pack", name, text)
    done = cli("validate", tmp_path / "pack")
    assert done.code in (1, 2) and "internal error" not in done.err
    for name in PACKS:
        assert f"{tmp_path / 'pack' / name}:" in done.err + done.out, name


def test_a_weight_too_large_on_the_command_line_is_a_usage_error(tmp_path: Path, cli: Callable[..., Run]) -> None:
    events, rules = write(tmp_path, "events.yaml", OK_EVENTS), write(tmp_path, "rules.yaml", RULES)
    done = cli("score", events, "--rules", rules, "--set", f"r1.nato={BIG}")
    assert done.code == 2 and done.out == ""
    assert done.err.startswith("scorer: --set ") and "too large" in done.err and "inf" not in done.err
    assert len(done.err) < 300, "the setting is shown shortened"


def test_the_largest_intensities_and_weights_give_finite_numbers(tmp_path: Path, cli: Callable[..., Run]) -> None:
    lines = [
        json.dumps({"id": f"e{i}", "date": f"2009-01-{i % 28 + 1:02d}", "actor": "KAZ", "type": "a.b", "intensity": 1e12})
        for i in range(200)
    ]
    events, rules = write(tmp_path, "e.jsonl", "\n".join(lines) + "\n"), write(tmp_path, "rules.yaml", RULES)
    done = cli("score", events, "--rules", rules, "--format", "json")
    assert done.code == 0 and done.err == ""
    document = json.loads(done.out)
    final = document["actors"]["KAZ"]["final"]
    assert final["totals"]["nato"] == pytest.approx(200 * 1e18) and math.isfinite(final["balance"])
    assert "Infinity" not in done.out and "NaN" not in done.out
