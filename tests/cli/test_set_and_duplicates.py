"""`--set` names an axis that holds a dot; repeated event ids are reported with every other problem."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import Run, write


def test_set_names_an_axis_with_a_dot(tmp_path: Path, cli: Callable[..., Run]) -> None:
    rules = write(
        tmp_path,
        "r.yaml",
        """\
        scoring: {axes: [eu.west, russia], balance: {plus: eu.west, minus: russia}}
        rules:
          - {id: meet.nato, when: {partner: NATO}, signals: {eu.west: 1}}
        """,
    )
    events = write(tmp_path, "e.yaml", "- {id: e1, date: 2009-01-15, actor: KAZ, type: a.b, partner: NATO}\n")
    done = cli("score", events, "--rules", rules, "--set", "meet.nato.eu.west=2.5", "--format", "json")
    assert done.json()["actors"]["KAZ"]["final"]["totals"] == {"eu.west": 2.5, "russia": 0.0}
    wrong = cli("score", events, "--rules", rules, "--set", "meet.nato.eu.east=2.5")
    assert wrong.code == 2 and "unknown axis 'eu.east'" in wrong.err


def test_repeated_ids_are_reported_with_the_other_problems(tmp_path: Path, cli: Callable[..., Run]) -> None:
    rules = write(tmp_path, "r.yaml", "rules:\n  - {id: r, when: {partner: NATO}, signals: {nato: 1}}\n")
    a = write(tmp_path, "a.yaml", "- {id: e1, date: 2009-01-15, actor: KAZ, type: a.b}\n")
    b = write(tmp_path, "b.jsonl", '{"id": "e1", "date": "2009-01-16", "actor": "KAZ", "type": "a.b"}\n')
    c = write(tmp_path, "c.tab", "Event ID\tEvent Date\tSource Name\n1\t2014-01-01\tX\n")  # ICEWS, not whole
    done = cli("score", a, b, c, "--rules", rules)
    assert done.code == 2
    lines = done.err.splitlines()
    assert any(line.startswith(f"{c}:1:1: not an ICEWS header") for line in lines), done.err
    assert any(line.startswith(f"{b}:1:") and "duplicate event id 'e1'" in line for line in lines), done.err
