"""Parquet input and `scorer convert`: the same events as any other format, bad values named by row group."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from conftest import write

from scorer.cli import main
from scorer.io.load import read_events
from scorer.io.parquet.footer import row_groups
from scorer.problems import InputError

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "fixtures" / "kazakhstan-2009.yaml"
GDELT = ROOT / "tests" / "data" / "gdelt-sample.tsv"

RULES = """\
scoring: {axes: [nato, russia], balance: {plus: nato, minus: russia}, half_life_days: 100}
rules:
  - {id: pfp, when: {tags: {contains: pfp}}, signals: {nato: 2}}
  - {id: big, when: {attrs.units: {gte: 2}}, signals: {russia: 1}}
  - {id: flag, when: {attrs.airborne: true}, signals: {russia: 0.5}}
  - {id: lone, when: {partner: {exists: false}}, signals: {nato: -1}}
  - {id: code, when: {attrs.code: "012"}, signals: {nato: 1}}
"""
JSONL = """\
{"id": "e1", "date": "2009", "actor": "KAZ", "type": "membership.join", "partner": "NATO", "tags": ["pfp", "x"]}
{"id": "e2", "date": "2009-04-11", "actor": "KAZ", "type": "forces.contribute", "partner": "CSTO", "intensity": 2, "confidence": 0.5, "attrs": {"units": 3, "airborne": true}}
{"id": "e3", "date": "2009-04", "actor": "KAZ", "type": "diplomacy.meeting", "attrs": {"code": "012"}, "summary": "Met"}
"""
YAML = """\
events:
  - {id: e1, date: "2009", actor: KAZ, type: membership.join, partner: NATO, tags: [pfp, x]}
  - {id: e2, date: 2009-04-11, actor: KAZ, type: forces.contribute, partner: CSTO, intensity: 2, confidence: 0.5,
     attrs: {units: 3, airborne: true}}
  - {id: e3, date: 2009-04, actor: KAZ, type: diplomacy.meeting, attrs: {code: "012"}, summary: Met}
"""
CSV = """\
id,date,actor,type,partner,intensity,confidence,summary,tags,attrs.units,attrs.airborne,attrs.code
e1,2009,KAZ,membership.join,NATO,,,,pfp;x,,,
e2,2009-04-11,KAZ,forces.contribute,CSTO,2,0.5,,,3,true,
e3,2009-04,KAZ,diplomacy.meeting,,,,Met,,,,012
"""


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def by_hand(tmp_path: Path, attrs_as: str = "struct", **extra: pl.Series) -> Path:
    """The JSON Lines events written as Parquet by polars, attrs as a struct or as JSON text."""
    rows = [json.loads(line) for line in JSONL.splitlines()]
    attrs = [row.get("attrs") for row in rows]
    frame = pl.DataFrame(
        {
            "id": [r["id"] for r in rows],
            "date": [r["date"] for r in rows],
            "actor": [r["actor"] for r in rows],
            "type": [r["type"] for r in rows],
            "partner": [r.get("partner") for r in rows],
            "intensity": [r.get("intensity") for r in rows],
            "confidence": [r.get("confidence") for r in rows],
            "summary": [r.get("summary") for r in rows],
            "tags": [r.get("tags") for r in rows],
            "attrs": pl.Series(attrs, dtype=pl.Struct({"units": pl.Int64, "airborne": pl.Boolean, "code": pl.String}))
            if attrs_as == "struct"
            else [None if a is None else json.dumps(a) for a in attrs],
        }
    ).with_columns(**extra)
    path = tmp_path / f"by-hand-{attrs_as}.parquet"
    frame.write_parquet(path)
    return path


@pytest.mark.parametrize("command", ["score", "explain"])
def test_parquet_gives_the_json_of_every_other_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    rules = write(tmp_path, "rules.yaml", RULES)
    jsonl = write(tmp_path, "events.jsonl", JSONL)
    run(capsys, "convert", jsonl, "--output", tmp_path / "converted.parquet")
    run(capsys, "convert", jsonl, "--output", tmp_path / "by-year", "--partition-by", "year")
    run(capsys, "convert", jsonl, "--output", tmp_path / "csv-like.csv")  # not a .parquet name: a folder
    outputs = []
    for events in (
        jsonl,
        write(tmp_path, "events.yaml", YAML),
        write(tmp_path, "events.csv", CSV),
        tmp_path / "converted.parquet",
        tmp_path / "by-year",
        tmp_path / "csv-like.csv",
        by_hand(tmp_path, "struct"),
        by_hand(tmp_path, "text"),
    ):
        status, out, err = run(capsys, command, events, "--rules", rules, "--format", "json")
        assert status == 0, err
        outputs.append(out)
    assert json.loads(outputs[0])["actors"]["KAZ"]["final"]["totals"] == {"nato": 1.0, "russia": 1.5}
    assert all(out == outputs[0] for out in outputs[1:])


def test_the_fixture_in_every_format_scores_the_same(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expected = [run(capsys, command, FIXTURE, "--format", "json")[1] for command in ("score", "explain")]
    run(capsys, "convert", FIXTURE, "--output", tmp_path / "kaz", "--partition-by", "year")
    assert sorted(p.parent.name for p in (tmp_path / "kaz").rglob("*.parquet"))[:2] == ["year=1994", "year=2003"]
    found = [run(capsys, command, tmp_path / "kaz", "--format", "json")[1] for command in ("score", "explain")]
    assert found == expected


def test_bad_values_are_named_by_file_row_group_and_row(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {
            "id": ["a", "b", "c", "d", "e"],
            "date": ["2009", "2009-02-30", "2009-01", "2009", "2009"],
            "actor": ["KAZ", "KAZ", "", "KAZ", "KAZ"],
            "type": ["x.y", "x.y", "x.y", "Bad Type", "x.y"],
            "confidence": [1.0, 1.0, 1.0, 1.0, 2.0],
        }
    )
    path = tmp_path / "bad.parquet"
    frame.write_parquet(path, row_group_size=2)
    assert row_groups(str(path)) == [2, 2, 1]
    with pytest.raises(InputError) as caught:
        read_events(str(path))
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:2:1: row 2 (row group 0, row 2 of it): field 'date': bad date '2009-02-30': no such day",
        f"{path}:3:1: row 3 (row group 1, row 1 of it): field 'actor': String should have at least 1 character",
        f"{path}:4:1: row 4 (row group 1, row 2 of it): field 'type': bad type 'Bad Type': expected dotted lower"
        " case such as 'exercise.decline'",
        f"{path}:5:1: row 5 (row group 2, row 1 of it): field 'confidence': confidence must be a number from 0 to 1,"
        " not 2.0",
    ]


def test_columns_of_the_wrong_kind_or_name_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "odd.parquet"
    pl.DataFrame({"id": [1], "date": ["2009"], "type": ["x.y"], "colour": ["red"]}).write_parquet(path)
    with pytest.raises(InputError) as caught:
        read_events(str(path))
    messages = [p.message for p in caught.value.problems]
    assert messages[0] == "column 'id': expected text, got Int64"
    assert messages[1].startswith("column 'colour': not an event field")
    assert messages[2] == "column 'actor': required, and missing"


def test_a_partition_folder_gives_a_column_its_files_lack(tmp_path: Path) -> None:
    folder = tmp_path / "events" / "actor=KAZ"
    folder.mkdir(parents=True)
    pl.DataFrame({"id": ["a"], "date": ["2009"], "type": ["x.y"]}).write_parquet(folder / "part-0.parquet")
    events = read_events(str(tmp_path / "events"))
    assert events.frame["actor"].cast(pl.String).to_list() == ["KAZ"]


def test_unreadable_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "broken.parquet", "not parquet at all")
    status, out, err = run(capsys, "score", path)
    assert (status, out) == (2, "")
    assert err.startswith(f"{path}:1:1: not a readable Parquet file")


def test_convert_refuses_an_existing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "out").mkdir()
    status, _, err = run(capsys, "convert", FIXTURE, "--output", tmp_path / "out")
    assert status == 2 and "exists" in err
    assert list((tmp_path / "out").iterdir()) == [] and [p.name for p in tmp_path.iterdir()] == ["out"]


def test_converted_gdelt_scores_as_the_export_does(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "convert", GDELT, "--output", tmp_path / "gdelt", "--partition-by", "year")
    assert status == 0, err
    assert out == f"{tmp_path / 'gdelt'}: 132 events in 1 Parquet file; skipped rows: {tmp_path / 'gdelt' / '_skipped.parquet'}\n"
    skipped = pl.read_parquet(tmp_path / "gdelt" / "_skipped.parquet")
    assert skipped.height == 182 and set(skipped["reason"]) == {"no actor country"}
    assert pl.read_parquet_metadata(tmp_path / "gdelt" / "_skipped.parquet")["scorer.rows_read"] == "314"
    for command in (["score", "--every", "month"], ["explain"]):
        _, tsv, _ = run(capsys, *command, GDELT, "--rules", "cameo", "--format", "json")
        _, parquet, _ = run(capsys, *command, tmp_path / "gdelt", "--rules", "cameo", "--format", "json")
        expected = json.loads(tsv)
        del expected["skipped"]
        assert json.loads(parquet) == expected


def test_validate_reads_a_parquet_folder_as_events(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "convert", FIXTURE, "--output", tmp_path / "kaz", "--partition-by", "year")
    status, out, _ = run(capsys, "validate", tmp_path / "kaz", tmp_path / "kaz" / "year=2009" / "part-0.parquet")
    assert status == 0
    assert out.splitlines()[0] == f"{tmp_path / 'kaz'}: ok, 16 events"


def test_a_sequence_pack_reads_the_fields_it_joins_on(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`partner` is tested by no rule, only joined on (`same_as`): Parquet must still read it."""
    pack = tmp_path / "pack.yaml"
    pack.write_text(
        "scoring: {axes: [p, m], balance: {plus: p, minus: m}}\n"
        "rules:\n"
        "  - id: after-a\n"
        "    when: {type: b.x}\n"
        "    after: {when: {type: a.x, partner: {same_as: partner}}}\n"
        "    signals: {m: 2}\n"
    )
    events = tmp_path / "events.jsonl"
    rows = [("e1", "2009-01-01", "a.x", "NATO"), ("e2", "2009-02-01", "b.x", "NATO"), ("e3", "2009-03-01", "b.x", "CSTO")]
    events.write_text("".join(json.dumps(dict(zip(("id", "date", "type", "partner"), r, strict=True), actor="KAZ")) + "\n" for r in rows))
    run(capsys, "convert", events, "--output", tmp_path / "events.parquet")
    _, expected, _ = run(capsys, "score", events, "--rules", pack, "--format", "json")
    status, out, err = run(capsys, "score", tmp_path / "events.parquet", "--rules", pack, "--format", "json")
    assert status == 0, err
    assert out == expected
    assert json.loads(out)["actors"]["KAZ"]["final"]["totals"]["m"] == 2


def test_plain_commands_load_neither_dask_nor_pyarrow(tmp_path: Path) -> None:
    """Dask and pyarrow are optional extras: converting and scoring Parquet here must do without them."""
    probe = f"""
import sys
from scorer.cli import main
assert main(["convert", {str(FIXTURE)!r}, "--output", {str(tmp_path / "kaz")!r}, "--partition-by", "year"]) == 0
assert main(["score", {str(tmp_path / "kaz")!r}, "--every", "year", "--format", "json"]) == 0
assert main(["explain", {str(tmp_path / "kaz")!r}, "--format", "json"]) == 0
loaded = sorted(name for name in sys.modules if name.split(".")[0] in ("dask", "distributed", "pyarrow", "pandas"))
assert not loaded, loaded
"""
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]


def test_score_reads_only_the_columns_its_pack_tests(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A bad `partner` value goes unread by `score`, whose pack tests no partner; `explain` reads (and refuses) it."""
    rules = write(tmp_path, "rules.yaml", RULES.split("  - {id: lone")[0])
    path = by_hand(tmp_path, "struct", partner=pl.Series(["NATO", "CS\x01TO", None]))
    status, out, err = run(capsys, "score", path, "--rules", rules, "--format", "json")
    assert status == 0, err
    assert out == run(capsys, "score", write(tmp_path, "events.jsonl", JSONL), "--rules", rules, "--format", "json")[1]
    status, out, err = run(capsys, "explain", path, "--rules", rules)
    assert (status, out) == (2, "")
    assert err.startswith(f"{path}:2:") and "partner" in err


def test_icews_converted_scores_as_the_export_does(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    icews = ROOT / "tests" / "data" / "icews-sample.tab"
    status, _, err = run(capsys, "convert", icews, "--output", tmp_path / "icews.parquet")
    assert status == 0, err
    _, tab, _ = run(capsys, "score", icews, "--rules", "cameo", "--every", "year", "--format", "json")
    _, parquet, _ = run(capsys, "score", tmp_path / "icews.parquet", "--rules", "cameo", "--every", "year", "--format", "json")
    expected = json.loads(tab)
    expected.pop("skipped", None)
    assert expected["actors"] and json.loads(parquet) == expected
