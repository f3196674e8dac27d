"""Rule files as reports name them: by their place in their pack, never by where the scorer is installed."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Run

from scorer.pack import bundled
from scorer.pack.bundled import label, pack_name
from scorer.pack.load import load_rules


def test_bundled_files_are_named_within_their_pack() -> None:
    root = bundled.bundled_rules()
    assert label(root / "military.yaml") == "rules/military.yaml"
    assert label(root / "cameo" / "conflict.yaml") == "cameo:conflict.yaml"
    assert label("my/rules.yaml") == "my/rules.yaml"  # any other file as it was given
    assert pack_name(None) == "the bundled pack"
    assert pack_name(root / "cameo") == "cameo (bundled)"
    assert pack_name("my/rules") == "my/rules"


def test_an_installed_pack_is_named_the_same_and_edited_in_its_real_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The packs as a wheel installs them: deep inside site-packages, far from the working directory.
    installed = tmp_path / "venv" / "lib" / "site-packages" / "scorer" / "bundled"
    shutil.copytree(bundled.bundled_rules(), installed)
    monkeypatch.setattr(bundled, "_PACKAGE", installed.parent)
    monkeypatch.chdir(tmp_path)
    pack = load_rules(None)
    rule = pack.rule("arms-acquire-russia-bloc")
    assert rule.where.startswith("rules/military.yaml:")
    assert Path(rule.file).resolve() == (installed / "military.yaml").resolve()
    cameo = load_rules(str(installed / "cameo"))
    assert {r.where.split(":")[0] for r in cameo.rules} == {"cameo"}
    assert all(Path(r.file).exists() for r in cameo.rules)


def test_reports_name_no_absolute_path(cli: Callable[..., Run], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fixture = Path(__file__).resolve().parents[2] / "fixtures" / "kazakhstan-2009.yaml"
    monkeypatch.chdir(tmp_path)
    for argv in (["explain", str(fixture)], ["weights", "list"], ["weights", "list", "--rules", "cameo"]):
        out = cli(*argv).out
        assert "rules/military.yaml:" in out or "cameo:conflict.yaml:" in out
        assert str(bundled.bundled_rules()) not in out
