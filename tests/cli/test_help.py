"""`--help` of every command: each option says what it means and its default, each command shows an example;
a mistyped command or action gets "did you mean"."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator

import pytest
from conftest import Run

from scorer.cli.parser import build_parser

Cli = Callable[..., Run]


def parsers(parser: argparse.ArgumentParser, name: str = "scorer") -> Iterator[tuple[str, argparse.ArgumentParser]]:
    """Every parser of the command line (the top one, each command, each action), with its command line."""
    yield name, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub_name, sub in action.choices.items():
                yield from parsers(sub, f"{name} {sub_name}")


ALL = list(parsers(build_parser()))


def test_every_command_is_covered() -> None:
    names = {name for name, _ in ALL}
    for command in ("score", "explain", "plot", "sensitivity", "compare", "calibrate", "validate", "weights", "init"):
        assert f"scorer {command}" in names
    assert {"scorer weights list", "scorer weights set"} <= names


@pytest.mark.parametrize(("name", "parser"), ALL, ids=[name for name, _ in ALL])
def test_every_option_and_argument_has_help(name: str, parser: argparse.ArgumentParser) -> None:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            continue
        assert action.help and action.help.strip(), f"{name}: {action.option_strings or action.dest} has no help"


@pytest.mark.parametrize(("name", "parser"), ALL, ids=[name for name, _ in ALL])
def test_every_option_with_a_default_says_it(name: str, parser: argparse.ArgumentParser) -> None:
    for action in parser._actions:
        if not action.option_strings or action.help == argparse.SUPPRESS:
            continue
        if isinstance(action, (argparse._HelpAction, argparse._VersionAction)):
            continue
        assert "default" in (action.help or "") or action.required or "required" in (action.help or ""), (
            f"{name} {action.option_strings[0]}: its help does not say its default"
        )


@pytest.mark.parametrize(("name", "parser"), ALL, ids=[name for name, _ in ALL])
def test_every_command_shows_an_example(name: str, parser: argparse.ArgumentParser) -> None:
    assert parser.epilog and "example:" in parser.epilog
    assert "  scorer " in parser.epilog


def test_help_is_printed_with_the_examples(cli: Cli) -> None:
    run = cli("score", "--help")
    assert run.code == 0
    flowing = " ".join(run.out.split())
    assert "--format {text,json,csv,markdown}" in run.out
    assert "(default: text)" in flowing
    assert "example:\n  scorer score " in run.out
    assert "(2020 is 2020-12-31" in flowing


@pytest.mark.parametrize(
    ("argv", "suggestion"),
    [(["scor"], "did you mean 'score'?"), (["explian"], "did you mean 'explain'?"), (["weights", "lst"], "did you mean 'list'?")],
)
def test_a_mistyped_command_gets_a_suggestion(cli: Cli, argv: list[str], suggestion: str) -> None:
    run = cli(*argv)
    assert run.code == 2
    assert run.err.rstrip().endswith(suggestion)
