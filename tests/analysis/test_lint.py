"""The linter: a warning with the right suggestion for each typo of the corpus (tests/typos), none on what is right."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import Run, write

from scorer.analysis.lint import lint_events
from scorer.api import load_pack, read_events

CORPUS = Path(__file__).resolve().parents[1] / "typos"
CASES: list[dict[str, Any]] = yaml.safe_load((CORPUS / "cases.yaml").read_text(encoding="utf-8"))
ROOT = Path(__file__).resolve().parents[2]
GDELT = ROOT.parent / "shared" / "data" / "gdelt" / "gdelt1-georgia-2012-08.export.tsv"

Cli = Callable[..., Run]


@pytest.fixture()
def corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy = tmp_path / "typos"
    shutil.copytree(CORPUS, copy)
    monkeypatch.chdir(copy)
    return copy


def test_the_corpus_covers_types_partners_actors_and_rule_files() -> None:
    names = [case["name"] for case in CASES]
    assert len(set(names)) == len(names)
    for kind in ("type-", "partner-", "actor-", "rule-"):
        assert sum(name.startswith(kind) for name in names) >= 3


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_each_typo_gets_a_warning_with_its_suggestion(case: dict[str, Any], corpus: Path, cli: Cli) -> None:
    run = cli(*case["argv"])
    assert run.code == (1 if case["argv"][0] == "validate" else 0), run.err
    assert case["warning"] in run.err.splitlines(), run.err


@pytest.mark.parametrize(
    "paths",
    [["fixtures/kazakhstan-2009.yaml"], ["rules"], ["rules/cameo"], ["fixtures/kazakhstan-2009.yaml", "rules"]],
    ids=["fixture", "default-pack", "cameo-pack", "fixture-with-pack"],
)
def test_the_bundled_fixture_and_packs_validate_clean(
    paths: list[str], cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    run = cli("validate", *paths)
    assert (run.code, run.err) == (0, "")


def test_the_fixture_scores_with_no_warning(cli: Cli) -> None:
    run = cli("score", ROOT / "fixtures" / "kazakhstan-2009.yaml")
    assert (run.code, run.err) == (0, "")


@pytest.mark.skipif(not GDELT.exists(), reason="the shared GDELT sample is not beside this checkout")
def test_machine_coded_events_with_a_pack_for_other_types_get_one_hint() -> None:
    events = read_events(str(GDELT))
    (hint,) = lint_events(events, load_pack())
    assert hint.message.endswith("score machine-coded events with --rules cameo")
    assert lint_events(events, load_pack("cameo")) == []


def test_each_value_is_warned_about_once_where_it_first_stands(tmp_path: Path, cli: Cli) -> None:
    path = write(
        tmp_path,
        "e.yaml",
        """\
        defaults: {actor: KAZ, partner: NATO, type: exercise.joins}
        events:
          - {id: a, date: 2009}
          - {id: b, date: 2010}
        """,
    )
    run = cli("validate", path)
    (line,) = run.err.splitlines()
    # The type comes from `defaults:`: the warning names it there.
    assert line.startswith(f"{path}:1:45: warning: type 'exercise.joins' (2 events) ")


def test_a_pack_whose_rules_test_no_type_may_match_any_type(tmp_path: Path, cli: Cli) -> None:
    rules = write(tmp_path, "r.yaml", "rules:\n  - {id: any, when: {partner: NATO}, signals: {nato: 1}}\n")
    events = write(tmp_path, "e.yaml", "events:\n  - {id: a, date: 2009, actor: KAZ, type: any.thing, partner: NATO}\n")
    run = cli("validate", events, "--rules", rules)
    assert (run.code, run.err) == (0, "")


def test_a_pack_without_codebook_is_not_checked_for_types(tmp_path: Path, cli: Cli) -> None:
    rules = write(tmp_path, "r.yaml", "rules:\n  - {id: x, when: {type: any.thing}, signals: {nato: 1}}\n")
    run = cli("validate", rules)
    assert (run.code, run.err) == (0, "")


def test_types_and_partners_a_sequence_rule_looks_for_among_earlier_events_are_known(tmp_path: Path, cli: Cli) -> None:
    rules = write(
        tmp_path,
        "r.yaml",
        "codebook: {exercise.decline: declines}\n"
        "rules:\n"
        "  - id: after-protest\n"
        "    when: {type: exercise.decline}\n"
        "    after: {when: {type: diplomacy.critcize, actor: RUS, partner: {same_as: actor}}}\n"
        "    signals: {russia: 1}\n",
    )
    events = write(
        tmp_path,
        "e.yaml",
        "events:\n  - {id: a, date: 2009, actor: RUS, type: diplomacy.critcize, partner: KAZ}\n"
        "  - {id: b, date: 2009, actor: KAZ, type: exercise.decline, partner: NATO}\n",
    )
    # The rule's `after` tests a type its codebook lacks: warned about in the rule file, when no event has it.
    alone = cli("validate", rules)
    assert alone.code == 1 and f"{rules}:5:" in alone.err and "'diplomacy.critcize'" in alone.err
    # The event's type is one the rule's `after` names: no warning about it.
    run = cli("validate", events, "--rules", rules)
    assert (run.code, run.err) == (0, "")
