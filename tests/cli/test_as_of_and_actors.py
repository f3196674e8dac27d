"""Every actor of the input is scored, whatever `--as-of` keeps of its events; `--as-of` must name a date."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import Run, write

EVENTS = """\
events:
  - {id: k1, date: 2009-01-15, actor: KAZ, type: arms.acquire, partner: RUS}
  - {id: u1, date: 2009-03-20, actor: UZB, type: arms.acquire, partner: RUS}
"""
RULES = "rules:\n  - {id: arms, when: {partner: RUS}, signals: {russia: 2}}\n"


def test_an_actor_with_no_event_before_as_of_is_still_listed(tmp_path: Path, cli: Callable[..., Run]) -> None:
    events, rules = write(tmp_path, "e.yaml", EVENTS), write(tmp_path, "r.yaml", RULES)
    actors = cli("score", events, "--rules", rules, "--as-of", "2009-02-01", "--format", "json").json()["actors"]
    assert list(actors) == ["KAZ", "UZB"]
    assert actors["UZB"]["timeline"] == []
    assert actors["UZB"]["final"] == {"date": "2009-02-01", "totals": {"nato": 0.0, "russia": 0.0}, "balance": 0.0, "lean": 0.0}
    assert actors["KAZ"]["final"]["totals"]["russia"] == 2.0


def test_a_single_actor_with_no_event_before_as_of_says_so(tmp_path: Path, cli: Callable[..., Run]) -> None:
    events, rules = write(tmp_path, "e.yaml", EVENTS), write(tmp_path, "r.yaml", RULES)
    done = cli("score", events, "--rules", rules, "--as-of", "2009-02-01", "--actor", "UZB")
    assert done.code == 0
    assert done.out.splitlines()[0] == "UZB: balance +0.00 (lean +0.00) on 2009-02-01  [nato +, russia -]"
    assert "no events on or before 2009-02-01" in done.out
    assert "no events to score" not in done.out
    periods = cli("score", events, "--rules", rules, "--as-of", "2009-02-01", "--actor", "UZB", "--every", "month")
    assert "no events on or before 2009-02-01" in periods.out
    markdown = cli("score", events, "--rules", rules, "--as-of", "2009-02-01", "--actor", "UZB", "--format", "markdown")
    assert "No events on or before 2009-02-01." in markdown.out
    explained = cli("explain", events, "--rules", rules, "--as-of", "2009-02-01", "--actor", "UZB")
    assert explained.code == 0 and "no events on or before 2009-02-01" in explained.out


def test_an_empty_as_of_is_a_usage_error(tmp_path: Path, cli: Callable[..., Run]) -> None:
    events, rules = write(tmp_path, "e.yaml", EVENTS), write(tmp_path, "r.yaml", RULES)
    for command in ("score", "explain", "sensitivity", "compare"):
        more = ("--set", "arms.russia=1") if command == "compare" else ()
        done = cli(command, events, "--rules", rules, *more, "--as-of", "")
        assert done.code == 2, command
        assert done.out == ""
        assert done.err.startswith("scorer: --as-of: "), done.err
