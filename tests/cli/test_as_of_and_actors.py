"""Every actor of the input is scored, whatever `--as-of` keeps of its events; `--as-of` must name a date."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import Run, write

import scorer

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


def test_the_ranking_names_the_actors_with_no_event_before_as_of(tmp_path: Path, cli: Callable[..., Run]) -> None:
    """Several actors are ranked; those with no event yet are named apart, never as actors no rule matched."""
    events, rules = write(tmp_path, "e.yaml", EVENTS), write(tmp_path, "r.yaml", RULES)
    early = cli("score", events, "--rules", rules, "--as-of", "2009-01-01")
    assert early.code == 0 and "2 actors, 0 events from 2009-01-01 to 2009-01-01" in early.out
    assert "no events on or before 2009-01-01 of 2 actors: KAZ, UZB" in early.out
    assert "no rule matched any event" not in early.out
    some = cli("score", events, "--rules", rules, "--as-of", "2009-02-01")
    assert "no events on or before 2009-02-01 of 1 actors: UZB" in some.out


def test_an_empty_as_of_is_a_usage_error(tmp_path: Path, cli: Callable[..., Run]) -> None:
    events, rules = write(tmp_path, "e.yaml", EVENTS), write(tmp_path, "r.yaml", RULES)
    for command in ("score", "explain", "sensitivity", "compare"):
        more = ("--set", "arms.russia=1") if command == "compare" else ()
        done = cli(command, events, "--rules", rules, *more, "--as-of", "")
        assert done.code == 2, command
        assert done.out == ""
        assert done.err.startswith("scorer: --as-of: "), done.err


# --- the same with what else scores: bands, calibration, sequence rules, DataFrames -----------

RANGED = """\
scoring: {axes: [nato, russia], balance: {plus: nato, minus: russia}, half_life_days: 30, uncertainty: 0.2}
rules:
  - {id: arms, when: {partner: RUS}, signals: {russia: 2}}
"""


def test_bands_list_every_actor_and_value_the_as_of_period_on_that_day(tmp_path: Path, cli: Callable[..., Run]) -> None:
    events, rules = write(tmp_path, "e.yaml", EVENTS), write(tmp_path, "r.yaml", RANGED)
    argv = ("score", events, "--rules", rules, "--as-of", "2009-02-14", "--every", "quarter", "--bands", "--draws", "50")
    actors = cli(*argv, "--format", "json").json()["actors"]
    assert list(actors) == ["KAZ", "UZB"]
    assert actors["UZB"]["timeline"] == [] and actors["UZB"]["final"]["balance"] == 0.0
    (row,) = actors["KAZ"]["timeline"]
    final = actors["KAZ"]["final"]
    assert (row["date"], row["totals"], row["balance"]) == ("2009-02-14", final["totals"], final["balance"])
    for name in ("p05", "p50", "p95"):
        assert abs(row["bands"]["balance"][name] - final["bands"]["balance"][name]) < 1e-6
    text = cli(*argv, "--actor", "UZB")
    assert text.code == 0 and "no events on or before 2009-02-14" in text.out
    markdown = cli(*argv, "--actor", "UZB", "--format", "markdown")
    assert "No events on or before 2009-02-14." in markdown.out and "| period |" not in markdown.out


def test_calibration_and_global_sensitivity_take_an_actor_with_no_event_before_as_of(
    tmp_path: Path, cli: Callable[..., Run]
) -> None:
    events, rules = write(tmp_path, "e.yaml", EVENTS), write(tmp_path, "r.yaml", RANGED)
    target = write(tmp_path, "t.csv", "actor,date,value\nKAZ,2009-01-20,1\nKAZ,2009-01-25,2\nKAZ,2009-02-01,3\nUZB,2009-02-01,0\n")
    done = cli("calibrate", events, "--rules", rules, "--target", target, "--as-of", "2009-02-14")
    assert done.code == 0, done.err
    assert "(of 4 in the file): KAZ;" in done.out
    indices = cli("sensitivity", events, "--rules", rules, "--global", "--draws", "16", "--as-of", "2009-02-14", "--format", "json")
    assert list(indices.json()["actors"]) == ["KAZ", "UZB"]


SEQUENCE = """\
rules:
  - id: arms-after-protest
    when: {partner: RUS}
    after: {within_days: 400, when: {type: diplomacy.criticize}}
    signals: {russia: 1}
  - {id: arms, when: {partner: RUS}, signals: {russia: 2}}
"""


def test_sequence_rules_keep_an_actor_with_no_event_before_as_of(tmp_path: Path, cli: Callable[..., Run]) -> None:
    events, rules = write(tmp_path, "e.yaml", EVENTS), write(tmp_path, "r.yaml", SEQUENCE)
    actors = cli("score", events, "--rules", rules, "--as-of", "2009-02-01", "--format", "json").json()["actors"]
    assert list(actors) == ["KAZ", "UZB"] and actors["UZB"]["timeline"] == []
    one = cli("score", events, "--rules", rules, "--as-of", "2009-02-01", "--actor", "UZB", "--format", "json").json()
    assert list(one["actors"]) == ["UZB"]


def test_tables_of_an_actor_with_no_event_before_as_of(tmp_path: Path) -> None:
    events = scorer.read_events(write(tmp_path, "e.yaml", EVENTS))
    result = scorer.score(events, write(tmp_path, "r.yaml", RULES), as_of="2009-02-01")
    assert result.to_polars()["actor"].to_list() == ["KAZ"]
    assert result.to_polars("drivers").filter(actor="UZB").height == 0


def test_an_unknown_actor_is_a_usage_error_naming_the_actors(tmp_path: Path, cli: Callable[..., Run]) -> None:
    events, rules = write(tmp_path, "e.yaml", EVENTS), write(tmp_path, "r.yaml", RANGED)
    target = write(tmp_path, "t.csv", "actor,date,value\nKAZ,2009-01-20,1\n")
    for argv in (
        ("score",),
        ("score", "--bands", "--draws", "10"),
        ("explain",),
        ("sensitivity",),
        ("sensitivity", "--global", "--draws", "8"),
        ("compare", "--set", "arms.russia=1"),
        ("calibrate", "--target", target),
    ):
        done = cli(argv[0], events, "--rules", rules, *argv[1:], "--actor", "TYPO")
        assert done.code == 2 and done.out == "", argv
        assert done.err == "scorer: --actor 'TYPO': no event of this actor (actors: KAZ, UZB)\n", argv
    # An actor of the input with no event before --as-of is known: it is listed with nothing to show.
    assert cli("score", events, "--rules", rules, "--actor", "UZB", "--as-of", "2009-01-01").code == 0
