"""The Python API as a notebook uses it: read, score, explain, convert to DataFrames, write reports.

Every number a DataFrame holds is checked against the JSON the command
prints for the same input: the API and the command are one program.
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scorer
from scorer import api
from scorer.cli import main

ROOT = Path(__file__).resolve().parents[1]
GDELT = ROOT / "tests" / "data" / "gdelt-sample.tsv"
FIXTURE = ROOT / "fixtures" / "kazakhstan-2009.yaml"


def command_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    """What `scorer ARGV --format json` prints, read back."""
    assert main([*argv, "--format", "json"]) == 0
    document: dict[str, Any] = json.loads(capsys.readouterr().out)
    return document


def json_timeline(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The JSON timelines of every actor as rows of the timeline table."""
    return [
        {"actor": actor, **{k: v for k, v in row.items() if k != "totals"}, **row["totals"]}
        for actor, item in document["actors"].items()
        for row in item["timeline"]
    ]


# --- a notebook ----------------------------------------------------------------


def test_a_notebook_scores_gdelt_with_the_cameo_pack_and_gets_the_json_numbers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    events = scorer.read_events(GDELT)
    assert events.tally is not None and events.tally.rows == 314
    pack = scorer.load_pack("cameo")
    result = scorer.score(events, pack)
    timeline = result.to_polars()
    frame = result.to_pandas("timeline")

    document = command_json(capsys, "score", str(GDELT), "--rules", "cameo")
    expected = json_timeline(document)
    columns = ["actor", "date", "event", "west", "russia", "balance", "lean"]
    assert timeline.columns == columns
    assert timeline.to_dicts() == [{name: row[name] for name in columns} for row in expected]
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == columns
    assert frame.to_dict("records") == timeline.to_dicts()
    assert len(expected) == 132 and len(document["actors"]) == 25  # the sample is not a trivial one
    assert any(row["balance"] != 0 for row in expected)
    # The skipped rows the command lists are those the set reports.
    assert len(events.tally.skipped) == document["skipped"]["count"] == 182
    assert [s.as_json() for s in events.tally.skipped] == document["skipped"]["rows"]


def test_drivers_and_trail_hold_the_numbers_of_the_explanation(capsys: pytest.CaptureFixture[str]) -> None:
    events = scorer.read_events(str(GDELT))
    explanation = scorer.explain(events, "cameo")
    document = command_json(capsys, "explain", str(GDELT), "--rules", "cameo")
    drivers = [
        {"actor": actor, "kind": kind, "name": d[kind], "share": d["share"], "rank": rank}
        for actor, item in document["actors"].items()
        for kind, key in (("event", "events"), ("rule", "rules"))
        for rank, d in enumerate(item["drivers"][key], 1)
    ]
    assert explanation.to_polars("drivers").to_dicts() == drivers
    assert explanation.score.to_polars("drivers").to_dicts() == drivers
    nothing = dict.fromkeys(("rule", "axis", "weight", "contribution"))
    trail = [
        {"actor": actor, "event": step["event"], "date": step["date"], **match}
        for actor, item in document["actors"].items()
        for step in item["trail"]
        for match in step["matches"] or [nothing]
    ]
    got = explanation.to_polars().to_dicts()  # the trail by default
    intensity = {row["event"]: (row["intensity"], row["confidence"]) for row in got}
    for row in trail:
        if row["rule"] is None:
            row["intensity"], row["confidence"] = intensity[row["event"]]
    order = ["actor", "event", "date", "rule", "axis", "weight", "intensity", "confidence", "contribution"]
    assert got == [{name: row[name] for name in order} for row in trail]
    assert sum(row["rule"] is None for row in got) == sum(len(a["unmatched"]) for a in document["actors"].values())


def test_an_explained_event_has_the_trail_of_that_event_alone(capsys: pytest.CaptureFixture[str]) -> None:
    events = scorer.read_events([FIXTURE])
    explanation = scorer.explain(events, event="kaz-2009-05-csto-brigade")
    trail = explanation.to_polars("trail")
    assert set(trail["event"]) == {"kaz-2009-05-csto-brigade"}
    document = command_json(capsys, "explain", str(FIXTURE), "--event", "kaz-2009-05-csto-brigade")
    assert trail["rule"].to_list() == [m["rule"] for m in document["actors"]["KAZ"]["trail"][0]["matches"]]
    timelines = sum(len(actor["timeline"]) for actor in document["actors"].values())
    assert explanation.to_polars("timeline").height == timelines


def test_a_timeline_by_period_has_the_rows_of_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    result = scorer.score(scorer.read_events(FIXTURE), every="quarter")
    document = command_json(capsys, "score", str(FIXTURE), "--every", "quarter")
    timeline = result.to_polars()
    assert timeline.columns == ["actor", "period", "date", "events", "nato", "russia", "china", "balance", "lean"]
    assert timeline.to_dicts() == [{name: row[name] for name in timeline.columns} for row in json_timeline(document)]


def test_sensitivity_and_comparison_convert_with_the_numbers_of_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    events = scorer.read_events(FIXTURE)
    sensitive = scorer.sensitivity(events, delta=0.5).to_polars().filter(pl.col("actor") == "KAZ")
    document = command_json(capsys, "sensitivity", str(FIXTURE), "--delta", "0.5")
    variations = document["actors"]["KAZ"]["variations"]
    assert sensitive["rule"].to_list() == [v["rule"] for v in variations]
    assert sensitive["high_balance"].to_list() == [v["high"]["balance"] for v in variations]
    assert sensitive["breakeven_weight"].to_list() == [v["breakeven_weight"] for v in variations]
    assert sensitive.filter(pl.col("flips"))["rule"].to_list() == [
        name.rpartition(".")[0] for name in document["actors"]["KAZ"]["flips"]
    ]

    setting = "forces-contribute-russia-bloc.russia=1.0"
    comparison = scorer.compare(events, None, scorer.load_pack(settings=[setting]))
    document = command_json(capsys, "compare", str(FIXTURE), "--set", setting)
    actor = document["actors"]["KAZ"]
    timeline = comparison.to_polars("timeline").filter(pl.col("actor") == "KAZ")
    assert timeline["balance_difference"].to_list() == [row["balance_difference"] for row in actor["timeline"]]
    assert timeline["b_lean"].to_list() == [row["b"]["lean"] for row in actor["timeline"]]
    drivers = comparison.to_pandas("drivers")
    rules = drivers[(drivers["kind"] == "rule") & (drivers["actor"] == "KAZ")]
    assert rules["name"].tolist() == [d["rule"] for d in actor["rules"]]
    assert rules["difference"].tolist() == [d["difference"] for d in actor["rules"]]
    assert comparison.labels == ("the bundled pack", "B")
    with pytest.raises(ValueError, match="'timeline', 'drivers'"):
        comparison.to_polars("trail")  # type: ignore[arg-type]


# --- reports to strings and files ----------------------------------------------


@pytest.mark.parametrize(
    ("command", "fmt"),
    [
        ("score", "text"),
        ("score", "csv"),
        ("score", "markdown"),
        pytest.param("explain", "html", marks=pytest.mark.slow),
        ("explain", "json"),
    ],
)
def test_a_report_rendered_is_what_the_command_prints(
    command: str, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    events = scorer.read_events(FIXTURE)
    result = scorer.score(events) if command == "score" else scorer.explain(events)
    assert main([command, str(FIXTURE), "--format", fmt]) == 0
    assert scorer.render(result, fmt) == capsys.readouterr().out


@pytest.mark.slow
def test_a_report_is_written_in_the_format_its_name_says(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = scorer.read_events(FIXTURE)
    result = scorer.explain(events)
    scorer.write_report(result, tmp_path / "report.json")
    scorer.write_report(result, str(tmp_path / "report.md"))
    assert json.loads((tmp_path / "report.json").read_text())["actors"]["KAZ"]["drivers"]
    assert main(["explain", str(FIXTURE), "--format", "markdown", "--output", str(tmp_path / "cli.md")]) == 0
    assert (tmp_path / "report.md").read_text() == (tmp_path / "cli.md").read_text().replace("cli-", "report-")
    assert sorted(p.name for p in tmp_path.glob("report*.png"))  # its charts, beside it
    with pytest.raises(ValueError, match="a Score report comes in text, json, csv, markdown: not 'html'"):
        scorer.write_report(scorer.score(events), tmp_path / "score.html")
    assert not (tmp_path / "score.html").exists()
    assert scorer.render(scorer.load_pack(), "json").startswith('{\n  "rules": [')


def test_without_takes_one_id_or_several() -> None:
    events = scorer.read_events(FIXTURE)
    fewer = scorer.without(events, "kaz-2009-05-csto-brigade")
    assert len(fewer) == len(events) - 1
    assert len(scorer.without(list(scorer.Event(**e) for e in _events(2)), ["e0"])) == 1
    with pytest.raises(ValueError, match="no event 'nope' among the events"):
        scorer.without(events, ["nope"])
    with pytest.raises(ValueError, match="--without: no event 'nope'"):
        scorer.score(events, without="nope")
    assert scorer.score(events, without="kaz-2009-05-csto-brigade").to_polars().height == len(events) - 1


def test_bad_arguments_are_value_errors() -> None:
    events = scorer.read_events(FIXTURE)
    with pytest.raises(ValueError, match="every: one of year, quarter, month, not 'week'"):
        scorer.score(events, every="week")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="delta must be a number above 0"):
        scorer.sensitivity(events, delta=float("inf"))
    with pytest.raises(ValueError, match="--as-of"):
        scorer.compare(events, None, None, as_of="2009-13")
    with pytest.raises(ValueError, match="no table 'rows'"):
        scorer.score(events).to_polars("rows")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="top must be 0 or more"):
        scorer.render(scorer.score(events), top=-1)


# --- what the package shows ------------------------------------------------------


def test_every_api_function_is_exported_and_documented() -> None:
    functions = {
        name
        for name, value in inspect.getmembers(api, inspect.isfunction)
        if value.__module__ == "scorer.api" and not name.startswith("_")
    }
    assert functions <= set(api.__all__)
    assert all(inspect.isfunction(getattr(api, name)) for name in api.__all__)
    assert set(api.__all__) <= set(scorer.__all__)
    for name in scorer.__all__:
        value = getattr(scorer, name)
        if callable(value):
            assert inspect.getdoc(value), f"scorer.{name} has no docstring"
    for kind in (scorer.Score, scorer.Explanation, scorer.Comparison, scorer.Sensitivity):
        assert inspect.getdoc(kind.to_polars) and inspect.getdoc(kind.to_pandas)


def test_the_conversions_document_every_column() -> None:
    events = scorer.read_events(FIXTURE)
    result = scorer.score(events)
    comparison = scorer.compare(events, None, None)
    made = [(result.to_polars(table), scorer.Score) for table in ("timeline", "drivers", "trail")]  # type: ignore[arg-type]
    made += [(comparison.to_polars(table), scorer.Comparison) for table in ("timeline", "drivers")]  # type: ignore[arg-type]
    made.append((scorer.sensitivity(events).to_polars(), scorer.Sensitivity))
    for frame, kind in made:
        doc = inspect.getdoc(kind.to_polars) or ""
        undocumented = [name for name in frame.columns if f"`{name}`" not in doc and name not in result.pack.scoring.axes]
        assert not undocumented, f"{kind.__name__}.to_polars does not document {undocumented}"


@pytest.mark.slow
def test_dir_shows_the_api_alone_even_after_every_module_is_loaded() -> None:
    probe = (
        "import importlib, pkgutil, scorer\n"
        "before = dir(scorer)\n"
        "for module in pkgutil.walk_packages(scorer.__path__, 'scorer.'):\n"
        "    if not module.name.endswith('__main__'):\n"
        "        importlib.import_module(module.name)\n"
        "assert dir(scorer) == before, set(dir(scorer)) ^ set(before)\n"
        "print(' '.join(before))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == sorted(scorer.__all__)
    assert {"Any", "TYPE_CHECKING", "importlib", "annotations", "api", "model"}.isdisjoint(done.stdout.split())
    for module in pkgutil.walk_packages(scorer.__path__, "scorer."):
        if not module.name.endswith("__main__"):  # which runs the command
            importlib.import_module(module.name)
    assert dir(scorer) == sorted(scorer.__all__)


def test_to_pandas_without_pandas_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    result = scorer.score(scorer.read_events(FIXTURE))
    monkeypatch.setattr(
        "scorer.scoring.tables.find_spec", lambda name: None if name == "pandas" else importlib.util.find_spec(name)
    )
    with pytest.raises(ImportError, match=r"needs pandas, which scorer installs as its 'pandas' extra: pip install 'scorer\[pandas\]'"):
        result.to_pandas()


# --- drivers add up --------------------------------------------------------------

AXES = ["west", "east", "other"]
TYPES = ["a", "b", "c"]


def _events(count: int) -> list[dict[str, Any]]:
    return [{"id": f"e{i}", "date": "2009-01-01", "actor": "KAZ", "type": "a"} for i in range(count)]


@st.composite
def scored(draw: st.DrawFn) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A small pack (a rule per event type, weights on any axis) and events of it."""
    weights = st.sampled_from([-2.0, -0.5, 0.25, 1.0, 1.5, 3.0])
    rules = [
        {"id": f"r{i}", "when": {"type": kind}, "signals": {axis: draw(weights) for axis in draw(st.sets(st.sampled_from(AXES), min_size=1))}}
        for i, kind in enumerate(draw(st.lists(st.sampled_from(TYPES), min_size=1, max_size=5)))
    ]
    pack = {
        "scoring": {"axes": AXES, "balance": {"plus": "west", "minus": "east"}, "half_life_days": draw(st.sampled_from([None, 30, 365]))},
        "rules": rules,
    }
    events = [
        {
            "id": f"e{i}",
            "date": draw(st.sampled_from(["2009", "2009-03", "2009-03-02", "2009-07-15", "2010-01-31"])),
            "actor": draw(st.sampled_from(["KAZ", "UZB", "RUS"])),
            "type": draw(st.sampled_from([*TYPES, "d"])),
            "intensity": draw(st.sampled_from([0.0, 0.5, 1.0, 2.0, 7.5])),
            "confidence": draw(st.sampled_from([0.25, 0.5, 1.0])),
        }
        for i in range(draw(st.integers(1, 15)))
    ]
    return pack, events


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=scored(), as_of=st.sampled_from([None, "2011"]))
def test_the_drivers_of_each_kind_add_up_to_the_final_balance(
    case: tuple[dict[str, Any], list[dict[str, Any]]], as_of: str | None
) -> None:
    pack_data, items = case
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "pack.yaml"
        path.write_text(json.dumps(pack_data), encoding="utf-8")  # JSON is YAML
        pack = scorer.load_pack(path)
    result = scorer.score([scorer.Event(**item) for item in items], pack, as_of=as_of)
    drivers = result.to_polars("drivers")
    sums = drivers.group_by("actor", "kind").agg(pl.col("share").sum(), pl.len()).to_dicts()
    for row in sums:
        assert row["share"] == pytest.approx(result.actors[row["actor"]].final.balance, abs=1e-9)
    for name, actor in result.actors.items():
        if abs(actor.final.balance) > 1e-9:  # a balance of drivers
            assert {(r["actor"], r["kind"]) for r in sums} >= {(name, "event"), (name, "rule")}
    ranks = drivers.group_by("actor", "kind").agg(pl.col("rank").sort().alias("ranks"), pl.len())
    assert all(row["ranks"] == list(range(1, row["len"] + 1)) for row in ranks.to_dicts())
    # The trail has every match, and every event no rule matched once.
    trail = result.to_polars("trail")
    assert trail.filter(pl.col("rule").is_null())["event"].sort().to_list() == sorted(
        e for actor in result.actors.values() for e in actor.unmatched
    )
    assert trail.select(pl.col("contribution").fill_null(0.0) - pl.col("weight").fill_null(0.0) * pl.col("intensity") * pl.col("confidence")).to_series().abs().max() == pytest.approx(0.0)  # type: ignore[operator]
