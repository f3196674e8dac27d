"""What reports call an event: CAMEO acts by name, hand-coded events by their ids."""

from __future__ import annotations

from scorer.report.labels import act, event_label, happened, labels_by_id


def test_cameo_types_are_named_by_the_codebook() -> None:
    assert happened("cameo.042") == "042 Make a visit"
    assert happened("cameo.04") == "04 Consult"  # a root, written in capitals in the codebook
    assert happened("cameo.0429") is not None  # a code the table lacks is named by its root
    assert happened("membership.join") is None
    assert happened("cameo.999") is None


def test_an_event_is_labelled_by_who_did_what_to_whom_and_when() -> None:
    assert event_label("213760511", "GEO", "RUS", "cameo.042", "2012-08-14") == "GEO -> RUS 042 Make a visit, 2012-08-14"
    assert event_label("e1", "GEO", None, "cameo.010", "2012-08") == "GEO 010 Make statement, not specified below, 2012-08"
    assert event_label("kaz-1994-05-pfp", "KAZ", "NATO", "membership.join", "1994-05") == "kaz-1994-05-pfp"
    assert act(None, "USA", "cameo.072") == "-> USA 072 Provide military aid"
    assert labels_by_id({"a": ("GEO", "USA", "cameo.043", "2012-08-21")}) == {"a": "GEO -> USA 043 Host a visit, 2012-08-21"}
