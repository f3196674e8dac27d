"""Calibration (`scorer calibrate`): the fit recovers weights that make a target, agreement is reported, and
`--write` changes one number per weight."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from conftest import Run, write

import scorer
import scorer.pack.bundled as bundled
from scorer.analysis.calibrate import agreement, calibrate
from scorer.io.targets import Target, Targets
from scorer.pack.bundled import bundled_rules, installed

PACK = """\
# A pack to calibrate: four weights on the balance's poles, one on another axis.
scoring: {axes: [nato, russia, china], balance: {plus: nato, minus: russia}}
rules:
  - id: join            # joining
    when: {type: a}
    signals:
      nato: 2.0         # why: a commitment
  - id: buy
    when: {type: b}
    signals:
      russia: 1.5       # why: dependence
      china: 1.0
  - id: drill
    when: {type: c}
    signals: {nato: 0.75}
  - id: base
    when: {type: d}
    signals: {russia: 3}
  - id: never
    when: {type: z}
    signals: {nato: 1}
"""
ACTORS = ("AAA", "BBB", "CCC", "DDD")


def events_text() -> str:
    """Events of four actors over 15 years, each actor with its own mix of the four kinds of act."""
    rng = np.random.default_rng(4)
    lines = []
    for actor in ACTORS:
        for year in range(2000, 2015):
            for kind in "abcd":
                for n in range(int(rng.integers(0, 3))):
                    intensity = float(rng.choice([0.5, 1.0, 2.0]))
                    lines.append(f"- {{id: {actor}-{year}-{kind}{n}, date: {year}-0{n + 3}, actor: {actor}, type: {kind}, intensity: {intensity}}}")
    return "\n".join(lines) + "\n"


def target_file(tmp_path: Path, weights: dict[str, float], a: float, b: float) -> Path:
    """A target that is exactly a + b * the balance under other weights, on the 1st of July of each year."""
    events = scorer.read_events(str(tmp_path / "events.yaml"))
    pack = scorer.load_pack(str(tmp_path / "pack.yaml"))
    for name, weight in weights.items():
        pack = pack.with_setting(f"{name}={weight}")
    rows = ["actor,date,value"]
    for year in range(2001, 2015):
        result = scorer.score(events, pack, as_of=f"{year}-07-01")
        for actor in ACTORS:
            if actor in result.actors:
                rows.append(f"{actor},{year}-07-01,{a + b * result.actors[actor].final.balance!r}")
    return write(tmp_path, "target.csv", "\n".join(rows) + "\n")


@pytest.fixture()
def case(tmp_path: Path) -> Path:
    write(tmp_path, "pack.yaml", PACK)
    write(tmp_path, "events.yaml", events_text())
    return tmp_path


def test_ridge_0_recovers_the_weights_of_an_exact_affine_target(cli: Callable[..., Run], case: Path) -> None:
    other = {"join.nato": 1.0, "buy.russia": 2.5, "drill.nato": 3.0, "base.russia": 0.5}
    target = target_file(case, other, a=0.3, b=0.05)
    document = cli(
        "calibrate", case / "events.yaml", "--rules", case / "pack.yaml", "--target", target, "--ridge", "0", "--format", "json"
    ).json()
    weights = {f"{w['rule']}.{w['axis']}": w for w in document["weights"]}
    assert set(weights) == set(other) | {"never.nato"}
    assert document["unseen"] == ["never.nato"] and weights["never.nato"]["suggested"] == 1.0
    # The pack's scale: the fitted weights times mean |w0| / mean |fitted|, over the weights a target sees.
    scale = np.mean([2.0, 1.5, 0.75, 3.0]) / np.mean(list(other.values()))
    for name, weight in other.items():
        assert weights[name]["suggested"] == pytest.approx(weight * scale, abs=1e-6)
        assert weights[name]["seen"]
    after = document["statistics"]["after"]
    assert after["in_sample"]["pearson"] == pytest.approx(1.0, abs=1e-9)
    assert after["in_sample"]["spearman"] == pytest.approx(1.0, abs=1e-3)  # ties of the target may split by rounding
    assert after["leave_one_actor_out"]["pearson"] == pytest.approx(1.0, abs=1e-6)
    before = document["statistics"]["before"]
    assert before["in_sample"]["pearson"] < 0.999
    assert document["target"]["actors"] == list(ACTORS) and document["target"]["used"] > 40


def test_a_strong_ridge_keeps_the_packs_proportions(case: Path) -> None:
    target = target_file(case, {"join.nato": 1.0, "buy.russia": 2.5, "drill.nato": 3.0, "base.russia": 0.5}, 0, 1)
    events, pack = scorer.read_events(str(case / "events.yaml")), scorer.load_pack(str(case / "pack.yaml"))
    targets = scorer.read_targets(str(target))
    result = calibrate(scorer.score(events, pack), targets, ridge=1e9)
    for item in result.weights:
        assert item.suggested == pytest.approx(item.signal.weight, rel=1e-4)


def test_write_changes_one_line_per_changed_weight(cli: Callable[..., Run], case: Path) -> None:
    target = target_file(case, {"join.nato": 1.0, "buy.russia": 2.5, "drill.nato": 3.0, "base.russia": 0.5}, 0.3, 0.05)
    before = (case / "pack.yaml").read_text().splitlines()
    run = cli("calibrate", case / "events.yaml", "--rules", case / "pack.yaml", "--target", target, "--ridge", "0", "--write")
    assert run.code == 0, run.err
    after = (case / "pack.yaml").read_text().splitlines()
    assert len(before) == len(after)
    changed = [(old, new) for old, new in zip(before, after, strict=True) if old != new]
    # The made-up actor codes get the linter's warnings first; then one line per weight written.
    written = [line for line in run.err.splitlines() if ": warning: " not in line]
    assert len(changed) == len(written) == 4
    for old, new in changed:
        # Only the number differs: the comment, key and spacing stay.
        assert old.split(":")[0] == new.split(":")[0] and old.split("#")[1:] == new.split("#")[1:]
    assert "      nato: 2.0         # why: a commitment" not in after
    pack = scorer.load_pack(str(case / "pack.yaml"))
    assert pack.rule("buy").signals["china"] == 1.0 and pack.rule("never").signals["nato"] == 1.0
    again = cli("calibrate", case / "events.yaml", "--rules", case / "pack.yaml", "--target", target, "--ridge", "0", "--write")
    # Only the warnings about the made-up actors: the pack now holds the suggested weights (to 0.01): nothing more to change
    assert all(": warning: actor '" in line for line in again.err.splitlines())


def test_write_is_refused_for_the_installed_pack(cli: Callable[..., Run], case: Path) -> None:
    target = write(case, "t.csv", "actor,date,value\nKAZ,2009-01-01,1\nKAZ,2009-05-01,2\nKAZ,2009-05-07,3\n")
    run = cli("calibrate", Path(__file__).resolve().parents[2] / "fixtures" / "kazakhstan-2009.yaml", "--target", target, "--write")
    assert run.code == 2 and "--write edits a pack of your own" in run.err
    assert installed(Path(bundled.__file__).parent.parent / "bundled" / "x.yaml")
    assert not installed(case / "pack.yaml")


def test_too_few_targets_and_bad_ridge(cli: Callable[..., Run], case: Path) -> None:
    target = write(case, "t.csv", "actor,date,value\nAAA,2001-01-01,1\nZZZ,2005,2\n")
    run = cli("calibrate", case / "events.yaml", "--rules", case / "pack.yaml", "--target", target)
    assert run.code == 2 and "only 1 target(s) fall on actors and dates the events cover" in run.err
    run = cli("calibrate", case / "events.yaml", "--rules", case / "pack.yaml", "--target", target, "--ridge", "-1")
    assert run.code == 2 and "--ridge must be a number of 0 or more" in run.err


def test_the_text_report(cli: Callable[..., Run], case: Path) -> None:
    target = target_file(case, {"join.nato": 1.0}, 0, 1)
    text = cli("calibrate", case / "events.yaml", "--rules", case / "pack.yaml", "--target", target).out
    assert "before, leaving one actor out" in text and "after (the suggested weights), in sample" in text
    assert "No target date sees (kept as they are): never.nato" in text
    for fmt in ("markdown", "csv"):
        assert cli("calibrate", case / "events.yaml", "--rules", case / "pack.yaml", "--target", target, "--format", fmt).code == 0


def test_agreement_ranks_ties_and_constant_series() -> None:
    found = agreement(np.array([1.0, 2.0, 2.0, 3.0]), np.array([10.0, 20.0, 20.0, 40.0]))
    assert found.spearman == pytest.approx(1.0) and found.pearson is not None and found.pearson < 1
    assert agreement(np.ones(3), np.arange(3.0)).pearson is None


def test_covered_targets_fall_from_an_actors_first_event_to_its_final_date(case: Path) -> None:
    events, pack = scorer.read_events(str(case / "events.yaml")), scorer.load_pack(str(case / "pack.yaml"))
    rows = (
        Target("AAA", "1999-01-01", 729755, 1.0, 2),  # before its first event
        Target("AAA", "2010-01-01", 733773, 1.0, 3),
        Target("AAA", "2030-01-01", 741078, 1.0, 4),  # after its last
        Target("ZZZ", "2010-01-01", 733773, 1.0, 5),  # no events
        Target("BBB", "2010-01-01", 733773, 2.0, 6),
        Target("CCC", "2010-01-01", 733773, 3.0, 7),
    )
    result = calibrate(scorer.score(events, pack), Targets("t.csv", "value", rows), ridge=1)
    assert [(t.actor, t.line) for t in result.used] == [("AAA", 3), ("BBB", 6), ("CCC", 7)]


def test_only_fits_the_named_weights_and_holds_the_others(cli: Callable[..., Run], case: Path) -> None:
    target = target_file(case, {"join.nato": 1.0, "buy.russia": 2.5, "drill.nato": 3.0, "base.russia": 0.5}, 0.3, 0.05)
    argv = ["calibrate", case / "events.yaml", "--rules", case / "pack.yaml", "--target", target, "--format", "json"]
    document = cli(*argv, "--only", "drill.nato", "--ridge", "0").json()
    fitted = {f"{w['rule']}.{w['axis']}": (w["suggested"], w["fitted"]) for w in document["weights"]}
    assert fitted["join.nato"] == (2.0, False) and fitted["base.russia"] == (3.0, False)
    assert fitted["drill.nato"][1] and fitted["drill.nato"][0] != 0.75
    assert document["scale"] == pytest.approx(1 / document["slope"])
    run = cli(*argv[:-2], "--only", "drill.nato", "--write")
    edits = [line for line in run.err.splitlines() if ": warning: " not in line]
    assert [line.split(":")[2].split()[0] for line in edits] == ["drill"]
    bad = cli(*argv, "--only", "join.china")
    assert bad.code == 2 and "no weight join.china on the balance's poles" in bad.err


def test_reports_name_the_bundled_rules_by_their_place_in_the_pack(cli: Callable[..., Run], case: Path) -> None:
    """`rules/military.yaml:LINE`, as every other report says it, never the folder scorer is installed in."""
    target = write(case, "t.csv", "actor,date,value\nKAZ,2009-01-01,1\nKAZ,2009-05-01,2\nKAZ,2009-05-07,3\n")
    fixture = Path(__file__).resolve().parents[2] / "fixtures" / "kazakhstan-2009.yaml"
    for fmt in ("text", "markdown"):
        run = cli("calibrate", fixture, "--target", target, "--format", fmt)
        assert run.code == 0 and "rules/military.yaml:" in run.out and str(bundled_rules()) not in run.out
