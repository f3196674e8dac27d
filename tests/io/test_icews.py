"""ICEWS event files as event input: the published layout, country names, blocs by name."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import hypothesis.strategies as st
import pytest
from conftest import both_readings, made_odd
from hypothesis import given, settings

from scorer.cli import main
from scorer.io.formats import detect
from scorer.io.icews import columns as icews_columns
from scorer.io.icews.read import read_icews
from scorer.io.icews.rows import read_header
from scorer.io.machine_coded.countries import bloc_named, country_named
from scorer.problems import InputError

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "icews-sample.tab"
# Rows of a real ICEWS day (2018-06-02) as published, NA and all, then six rows in the
# same layout (Event IDs 90000001-6) for the blocs of Central Asia that day lacks.
NA_SAMPLE = Path(__file__).resolve().parents[1] / "data" / "icews-na-sample.tab"


def test_the_sample_scores_with_every_row_accounted_for(capsys: pytest.CaptureFixture[str]) -> None:
    assert detect(str(SAMPLE)) == "icews"
    status = main(["score", str(SAMPLE), "--rules", "cameo", "--format", "json"])
    out, err = capsys.readouterr()
    assert status == 0
    document = json.loads(out)
    rows = SAMPLE.read_text(encoding="utf-8").splitlines()[1:]
    scored = [row["event"] for actor in document["actors"].values() for row in actor["timeline"]]
    assert len(scored) + document["skipped"]["count"] == document["skipped"]["rows_read"] == len(rows) == 21
    assert [(s["line"], s["reason"]) for s in document["skipped"]["rows"]] == [
        (12, "no actor country"),  # "Armed Gang", no country
        (22, "unknown country"),  # "Bavaria" is not a country
    ]
    assert "2 of 21 rows" in err
    georgia = document["actors"]["GEO"]["final"]["totals"]
    # 057 +8.0, 036 +4.0, 043 +2.8, 0231 +3.4, 041 +1.0 toward the West;
    # 120 -4.0, 141 -6.5, 112 -2.0 toward Russia (its military counts as Russia).
    assert georgia == pytest.approx({"west": 19.2, "russia": -12.5})


def test_rows_become_events_of_the_source_toward_the_target() -> None:
    reading = read_icews(str(SAMPLE))
    by_id = {event.id: event for event in reading.events}
    sign = by_id["21765840@2014-06-27"]
    assert (sign.actor, sign.partner, sign.type, sign.intensity) == ("GEO", "EU", "cameo.057", 8.0)
    assert sign.attrs is not None and sign.attrs["goldstein"] == 8.0 and sign.attrs["quad_class"] == 1
    assert sign.summary == "Irakli Garibashvili -> European Union: Sign formal agreement"
    assert sign.source == "Agence France-Presse, story 30473918"
    # The same Event ID on another date is another event.
    assert by_id["21765840@2014-07-02"].partner == "DEU"
    assert by_id["21772877@2014-06-29"].actor == "CSTO"
    assert by_id["21773105@2014-06-30"].type == "cameo.1312"
    assert by_id["21773105@2014-06-30"].partner == "MDA"
    assert by_id["21773220@2014-06-30"].actor == "MKD"
    assert by_id["21774017@2014-07-01"].tags == ["domestic"]
    assert by_id["21774015@2014-07-01"].partner is None


def test_country_names_map_to_iso_codes() -> None:
    assert country_named("Russian Federation") == "RUS"
    assert country_named("russia") == "RUS"
    assert country_named("Moldova, Republic of") == "MDA"
    assert country_named("Occupied Palestinian Territory") == "PSE"
    assert country_named("Democratic Republic of Congo") == "COD"
    assert country_named("Congo") == "COG"
    assert country_named("Cote d'Ivoire") == country_named("Côte d'Ivoire") == "CIV"
    assert country_named("Kosovo") == "XKX"
    assert country_named("Bavaria") is None
    assert bloc_named("North Atlantic Treaty Organization") == "NATO"
    assert bloc_named("Shanghai Cooperation Organisation") == "SCO"


def test_every_un_member_has_a_code() -> None:
    # The 193 UN member states, by their ISO codes.
    members = """AFG ALB DZA AND AGO ATG ARG ARM AUS AUT AZE BHS BHR BGD BRB BLR BEL BLZ BEN BTN BOL BIH BWA BRA BRN
    BGR BFA BDI CPV KHM CMR CAN CAF TCD CHL CHN COL COM COG CRI CIV HRV CUB CYP CZE PRK COD DNK DJI DMA DOM ECU EGY
    SLV GNQ ERI EST SWZ ETH FJI FIN FRA GAB GMB GEO DEU GHA GRC GRD GTM GIN GNB GUY HTI HND HUN ISL IND IDN IRN IRQ
    IRL ISR ITA JAM JPN JOR KAZ KEN KIR KWT KGZ LAO LVA LBN LSO LBR LBY LIE LTU LUX MDG MWI MYS MDV MLI MLT MHL MRT
    MUS MEX FSM MCO MNG MNE MAR MOZ MMR NAM NRU NPL NLD NZL NIC NER NGA MKD NOR OMN PAK PLW PAN PNG PRY PER PHL POL
    PRT QAT KOR MDA ROU RUS RWA KNA LCA VCT WSM SMR STP SAU SEN SRB SYC SLE SGP SVK SVN SLB SOM ZAF SSD ESP LKA SDN
    SUR SWE CHE SYR TJK THA TLS TGO TON TTO TUN TUR TKM TUV UGA UKR ARE GBR TZA USA URY UZB VUT VEN VNM YEM ZMB ZWE"""
    codes = members.split()
    assert len(codes) == 193
    assert all(country_named(code) == code for code in codes)


def test_a_zipped_icews_file(tmp_path: Path) -> None:
    archive = tmp_path / "events.2014.20150313084929.tab.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        out.write(SAMPLE, "events.2014.20150313084929.tab")
    assert detect(str(archive)) == "icews"
    reading = read_icews(str(archive))
    assert reading.rows == 21 and len(reading.events) == 19
    assert reading.skipped[0].file == f"{archive}/events.2014.20150313084929.tab"


def test_na_is_a_missing_value_and_an_organisation_is_named() -> None:
    reading = read_icews(str(NA_SAMPLE))
    by_id = {event.id.split("@")[0]: event for event in reading.events}
    sides = {key: (by_id[key].actor, by_id[key].partner) for key in by_id}
    assert sides["32896394"] == ("CAN", "EU")
    assert sides["32899864"] == ("NOR", "NATO")
    assert sides["32896467"] == ("USA", "UN")
    assert sides["32896850"] == ("EU", "USA")
    assert sides["32897339"] == ("EU", "HRV"), "a body of a bloc is the bloc"
    assert sides["32897430"] == ("EU", "SDN")
    assert sides["32894887"] == ("IRL", None), "an unspecified target is no partner"
    assert sides["90000001"] == ("KAZ", "SCO")
    assert sides["90000002"] == ("KAZ", "CSTO")
    assert sides["90000003"] == ("KGZ", "EAEU")
    assert sides["90000004"] == ("CSTO", "CIS")
    assert sides["90000005"] == ("CIS", "KAZ")
    # NA in any other cell is no value either.
    assert by_id["32899864"].attrs is not None and by_id["32896850"].attrs is not None
    assert "target_sectors" not in by_id["32896850"].attrs and by_id["32896850"].source.startswith("Dow Jones")
    assert all("NA" not in (e.attrs or {}).values() for e in reading.events)
    skipped = [(skip.line, skip.reason, skip.detail) for skip in reading.skipped]
    assert [reason for _, reason, _ in skipped] == ["no actor country"] * 5
    assert skipped[0] == (17, "no actor country", "Source Country is NA and Source Name 'Southeast Asia' is not a known bloc")
    assert reading.rows == 41


def test_the_na_sample_is_read_by_columns_as_row_by_row() -> None:
    _both_readings(NA_SAMPLE.read_text(encoding="utf-8"))


def test_a_header_without_the_needed_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "events.tab"
    path.write_text("Event ID\tEvent Date\tSource Name\n1\t2014-01-01\tX\n")
    with pytest.raises(InputError) as caught:
        read_icews(str(path))
    assert str(caught.value).startswith(f"{path}:1:1: not an ICEWS header: no column 'Source Country'")


# --- read by columns, read row by row: the same -------------------------------

HEADER = SAMPLE.read_text(encoding="utf-8").splitlines()[0].split("\t")
BASE = SAMPLE.read_text(encoding="utf-8").splitlines()[1].split("\t")
_CELLS = {  # column: values a careless or odd export may hold there
    "Event ID": ["21765899", "", " 7", "x" * 995, "é1"],
    "Event Date": ["2014-06-27", "20140627", "2014-02-30", "27/06/2014", "2014-06-27 "],
    "Source Name": [
        "Irakli Garibashvili",
        "",
        "North Atlantic Treaty Organization",
        "Recep Tayyip Erdoğan",
        "A\x85B",
        "Ä'\"b",
        "Putin\u00a0",
        "A\x86B",
        "NA",
        "Ministry (European Union)",
        "Shanghai Cooperation Organization",
    ],
    "Source Sectors": ["", "NA", "Executive", 'x"y\\z', "Ünï", "s" * 1001],
    "Source Country": ["Georgia", "NA", "", "Atlantis", "Russian Federation", "georgia", "Georgia\u00a0"],
    "Event Text": ["Sign formal agreement", "", "Ça va", "bad\x01", "C1\x90", "\uffff"],
    "CAMEO Code": ["057", "57", "190", "---", ""],
    "Intensity": ["8.0", "-10", "10.5", "x", "1e-05", "-0.0", ""],
    "Target Name": ["European Union", "", "NA", "Vladimir Putin", "Collective Security Treaty Organization"],
    "Target Country": ["", "NA", "Georgia", "Atlantis", "Russian Federation", " NA"],
    "Story ID": ["30473918", "", "0042", "x\u2028y"],
    "Sentence Number": ["1", "NA", "", "007", "x", "٣", "9" * 19],
    "Publisher": ["Agence France-Presse", "NA", "", "Reuters ", "\ufeffBOM", "p" * 1000],
}


def _both_readings(data: str | bytes) -> None:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    both_readings(raw, "events.2014.tab", read_icews)


def _row(i: int, **cells: str) -> str:
    fields = list(BASE)
    fields[0] = str(21765900 + i)
    for column, value in cells.items():
        fields[HEADER.index(column)] = value
    return "\t".join(fields)


def test_each_odd_cell_reads_the_same_by_columns() -> None:
    pairs = [(column, value) for column, values in _CELLS.items() for value in values]
    rows = [_row(n, **{column: value}) for n, (column, value) in enumerate(pairs)]
    _both_readings("\t".join(HEADER) + "\n" + "\n".join(rows) + "\n")


def test_the_sample_is_read_by_columns() -> None:
    lines = SAMPLE.read_bytes().split(b"\n", 1)
    header = read_header(lines[0].decode().split("\t"), "x")
    frame, skips, slow = icews_columns.block(lines[1], 2, "x", header, "goldstein") or (None, [], [0])
    assert frame is not None and frame.height + len(skips) + len(slow) == 21
    _both_readings(SAMPLE.read_text(encoding="utf-8"))


@pytest.mark.slow
@settings(max_examples=100, deadline=None)
@given(
    rows=st.lists(
        st.lists(st.tuples(st.sampled_from(sorted(_CELLS)), st.integers(0, 9)), max_size=4), min_size=1, max_size=10
    ),
    odd=st.sampled_from([None, "blank", "short", "crlf", "no newline", "latin-1"]),
)
def test_rows_read_by_columns_are_the_rows_read_one_by_one(rows: list[list[tuple[str, int]]], odd: str | None) -> None:
    lines = []
    for n, changes in enumerate(rows):
        cells = {column: _CELLS[column][pick % len(_CELLS[column])] for column, pick in changes}
        lines.append(_row(n, **cells))
    text = made_odd("\t".join(HEADER) + "\n" + "\n".join(lines) + "\n", odd, blank_at=2)
    if odd == "latin-1":
        _both_readings(text.encode("utf-8") + _row(99, **{"Source Name": "Jos\xe9"}).encode("latin-1") + b"\n")
        return
    _both_readings(text)
