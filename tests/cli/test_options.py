"""Options that name something in the input: `--actor` must name an actor of the events, `--as-of` a day."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Run, write

Cli = Callable[..., Run]

RULES = """\
rules:
  - {id: west, when: {partner: NATO}, signals: {nato: 1}}
"""

EVENTS = """\
events:
  - {id: a, date: 2009-01-15, actor: KAZ, type: exercise.join, partner: NATO}
  - {id: b, date: 2009-03-20, actor: ARM, type: exercise.join, partner: NATO}
  - {id: c, date: 2009-11, actor: ARM, type: exercise.join, partner: NATO}
  - {id: d, date: 2010, actor: ARM, type: exercise.join, partner: NATO}
"""


@pytest.fixture()
def files(tmp_path: Path) -> tuple[Path, Path]:
    return write(tmp_path, "events.yaml", EVENTS), write(tmp_path, "rules.yaml", RULES)


@pytest.mark.parametrize(
    "command",
    [["score"], ["explain"], ["sensitivity"], ["sensitivity", "--global"], ["score", "--bands"], ["plot", "--output", "x.png"]],
)
def test_an_unknown_actor_is_an_error_naming_the_actors_present(
    cli: Cli, files: tuple[Path, Path], command: list[str]
) -> None:
    events, rules = files
    run = cli(*command, events, "--rules", rules, "--actor", "arm")
    assert run.code == 2
    assert run.out == ""
    assert run.err == "scorer: --actor 'arm': no event of this actor (actors: ARM, KAZ); did you mean 'ARM'?\n"


def test_an_actor_nothing_is_near_gets_no_hint(cli: Cli, files: tuple[Path, Path]) -> None:
    events, rules = files
    run = cli("score", events, "--rules", rules, "--actor", "XXXXXXX")
    assert run.code == 2
    assert "did you mean" not in run.err
    assert "(actors: ARM, KAZ)" in run.err


def test_compare_checks_the_actor_too(cli: Cli, files: tuple[Path, Path]) -> None:
    events, rules = files
    run = cli("compare", events, "--rules", rules, "--set", "west.nato=2", "--actor", "Kaz")
    assert run.code == 2
    assert "did you mean 'KAZ'?" in run.err


@pytest.mark.parametrize(("as_of", "day", "events"), [("2009", "2009-12-31", 2), ("2009-03", "2009-03-31", 1)])
def test_a_year_or_month_as_of_is_its_last_day(
    cli: Cli, files: tuple[Path, Path], as_of: str, day: str, events: int
) -> None:
    path, rules = files
    document = cli("score", path, "--rules", rules, "--actor", "ARM", "--as-of", as_of, "--format", "json").json()
    arm = document["actors"]["ARM"]
    assert arm["final"]["date"] == day
    assert len(arm["timeline"]) == events


def test_an_empty_as_of_is_a_usage_error(cli: Cli, files: tuple[Path, Path]) -> None:
    events, rules = files
    run = cli("score", events, "--rules", rules, "--as-of", "")
    assert run.code == 2
    assert run.err.startswith("scorer: --as-of: bad date ''")


def test_calibrate_checks_the_actor_too(cli: Cli, files: tuple[Path, Path], tmp_path: Path) -> None:
    events, rules = files
    target = write(tmp_path, "target.csv", "actor,date,value\nARM,2009-12-31,1\nKAZ,2009-12-31,2\n")
    run = cli("calibrate", events, "--rules", rules, "--target", target, "--actor", "arm")
    assert run.code == 2
    assert run.err == "scorer: --actor 'arm': no event of this actor (actors: ARM, KAZ); did you mean 'ARM'?\n"


@pytest.mark.parametrize("pack", ["default", "cameo"])
def test_calibrate_write_refuses_the_bundled_packs_as_weights_set_does(
    cli: Cli, files: tuple[Path, Path], tmp_path: Path, pack: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    events, _ = files
    target = write(tmp_path, "target.csv", "actor,date,value\nARM,2009-12-31,1\nKAZ,2009-12-31,2\n")
    run = cli("calibrate", events, "--rules", pack, "--target", target, "--write")
    assert run.code == 2
    assert "is part of the scorer, not a pack to edit; nothing changed" in run.err and "scorer init FOLDER" in run.err
