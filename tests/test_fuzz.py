"""Fuzzing: generated event files and rulepacks, valid and near-valid, through `scorer.cli.main`.

Properties: a run never ends in an unexpected exception (status 0 or 2, no
traceback, no "internal error", problems one per line as file:line:col:
message); the same input gives the same bytes; the same events in YAML, JSON
Lines and CSV score the same; the drivers add up to the final balance.

CI runs a few hundred examples, derandomized so that a run of the suite is
repeatable; benchmarks/fuzz.py runs the same properties on as many random
examples as asked for (it imports the strategies and checks from here).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scorer.cli import main

AXES = ("nato", "russia", "china")
ACTORS = ("KAZ", "UZB")
PARTNERS = ("NATO", "CSTO", "SCO", "USA", "RUS", "CHN", "EU")
TYPES = ("exercise.join", "exercise.decline", "membership.join", "diplomacy.meeting", "arms.acquire", "x.custom_1")
TAGS = ("pfp", "csto", "afghanistan", "air space", "<b>")
ATTR_TEXT = ("abc", "x y", "<i>", "a|b", "*bold*")
REGEXES = (r"^exercise\.", r"(?i)nato|csto", r"\d{4}", r"^[a-z]+(?:\.[a-z]+)*$", r"join$", r"[^,]*,", r"a.*b")
FIELDS = ("id", "date", "actor", "type", "partner", "intensity", "confidence", "summary", "source", "quote")

# Text as analysts and feeds write it, markup and all; never the control characters
# every reader refuses (those are near-valid input, made by the mutations below).
TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Cn", "Zl", "Zp", "Co"))
    | st.sampled_from(list("<>&|*_`[]#\\\"' \t\n:-{}")),
    min_size=1,
    max_size=24,
)


@st.composite
def dates(draw: st.DrawFn) -> str:
    day = draw(st.dates(min_value=date(1991, 12, 1), max_value=date(2030, 12, 31)))
    return draw(st.sampled_from([day.isoformat(), day.isoformat()[:7], day.isoformat()[:4]]))


@st.composite
def events(draw: st.DrawFn, max_events: int = 8) -> list[dict[str, Any]]:
    """Valid events, with what every format can say the same way (CSV has no empty text, no empty list)."""
    count = draw(st.integers(1, max_events))
    ids = draw(
        st.lists(st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True), min_size=count, max_size=count, unique=True)
    )
    found = []
    for event_id in ids:
        event: dict[str, Any] = {
            "id": event_id,
            "date": draw(dates()),
            "actor": draw(st.sampled_from(ACTORS)),
            "type": draw(st.sampled_from(TYPES)),
        }
        if draw(st.booleans()):
            event["partner"] = draw(st.sampled_from(PARTNERS))
        if draw(st.booleans()):
            event["intensity"] = draw(st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.25]) | st.floats(0, 50, allow_nan=False))
        if draw(st.booleans()):
            event["confidence"] = draw(st.sampled_from([0.0, 0.5, 1.0]) | st.floats(0, 1))
        for name in ("summary", "source", "quote"):
            if draw(st.integers(0, 3)) == 0:
                event[name] = draw(TEXT)
        if draw(st.booleans()):
            event["tags"] = draw(st.lists(st.sampled_from(TAGS), min_size=1, max_size=3))
        if draw(st.booleans()):
            value = st.integers(-5, 5000) | st.booleans() | st.sampled_from(ATTR_TEXT) | st.floats(-10, 10)
            event["attrs"] = draw(st.dictionaries(st.sampled_from(["troops", "note", "official"]), value, min_size=1))
        found.append(event)
    return found


def _leaf(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.integers(0, 12))
    if kind == 0:
        return {"type": draw(st.sampled_from(TYPES))}
    if kind == 1:
        return {"type": {"in": draw(st.lists(st.sampled_from(TYPES), min_size=1, max_size=3))}}
    if kind == 2:
        return {"type": {"prefix": draw(st.sampled_from(["exercise.", "membership", "x"]))}}
    if kind == 3:
        return {draw(st.sampled_from(["type", "source", "id"])): {"regex": draw(st.sampled_from(REGEXES))}}
    if kind == 4:
        return {"partner": {"in_set": draw(st.sampled_from(["west", "east"]))}}
    if kind == 5:
        return {"partner": {draw(st.sampled_from(["ne", "eq"])): draw(st.sampled_from(PARTNERS))}}
    if kind == 6:
        return {
            "intensity": {draw(st.sampled_from(["gt", "gte", "lt", "lte"])): draw(st.sampled_from([0, 0.5, 1, 2.5]))}
        }
    if kind == 7:
        return {"confidence": {draw(st.sampled_from(["gt", "lte"])): draw(st.sampled_from([0.25, 0.5, 1]))}}
    if kind == 8:
        return {"date": {draw(st.sampled_from(["gte", "lt", "eq"])): draw(dates())}}
    if kind == 9:
        return {"tags": {"contains": draw(st.sampled_from(TAGS))}}
    if kind == 10:
        return {"attrs.troops": {"exists": draw(st.booleans())}}
    if kind == 11:
        if draw(st.booleans()):
            return {"attrs.troops": {draw(st.sampled_from(["gte", "lt"])): draw(st.sampled_from([0, 100, 2.5]))}}
        return {"attrs.troops": {draw(st.sampled_from(["eq", "ne"])): draw(st.sampled_from([0, 100, True, "abc"]))}}
    return {"actor": draw(st.sampled_from(ACTORS))}


@st.composite
def conditions(draw: st.DrawFn, depth: int = 0) -> dict[str, Any]:
    kind = draw(st.integers(0, 5 if depth < 2 else 2))
    if kind <= 2:
        merged: dict[str, Any] = {}
        for _ in range(draw(st.integers(1, 2))):
            merged.update(_leaf(draw))
        return merged
    if kind == 3:
        return {"not": draw(conditions(depth + 1))}
    return {draw(st.sampled_from(["all", "any"])): draw(st.lists(conditions(depth + 1), min_size=1, max_size=3))}


@st.composite
def packs(draw: st.DrawFn) -> dict[str, Any]:
    axes = list(AXES[: draw(st.integers(2, 3))])
    plus, minus = draw(st.permutations(axes[:2]))
    rules = []
    for index in range(draw(st.integers(1, 5))):
        weights = st.sampled_from([0, 1, -1, 1.5, -2.25]) | st.floats(-1e3, 1e3, allow_nan=False)
        signals = draw(st.dictionaries(st.sampled_from(axes), weights, min_size=1))
        rule: dict[str, Any] = {"id": f"r{index}", "when": draw(conditions()), "signals": signals}
        if draw(st.integers(0, 4)) == 0:
            rule["enabled"] = False
        rules.append(rule)
    scoring: dict[str, Any] = {"axes": axes, "balance": {"plus": plus, "minus": minus}}
    if draw(st.booleans()):
        scoring["half_life_days"] = draw(st.sampled_from([30, 365.25, 1000]))
    return {"scoring": scoring, "sets": {"west": ["NATO", "USA", "EU"], "east": ["CSTO", "RUS"]}, "rules": rules}


class _Quoted(yaml.SafeDumper):
    """Text always in double quotes: pyyaml's YAML 1.1 leaves `1e5` plain, which YAML 1.2 reads as a number."""


_Quoted.add_representer(str, lambda dumper, text: dumper.represent_scalar("tag:yaml.org,2002:str", text, style='"'))


def as_yaml(items: list[dict[str, Any]], flow: bool) -> str:
    if flow:  # JSON is YAML: one flow mapping per event
        return "events:\n" + "".join(f"  - {json.dumps(e, ensure_ascii=False)}\n" for e in items)
    return yaml.dump({"events": items}, Dumper=_Quoted, allow_unicode=True, sort_keys=False, width=60)


def as_jsonl(items: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in items)


def as_csv(items: list[dict[str, Any]]) -> str:
    attrs = sorted({name for e in items for name in e.get("attrs", {})})
    header = list(FIELDS) + ["tags"] + [f"attrs.{name}" for name in attrs]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for e in items:
        row = [_cell(e.get(name)) for name in FIELDS]
        row.append(";".join(e.get("tags", [])))
        row += [_cell(e.get("attrs", {}).get(name)) for name in attrs]
        writer.writerow(row)
    return out.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def pack_yaml(pack: dict[str, Any]) -> str:
    return yaml.dump(pack, Dumper=_Quoted, allow_unicode=True, sort_keys=False)


# --- Near-valid: one small change to a valid file -----------------------------------------------

HOSTILE = [
    "\t",
    ":",
    ": ",
    "{",
    "}",
    "[",
    "]",
    ",",
    "&a ",
    "*a",
    "!!python/object:os.system ",
    '"',
    "'",
    "\\",
    "- ",
    "#",
    "\n",
    "\ufeff",
    "<<: ",
    "? ",
    "\x00",
    "\x1b[2J",
    "\u202e",
    "NaN",
    "1e999",
    "-",
    "9999-99-99",
    "%",
]


@st.composite
def mutated(draw: st.DrawFn, text: str) -> bytes:
    """`text` with one change a hand editor or a broken feed could make, as bytes (some changes are not UTF-8)."""
    kind = draw(st.sampled_from(["insert", "delete", "truncate", "duplicate-line", "drop-line", "swap-lines", "byte"]))
    lines = text.splitlines(keepends=True)
    at = draw(st.integers(0, max(len(text) - 1, 0)))
    if kind == "insert":
        return (text[:at] + draw(st.sampled_from(HOSTILE)) + text[at:]).encode("utf-8")
    if kind == "delete":
        return (text[:at] + text[at + draw(st.integers(1, 4)) :]).encode("utf-8")
    if kind == "truncate":
        return text[:at].encode("utf-8")
    if kind == "byte":
        raw = text.encode("utf-8")
        return raw[:at] + draw(st.sampled_from([b"\xff", b"\xc3", b"\x80", b"\xed\xa0\x80", b"\x00"])) + raw[at:]
    line = draw(st.integers(0, max(len(lines) - 1, 0)))
    if kind == "duplicate-line":
        lines.insert(line, lines[line] if lines else "\n")
    elif kind == "drop-line" and lines:
        del lines[line]
    elif kind == "swap-lines" and len(lines) > 1:
        other = draw(st.integers(0, len(lines) - 1))
        lines[line], lines[other] = lines[other], lines[line]
    return "".join(lines).encode("utf-8")


# --- Running and checking -------------------------------------------------------------------------

PROBLEM = re.compile(r"^(?:.+:\d+:\d+: .+|scorer: .+)$")


@dataclass
class Run:
    status: int
    out: str
    err: str


def run(argv: list[str]) -> Run:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(argv)
    return Run(status, out.getvalue(), err.getvalue())


def check_clean(result: Run, allowed: tuple[int, ...] = (0, 2)) -> None:
    """What every run must be: an expected status, no traceback, no internal error, problems one per line."""
    assert result.status in allowed, result
    assert "Traceback" not in result.err + result.out, result.err
    assert "internal error" not in result.err, result.err
    if result.status:
        lines = result.err.splitlines()
        assert lines and all(PROBLEM.match(line) for line in lines), result.err


def check_drivers(document: dict[str, Any]) -> None:
    """Each list of drivers adds up to the final balance."""
    for actor in document["actors"].values():
        balance = actor["final"]["balance"]
        for kind in ("events", "rules"):
            total = math.fsum(item["share"] for item in actor["drivers"][kind])
            scale = max(1.0, abs(balance), *(abs(item["share"]) for item in actor["drivers"][kind]))
            assert abs(total - balance) <= 1e-9 * scale, (kind, total, balance)


def write(folder: Path, name: str, data: str | bytes) -> str:
    path = folder / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return str(path)


# --- The properties ----------------------------------------------------------------------------------

SCORE_OPTIONS = [
    [],
    ["--every", "year"],
    ["--every", "quarter"],
    ["--every", "month"],
    ["--as-of", "2009-06"],
    ["--actor", "KAZ"],
]
EXPLAIN_OPTIONS = [[], ["--as-of", "2009-06-30"], ["--actor", "UZB"], ["--top", "1"]]


def present(option: list[str], items: list[dict[str, Any]]) -> list[str]:
    """The option, its `--actor` made an actor of the events (an actor no event has is a usage error)."""
    if option[:1] == ["--actor"] and option[1] not in {item["actor"] for item in items}:
        return ["--actor", items[-1]["actor"]]
    return option


def valid_inputs_agree(items: list[dict[str, Any]], pack: dict[str, Any], flow: bool, option: int) -> None:
    """Valid files score (status 0), the same from every format and on every run; drivers add up."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rules = write(folder, "pack.yaml", pack_yaml(pack))
        files = {
            "yaml": write(folder, "events.yaml", as_yaml(items, flow)),
            "jsonl": write(folder, "events.jsonl", as_jsonl(items)),
            "csv": write(folder, "events.csv", as_csv(items)),
        }
        scored = {}
        for fmt, path in files.items():
            result = run(["score", path, "--rules", rules, "--format", "json", *present(SCORE_OPTIONS[option], items)])
            check_clean(result, (0,))
            scored[fmt] = result.out
        assert scored["yaml"] == scored["jsonl"] == scored["csv"]
        assert (
            run(["score", files["csv"], "--rules", rules, "--format", "json", *present(SCORE_OPTIONS[option], items)]).out
            == scored["csv"]
        )
        extra = present(EXPLAIN_OPTIONS[option % len(EXPLAIN_OPTIONS)], items)
        explained = {}
        for fmt, path in files.items():
            result = run(["explain", path, "--rules", rules, "--format", "json", *extra])
            check_clean(result, (0,))
            explained[fmt] = result.out
        assert explained["yaml"] == explained["jsonl"] == explained["csv"]
        check_drivers(json.loads(explained["yaml"]))
        for fmt in ("markdown", "text"):
            first = run(["explain", files["jsonl"], "--rules", rules, "--format", fmt, *extra])
            check_clean(first, (0,))
            assert run(["explain", files["jsonl"], "--rules", rules, "--format", fmt, *extra]).out == first.out


def near_valid_events_fail_cleanly(fmt: str, broken: bytes) -> None:
    """An event file with one change: scored, or refused with clear lines; never a crash."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rules = write(
            folder, "pack.yaml", pack_yaml({"rules": [{"id": "r", "when": {"type": TYPES[0]}, "signals": {"nato": 1}}]})
        )
        path = write(folder, f"events.{fmt}", broken)
        result = run(["score", path, "--rules", rules, "--format", "json"])
        check_clean(result)
        if result.status == 0:
            assert run(["score", path, "--rules", rules, "--format", "json"]).out == result.out
        check_clean(run(["validate", path]), (0, 1, 2))


def near_valid_packs_fail_cleanly(items: list[dict[str, Any]], broken: bytes) -> None:
    """A rulepack with one change: used, or refused with clear lines; `weights set` leaves it whole either way."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        events_file = write(folder, "events.jsonl", as_jsonl(items))
        (folder / "rules").mkdir()
        rules = write(folder / "rules", "pack.yaml", broken)
        result = run(["score", events_file, "--rules", rules, "--format", "json"])
        check_clean(result)
        check_clean(run(["validate", rules]), (0, 1, 2))
        edit = run(["weights", "set", "r0", "nato", "2.5", "--rules", rules])
        check_clean(edit)
        if edit.status:
            assert Path(rules).read_bytes() == broken
        else:
            check_clean(run(["weights", "list", "--rules", rules]), (0,))
        assert sorted(p.name for p in (folder / "rules").iterdir()) == ["pack.yaml"]


def ci(examples: int) -> Any:
    """Settings for CI: repeatable examples, no deadline (a shared 2-core machine is slow at times)."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@pytest.mark.slow
@ci(60)
@given(events(), packs(), st.booleans(), st.integers(0, len(SCORE_OPTIONS) - 1))
def test_valid_inputs_agree(items: list[dict[str, Any]], pack: dict[str, Any], flow: bool, option: int) -> None:
    valid_inputs_agree(items, pack, flow, option)


@st.composite
def broken_events(draw: st.DrawFn) -> tuple[str, bytes]:
    items = draw(events(max_events=4))
    fmt = draw(st.sampled_from(["yaml", "jsonl", "csv"]))
    text = {"yaml": as_yaml(items, draw(st.booleans())), "jsonl": as_jsonl(items), "csv": as_csv(items)}[fmt]
    return fmt, draw(mutated(text))


@pytest.mark.slow
@ci(150)
@given(broken_events())
def test_near_valid_events_fail_cleanly(case: tuple[str, bytes]) -> None:
    near_valid_events_fail_cleanly(*case)


@st.composite
def broken_packs(draw: st.DrawFn) -> tuple[list[dict[str, Any]], bytes]:
    return draw(events(max_events=4)), draw(mutated(pack_yaml(draw(packs()))))


@pytest.mark.slow
@ci(100)
@given(broken_packs())
def test_near_valid_packs_fail_cleanly(case: tuple[list[dict[str, Any]], bytes]) -> None:
    near_valid_packs_fail_cleanly(*case)


@pytest.mark.slow
def test_same_bytes_from_separate_processes(tmp_path: Path) -> None:
    """Same output from two processes with different hash seeds: no order comes from a set or a hash."""
    script = (
        "from scorer.cli import main\n"
        "for fmt in ('json', 'markdown', 'text'):\n"
        "    main(['explain', 'fixtures/kazakhstan-2009.yaml', '--format', fmt])\n"
        "main(['score', 'fixtures/kazakhstan-2009.yaml', '--format', 'csv', '--every', 'quarter'])\n"
    )
    root = Path(__file__).resolve().parent.parent
    outputs = [
        subprocess.run(
            [sys.executable, "-c", script],
            cwd=root,
            env={**os.environ, "PYTHONHASHSEED": hash_seed, "NO_COLOR": "1"},
            capture_output=True,
            check=True,
        ).stdout
        for hash_seed in ("1", "2")
    ]
    assert outputs[0] == outputs[1]
    assert outputs[0].count(b"kaz-2009") > 10
