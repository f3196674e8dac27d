"""The command line around the scores: weights set on a file people edit, formats, exit codes, version."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Run, write

import scorer
from scorer.pack.load import load_rules

RULES = """\
# Military rules: weights agreed by the team, May 2009.
scoring:
  axes: [nato, russia, china]
  balance: {plus: nato, minus: russia}

rules:
  - id: decline-nato-exercise   # Longbow 2009
    description: Declines to take part in a NATO or PfP exercise
    when:
      type: exercise.decline
      partner: {in: [NATO, USA]}
    signals:
      russia: 2.0     # follows Moscow's objections
      nato: -1        # undoes part of what joining builds

  - id: join-exercise
    when: {type: exercise.join}
    signals: {nato: 1.5, russia: -0.25}   # one exercise, reversible

  # Kept for reference, not scored.
  - id: old-rule
    enabled: false
    when: {type: exercise.host}
    signals:
        nato: 3
"""

EVENTS = """\
defaults: {actor: KAZ}
events:
  - {id: longbow, date: 2009-04-21, type: exercise.decline, partner: NATO}
  - {id: steppe-eagle, date: 2009-08, type: exercise.join, partner: NATO}
"""

Cli = Callable[..., Run]


@pytest.fixture()
def rules(tmp_path: Path) -> Path:
    return write(tmp_path, "rules.yaml", RULES)


def changed_lines(before: str, after: str) -> list[tuple[int, str, str]]:
    old, new = before.splitlines(), after.splitlines()
    assert len(old) == len(new), "expected the same number of lines"
    return [(i + 1, a, b) for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]


def folder_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --- weights set -----------------------------------------------------------


def test_weights_set_changes_one_number_on_one_line(cli: Cli, rules: Path) -> None:
    before = rules.read_text()
    run = cli("weights", "set", "decline-nato-exercise", "russia", "2.5", "--rules", rules)
    assert run.code == 0, run.err
    assert "decline-nato-exercise" in run.out
    assert changed_lines(before, rules.read_text()) == [
        (13, "      russia: 2.0     # follows Moscow's objections", "      russia: 2.5     # follows Moscow's objections")
    ]
    assert load_rules(rules).rule("decline-nato-exercise").signals == {"russia": 2.5, "nato": -1.0}


def test_weights_set_keeps_whole_numbers_whole(cli: Cli, rules: Path) -> None:
    before = rules.read_text()
    assert cli("weights", "set", "decline-nato-exercise", "nato", "-2", "--rules", rules).code == 0
    assert changed_lines(before, rules.read_text()) == [
        (14, "      nato: -1        # undoes part of what joining builds", "      nato: -2        # undoes part of what joining builds")
    ]


def test_weights_set_in_a_flow_mapping(cli: Cli, rules: Path) -> None:
    before = rules.read_text()
    assert cli("weights", "set", "join-exercise", "russia", "0.125", "--rules", rules).code == 0
    assert changed_lines(before, rules.read_text()) == [
        (
            18,
            "    signals: {nato: 1.5, russia: -0.25}   # one exercise, reversible",
            "    signals: {nato: 1.5, russia: 0.125}   # one exercise, reversible",
        )
    ]


def test_weights_set_on_a_disabled_rule(cli: Cli, rules: Path) -> None:
    before = rules.read_text()
    assert cli("weights", "set", "old-rule", "nato", "4.5", "--rules", rules).code == 0
    assert changed_lines(before, rules.read_text()) == [(25, "        nato: 3", "        nato: 4.5")]
    assert load_rules(rules).rule("old-rule").enabled is False


def test_weights_set_adds_a_missing_signal_in_block_style(cli: Cli, rules: Path) -> None:
    before = rules.read_text().splitlines()
    assert cli("weights", "set", "decline-nato-exercise", "china", "0.75", "--rules", rules).code == 0
    after = rules.read_text().splitlines()
    assert after == before[:14] + ["      china: 0.75"] + before[14:]
    assert load_rules(rules).rule("decline-nato-exercise").signals == {"russia": 2.0, "nato": -1.0, "china": 0.75}


def test_weights_set_adds_a_missing_signal_with_the_rules_own_indent(cli: Cli, rules: Path) -> None:
    before = rules.read_text().splitlines()
    assert cli("weights", "set", "old-rule", "russia", "-1", "--rules", rules).code == 0
    after = rules.read_text().splitlines()
    assert after[:25] == before and after[26:] == []
    assert after[25] in ("        russia: -1", "        russia: -1.0")
    assert load_rules(rules).rule("old-rule").signals == {"nato": 3.0, "russia": -1.0}


def test_weights_set_adds_a_missing_signal_in_flow_style(cli: Cli, rules: Path) -> None:
    before = rules.read_text()
    assert cli("weights", "set", "join-exercise", "china", "3", "--rules", rules).code == 0
    ((number, _, line),) = changed_lines(before, rules.read_text())
    assert number == 18
    assert line.startswith("    signals: {nato: 1.5, russia: -0.25, china: 3")
    assert line.endswith("}   # one exercise, reversible")
    assert load_rules(rules).rule("join-exercise").signals == {"nato": 1.5, "russia": -0.25, "china": 3.0}


def test_weights_set_then_score_uses_the_new_weight(cli: Cli, tmp_path: Path, rules: Path) -> None:
    events = write(tmp_path, "events.yaml", EVENTS)
    assert cli("weights", "set", "join-exercise", "nato", "4", "--rules", rules).code == 0
    final = cli("score", events, "--rules", rules, "--format", "json").json()["actors"]["KAZ"]["final"]
    assert final["totals"] == {"nato": -1 + 4, "russia": 2 - 0.25, "china": 0}


def test_weights_set_edits_the_file_of_the_rule_in_a_folder(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "pack"
    first = write(folder, "a.yaml", "rules:\n  - id: a  # first\n    when: {type: x}\n    signals: {nato: 1}\n")
    second = write(folder, "b.yaml", "rules:\n  - id: b  # second\n    when: {type: y}\n    signals:\n      nato: 1\n")
    before_first, before_second = first.read_bytes(), second.read_text()
    assert cli("weights", "set", "b", "nato", "-3.5", "--rules", folder).code == 0
    assert first.read_bytes() == before_first
    assert changed_lines(before_second, second.read_text()) == [(5, "      nato: 1", "      nato: -3.5")]
    assert folder_files(folder) == ["a.yaml", "b.yaml"]


def test_weights_set_keeps_windows_line_endings(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_bytes(b"rules:\r\n  - id: r\r\n    when: {type: x}\r\n    signals:\r\n      nato: 1\r\n")
    assert cli("weights", "set", "r", "nato", "2", "--rules", path).code == 0
    assert path.read_bytes() == b"rules:\r\n  - id: r\r\n    when: {type: x}\r\n    signals:\r\n      nato: 2\r\n"
    assert cli("weights", "set", "r", "russia", "0.5", "--rules", path).code == 0
    assert path.read_bytes() == (
        b"rules:\r\n  - id: r\r\n    when: {type: x}\r\n    signals:\r\n      nato: 2\r\n      russia: 0.5\r\n"
    )


@pytest.mark.parametrize(
    ("rule", "axis", "weight", "words"),
    [
        ("no-such-rule", "nato", "1", ["no-such-rule"]),
        ("decline-nato-exercise", "mars", "1", ["mars"]),
        ("decline-nato-exercise", "nato", "nan", ["finite"]),
        ("decline-nato-exercise", "nato", "inf", ["finite"]),
        ("decline-nato-exercise", "nato", "-inf", ["finite"]),
        ("decline-nato-exercise", "nato", "lots", ["lots"]),
        ("decline-nato-exercise", "nato", "", []),
    ],
)
def test_refused_edits_leave_the_file_byte_identical(
    cli: Cli, tmp_path: Path, rules: Path, rule: str, axis: str, weight: str, words: list[str]
) -> None:
    before = rules.read_bytes()
    stamp = rules.stat().st_mtime_ns
    run = cli("weights", "set", "--rules", rules, "--", rule, axis, weight)
    assert run.code == 2
    assert run.out == ""
    assert "Traceback" not in run.err
    assert len(run.err.splitlines()) == 1
    for word in words:
        assert word in run.err
    assert rules.read_bytes() == before
    assert rules.stat().st_mtime_ns == stamp
    assert folder_files(tmp_path) == ["rules.yaml"], "no temporary file is left behind"


def test_refused_edit_of_a_broken_pack(cli: Cli, tmp_path: Path) -> None:
    path = write(tmp_path, "rules.yaml", "rules:\n  - id: r\n    when: {type: x}\n    signals: {nato: 1, mars: 2}\n")
    before = path.read_bytes()
    run = cli("weights", "set", "r", "nato", "2", "--rules", path)
    assert run.code == 2
    assert run.err.startswith(f"{path}:4:")
    assert path.read_bytes() == before


# --- weights list ----------------------------------------------------------


def test_weights_list_json(cli: Cli, rules: Path) -> None:
    listing = cli("weights", "list", "--rules", rules, "--format", "json").json()
    assert listing == {
        "rules": [
            {"rule": "decline-nato-exercise", "file": str(rules), "line": 7, "enabled": True, "signals": {"russia": 2.0, "nato": -1.0}},
            {"rule": "join-exercise", "file": str(rules), "line": 16, "enabled": True, "signals": {"nato": 1.5, "russia": -0.25}},
            {"rule": "old-rule", "file": str(rules), "line": 21, "enabled": False, "signals": {"nato": 3.0}},
        ]
    }


def test_weights_list_text_names_every_rule_and_where(cli: Cli, rules: Path) -> None:
    run = cli("weights", "list", "--rules", rules)
    assert run.code == 0
    for rule_id, line in (("decline-nato-exercise", 7), ("join-exercise", 16), ("old-rule", 21)):
        assert rule_id in run.out
        assert f"{rules}:{line}" in run.out


# --- other commands and formats --------------------------------------------


def test_version(cli: Cli) -> None:
    run = cli("--version")
    assert run.code == 0
    assert scorer.__version__ in run.out


@pytest.mark.parametrize("fmt", ["text", "csv", "markdown", "json"])
def test_score_formats_name_every_event(cli: Cli, tmp_path: Path, rules: Path, fmt: str) -> None:
    events = write(tmp_path, "events.yaml", EVENTS)
    run = cli("score", events, "--rules", rules, "--format", fmt)
    assert run.code == 0, run.err
    assert "longbow" in run.out and "steppe-eagle" in run.out
    assert "\x1b[" not in run.out, "no colour when the output is not a terminal"


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_explain_reports_say_where_each_rule_is_defined(cli: Cli, tmp_path: Path, rules: Path, fmt: str) -> None:
    events = write(tmp_path, "events.yaml", EVENTS)
    run = cli("explain", events, "--rules", rules, "--format", fmt)
    assert run.code == 0, run.err
    assert f"{rules}:7" in run.out and f"{rules}:16" in run.out
    assert "decline-nato-exercise" in run.out and "join-exercise" in run.out


def test_explain_output_file(cli: Cli, tmp_path: Path, rules: Path) -> None:
    events = write(tmp_path, "events.yaml", EVENTS)
    target = tmp_path / "report.json"
    run = cli("explain", events, "--rules", rules, "--format", "json", "--output", target)
    assert run.code == 0, run.err
    assert run.out == ""
    printed = cli("explain", events, "--rules", rules, "--format", "json").out
    assert target.read_text(encoding="utf-8") == printed


def test_same_input_same_bytes(cli: Cli, tmp_path: Path, rules: Path) -> None:
    events = write(tmp_path, "events.yaml", EVENTS)
    for argv in (
        ["score", "--format", "json"],
        ["score", "--format", "text"],
        ["score", "--format", "csv", "--every", "month"],
        ["explain", "--format", "json"],
        ["explain", "--format", "text"],
        ["explain", "--format", "markdown"],
    ):
        first = cli(argv[0], events, "--rules", rules, *argv[1:])
        second = cli(argv[0], events, "--rules", rules, *argv[1:])
        assert first.code == 0 and first.out == second.out, argv


def test_score_compiles_its_pack_on_another_thread_while_it_reads_the_events(
    cli: Cli, tmp_path: Path, rules: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_main_thread: list[bool] = []
    prepare = scorer.api.prepare

    def recorded(pack: scorer.RulePack) -> None:
        on_main_thread.append(threading.current_thread() is threading.main_thread())
        prepare(pack)

    monkeypatch.setattr(scorer.api, "prepare", recorded)
    events = write(tmp_path, "events.yaml", EVENTS)
    run = cli("score", events, "--rules", rules, "--format", "json")
    assert run.code == 0, run.err
    assert on_main_thread == [False]
    assert run.json()["actors"]["KAZ"]["final"]["totals"] == {"nato": 0.5, "russia": 1.75, "china": 0.0}


@pytest.mark.parametrize("command", ["score", "explain"])
def test_score_and_explain_work_out_their_warnings_on_another_thread(
    cli: Cli, tmp_path: Path, rules: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    on_main_thread: list[bool] = []
    lint = scorer.api.lint

    def recorded(events: scorer.EventSet, *packs: scorer.RulePack) -> list[scorer.Problem]:
        on_main_thread.append(threading.current_thread() is threading.main_thread())
        return lint(events, *packs)

    monkeypatch.setattr(scorer.api, "lint", recorded)
    events = write(tmp_path, "events.yaml", EVENTS.replace("exercise.join", "exercise.jion"))
    run = cli(command, events, "--rules", rules, "--format", "json")
    assert run.code == 0, run.err
    assert on_main_thread == [False]
    assert "warning: type 'exercise.jion'" in run.err


@pytest.mark.parametrize("command", ["score", "explain"])
def test_score_prints_the_warnings_it_works_out_beside_matching_and_before_an_error(
    cli: Cli, tmp_path: Path, rules: Path, command: str
) -> None:
    events = write(tmp_path, "events.yaml", EVENTS.replace("exercise.join", "exercise.jion"))
    run = cli(command, events, "--rules", rules, "--format", "json")
    assert run.code == 0, run.err
    assert "warning: type 'exercise.jion'" in run.err and "did you mean 'exercise.join'?" in run.err
    assert run.json()["actors"]["KAZ"]["final"]
    failed = cli(command, events, "--rules", rules, "--actor", "UZB")
    lines = failed.err.splitlines()
    assert failed.code == 2 and len(lines) == 2
    assert "warning: type 'exercise.jion'" in lines[0] and lines[1].startswith("scorer: --actor 'UZB': no event")


def test_no_command_is_bad_usage(cli: Cli) -> None:
    run = cli()
    assert run.code == 2
    assert "Traceback" not in run.err


def test_json_numbers_are_plain_numbers(cli: Cli, tmp_path: Path, rules: Path) -> None:
    events = write(tmp_path, "events.yaml", EVENTS)
    out = cli("explain", events, "--rules", rules, "--format", "json").out
    assert "NaN" not in out and "Infinity" not in out
    document = json.loads(out)
    assert document["actors"]["KAZ"]["final"]["totals"] == {"nato": 0.5, "russia": 1.75, "china": 0.0}


def test_no_color_is_respected_on_a_terminal(
    cli: Cli, tmp_path: Path, rules: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = write(tmp_path, "events.yaml", EVENTS)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setattr("sys.stdout.isatty", lambda: True, raising=False)
    run = cli("score", events, "--rules", rules)
    assert run.code == 0
    assert "\x1b[" not in run.out


def test_bundled_pack_is_the_default(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    listing = cli("weights", "list", "--format", "json").json()
    assert listing["rules"]
    assert all(os.path.basename(item["file"]).endswith((".yaml", ".yml")) for item in listing["rules"])


def test_set_with_a_dotted_rule_id(cli: Cli, tmp_path: Path) -> None:
    rules = write(tmp_path, "rules.yaml", "rules:\n  - {id: exercise.join-west, when: {type: exercise.join}, signals: {nato: 1}}\n")
    events = write(tmp_path, "events.yaml", EVENTS)
    final = cli("score", events, "--rules", rules, "--format", "json", "--set", "exercise.join-west.nato=2.5").json()
    assert final["actors"]["KAZ"]["final"]["totals"] == {"nato": 2.5, "russia": 0.0}


def test_set_refuses_a_weight_the_rule_file_could_not_hold(cli: Cli, tmp_path: Path, rules: Path) -> None:
    events = write(tmp_path, "events.yaml", EVENTS)
    run = cli("score", events, "--rules", rules, "--set", "join-exercise.nato=2e6")
    assert run.code == 2
    assert "weights may be at most 1,000,000 either way" in run.err
    assert cli("score", events, "--rules", rules, "--set", "join-exercise.nato=-1e6").code == 0
