"""GDELT exports as event input: the real daily file, zips, the 2.0 layout, skipped rows and --strict."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import hypothesis.strategies as st
import pytest
from conftest import both_readings, made_odd, models
from hypothesis import given, settings

from scorer.cli import main
from scorer.io.formats import detect
from scorer.io.gdelt import columns as gdelt_columns
from scorer.io.gdelt.read import read_gdelt
from scorer.io.gdelt.rows import row_event
from scorer.io.load import read_events as load
from scorer.io.machine_coded.rows import RowError
from scorer.model.frame import LEFT_OUT
from scorer.model.skipped import Skipped

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "gdelt"
REAL = SHARED / "gdelt1-georgia-2012-08.export.tsv"

needs_real = pytest.mark.skipif(not REAL.exists(), reason="the shared GDELT sample is not beside this checkout")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def real_lines() -> list[list[str]]:
    return [line.split("\t") for line in REAL.read_text(encoding="utf-8").splitlines()]


def to_v2(fields: list[str], url: str = "https://example.org/news/1") -> list[str]:
    """A GDELT 1.0 row (57 or 58 columns) in the 2.0 layout: an ADM2Code per geography, DATEADDED to the second."""
    head, geo = fields[:35], fields[35:56]
    blocks = [geo[i : i + 7] for i in (0, 7, 14)]
    v2 = head + [cell for block in blocks for cell in block[:4] + [""] + block[4:]]
    return v2 + [fields[56] + "000000", url]


@needs_real
def test_every_row_of_the_real_file_is_scored_or_reported(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "score", str(REAL), "--rules", "cameo", "--format", "json")
    assert status == 0
    document = json.loads(out)
    assert document["axes"] == ["west", "russia"]
    scored = [row["event"] for actor in document["actors"].values() for row in actor["timeline"]]
    report = document["skipped"]
    skipped = {item["line"]: item for item in report["rows"]}
    lines = real_lines()
    assert len(scored) + len(skipped) == len(lines) == report["rows_read"] == 1255
    assert report["count"] == len(skipped) and report["by_reason"] == {"no actor country": len(skipped)}
    # Row by row: an event with that row's GLOBALEVENTID, or a skip naming that line, never both.
    ids = set(scored)
    for number, fields in enumerate(lines, start=1):
        assert (fields[0] in ids) != (number in skipped), number
    assert {item["reason"] for item in skipped.values()} == {"no actor country"}
    assert all(item["file"] == str(REAL) and item["col"] >= 1 for item in skipped.values())
    assert f"{len(skipped):,} of 1,255 rows" in err and "no actor country" in err


@needs_real
def test_the_real_file_scores_georgia_toward_both_poles(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "explain", str(REAL), "--rules", "cameo", "--actor", "GEO", "--format", "json")
    assert status == 0
    georgia = json.loads(out)["actors"]["GEO"]
    fired = {m["rule"] for step in georgia["trail"] for m in step["matches"]}
    assert "cameo-07-aid-west" in fired  # Saakashvili -> United States, 072 provide military aid
    aid = next(s for s in georgia["trail"] if s["event"] == "212669794")
    assert aid["matches"] == [
        {
            "rule": "cameo-07-aid-west",
            "axis": "west",
            "weight": 1.0,
            "intensity": 8.3,
            "confidence": 1.0,
            "contribution": 8.3,
        }
    ]
    final = georgia["final"]["totals"]
    assert final["west"] > 0 and final["russia"] < 0


@needs_real
def test_strict_makes_each_skipped_row_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "score", str(REAL), "--rules", "cameo", "--strict")
    assert status == 2 and out == ""
    problems = err.strip().splitlines()
    assert len(problems) == 724
    assert problems[0] == f"{REAL}:1:44: no actor country: the row has no Actor1 (Actor1Code is empty)"


@needs_real
def test_a_zip_is_read_without_unpacking(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    archive = tmp_path / "20120831.export.CSV.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        out.write(REAL, "20120831.export.CSV")
    assert detect(str(archive)) == "gdelt"
    _, plain, _ = run(capsys, "score", str(REAL), "--rules", "cameo", "--format", "json")
    status, zipped, _ = run(capsys, "score", str(archive), "--rules", "cameo", "--format", "json")
    assert status == 0
    plain_doc, zipped_doc = json.loads(plain), json.loads(zipped)
    assert zipped_doc["actors"] == plain_doc["actors"]
    assert zipped_doc["skipped"]["rows"][0]["file"] == f"{archive}/20120831.export.CSV"


@needs_real
def test_gdelt_2_rows_are_read_by_their_layout(tmp_path: Path) -> None:
    rows = real_lines()
    wanted = [fields for fields in rows if fields[7] == "GEO" and fields[17] == "USA"][:3]
    path = tmp_path / "20150218230000.export.CSV"
    path.write_text("".join("\t".join(to_v2(fields)) + "\n" for fields in wanted), encoding="utf-8")
    assert detect(str(path)) == "gdelt"
    reading = read_gdelt(str(path))
    assert reading.rows == 3 and not reading.skipped
    first = reading.events[0]
    assert (first.id, first.actor, first.partner) == (wanted[0][0], "GEO", "USA")
    assert first.source == "https://example.org/news/1"
    assert first.attrs is not None
    assert first.attrs["source_url"] == "https://example.org/news/1"
    assert first.attrs["date_added"] == wanted[0][56] + "000000"
    assert first.intensity == abs(float(wanted[0][30]))


@needs_real
def test_codes_stay_text_and_blocs_are_named() -> None:
    rows = {fields[0]: fields for fields in real_lines()}
    # Actor1 IGOWSTNATLEG: region WST, known group NAT.
    nato = next(f for f in rows.values() if f[5].startswith("IGOWSTNAT"))
    event = row_event(nato, "goldstein")
    assert event.actor == "NATO"
    assert event.type == f"cameo.{nato[26]}" and event.attrs is not None
    assert event.attrs["cameo"] == nato[26] and event.attrs["cameo_root"] == nato[28]
    # CAMEO codes are text: 043 is not 43.
    consult = row_event(next(f for f in rows.values() if f[7] and f[26] == "043"), "goldstein")
    assert consult.type == "cameo.043" and consult.attrs is not None
    assert (consult.attrs["cameo"], consult.attrs["cameo_root"], consult.attrs["quad_class"]) == ("043", "04", 1)
    osce = next(f for f in rows.values() if f[5] == "IGOEURSCE")
    assert row_event(osce, "goldstein").actor == "OSCE"
    # GEO -> GEO is the country toward itself.
    domestic = next(f for f in rows.values() if f[7] == f[17] == "GEO")
    assert row_event(domestic, "goldstein").tags == ["domestic"]


def line(**cells: str) -> list[str]:
    """A GDELT 1.0 row with the given cells (by column index as `c7="GEO"`), the rest plausible."""
    fields = [""] * 58
    fields[0], fields[1] = "300000001", "20140301"
    fields[25:35] = ["1", "043", "043", "04", "1", "2.8", "4", "1", "4", "1.5"]
    fields[5], fields[7] = "GEOGOV", "GEO"
    fields[15], fields[17] = "RUS", "RUS"
    fields[56] = "20140302"
    for name, value in cells.items():
        fields[int(name[1:])] = value
    return fields


def test_cameo_country_codes_that_are_not_iso() -> None:
    assert row_event(line(c7="ROM"), "goldstein").actor == "ROU"
    assert row_event(line(c7="TMP"), "goldstein").actor == "TLS"
    assert row_event(line(c17="WST", c15="WST"), "goldstein").partner == "WEST"
    assert row_event(line(c17="", c15="IGOEUREEC", c18="EEC"), "goldstein").partner == "EU"
    assert row_event(line(c17="", c15="CVL"), "goldstein").partner is None


@pytest.mark.parametrize(
    ("fields", "reason", "col_of"),
    [
        (line()[:40], "wrong column count", 0),
        (line(c1="20140231"), "bad date", 1),
        (line(c26="43"), "bad CAMEO code", 26),
        (line(c26="---"), "bad CAMEO code", 26),
        (line(c7="XYZ"), "unknown country", 7),
        (line(c7="", c5="NGOHLHIRC", c8="IRC"), "no actor country", 7),
        (line(c30="n/a"), "bad number", 30),
        (line(c30="12"), "bad number", 30),
        ([""], "blank line", 0),
    ],
)
def test_rows_that_cannot_be_events_say_why(fields: list[str], reason: str, col_of: int) -> None:
    with pytest.raises(RowError) as caught:
        row_event(fields, "goldstein")
    assert caught.value.reason == reason
    assert caught.value.field == col_of


def test_broken_rows_are_reported_with_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "mixed.export.CSV"
    rows = [line(), line(c0="300000002", c1="2014-03-01"), ["a", "b"], line(c0="300000003", c7="XYZ")]
    path.write_text("".join("\t".join(fields) + "\n" for fields in rows))
    reading = read_gdelt(str(path))
    assert reading.rows == 4 and [e.id for e in reading.events] == ["300000001"]
    assert [(s.line, s.col, s.reason) for s in reading.skipped] == [
        (2, 11, "bad date"),  # SQLDATE starts after "300000002<TAB>"
        (3, 1, "wrong column count"),
        (4, 31, "unknown country"),  # Actor1CountryCode
    ]
    assert str(reading.skipped[0]) == f"{path}:2:11: bad date: SQLDATE is '2014-03-01', not a YYYYMMDD date"


def test_intensity_one_counts_each_event_once(tmp_path: Path) -> None:
    path = tmp_path / "one.export.CSV"
    path.write_text("\t".join(line()) + "\n")
    events = load([str(path)], intensity="one")
    assert [e.intensity for e in models(events)] == [1.0]
    events = load([str(path)])
    assert [e.intensity for e in models(events)] == [2.8]


def test_intensity_applies_to_machine_coded_files_only(capsys: pytest.CaptureFixture[str]) -> None:
    fixture = Path(__file__).resolve().parents[2] / "fixtures" / "kazakhstan-2009.yaml"
    status, _, err = run(capsys, "score", str(fixture), "--intensity", "one")
    assert status == 2 and "--intensity applies to GDELT and ICEWS" in err


def test_hand_coded_and_machine_coded_files_together(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gdelt = tmp_path / "day.export.CSV"
    gdelt.write_text("\t".join(line()) + "\n")
    coded = tmp_path / "coded.jsonl"
    coded.write_text(
        '{"id": "300000001", "date": "2014-03-05", "actor": "GEO", "type": "cameo.043", "partner": "USA"}\n'
    )
    status, _, err = run(capsys, "score", str(gdelt), str(coded), "--rules", "cameo")
    assert status == 2
    assert f"{coded}:1:1: field 'id': duplicate event id '300000001' (first at {gdelt}:1)" in err
    coded.write_text('{"id": "hand-1", "date": "2014-03-05", "actor": "GEO", "type": "cameo.043", "partner": "USA"}\n')
    status, out, _ = run(capsys, "score", str(gdelt), str(coded), "--rules", "cameo", "--format", "json")
    assert status == 0
    timeline = json.loads(out)["actors"]["GEO"]["timeline"]
    assert [row["event"] for row in timeline] == ["300000001", "hand-1"]


def test_hand_coded_output_has_no_skipped_key(capsys: pytest.CaptureFixture[str]) -> None:
    fixture = Path(__file__).resolve().parents[2] / "fixtures" / "kazakhstan-2009.yaml"
    status, out, err = run(capsys, "score", str(fixture), "--format", "json")
    assert status == 0 and err == ""
    assert "skipped" not in json.loads(out)


def test_standard_input_needs_the_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import sys

    data = ("\t".join(line()) + "\n").encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    events = load(["-"], "gdelt")
    assert events.tally is not None and events.tally.rows == 1 and models(events)[0].actor == "GEO"


def test_the_cameo_pack_name_and_a_local_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scorer.pack.bundled import resolve

    assert resolve(None) is None
    assert resolve("rules/x.yaml") == "rules/x.yaml"
    assert Path(str(resolve("cameo")), "00-scoring.yaml").is_file()
    monkeypatch.chdir(tmp_path)
    shutil.copytree(Path(str(resolve("cameo"))), tmp_path / "cameo")
    assert resolve("cameo") == "cameo"


# --- read by columns, read row by row: the same -------------------------------

_CELLS = {  # column: values a careless or odd export may hold there
    0: ["300000009", "00042", "12a", "", " 7", "1" * 19],
    1: ["20140301", "20140231", "2014030", "", "20140301 "],
    5: ["GEOGOV", "GEOGOV ", "", "IGOWSTNAT", "NGOHLHIRC", 'A"B', "a\\b", "Ünï"],
    6: ["GEORGIA", "", "SAAKASHVILI", " LEAD", "LEAD ", "X" * 1001, "TAB\x0bX", "é", "DEL\x7f"],
    7: ["GEO", "", "XYZ", "ROM", "WST", "geo"],
    8: ["", "NAT", "IRC", "EEC"],
    15: ["RUS", "", "IGOEUREEC", "CVL"],
    16: ["RUSSIA", "", "PUTIN"],
    17: ["RUS", "", "GEO", "WST", "QQQ"],
    18: ["", "EEC", "NAT"],
    25: ["1", "0", "2", "x"],
    26: ["043", "43", "190", "---", "0431", "20"],
    29: ["1", "4", "5", "0", "x"],
    30: ["2.8", "-10", "10.5", "n/a", "1e-05", "-0.0", "3"],
    31: ["4", "004", "x", "-1", "9" * 19],
    34: ["1.5", "-3.456789", "1e-07", "abc", "inf", "nan", "100"],
    56: ["20140302", "", " 2014"],
    57: ["http://x.org/a", "", 'http://x.org/"q"', "http://x.org/" + "a" * 990, "http://x.org/ü"],
}


def _both_readings(text: str) -> None:
    both_readings(text.encode("utf-8"), "rows.export.CSV", read_gdelt, LEFT_OUT)


@pytest.mark.parametrize("v2", [False, True])
def test_each_odd_cell_reads_the_same_by_columns(v2: bool) -> None:
    rows = [
        line(**{f"c{column}": value, "c0": str(300000100 + i)})
        for i, (column, value) in enumerate((column, value) for column, values in _CELLS.items() for value in values)
    ]
    rows += [line(c0="300000001", c7="", c5="", c8="")]  # no Actor1 at all
    _both_readings("".join("\t".join(to_v2(r) if v2 else r) + "\n" for r in rows))


@pytest.mark.slow
@settings(max_examples=120, deadline=None)
@given(
    rows=st.lists(
        st.lists(st.tuples(st.sampled_from(sorted(_CELLS)), st.integers(0, 9)), max_size=4),
        min_size=1,
        max_size=12,
    ),
    odd=st.sampled_from([None, "blank", "short", "crlf", "no newline", "v2"]),
)
def test_rows_read_by_columns_are_the_rows_read_one_by_one(rows: list[list[tuple[int, int]]], odd: str | None) -> None:
    lines = []
    for i, changes in enumerate(rows):
        fields = line(c0=str(300000100 + i))
        for column, pick in changes:
            values = _CELLS[column]
            fields[column] = values[pick % len(values)]
        lines.append("\t".join(to_v2(fields) if odd == "v2" else fields))
    _both_readings(made_odd("\n".join(lines) + "\n", odd))


@needs_real
def test_the_real_file_is_read_by_columns() -> None:
    frame, skips, slow = gdelt_columns.block(REAL.read_bytes(), 1, str(REAL), "goldstein") or (None, [], [0])
    assert frame is not None and (frame.height, len(skips), slow) == (531, 724, [])
    one_by_one = read_gdelt(str(REAL), by_columns=False)
    found = Skipped()
    found.extend(skips)
    assert frame.equals(one_by_one.frame) and found == one_by_one.skipped


def test_blank_lines_are_counted_not_kept(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    row = "\t".join(line()) + "\n"
    path = tmp_path / "blank.export.CSV"
    path.write_text("\n" + row + "\r\n" * 3 + "\n" * 200_000 + row.replace("300000001", "300000002") + "\n\n")
    reading = read_gdelt(str(path))
    assert (reading.rows, reading.frame.height, len(reading.skipped), reading.skipped.blank) == (200_008, 2, 0, 200_006)
    assert reading.frame["line"].to_list() == [2, 200_006]
    status, out, err = run(capsys, "score", str(path), "--rules", "cameo", "--format", "json", "--strict")
    assert status == 0
    report = json.loads(out)["skipped"]
    assert report == {"rows_read": 200_008, "count": 0, "blank_lines": 200_006, "by_reason": {}, "rows": []}
    assert "200,006 blank lines" in err


def test_blank_lines_keep_the_lines_of_skipped_rows(tmp_path: Path) -> None:
    rows = [line(), line(c0="300000002", c7="", c5="", c8=""), line(c0="300000003", c1="2014-03-01")]
    path = tmp_path / "rows.export.CSV"
    path.write_text("\n\n".join("\t".join(r) for r in rows) + "\n")
    reading = read_gdelt(str(path))
    assert [(s.line, s.reason) for s in reading.skipped] == [(3, "no actor country"), (5, "bad date")]
    assert reading.frame["line"].to_list() == [1] and reading.skipped.blank == 2


def test_a_zip_that_expands_too_far_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    archive = tmp_path / "bomb.export.CSV.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("bomb.export.CSV", "\t".join(line()) + "\n" + "\n" * 3_000_000)
    assert archive.stat().st_size < 10_000
    status, out, err = run(capsys, "score", str(archive), "--rules", "cameo", "--format", "json")
    assert (status, out) == (2, "")
    assert err.startswith(f"{archive}/bomb.export.CSV:1:1: zip member expands to more than ") and "zip bomb" in err


SAMPLE = Path(__file__).resolve().parents[1] / "data" / "gdelt-sample.tsv"  # (in the repository: every clone has it)


def test_a_score_reads_no_text_or_attributes_its_pack_does_not_test(capsys: pytest.CaptureFixture[str]) -> None:
    import scorer
    from scorer.report.json import document, to_json

    pack = scorer.load_pack("cameo")
    lean = load(str(SAMPLE), columns=scorer.tested_fields(pack))
    full = load(str(SAMPLE))
    assert lean.frame.height == full.frame.height
    tested = scorer.tested_fields(pack)
    assert "tags" in tested and "summary" not in tested and "attrs" not in tested  # (the pack's `domestic` rules)
    assert lean.frame["tags"].equals(full.frame["tags"])
    for name in ("summary", "source", "attrs"):
        assert lean.frame[name].null_count() == lean.frame.height
    assert full.frame["summary"].null_count() == full.frame["attrs"].null_count() == 0
    assert lean.frame.drop("summary", "source", "tags", "attrs").equals(full.frame.drop("summary", "source", "tags", "attrs"))
    assert to_json(document(scorer.score(lean, pack, every="month"))) == to_json(document(scorer.score(full, pack, every="month")))
    # And so does the command, which reads a file for what the pack tests:
    assert main(["score", str(SAMPLE), "--rules", "cameo", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["actors"] == json.loads(to_json(document(scorer.score(full, pack))))["actors"]
