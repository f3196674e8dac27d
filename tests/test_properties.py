"""Properties over random small packs and events.

The matches of the engine are checked against a straightforward evaluation of
the condition language written here from docs/reference.md, and the scores
against the scoring math of docs/reference.md computed here from those matches.
"""

from __future__ import annotations

import json
import math
import re
import tempfile
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from datetime import date as Date
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scorer.cli import main
from scorer.engine import Matcher
from scorer.io.load import read_events as load_events
from scorer.pack.load import load_rules
from scorer.report import json as report
from scorer.report.json import document, document_json, to_json
from scorer.scoring.score import score

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Each example of these runs the whole command line twice or more.
CLI_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- value pools -----------------------------------------------------------

DATES = ["2008", "2008-12", "2008-12-31", "2009", "2009-01-01", "2009-01-02", "2009-02", "2009-02-28", "2009-03-01", "2010"]
TYPES = ["a.x", "a.y", "b.x", "b", "ab.x"]
PARTNERS = ["NATO", "RUS", "CHN", "USA", "nato", "N", ""]
SOURCES = ["gazeta.ru", "Reuters 2009", "tass.ru", "x"]
ACTORS = ["KAZ", "UZB"]
INTENSITIES = [0, 0.5, 1, 1.5, 2, 3, 10]
CONFIDENCES = [0, 0.25, 0.5, 1]
TAGS = ["p", "q", "r"]
ATTR_VALUES: list[Any] = [-1, 0, 0.5, 2, 2.5, 10, 2.0000001, -7.25, "2", "012", "brigade", "", "é b", True, False]
ATTR_NAMES = ["n", "s", "b"]

NUMBERS = [-7.25, -1, 0, 0.5, 1, 1.5, 1.9999999, 2, 2.0000001, 2.5, 3, 10]
REGEXES = ["^a", "x$", r"\.", "N|R", "[0-9]", "^$", "ru", "(?i)nato", "^20", "-0[12]"]
PREFIXES = ["a", "a.", "N", "", "20", "2009-0", "gaz", "0"]
SETS: dict[str, list[Any]] = {"west": ["NATO", "USA"], "nums": [2, 0.5, "2"], "mixed": ["brigade", True, 10, "b"]}
AXES = ["nato", "russia", "china"]
ORDERING = ("gt", "gte", "lt", "lte")

SCALARS: dict[str, list[Any]] = {
    "id": ["e0", "e1", "e2", "x"],
    "actor": ACTORS + ["TJK"],
    "type": TYPES + ["c"],
    "partner": PARTNERS + ["GEO", 2],
    "source": SOURCES + ["gazeta"],
    "intensity": INTENSITIES + [-1, "1"],
    "confidence": CONFIDENCES + [0.75, "1"],
    "date": DATES + ["2009-01-03", "2007-06-15"],
}
TEXT_FIELDS = ("id", "actor", "type", "partner", "source")
NUMBER_FIELDS = ("intensity", "confidence")


# --- the reference evaluation of conditions --------------------------------

MISSING = object()


def day(text: str) -> Date:
    parts = [int(p) for p in str(text).split("-")]
    return Date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return "text"


def same(a: Any, b: Any) -> bool:
    return kind(a) == kind(b) and a == b


def ordered(op: str, a: Any, b: Any) -> bool:
    return {"gt": a > b, "gte": a >= b, "lt": a < b, "lte": a <= b, "eq": a == b, "ne": a != b}[op]


def value_of(event: dict[str, Any], field: str) -> Any:
    if field.startswith("attrs."):
        return (event.get("attrs") or {}).get(field[len("attrs.") :], MISSING)
    if field in NUMBER_FIELDS:
        return event.get(field, 1.0)
    return event.get(field, MISSING)


def holds_test(field: str, op: str, operand: Any, value: Any) -> bool:
    if value is MISSING:
        return op == "exists" and operand is False
    if op == "exists":
        return operand is True
    if op == "in_set":
        op, operand = "in", SETS[operand]
    if field == "date":
        if op == "prefix":
            return value.startswith(operand)
        if op == "regex":
            return re.search(operand, value) is not None
        if op in ("in", "not_in"):
            hit = any(day(value) == day(item) for item in operand)
            return hit if op == "in" else not hit
        return ordered(op, day(value), day(operand))
    if op == "contains":
        return operand in value
    if op == "eq":
        return same(value, operand)
    if op == "ne":
        return not same(value, operand)
    if op in ("in", "not_in"):
        hit = any(same(value, item) for item in operand)
        return hit if op == "in" else not hit
    if op in ORDERING:
        return kind(value) == "number" and ordered(op, value, operand)
    if op == "prefix":
        return isinstance(value, str) and value.startswith(operand)
    if op == "regex":
        return isinstance(value, str) and re.search(operand, value) is not None
    raise AssertionError(f"no such operator {op}")


def holds(when: dict[str, Any], event: dict[str, Any]) -> bool:
    for key, spec in when.items():
        if key == "all":
            ok = all(holds(item, event) for item in spec)
        elif key == "any":
            ok = any(holds(item, event) for item in spec)
        elif key == "not":
            ok = not holds(spec, event)
        else:
            value = value_of(event, key)
            if isinstance(spec, dict):
                ok = all(holds_test(key, op, operand, value) for op, operand in spec.items())
            elif isinstance(spec, list):
                ok = holds_test(key, "in", spec, value)
            else:
                ok = holds_test(key, "eq", spec, value)
        if not ok:
            return False
    return True


# --- random packs and events -----------------------------------------------


@st.composite
def field_condition(draw: st.DrawFn) -> tuple[str, Any]:
    field = draw(st.sampled_from(["id", "actor", "type", "partner", "source", "intensity", "confidence", "date", "tags", "attrs.n", "attrs.s", "attrs.b"]))
    if field == "tags":
        op = draw(st.sampled_from(["contains", "exists"]))
        operand = draw(st.sampled_from(TAGS + ["s"])) if op == "contains" else draw(st.booleans())
        return field, {op: operand}
    pool = SCALARS.get(field, ATTR_VALUES)
    choices = ["scalar", "list", "eq", "ne", "in", "not_in", "exists", "prefix", "regex"]
    if field != "date":
        choices.append("in_set")
    if field in NUMBER_FIELDS or field.startswith("attrs.") or field == "date":
        choices += ["gt", "gte", "lt", "lte"]
    if field in TEXT_FIELDS:
        choices += ["gt", "lt"]  # always false on text, still allowed
    shape = draw(st.sampled_from(choices))
    single = st.sampled_from(pool)
    several = st.lists(single, min_size=1, max_size=3)
    if shape == "scalar":
        return field, draw(single)
    if shape == "list":
        return field, draw(several)
    ops: dict[str, Any] = {}
    for op in [shape] + draw(st.lists(st.sampled_from(["ne", "gte", "lt", "exists", "not_in"]), max_size=1)):
        if op in ("gt", "gte", "lt", "lte"):
            if field == "date":
                ops[op] = draw(st.sampled_from(SCALARS["date"]))
            else:
                ops[op] = draw(st.sampled_from(NUMBERS))
        elif op in ("in", "not_in"):
            ops[op] = draw(several)
        elif op == "exists":
            ops[op] = draw(st.booleans())
        elif op == "prefix":
            ops[op] = draw(st.sampled_from(PREFIXES))
        elif op == "regex":
            ops[op] = draw(st.sampled_from(REGEXES))
        elif op == "in_set":
            ops[op] = draw(st.sampled_from(sorted(SETS)))
        else:
            ops[op] = draw(single)
    return field, ops


def condition(depth: int = 2) -> st.SearchStrategy[dict[str, Any]]:
    """A `when` mapping: one to three entries, unique keys, `all`/`any`/`not` down to `depth`."""

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        when: dict[str, Any] = {}
        for _ in range(draw(st.integers(1, 3 if depth else 2))):
            nest = depth > 0 and draw(st.integers(0, 4)) == 0
            if nest:
                key = draw(st.sampled_from(["all", "any", "not"]))
                if key == "not":
                    when[key] = draw(condition(depth - 1))
                else:
                    when[key] = draw(st.lists(condition(depth - 1), min_size=1, max_size=3))
            else:
                key, spec = draw(field_condition())
                when[key] = spec
        return when

    return build()


def size(when: dict[str, Any]) -> int:
    """How many tests a `when` holds (an operator, a scalar or a list is one)."""
    total = 0
    for key, spec in when.items():
        if key in ("all", "any"):
            total += sum(size(item) for item in spec)
        elif key == "not":
            total += size(spec)
        else:
            total += len(spec) if isinstance(spec, dict) else 1
    return total


# Rules of the size analysts write: a handful of tests each. (Larger ones are
# tested on their own in test_engine.py: the engine refuses some of them.)
MAX_TESTS = 6

WEIGHTS = st.sampled_from([-2, -1, -0.5, 0.25, 0.5, 1, 1.5, 2, 3])


@st.composite
def packs(draw: st.DrawFn) -> dict[str, Any]:
    rules = []
    for i in range(draw(st.integers(1, 6))):
        axes = draw(st.lists(st.sampled_from(AXES), min_size=1, max_size=3, unique=True))
        when = draw(condition().filter(lambda w: size(w) <= MAX_TESTS))
        rule: dict[str, Any] = {"id": f"r{i}", "when": when, "signals": {a: draw(WEIGHTS) for a in axes}}
        if draw(st.integers(0, 5)) == 0:
            rule["enabled"] = False
        rules.append(rule)
    half_life = draw(st.sampled_from([None, None, 1, 10, 365, 0.5]))
    return {
        "scoring": {"axes": AXES, "balance": {"plus": "nato", "minus": "russia"}, "half_life_days": half_life},
        "sets": SETS,
        "rules": rules,
    }


@st.composite
def events(draw: st.DrawFn) -> list[dict[str, Any]]:
    found = []
    for i in range(draw(st.integers(1, 12))):
        event: dict[str, Any] = {
            "id": f"e{i}",
            "date": draw(st.sampled_from(DATES)),
            "actor": draw(st.sampled_from(ACTORS)),
            "type": draw(st.sampled_from(TYPES)),
        }
        optional: dict[str, st.SearchStrategy[Any]] = {
            "partner": st.sampled_from(PARTNERS),
            "intensity": st.sampled_from(INTENSITIES),
            "confidence": st.sampled_from(CONFIDENCES),
            "source": st.sampled_from(SOURCES),
            "tags": st.lists(st.sampled_from(TAGS), max_size=3, unique=True),
            "attrs": st.dictionaries(st.sampled_from(ATTR_NAMES), st.sampled_from(ATTR_VALUES), max_size=3),
        }
        for name, strategy in optional.items():
            if draw(st.booleans()):
                event[name] = draw(strategy)
        found.append(event)
    return found


def written(pack: dict[str, Any], items: list[dict[str, Any]], folder: Path) -> tuple[Path, Path]:
    rules = folder / "rules.yaml"
    rules.write_text(json.dumps(pack, indent=1), encoding="utf-8")  # JSON is YAML
    data = folder / "events.jsonl"
    data.write_text("".join(json.dumps(e) + "\n" for e in items), encoding="utf-8")
    return rules, data


def reference_matches(pack: dict[str, Any], event: dict[str, Any]) -> list[int]:
    return [i for i, rule in enumerate(pack["rules"]) if rule.get("enabled", True) and holds(rule["when"], event)]


def run(*argv: str | Path) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


def in_folder(test: Callable[[Path], None]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        test(Path(folder))


# --- the engine matches what the condition language says -------------------


@pytest.mark.slow
@SETTINGS
@given(pack=packs(), items=events())
def test_engine_matches_equal_the_reference_evaluation(pack: dict[str, Any], items: list[dict[str, Any]]) -> None:
    def check(folder: Path) -> None:
        rules, data = written(pack, items, folder)
        loaded = load_rules(rules)
        got = Matcher(loaded).match(load_events(str(data)))
        expected = [tuple(reference_matches(pack, event)) for event in items]
        assert got == expected

    in_folder(check)


# --- the scores follow the math --------------------------------------------


def reference_scores(pack: dict[str, Any], items: list[dict[str, Any]], as_of: str | None) -> dict[str, Any]:
    """Per actor: timeline (event, totals), final (date, totals), unmatched, by the scoring math."""
    half_life = pack["scoring"]["half_life_days"]
    rules = pack["rules"]

    def worth(amount: float, made: Date, on: Date) -> float:
        return amount if half_life is None else amount * 0.5 ** ((on - made).days / half_life)

    # `--as-of` a year or a month is its last day.
    end = None if as_of is None else last_day(as_of)
    result: dict[str, Any] = {}
    for actor in sorted({e["actor"] for e in items}):
        mine = [e for e in items if e["actor"] == actor and (end is None or day(e["date"]) <= end)]
        mine.sort(key=lambda e: day(e["date"]))  # stable: ties keep input order
        if not mine:  # no event on or before --as-of: still scored, with nothing
            result[actor] = {"timeline": [], "final": (end.isoformat(), dict.fromkeys(AXES, 0.0)), "unmatched": []}
            continue
        made: list[tuple[Date, str, float]] = []
        timeline = []
        unmatched = []
        for event in mine:
            fired = reference_matches(pack, event)
            if not fired:
                unmatched.append(event["id"])
            scale = event.get("intensity", 1) * event.get("confidence", 1)
            made += [(day(event["date"]), axis, w * scale) for i in fired for axis, w in rules[i]["signals"].items()]
            on = day(event["date"])
            totals = {axis: sum(worth(c, d, on) for d, a, c in made if a == axis) for axis in AXES}
            timeline.append((event["id"], totals))
        final_date = end.isoformat() if end is not None else mine[-1]["date"]
        final = {axis: sum(worth(c, d, day(final_date)) for d, a, c in made if a == axis) for axis in AXES}
        result[actor] = {"timeline": timeline, "final": (final_date, final), "unmatched": unmatched}
    return result


def last_day(text: str) -> Date:
    """The last day of the year, month or day a date names."""
    first = day(text)
    if len(text) == 4:
        return Date(first.year, 12, 31)
    if len(text) == 7:
        following = Date(first.year + first.month // 12, first.month % 12 + 1, 1)
        return following - timedelta(days=1)
    return first


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def balance(totals: dict[str, float]) -> tuple[float, float]:
    value = totals["nato"] - totals["russia"]
    scale = abs(totals["nato"]) + abs(totals["russia"])
    return value, (value / scale if scale else 0.0)


@pytest.mark.slow
@CLI_SETTINGS
@given(pack=packs(), items=events(), as_of=st.sampled_from([None, None, "2009-01-15", "2009-02", "2011"]))
def test_scores_follow_the_math_and_drivers_add_up(
    pack: dict[str, Any], items: list[dict[str, Any]], as_of: str | None
) -> None:
    def check(folder: Path) -> None:
        rules, data = written(pack, items, folder)
        extra = ["--as-of", as_of] if as_of else []
        code, out, err = run("explain", data, "--rules", rules, "--format", "json", *extra)
        assert code == 0, err
        document = json.loads(out)
        expected = reference_scores(pack, items, as_of)
        assert sorted(document["actors"]) == sorted(expected)
        for actor, want in expected.items():
            got = document["actors"][actor]
            assert [row["event"] for row in got["timeline"]] == [event for event, _ in want["timeline"]]
            for row, (_, totals) in zip(got["timeline"], want["timeline"], strict=True):
                assert all(close(row["totals"][axis], totals[axis]) for axis in AXES), (row, totals)
                value, lean = balance(totals)
                assert close(row["balance"], value) and close(row["lean"], lean)
            final_date, final = want["final"]
            assert got["final"]["date"] == final_date
            assert all(close(got["final"]["totals"][axis], final[axis]) for axis in AXES)
            value, lean = balance(final)
            assert close(got["final"]["balance"], value) and close(got["final"]["lean"], lean)
            assert got["unmatched"] == want["unmatched"]
            # The drivers: each list sums to the final balance.
            for kind_ in ("events", "rules"):
                total = sum(item["share"] for item in got["drivers"][kind_])
                assert math.isclose(total, got["final"]["balance"], abs_tol=1e-9), (kind_, total)
            assert [s["event"] for s in got["trail"]] == [row["event"] for row in got["timeline"]]

    in_folder(check)


# --- the same input gives the same bytes -----------------------------------


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pack=packs(), items=events(), every=st.sampled_from([None, "year", "quarter", "month"]))
def test_running_twice_gives_byte_identical_output(
    pack: dict[str, Any], items: list[dict[str, Any]], every: str | None
) -> None:
    def check(folder: Path) -> None:
        rules, data = written(pack, items, folder)
        score_args = ["score", data, "--rules", rules, "--format", "json"] + (["--every", every] if every else [])
        for argv in (score_args, ["explain", data, "--rules", rules, "--format", "json"], ["explain", data, "--rules", rules]):
            first, second = run(*argv), run(*argv)
            assert first[0] == 0, first[2]
            assert first == second

    in_folder(check)


# --- --set changes exactly one rule's one axis -----------------------------


@pytest.mark.slow
@CLI_SETTINGS
@given(pack=packs(), items=events(), data=st.data())
def test_set_changes_the_contributions_of_exactly_that_rule_and_axis(
    pack: dict[str, Any], items: list[dict[str, Any]], data: st.DataObject
) -> None:
    target = data.draw(st.sampled_from(pack["rules"]))["id"]
    axis = data.draw(st.sampled_from(AXES))
    weight = data.draw(st.sampled_from([-3.0, -0.75, 0.0, 0.5, 4.0]))

    def check(folder: Path) -> None:
        rules, events_file = written(pack, items, folder)
        base_code, base_out, base_err = run("explain", events_file, "--rules", rules, "--format", "json")
        set_code, set_out, set_err = run(
            "explain", events_file, "--rules", rules, "--format", "json", "--set", f"{target}.{axis}={weight}"
        )
        assert base_code == 0 and set_code == 0, base_err + set_err
        before, after = json.loads(base_out), json.loads(set_out)
        assert sorted(before["actors"]) == sorted(after["actors"])
        for actor in before["actors"]:
            old_trail, new_trail = before["actors"][actor]["trail"], after["actors"][actor]["trail"]
            assert [s["event"] for s in old_trail] == [s["event"] for s in new_trail]
            for old, new in zip(old_trail, new_trail, strict=True):

                def others(matches: list[dict[str, Any]]) -> list[dict[str, Any]]:
                    return [m for m in matches if (m["rule"], m["axis"]) != (target, axis)]

                assert others(old["matches"]) == others(new["matches"])
                changed = [m for m in new["matches"] if (m["rule"], m["axis"]) == (target, axis)]
                fired = {m["rule"] for m in old["matches"]} | {m["rule"] for m in new["matches"]}
                assert len(changed) == (1 if target in fired else 0)
                for m in changed:
                    assert m["weight"] == weight
                    assert close(m["contribution"], weight * m["intensity"] * m["confidence"])

    in_folder(check)


# --- the JSON written actor by actor is the whole document's JSON -----------


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pack=packs(),
    items=events(),
    every=st.sampled_from([None, "month"]),
    explain=st.booleans(),
    after=st.sampled_from([None, {"skipped": {"rows": 2, "why": {"no actor": [3, 4]}}}]),
    rows=st.sampled_from([1, 2, 10_000]),
)
def test_json_written_as_made_equals_the_whole_document(
    pack: dict[str, Any],
    items: list[dict[str, Any]],
    every: Any,
    explain: bool,
    after: dict[str, Any] | None,
    rows: int,
) -> None:
    def check(folder: Path) -> None:
        rules, data = written(pack, items, folder)
        result = score(load_events(str(data)), load_rules(rules), every=every)
        whole = to_json(document(result, explain=explain) | (after or {}))
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(report, "_ROWS", rows)  # timelines written a slice of `rows` at a time
            assert b"".join(document_json(result, explain=explain, after=after)).decode() == whole

    in_folder(check)
