"""Scores as DataFrames: the timeline, drivers and trail tables, their columns, types and rows."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from conftest import write

from scorer.io.load import read_events
from scorer.pack.load import load_rules
from scorer.scoring import tables
from scorer.scoring.score import Score, score

RULES = """\
scoring: {axes: [nato, russia, balance], balance: {plus: nato, minus: russia}, half_life_days: 10}
rules:
  - {id: west, when: {partner: NATO}, signals: {nato: 2, balance: 1}}
  - {id: east, when: {partner: RUS}, signals: {russia: 1.5, nato: -0.5}}
  - {id: also-west, when: {partner: NATO}, signals: {nato: 0.5}}
"""


def score_of(tmp_path: Path, rows: list[dict[str, object]]) -> Score:
    events = write(tmp_path, "e.jsonl", "".join(json.dumps({"type": "x", **row}) + "\n" for row in rows))
    return score(read_events(str(events)), load_rules(write(tmp_path, "pack.yaml", RULES)))


EVENTS: list[dict[str, object]] = [
    {"id": "u2", "date": "2009-01-05", "actor": "UZB", "partner": "RUS", "intensity": 2},
    {"id": "k1", "date": "2009-01-01", "actor": "KAZ", "partner": "NATO", "confidence": 0.5},
    {"id": "k2", "date": "2009-01-11", "actor": "KAZ", "partner": "CHN"},
    {"id": "k3", "date": "2009-01-21", "actor": "KAZ", "partner": "RUS"},
]


def test_the_trail_has_a_row_per_match_in_pack_order_and_a_row_of_nulls_per_unmatched_event(tmp_path: Path) -> None:
    result = score_of(tmp_path, EVENTS)
    trail = result.to_polars("trail")
    assert trail.schema == pl.Schema(tables.TRAIL_SCHEMA)
    rows = trail.select("actor", "event", "rule", "axis", "weight", "contribution").rows()
    assert rows == [
        ("KAZ", "k1", "west", "nato", 2.0, 1.0),
        ("KAZ", "k1", "west", "balance", 1.0, 0.5),
        ("KAZ", "k1", "also-west", "nato", 0.5, 0.25),
        ("KAZ", "k2", None, None, None, None),
        ("KAZ", "k3", "east", "russia", 1.5, 1.5),
        ("KAZ", "k3", "east", "nato", -0.5, -0.5),
        ("UZB", "u2", "east", "russia", 1.5, 3.0),
        ("UZB", "u2", "east", "nato", -0.5, -1.0),
    ]
    assert trail.filter(pl.col("event") == "k2").select("date", "intensity", "confidence").row(0) == ("2009-01-11", 1.0, 1.0)


def test_an_axis_named_like_a_column_of_the_timeline_gets_its_own_name(tmp_path: Path) -> None:
    timeline = score_of(tmp_path, EVENTS).to_polars()
    assert timeline.columns == ["actor", "date", "event", "nato", "russia", "axis_balance", "balance", "lean"]
    assert timeline["axis_balance"].to_list() == [0.5, 0.5 * 0.5 ** 1, 0.5 * 0.5 ** 2, 0.0]


def test_the_drivers_rank_each_actor_and_kind_from_1(tmp_path: Path) -> None:
    drivers = score_of(tmp_path, EVENTS).to_polars("drivers")
    assert drivers.schema == pl.Schema(tables.DRIVERS_SCHEMA)
    assert drivers.select("actor", "kind", "name", "rank").rows() == [
        ("KAZ", "event", "k3", 1),
        ("KAZ", "event", "k1", 2),
        ("KAZ", "rule", "east", 1),
        ("KAZ", "rule", "west", 2),
        ("KAZ", "rule", "also-west", 3),
        ("UZB", "event", "u2", 1),
        ("UZB", "rule", "east", 1),
    ]


def test_a_score_of_no_events_has_empty_tables_of_the_same_columns(tmp_path: Path) -> None:
    result = score_of(tmp_path, EVENTS[:1])
    events = read_events(str(tmp_path / "e.jsonl"))
    empty = score(events, result.pack, as_of="1900")  # every actor listed, with no event before that year
    for table in tables.TABLES:
        made, none = result.to_polars(table), empty.to_polars(table)
        assert none.height == 0
        assert none.schema == made.schema, table


def test_a_table_that_does_not_exist_is_named_with_those_that_do(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no table 'events': a score's tables are 'timeline', 'drivers', 'trail'"):
        score_of(tmp_path, EVENTS).to_polars("events")  # type: ignore[arg-type]


def test_to_pandas_names_what_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tables, "find_spec", lambda name: None)
    with pytest.raises(ImportError, match=r"needs pandas and pyarrow, .* pip install 'scorer\[pandas\]'"):
        tables.to_pandas(pl.DataFrame({"a": [1]}))
