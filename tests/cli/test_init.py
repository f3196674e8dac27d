"""A safe place to edit: `scorer init` makes a copy of the packs; `weights set` never edits the bundled ones."""

from __future__ import annotations

import io
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Run, write

from scorer.pack import bundled

Cli = Callable[..., Run]
ROOT = Path(__file__).resolve().parents[2]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_init_writes_a_copy_of_the_packs_an_example_and_a_readme(tmp_path: Path, cli: Cli) -> None:
    run = cli("init", tmp_path / "work")
    assert run.code == 0, run.err
    work = tmp_path / "work"
    assert sorted(p.name for p in work.iterdir()) == ["README.md", "events.yaml", "rules"]
    assert snapshot(work / "rules") == snapshot(ROOT / "rules")
    assert (work / "events.yaml").read_bytes() == (ROOT / "fixtures" / "kazakhstan-2009.yaml").read_bytes()
    assert "scorer weights set" in (work / "README.md").read_text()
    assert f"wrote {work / 'rules'}" in run.out


def test_after_init_weights_set_edits_the_copy_only(tmp_path: Path, cli: Cli) -> None:
    before = snapshot(ROOT / "rules")
    assert cli("init", tmp_path / "work").code == 0
    rules = tmp_path / "work" / "rules"
    run = cli("weights", "set", "membership-join-west.nato", "2.5", "--rules", rules)
    assert run.code == 0, run.err
    assert run.out == f"{rules / 'alliances.yaml'}:22: membership-join-west nato 3.67 -> 2.5\n"
    assert "nato: 2.5" in (rules / "alliances.yaml").read_text()
    assert snapshot(ROOT / "rules") == before
    default = cli("score", tmp_path / "work" / "events.yaml", "--format", "json").json()
    edited = cli("score", tmp_path / "work" / "events.yaml", "--rules", rules, "--format", "json").json()
    assert edited["actors"]["KAZ"]["final"]["balance"] != default["actors"]["KAZ"]["final"]["balance"]


def test_init_never_overwrites(tmp_path: Path, cli: Cli) -> None:
    work = tmp_path / "work"
    write(work, "events.yaml", "mine\n")
    run = cli("init", work)
    assert run.code == 2
    assert "already exists; nothing written" in run.err
    assert sorted(p.name for p in work.iterdir()) == ["events.yaml"]
    assert (work / "events.yaml").read_text() == "mine\n"


@pytest.mark.parametrize("rules", [None, "default", "cameo"])
def test_weights_set_refuses_the_bundled_packs(cli: Cli, rules: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    before = snapshot(ROOT / "rules")
    argv = ["weights", "set", "exercise-join-west", "nato", "9"] + (["--rules", rules] if rules else [])
    run = cli(*argv)
    assert run.code == 2
    assert "nothing changed" in run.err and "scorer init" in run.err
    assert snapshot(ROOT / "rules") == before


def test_weights_set_refuses_any_path_into_an_installed_package(tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "site-packages" / "scorer"
    shutil.copytree(ROOT / "rules", package / "bundled")
    monkeypatch.setattr(bundled, "_PACKAGE", package)
    before = snapshot(package / "bundled")
    for rules in (package / "bundled", package / "bundled" / "military.yaml", package / "bundled" / "cameo"):
        run = cli("weights", "set", "exercise-join-west.nato", "9", "--rules", rules)
        assert run.code == 2
        assert "inside the installed scorer" in run.err
    assert snapshot(package / "bundled") == before


def test_weights_set_takes_the_form_of_set_too(tmp_path: Path, cli: Cli) -> None:
    rules = write(tmp_path, "r.yaml", "rules:\n  - {id: a.b, when: {type: x}, signals: {nato: 1}}\n")
    assert cli("weights", "set", "a.b.nato", "2", "--rules", rules).code == 0
    assert cli("weights", "set", "a.b", "nato", "3", "--rules", rules).code == 0
    assert "nato: 3" in rules.read_text()
    bad = cli("weights", "set", "nodot", "2", "--rules", rules)
    assert bad.code == 2 and "RULE.AXIS WEIGHT" in bad.err


def test_compare_names_the_bundled_packs(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    fixture = ROOT / "fixtures" / "kazakhstan-2009.yaml"
    run = cli("compare", fixture, "--rules", "default", "--set", "exercise-join-west.nato=3")
    assert run.code == 0, run.err
    assert run.out.startswith("A: default\nB: default with --set exercise-join-west.nato=3\n")
    both = cli("compare", fixture, "--rules", "default", "--rules", "cameo", "--format", "json")
    assert both.code == 0, both.err


@pytest.mark.parametrize(("typed", "meant"), [("cameoo", "cameo"), ("defualt", "default")])
def test_a_mistyped_pack_name_gets_the_bundled_name(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, typed: str, meant: str
) -> None:
    monkeypatch.chdir(tmp_path)
    run = cli("score", ROOT / "fixtures" / "kazakhstan-2009.yaml", "--rules", typed)
    assert (run.code, run.err) == (2, f"{typed}:1:1: no such file or folder; did you mean '{meant}'?\n")
    # A path is not a name: no suggestion.
    path = cli("score", ROOT / "fixtures" / "kazakhstan-2009.yaml", "--rules", f"x/{typed}")
    assert path.err == f"x/{typed}:1:1: no such file or folder\n"


def test_rules_from_standard_input(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    events = write(tmp_path, "e.yaml", "events:\n  - {id: a, date: 2009, actor: KAZ, type: x.y, partner: NATO}\n")
    pack = "rules:\n  - {id: r, when: {type: x.y}, signals: {nato: 2}}\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(pack.encode())))
    document = cli("score", events, "--rules", "-", "--format", "json").json()
    assert document["actors"]["KAZ"]["final"]["balance"] == 2
    assert cli("score", "-", "--rules", "-").code == 2
