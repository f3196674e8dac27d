"""The differential hunt in CI: random packs and events scored by the command line agree, number for number,
with tests/differential_model.py (written apart from `scorer/`), and a flipped operator is caught."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from differential_cases import make_case, run_case
from differential_model import expected

from scorer.cli import main
from scorer.engine import compile as engine_compile


def _hunt(seeds: Iterable[int], folder: Path, *, first_only: bool = False) -> dict[int, list[str]]:
    """The seeds whose cases went wrong, and what went wrong (only the first with `first_only`)."""
    found = {}
    for seed in seeds:
        problems = run_case(seed, main, folder)
        if problems:
            found[seed] = problems
            if first_only:
                break
    return found


def test_random_cases_agree_with_the_independent_model(tmp_path: Path) -> None:
    assert _hunt(range(0, 40), tmp_path) == {}


@pytest.mark.slow
@pytest.mark.parametrize("block", range(1, 4))
def test_more_random_cases_agree_with_the_independent_model(tmp_path: Path, block: int) -> None:
    assert _hunt(range(max(block * 100, 40), block * 100 + 100), tmp_path) == {}


@pytest.mark.slow
def test_many_random_cases_agree_with_the_independent_model(tmp_path: Path) -> None:
    assert _hunt(range(400, 1500), tmp_path) == {}


def test_the_cases_exercise_what_they_claim() -> None:
    cases = [make_case(seed) for seed in range(300)]
    assert {case.fmt for case in cases} == {"yaml", "jsonl", "csv"}
    for flag in ("as_of", "every", "set", "without", "actor"):
        assert sum(flag in case.flags for case in cases) > 30, flag
    scored = [expected(case.pack, case.events, case.flags) for case in cases]
    assert sum(any(a["final"]["balance"] for a in s.values()) for s in scored) > 150
    assert sum(len(s) > 1 for s in scored) > 100, "several actors"


def _mutated_hunt(
    seeds: Iterable[int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, first_only: bool = False
) -> dict[int, list[str]]:
    """The hunt with `gte` compiled as `gt` in the engine: the seeds whose cases catch it (or the first)."""
    leaf = engine_compile._leaf

    def mutated(test: Any, names: Any, negated: bool) -> Any:
        done = leaf(test, names, negated)
        if "$and" in done and len(done["$and"]) == 2 and "$gte" in done["$and"][1]:
            done["$and"][1] = {"$gt": done["$and"][1]["$gte"]}
        return done

    monkeypatch.setattr(engine_compile, "_leaf", mutated)
    return _hunt(seeds, tmp_path, first_only=first_only)


def test_a_flipped_operator_in_the_engine_is_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Cases whose events meet a `gte` threshold exactly: the hunt finds them (next test) every 50 cases or so.
    assert set(_mutated_hunt([135, 193, 213], tmp_path, monkeypatch)) == {135, 193, 213}


@pytest.mark.slow
def test_a_flipped_operator_is_caught_within_the_cases_ci_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _mutated_hunt(range(0, 400), tmp_path, monkeypatch, first_only=True)
