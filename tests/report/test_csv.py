"""CSV for spreadsheets: a header row, short exact numbers, one date form per column, text that cannot run."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Run, write

from scorer.report.csv import cell, number

Cli = Callable[..., Run]

RULES = """\
scoring: {axes: [nato, russia], balance: {plus: nato, minus: russia}}
rules:
  - {id: a, when: {type: x.a}, signals: {nato: 0.1}}
  - {id: b, when: {type: x.b}, signals: {nato: 0.2, russia: 0.025}}
  - {id: c, when: {type: x.c}, signals: {russia: 1.6}}
"""

EVENTS = """\
events:
  - {id: e1, date: 2009, actor: KAZ, type: x.a}
  - {id: e2, date: 2009-05, actor: KAZ, type: x.b}
  - {id: e3, date: 2009-06-02, actor: KAZ, type: x.b}
  - {id: "=cmd|' /C calc'!A0", date: 2009-06-03, actor: KAZ, type: x.c}
  - {id: p1, date: 2009-06-04, actor: "+KAZ", type: x.a}
  - {id: u1, date: 2009-07, actor: KAZ, type: x.z}
"""


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture()
def files(tmp_path: Path) -> tuple[Path, Path]:
    return write(tmp_path, "events.yaml", EVENTS), write(tmp_path, "rules.yaml", RULES)


def test_numbers_are_the_shortest_decimal_of_12_digits() -> None:
    assert number(0.1 + 0.2) == "0.3"
    assert number(0.2749999999999999) == "0.275"
    assert number(4.800000000000001) == "4.8"
    assert number(-0.0) == "0.0"
    assert number(-1e-17) == "-1e-17"
    assert number(1 / 3) == "0.333333333333"
    assert number(2.0) == "2.0"


@pytest.mark.parametrize("text", ["=cmd|' /C calc'!A0", "+KAZ", "-1+2", "@SUM(A1)", "\tx", "\rx"])
def test_text_a_spreadsheet_would_run_is_made_inert(text: str) -> None:
    assert cell(text) == "'" + text


def test_plain_text_is_left_as_it_is() -> None:
    assert cell("KAZ") == "KAZ" and cell("e-1") == "e-1" and cell(None) == ""


@pytest.mark.parametrize(
    ("argv", "header"),
    [
        (["score"], "actor,period,date,event,nato,russia,balance,lean"),
        (["score", "--every", "quarter"], "actor,period,date,events,nato,russia,balance,lean"),
        (
            ["explain"],
            "actor,period,date,event,type,partner,rule,defined_at,axis,weight,intensity,confidence,contribution,"
            "balance,unmatched_reason",
        ),
        (
            ["sensitivity"],
            "actor,date,balance,lean,rule,axis,defined_at,weight,delta,low_weight,low_balance,low_lean,"
            "high_weight,high_balance,high_lean,breakeven,flips",
        ),
        (["compare", "--set", "a.nato=0.3"], "actor,period,date,event,balance_a,balance_b,b_minus_a,lean_a,lean_b"),
    ],
    ids=["score", "score-every", "explain", "sensitivity", "compare"],
)
def test_every_analysis_has_csv_with_a_header(
    cli: Cli, files: tuple[Path, Path], argv: list[str], header: str
) -> None:
    events, rules = files
    run = cli(argv[0], events, "--rules", rules, *argv[1:], "--format", "csv")
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    assert lines[0] == header
    assert len(lines) > 1
    table = rows(run.out)
    for row in table:
        for name, value in row.items():
            if name == "date":
                assert len(value) == 10 and value[4] == "-" and value[7] == "-", (name, value)
            assert "999999" not in value and "000000000" not in value, (name, value)
            assert not value.startswith(("=", "+", "@")), (name, value)


def test_score_csv_puts_the_date_as_coded_in_period(cli: Cli, files: tuple[Path, Path]) -> None:
    events, rules = files
    table = rows(cli("score", events, "--rules", rules, "--actor", "KAZ", "--format", "csv").out)
    assert [(r["period"], r["date"]) for r in table[:3]] == [
        ("2009", "2009-01-01"),
        ("2009-05", "2009-05-01"),
        ("2009-06-02", "2009-06-02"),
    ]
    assert table[2]["nato"] == "0.5" and table[2]["russia"] == "0.05"
    assert table[3]["event"] == "'=cmd|' /C calc'!A0"


def test_explain_csv_has_a_row_per_match_and_the_reason_of_each_unmatched_event(
    cli: Cli, files: tuple[Path, Path]
) -> None:
    events, rules = files
    table = rows(cli("explain", events, "--rules", rules, "--format", "csv").out)
    assert [r["actor"] for r in table][0] == "'+KAZ"
    kaz = [r for r in table if r["actor"] == "KAZ"]
    assert [(r["event"], r["axis"]) for r in kaz] == [
        ("e1", "nato"),
        ("e2", "nato"),
        ("e2", "russia"),
        ("e3", "nato"),
        ("e3", "russia"),
        ("'=cmd|' /C calc'!A0", "russia"),
        ("u1", ""),
    ]
    assert kaz[-1]["unmatched_reason"] == "no rule tests type 'x.z'"


def test_csv_is_the_same_bytes_each_run(cli: Cli, files: tuple[Path, Path]) -> None:
    events, rules = files
    for command in ("score", "explain", "sensitivity"):
        first = cli(command, events, "--rules", rules, "--format", "csv").out
        assert first == cli(command, events, "--rules", rules, "--format", "csv").out


@pytest.mark.parametrize(
    ("argv", "header"),
    [
        (
            ["score", "--bands", "--draws", "50"],
            "actor,period,date,event,nato,russia,balance,balance_p05,balance_p50,balance_p95,lean",
        ),
        (["sensitivity", "--global", "--draws", "64"], "actor,rule,axis,file,line,S1,S1_conf,ST,ST_conf"),
    ],
    ids=["score-bands", "sensitivity-global"],
)
def test_the_csv_of_drawn_weights_is_as_safe(
    cli: Cli, tmp_path: Path, argv: list[str], header: str
) -> None:
    events = write(tmp_path, "events.yaml", EVENTS)
    ranged = RULES.replace("balance: {plus: nato, minus: russia}", "balance: {plus: nato, minus: russia}, uncertainty: 0.5")
    rules = write(tmp_path, "rules.yaml", ranged)
    run = cli(argv[0], events, "--rules", rules, *argv[1:], "--format", "csv")
    assert run.code == 0, run.err
    assert run.out.splitlines()[0] == header
    table = rows(run.out)
    assert table[0]["actor"] == "'+KAZ"
    for row in table:
        if "date" in row:
            assert len(row["date"]) == 10, row
        for name, value in row.items():
            assert not value.startswith(("=", "+", "@")), row
            if name not in ("actor", "period", "date", "event", "rule", "axis", "file", "line"):
                assert value == number(float(value)), (name, value)
