"""ICEWS event files as event input: the published layout, country names, blocs by name."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from scorer.cli import main
from scorer.countries import bloc_named, country_named
from scorer.icews import read_icews
from scorer.problems import InputError
from scorer.readers import detect

SAMPLE = Path(__file__).resolve().parent / "data" / "icews-sample.tab"


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


def test_a_header_without_the_needed_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "events.tab"
    path.write_text("Event ID\tEvent Date\tSource Name\n1\t2014-01-01\tX\n")
    with pytest.raises(InputError) as caught:
        read_icews(str(path))
    assert str(caught.value).startswith(f"{path}:1:1: not an ICEWS header: no column 'Source Country'")
