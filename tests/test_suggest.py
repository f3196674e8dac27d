"""Suggestions for mistyped names: edit distance, case, other spellings, dotted families."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from scorer.suggest import closest, did_you_mean, distance, hint


def test_distance_counts_inserts_deletes_replacements_and_swaps() -> None:
    assert distance("kitten", "sitting") == 3
    assert distance("partnr", "partner") == 1
    assert distance("ab", "ba") == 1
    assert distance("", "abc") == 3
    assert distance("abcdef", "uvwxyz", limit=2) == 3


@given(st.text(max_size=8), st.text(max_size=8))
def test_distance_is_symmetric_and_zero_only_for_the_same_word(a: str, b: str) -> None:
    assert distance(a, b) == distance(b, a)
    assert (distance(a, b) == 0) == (a == b)


def test_the_nearest_names_come_first() -> None:
    assert closest("membership.joins", ["membership.join", "membership.suspend"]) == ["membership.join"]
    assert closest("arms.buy", ["arms.acquire", "arms.reduce_dependence", "exercise.join"]) == ["arms.acquire"]
    assert closest("rus", ["RUS", "RWA", "BLR"]) == ["RUS"]
    assert closest("Russia", ["RUS"], aliases={"russia": "RUS"}) == ["RUS"]
    assert closest("zzzzzz", ["RUS", "KAZ"]) == []


def test_messages_end_with_the_suggestion_only_when_there_is_one() -> None:
    assert did_you_mean("scor", ["score", "explain"]) == "did you mean 'score'?"
    assert hint("unknown command 'scor'", "scor", ["score"]) == "unknown command 'scor'; did you mean 'score'?"
    assert hint("unknown command 'zzz'", "zzz", ["score"]) == "unknown command 'zzz'"
