"""CSV reports: text from input files that a spreadsheet would run as a formula is written inert."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Run, write

from scorer.report.format import csv_text

EVENTS = """\
events:
  - {id: "=cmd|' /C calc'!A0", date: 2009-01-15, actor: "+KAZ", type: arms.acquire, partner: RUS}
  - {id: "@SUM(1+1)", date: 2009-01-16, actor: "-UZB", type: arms.acquire, partner: RUS}
  - {id: "\\tx", date: 2009-01-17, actor: "KAZ", type: arms.acquire, partner: RUS}
"""
RULES = """\
scoring: {axes: [nato, russia], balance: {plus: nato, minus: russia}, uncertainty: 0.1}
rules:
  - {id: arms, when: {partner: RUS}, signals: {russia: 2}}
"""


@pytest.mark.parametrize("text", ["=1+1", "+KAZ", "-2", "@A1", "\tx", "\rx"])
def test_a_cell_a_spreadsheet_would_run_is_prefixed(text: str) -> None:
    assert csv_text(text) == "'" + text


@pytest.mark.parametrize("text", ["KAZ", "e1", "", "a=b", "x-1"])
def test_other_cells_are_kept(text: str) -> None:
    assert csv_text(text) == text


@pytest.mark.parametrize("more", [(), ("--bands", "--draws", "20")])
def test_score_csv_cells_from_input_are_inert_and_numbers_kept(
    more: tuple[str, ...], tmp_path: Path, cli: Callable[..., Run]
) -> None:
    events, rules = write(tmp_path, "e.yaml", EVENTS), write(tmp_path, "r.yaml", RULES)
    done = cli("score", events, "--rules", rules, "--format", "csv", *more)
    assert done.code == 0, done.err
    rows = list(csv.DictReader(io.StringIO(done.out)))
    assert [(row["actor"], row["event"]) for row in rows] == [
        ("'+KAZ", "'=cmd|' /C calc'!A0"),
        ("'-UZB", "'@SUM(1+1)"),
        ("KAZ", "'\tx"),
    ]
    assert rows[0]["balance"] == "-2.0"  # a number is never prefixed
