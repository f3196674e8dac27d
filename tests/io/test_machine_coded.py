"""What the GDELT and ICEWS readers share: events built without validating again are the validated ones."""

from __future__ import annotations

from typing import Any

import hypothesis.strategies as st
import polars as pl
import pytest
from hypothesis import given, settings
from pydantic import ValidationError

from scorer.io.machine_coded import rows as machine
from scorer.io.machine_coded.rows import RowError
from scorer.model.event import Event
from scorer.model.frame import SCHEMA

# Text as a row reader copies it from a file: mostly plain, sometimes hostile, sometimes at the length cap.
_text = st.one_of(
    st.text(st.characters(exclude_categories=["Cs"]), max_size=8),
    st.sampled_from(["KAZ", "NATO", "a\x1bb", "x\x7f", "\x85", "\ufffe", "tab\there", "line\nbreak", ""]),
    st.integers(998, 1002).map(lambda n: "x" * n),
)
_number = st.one_of(
    st.floats(-2, 12), st.sampled_from([0.0, 1.0, -0.0, float("nan"), float("inf"), -1.0, 1.5]), st.integers(0, 3)
)
_fields = {
    "id": _text,
    "date": st.sampled_from(["2012-08-07", "2012-02-30", "2012", "2012-08", "20120807"]) | _text,
    "actor": _text,
    "type": st.sampled_from(["cameo.043", "cameo.1", "Cameo.043", "cameo..1"]) | _text,
    "partner": st.none() | _text,
    "intensity": _number,
    "confidence": _number,
    "summary": st.none() | _text,
    "source": st.none() | _text,
    "tags": st.none() | st.lists(_text, max_size=2),
    "attrs": st.none() | st.dictionaries(_text, _text | _number | st.booleans(), max_size=3),
}
# What a GDELT row makes, with one to three values drawn from the above instead.
_BASE: dict[str, Any] = {
    "id": "300000001",
    "date": "2012-08-07",
    "actor": "GEO",
    "type": "cameo.043",
    "partner": "RUS",
    "intensity": 2.8,
    "confidence": 1.0,
    "summary": "GEORGIA -> RUSSIA: Host a visit",
    "source": "http://example.org/a",
    "quote": None,
    "tags": None,
    "attrs": {"cameo": "043", "goldstein": 2.8, "mentions": 4, "root_event": True},
}
_values = st.lists(st.sampled_from(sorted(_fields)), min_size=1, max_size=3, unique=True).flatmap(
    lambda names: st.fixed_dictionaries({name: _fields[name] for name in names}).map(lambda drawn: _BASE | drawn)
)


@pytest.mark.slow
@settings(max_examples=600, deadline=None)
@given(values=_values)
def test_an_event_a_reader_makes_is_the_one_pydantic_validates(values: dict[str, Any]) -> None:
    try:
        expected = Event.model_validate(values)
    except ValidationError:
        assert not machine._plain(values)
        with pytest.raises(RowError):
            machine.event(**values)
        return
    made = machine.event(**values)
    assert made == expected
    assert made.model_dump() == expected.model_dump()


def test_blocks_read_by_columns_are_kept_in_few_chunks() -> None:
    reading = machine.Reading()
    parts = []
    for i in range(20):  # a block's events each, already columns
        part = pl.DataFrame({name: pl.Series([None] * 3, dtype=dtype) for name, dtype in SCHEMA.items()})
        parts.append(part.with_columns(pl.Series("line", [3 * i + 1, 3 * i + 2, 3 * i + 3], dtype=pl.Int32)))
        reading.add_frame(parts[-1])
    assert reading.frame.equals(pl.concat(parts))
    assert reading.frame["line"].n_chunks() <= 20 // 8 + 20 % 8  # the blocks made one eight at a time


_pair = st.tuples(st.sampled_from(["a", "b", "c", ""]), st.sampled_from(["x", "y"]))


@given(blocks=st.lists(st.lists(_pair, max_size=8), max_size=5))
@settings(max_examples=80, deadline=None)
def test_a_lookup_works_each_value_out_once_and_gives_each_row_its_own(blocks: list[list[tuple[str, str]]]) -> None:
    """Blocks looked up one after another with what earlier blocks found (`known`): each row gets `work` of
    its own cells (a RowError as REFUSED, None as NONE), and `work` is asked once per distinct pair over
    all the blocks, however many blocks hold it; what is known holds each pair once."""
    from scorer.io.machine_coded.columns import NONE, REFUSED, lookup

    asked: list[tuple[str, str]] = []

    def work(fields: list[str]) -> str | None:
        asked.append((fields[1], fields[2]))
        if fields[1] == "c":
            raise RowError("no", "Cell", 1)
        return None if fields[1] == "" else fields[1] + fields[2]

    known: dict[str, pl.DataFrame] = {}
    for rows in blocks:
        cells = {"f0": ["0"] * len(rows), "f1": [a for a, _ in rows], "f2": [b for _, b in rows]}
        table = pl.DataFrame(cells, schema=dict.fromkeys(cells, pl.String))
        found = lookup(table, [1, 2], work, known, "pairs").to_list()
        assert found == [REFUSED if a == "c" else NONE if a == "" else a + b for a, b in rows]
    assert sorted(asked) == sorted({pair for rows in blocks for pair in rows})
    if "pairs" in known:
        assert known["pairs"].select("f1", "f2").is_unique().all()
