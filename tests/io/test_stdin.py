"""Standard input read as the file it holds would be: told by its first bytes, whatever its length."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from scorer.io.load import read_events

DATA = Path(__file__).resolve().parents[1] / "data"
GDELT = Path(__file__).resolve().parents[3] / "shared" / "data" / "gdelt" / "gdelt1-georgia-2012-08.export.tsv"


def from_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> object:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    return read_events("-")


def same_events(a: object, b: object) -> None:
    left, right = a.frame.drop("file"), b.frame.drop("file")  # type: ignore[attr-defined]
    assert left.equals(right)
    assert a.tally.rows == b.tally.rows  # type: ignore[attr-defined]


def test_icews_on_standard_input_is_read_as_icews(monkeypatch: pytest.MonkeyPatch) -> None:
    path = DATA / "icews-sample.tab"
    same_events(from_stdin(monkeypatch, path.read_bytes()), read_events(str(path)))


@pytest.mark.skipif(not GDELT.exists(), reason="the shared GDELT sample is not beside this checkout")
def test_gdelt_on_standard_input_is_read_as_gdelt(monkeypatch: pytest.MonkeyPatch) -> None:
    same_events(from_stdin(monkeypatch, GDELT.read_bytes()), read_events(str(GDELT)))
