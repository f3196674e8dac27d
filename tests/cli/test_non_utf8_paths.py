"""File names that are not UTF-8 (a byte such as 0xff in them) are read, written and named, with the byte shown as \\xff."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Run, write

RULES = "rules:\n  - id: r1\n    when: {type: exercise.join}\n    signals: {nato: 1}\n"
EVENTS = "- {id: e1, date: 2009-01-15, actor: KAZ, type: exercise.join}\n"
ICEWS = Path(__file__).resolve().parents[1] / "data" / "icews-sample.tab"


def odd(folder: Path, name: bytes) -> Path:
    """A path in `folder` whose name holds bytes that are not UTF-8."""
    return folder / os.fsdecode(name)


def test_events_and_rules_under_such_names(tmp_path: Path, cli: Callable[..., Run]) -> None:
    events = odd(tmp_path, b"we\xffird.yaml")
    events.write_text(EVENTS, encoding="utf-8")
    rules = odd(tmp_path, b"pa\xffck")
    write(rules, "pack.yaml", RULES)
    for command in ("score", "explain", "sensitivity"):
        for fmt in ("text", "json", "markdown"):
            done = cli(command, events, "--rules", rules, "--format", fmt)
            assert done.code == 0 and "internal error" not in done.err, (command, fmt, done.err)
    assert cli("score", events, "--rules", rules, "--format", "csv").code == 0
    located = cli("score", events, "--rules", rules, "--format", "json").json()
    assert located["actors"]["KAZ"]["final"]["totals"]["nato"] == 1.0
    listed = cli("weights", "list", "--rules", rules)
    assert listed.code == 0 and "pa\\xffck/pack.yaml:2" in listed.out
    edited = cli("weights", "set", "r1", "nato", "2", "--rules", rules)
    assert edited.code == 0 and "pa\\xffck/pack.yaml:4: r1 nato 1.0 -> 2.0" in edited.out, edited
    compared = cli("compare", events, "--rules", rules, "--set", "r1.nato=3", "--format", "json")
    assert compared.code == 0 and compared.json()["a"]["rules"].endswith("pa\\xffck")


def test_problems_name_such_files_readably(tmp_path: Path, cli: Callable[..., Run]) -> None:
    bad = odd(tmp_path, b"b\xffad.yaml")
    bad.write_text("- {id: 1, date: 2009, actor: KAZ, type: a.b}\n", encoding="utf-8")
    rules = write(tmp_path, "r.yaml", RULES)
    for command in (("score", bad, "--rules", rules), ("validate", bad)):
        done = cli(*command)
        assert done.code in (1, 2) and "internal error" not in done.err
        assert f"{tmp_path}/b\\xffad.yaml:1:" in done.err, done.err
    missing = cli("score", odd(tmp_path, b"no\xffne.yaml"), "--rules", rules)
    assert missing.code == 2 and "no\\xffne.yaml:1:1: no such file or folder" in missing.err


def test_icews_under_such_a_name(tmp_path: Path, cli: Callable[..., Run]) -> None:
    path = odd(tmp_path, b"ic\xffews.tab")
    shutil.copy(ICEWS, path)
    done = cli("score", path, "--rules", "cameo", "--format", "json")
    assert done.code == 0, done.err
    skipped = json.loads(done.out)["skipped"]["rows"]
    assert skipped and all(row["file"].endswith("ic\\xffews.tab") for row in skipped)


@pytest.mark.parametrize("fmt", ["markdown", "text"])
def test_a_report_written_under_such_a_name(tmp_path: Path, cli: Callable[..., Run], fmt: str) -> None:
    events, rules = write(tmp_path, "e.yaml", EVENTS), write(tmp_path, "r.yaml", RULES)
    out = odd(tmp_path, b"o\xffut.md")
    done = cli("explain", events, "--rules", rules, "--format", fmt, "--output", out)
    assert done.code == 0, done.err
    text = out.read_text(encoding="utf-8")
    if fmt == "markdown":
        assert "(o%FFut-KAZ-balance.png)" in text
        assert odd(tmp_path, b"o\xffut-KAZ-balance.png").exists()
