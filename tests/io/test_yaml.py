"""YAML as analysts write it: YAML 1.2 scalars, positions of every value, hostile documents refused."""

from __future__ import annotations

import math
import time

import pytest

from scorer.io.yaml import load_yaml
from scorer.problems import InputError


def data(text: str) -> object:
    return load_yaml(text, "f.yaml").data


def problems(text: str) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_yaml(text, "f.yaml")
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(
    "text",
    ["NO", "no", "No", "yes", "Yes", "on", "OFF", "y", "n"],
)
def test_yaml_1_1_booleans_stay_text(text: str) -> None:
    # Norway's ISO code and the old YAML 1.1 yes/no words are names, not booleans.
    assert data(f"a: {text}\n") == {"a": text}


@pytest.mark.parametrize("text", ["2009-04-21", "2009-04", "2009-04-21 10:00:00", "2009-04-21T10:00:00Z"])
def test_dates_and_timestamps_stay_as_written(text: str) -> None:
    assert data(f"a: {text}\n") == {"a": text}


@pytest.mark.parametrize("text", ["012", "00", "0012.5", "0x1F", "0o17", "1_000", "1:30", "+012"])
def test_leading_zeros_octal_hex_and_sexagesimal_stay_text(text: str) -> None:
    # CAMEO codes such as `012` must not turn into 12 (or 10, as octal).
    assert data(f"a: {text}\n") == {"a": text}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", 0),
        ("-0", 0),
        ("42", 42),
        ("+5", 5),
        ("-17", -17),
        ("1.5", 1.5),
        ("-0.25", -0.25),
        (".5", 0.5),
        ("1.", 1.0),
        ("1e3", 1000.0),
        ("2.5E-1", 0.25),
    ],
)
def test_numbers_by_the_core_schema(text: str, expected: float) -> None:
    value = data(f"a: {text}\n")["a"]  # type: ignore[index]
    assert value == expected
    assert not isinstance(value, bool)
    assert isinstance(value, int) == isinstance(expected, int)


def test_booleans_nulls_and_infinities() -> None:
    loaded = data("a: true\nb: False\nc: TRUE\nd: null\ne: ~\nf:\ng: .inf\nh: -.Inf\ni: .nan\n")
    assert isinstance(loaded, dict)
    assert loaded["a"] is True and loaded["b"] is False and loaded["c"] is True
    assert loaded["d"] is None and loaded["e"] is None and loaded["f"] is None
    assert loaded["g"] == math.inf and loaded["h"] == -math.inf
    assert math.isnan(loaded["i"])


def test_quoted_scalars_are_always_text() -> None:
    assert data("a: 'true'\nb: \"12\"\nc: '2009'\n") == {"a": "true", "b": "12", "c": "2009"}


def test_positions_of_values_and_keys_are_one_based() -> None:
    located = load_yaml("top:\n  - id: x\n    when: {type: a}\n", "f.yaml")
    assert located.where(("top", 0, "id")) == (2, 9)
    assert located.where(("top", 0, "id"), key=True) == (2, 5)
    assert located.where(("top", 0, "when", "type")) == (3, 18)
    # A path that is not in the document falls back to its nearest parent.
    assert located.where(("top", 0, "missing")) == (2, 5)


def test_duplicate_key_is_a_problem_with_line_and_column() -> None:
    assert problems("a: 1\nb: 2\na: 3\n") == ["f.yaml:3:1: duplicate key 'a' (first at line 1)"]


def test_duplicate_key_in_a_nested_mapping() -> None:
    found = problems("rules:\n  - id: x\n    signals: {nato: 1, nato: 2}\n")
    assert len(found) == 1
    assert found[0].startswith("f.yaml:3:24: duplicate key 'nato'")


def test_every_duplicate_key_is_reported() -> None:
    found = problems("a: 1\na: 2\nb: 1\nb: 2\n")
    assert [p.split(": ")[0] for p in found] == ["f.yaml:2:1", "f.yaml:4:1"]


def test_syntax_error_has_a_position_and_no_traceback_text() -> None:
    (found,) = problems("a: [1, 2\nb: 3\n")
    assert found.startswith("f.yaml:")
    line, col = found.split(":")[1:3]
    assert int(line) >= 1 and int(col) >= 1
    assert "syntax" in found.lower()
    assert "Traceback" not in found


def test_alias_bomb_is_refused_quickly() -> None:
    # "Billion laughs": nine levels of ten aliases each stand for 10**9 values.
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 10):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{refs}]")
    text = "\n".join(lines) + "\n"
    started = time.perf_counter()
    found = problems(text)
    elapsed = time.perf_counter() - started
    assert len(found) == 1 and found[0].startswith("f.yaml:")
    assert "refused" in found[0] or "too large" in found[0]
    # Refused before expanding: seconds would mean the values were being built.
    assert elapsed < 5


def test_small_aliases_are_expanded() -> None:
    assert data("base: &b {actor: KAZ}\nother: *b\n") == {"base": {"actor": "KAZ"}, "other": {"actor": "KAZ"}}


def test_deep_nesting_is_refused() -> None:
    found = problems("a: " + "[" * 500 + "]" * 500 + "\n")
    assert len(found) == 1
    assert found[0].startswith("f.yaml:1:")
    assert "nest" in found[0] or "deep" in found[0]


def test_merge_keys_never_merge_silently() -> None:
    # YAML 1.2 has no merge keys: `<<` is refused where it stands, or kept as a plain key
    # that rule and event files then refuse; fields are never copied in behind the analyst's back.
    text = "base: &b {a: 1}\nother:\n  <<: *b\n"
    try:
        loaded = data(text)
    except InputError as err:
        assert str(err.problems[0]).startswith("f.yaml:3:3:")
        return
    assert loaded == {"base": {"a": 1}, "other": {"<<": {"a": 1}}}


def test_python_tags_are_refused() -> None:
    (tagged,) = problems("a: !!python/object:os.system x\n")
    assert tagged.startswith("f.yaml:1:4:")


def test_empty_document_is_none() -> None:
    assert data("") is None
    assert data("# only a comment\n") is None
