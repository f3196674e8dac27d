"""Golden end-to-end cases: each tests/golden/*.yaml holds a rulepack, events, command lines and what they print.

A case file:

    description: what an analyst does
    vars:                      # optional: numbers worked out by hand from the scoring math
      n: 4 * 0.5 ** 3.1 + 4
    files:                     # written into an empty folder, which is the working directory
      rules.yaml: |
        ...
    runs:
      - argv: [score, events.yaml, --rules, rules.yaml, --format, json]
        stdin: ...             # optional: what standard input holds
        exit: 0                # the default
        json: {...}            # the parts of the JSON output that must match
        stdout_contains: [...] # or text that must appear on standard output
        stderr_contains: [...] # text that must appear on standard error
        stderr: [...]          # regular expressions: one per line of standard error, in any order

In `json`, a string starting with `=` is an arithmetic expression over `vars`
(and `abs`, `min`, `max`): the expected number, compared to 1e-9. Mappings
match when every key given matches (`__keys__: [...]` also fixes the set of
keys); lists match item by item and must have the same length.
"""

from __future__ import annotations

import io
import json
import math
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import Run, write

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(GOLDEN.glob("*.yaml"))
_SAFE = {"__builtins__": {}, "abs": abs, "min": min, "max": max, "sqrt": math.sqrt}


def evaluate(expression: str, variables: dict[str, float]) -> float:
    return float(eval(expression, _SAFE, dict(variables)))  # noqa: S307 - our own case files


def resolve(expected: Any, variables: dict[str, float]) -> Any:
    if isinstance(expected, str) and expected.startswith("="):
        return evaluate(expected[1:], variables)
    if isinstance(expected, dict):
        return {key: value if key == "__keys__" else resolve(value, variables) for key, value in expected.items()}
    if isinstance(expected, list):
        return [resolve(value, variables) for value in expected]
    return expected


def mismatch(expected: Any, actual: Any, where: str = "$") -> str | None:
    """Where `actual` differs from `expected` (a subset for mappings), or None."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return f"{where}: expected a mapping, got {actual!r}"
        for key, value in expected.items():
            if key == "__keys__":
                if sorted(actual) != sorted(value):
                    return f"{where}: keys {sorted(actual)}, expected {sorted(value)}"
                continue
            if key not in actual:
                return f"{where}: missing key {key!r} (has {sorted(actual)})"
            found = mismatch(value, actual[key], f"{where}.{key}")
            if found:
                return found
        return None
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return f"{where}: expected {len(expected)} items, got {actual!r}"
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            found = mismatch(e, a, f"{where}[{i}]")
            if found:
                return found
        return None
    if isinstance(expected, bool) or expected is None or isinstance(expected, str):
        return None if expected == actual and type(expected) is type(actual) else f"{where}: {expected!r} != {actual!r}"
    if isinstance(expected, (int, float)):
        if isinstance(actual, bool) or not isinstance(actual, (int, float)):
            return f"{where}: expected a number, got {actual!r}"
        if math.isclose(expected, actual, rel_tol=1e-9, abs_tol=1e-9):
            return None
        return f"{where}: {expected!r} != {actual!r}"
    raise TypeError(f"cannot compare {expected!r}")


def unmatched_lines(patterns: list[str], lines: list[str]) -> list[str]:
    """Patterns and lines left over when each pattern takes one line it matches whole (in any order)."""
    left = list(lines)
    missing = []
    for pattern in patterns:
        found = next((line for line in left if re.fullmatch(pattern, line)), None)
        if found is None:
            missing.append(pattern)
        else:
            left.remove(found)
    return missing + left


def check_drivers(document: dict[str, Any]) -> None:
    """Wherever drivers are printed, each list sums to that actor's final balance."""
    for name, actor in document.get("actors", {}).items():
        if "drivers" in actor:
            final = actor["final"]["balance"]
            for kind in ("events", "rules"):
                total = sum(item["share"] for item in actor["drivers"][kind])
                assert math.isclose(total, final, abs_tol=1e-9), f"{name} {kind} drivers sum to {total}, not {final}"


def test_there_are_golden_cases() -> None:
    assert len(CASES) >= 10


@pytest.mark.parametrize("case_file", CASES, ids=[case.stem for case in CASES])
def test_golden(
    case_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    cli: Callable[..., Run],
) -> None:
    case = yaml.safe_load(case_file.read_text(encoding="utf-8"))
    variables: dict[str, float] = {}
    for name, expression in (case.get("vars") or {}).items():
        variables[name] = evaluate(str(expression), variables)
    for name, text in (case.get("files") or {}).items():
        write(tmp_path, name, text)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    for number, run in enumerate(case["runs"], start=1):
        # A date in a YAML argv list reads as a date: it is the text on the command line.
        argv = [str(arg) for arg in run["argv"]]
        label = f"{case_file.name} run {number}: scorer {' '.join(argv)}"
        if "stdin" in run:
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(run["stdin"].encode("utf-8"))))
        result = cli(*argv)
        assert result.code == run.get("exit", 0), f"{label}: exit {result.code}\n{result.err}"
        assert "Traceback" not in result.err, label
        if "json" in run:
            document = json.loads(result.out)
            problem = mismatch(resolve(run["json"], variables), document)
            assert problem is None, f"{label}: {problem}"
            check_drivers(document)
        for text in run.get("stdout_contains", []):
            assert text in result.out, f"{label}: {text!r} not in\n{result.out}"
        for text in run.get("stderr_contains", []):
            assert text in result.err, f"{label}: {text!r} not in\n{result.err}"
        if "stderr" in run:
            unmatched = unmatched_lines(run["stderr"], result.err.splitlines())
            assert not unmatched, f"{label}: standard error was\n{result.err}\nunmatched: {unmatched}"
        elif result.code == 0:
            assert result.err == "", f"{label}: {result.err}"
