"""Targets for calibration: `actor,date,value` CSV and Voeten's UN General Assembly file."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write

from scorer.io.targets import read_targets, session_end
from scorer.problems import InputError

HEADER = (
    '"","ccode","session","NVotesAll","IdealPointAll","QO%All","Q5%All","Q10%All","Q50%All","Q90%All","Q95%All",'
    '"Q100%All","iso3c","Countryname","USAgree","RUSSAgree","BrazilAgree","ChinaAgree","IndiaAgree","IsraelAgree"'
)
ROWS = [
    '"1",345,63,70,0.82,0.1,0.2,0.3,0.8,1.1,1.2,1.5,"YUG","Serbia",0.2,0.7,NA,NA,NA,NA',
    '"2",705,63,70,-0.2,0.1,0.2,0.3,0.8,1.1,1.2,1.5,"KAZ","Kazakhstan",0.1,0.82,NA,NA,NA,NA',
    '"3",705,64,70,NA,0.1,0.2,0.3,0.8,1.1,1.2,1.5,"KAZ","Kazakhstan",NA,0.8,NA,NA,NA,NA',
]
PANEL = Path(__file__).resolve().parents[2] / "fixtures" / "panel" / "unga-extract.csv"


def test_unga_rows_are_dated_at_the_end_of_their_session(tmp_path: Path) -> None:
    path = write(tmp_path, "unga.csv", "\n".join([HEADER, *ROWS]) + "\n")
    found = read_targets(str(path), "unga")
    assert found.what == "USAgree - RUSSAgree"
    assert [(t.actor, t.date, round(t.value, 9), t.line) for t in found.rows] == [
        ("SRB", "2009-08-31", -0.5, 2),  # Serbia is YUG in the file
        ("KAZ", "2009-08-31", -0.72, 3),  # session 64's values are NA
    ]
    column = read_targets(str(path), "unga", "IdealPointAll")
    assert [t.value for t in column.rows] == [0.82, -0.2]
    assert session_end(63).isoformat() == "2009-08-31" and session_end(1).isoformat() == "1947-08-31"


def test_the_committed_extract_is_the_panels_countries() -> None:
    found = read_targets(str(PANEL), "unga")
    assert {t.actor for t in found.rows} == {"FIN", "HUN", "IND", "KAZ", "MNG", "SRB", "SWE", "TUR"}
    assert min(t.date for t in found.rows) == "1994-08-31" and max(t.date for t in found.rows) == "2024-08-31"


def test_plain_csv(tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", "actor,date,value,other\nKAZ,2009,1.5,x\nFIN,2010-05-01,-2,y\n\nSWE,2011-03,NA,z\n")
    found = read_targets(str(path))
    assert [(t.actor, t.date, t.value) for t in found.rows] == [("KAZ", "2009", 1.5), ("FIN", "2010-05-01", -2.0)]
    assert read_targets(str(path), column="value").what == "value"


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ("actor,when,value\nKAZ,2009,1\n", ":1:1:", "no column 'date'"),
        ("actor,date,value\nKAZ,2009-02-30,1\n", ":2:2:", "field 'date'"),
        ("actor,date,value\nKAZ,2009,inf\n", ":2:3:", "not a finite number"),
        ("actor,date,value\n,2009,1\n", ":2:1:", "field 'actor': empty"),
        ("actor,date,value\nKAZ,2009\n", ":2:1:", "expected 3 cells, found 2"),
        ("", ":1:1:", "the target file is empty"),
    ],
)
def test_bad_targets_are_located(tmp_path: Path, text: str, where: str, words: str) -> None:
    path = write(tmp_path, "t.csv", text)
    with pytest.raises(InputError) as caught:
        read_targets(str(path))
    message = str(caught.value.problems[0])
    assert message.startswith(f"{path}{where} ") and words in message, message


def test_a_missing_unga_column_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "unga.csv", "\n".join([HEADER, *ROWS]) + "\n")
    with pytest.raises(InputError, match="no column 'IdealPoint'"):
        read_targets(str(path), "unga", "IdealPoint")
