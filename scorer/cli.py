"""The `scorer` command: a thin shell over the Python API.

Results go to standard output, problems to standard error as
`file:line:col: message`; exit status 0 success, 1 `validate` found problems,
2 bad usage or bad input.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path

from scorer import __version__
from scorer.events import FORMATS, load_events, parse_date, read_text, yaml_events
from scorer.problems import InputError, Problem
from scorer.report import (
    Palette,
    document,
    explain_markdown,
    explain_text,
    timeline_csv,
    timeline_markdown,
    timeline_text,
    to_json,
    weights_document,
    weights_text,
)
from scorer.rules import RulePack, load_rules
from scorer.timeline import EVERY, Score, score
from scorer.weights import parse_weight, set_weight
from scorer.yamlfile import load_yaml

EXIT_SUCCESS, EXIT_FAIL, EXIT_ERROR = 0, 1, 2


class ScoreFormat(StrEnum):
    text = "text"
    json = "json"
    csv = "csv"
    markdown = "markdown"


class ExplainFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"


class ListFormat(StrEnum):
    text = "text"
    json = "json"


class UsageError(Exception):
    """A command line that cannot be run as given."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="scorer", description="Score foreign-policy alignment from coded events.")
    parser.add_argument("--version", action="version", version=f"scorer {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def events_command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument(
            "events", nargs="+", metavar="EVENTS", help="event files (.yaml, .jsonl, .csv) or - for standard input"
        )
        sub.add_argument("--rules", metavar="PATH", help="rule file or folder (default: the bundled pack)")
        sub.add_argument("--input-format", choices=FORMATS, help="format of the event files (needed for -)")
        sub.add_argument("--actor", metavar="CODE", help="score only this actor")
        sub.add_argument("--as-of", metavar="DATE", help="evaluate on DATE and ignore later events")
        sub.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="RULE.AXIS=WEIGHT",
            help="change a weight for this run only (repeatable)",
        )
        return sub

    score_cmd = events_command("score", "the running balance over time")
    score_cmd.add_argument("--every", choices=EVERY, help="one row per period instead of per event")
    score_cmd.add_argument("--format", choices=[f.value for f in ScoreFormat], default="text")

    explain_cmd = events_command("explain", "which events and rules drive the score")
    explain_cmd.add_argument("--event", metavar="ID", help="explain this event only")
    explain_cmd.add_argument(
        "--top", type=int, default=10, metavar="N", help="drivers to list before 'N others' (default 10)"
    )
    explain_cmd.add_argument("--format", choices=[f.value for f in ExplainFormat], default="text")
    explain_cmd.add_argument("--output", metavar="FILE", help="write the report to FILE instead of standard output")

    weights = commands.add_parser("weights", help="list or edit rule weights")
    weight_commands = weights.add_subparsers(dest="weights_command", metavar="ACTION")
    listing = weight_commands.add_parser("list", help="every rule with its weights")
    listing.add_argument("--rules", metavar="PATH")
    listing.add_argument("--format", choices=[f.value for f in ListFormat], default="text")
    setting = weight_commands.add_parser("set", help="change one weight in the rule file")
    setting.add_argument("rule")
    setting.add_argument("axis")
    setting.add_argument("weight")
    setting.add_argument("--rules", metavar="PATH")

    validate = commands.add_parser("validate", help="check event files and rulepacks")
    validate.add_argument("paths", nargs="+", metavar="PATH")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    try:
        return _run(parser, args)
    except InputError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        return EXIT_ERROR
    except UsageError as err:
        print(f"scorer: {err}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        # The reader went away (`scorer score ... | head`): nothing left to say.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_SUCCESS
    except KeyboardInterrupt:
        print("scorer: interrupted", file=sys.stderr)
        return EXIT_ERROR
    except Exception as err:  # noqa: BLE001 - the one place that turns surprises into a clear line
        print(f"scorer: internal error: {type(err).__name__}: {err}", file=sys.stderr)
        return EXIT_ERROR


def _run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if args.command in ("score", "explain"):
        return _score(args)
    if args.command == "weights":
        if args.weights_command == "list":
            pack = load_rules(args.rules)
            _emit(to_json(weights_document(pack)) if args.format == "json" else weights_text(pack))
            return EXIT_SUCCESS
        if args.weights_command == "set":
            try:
                weight = parse_weight(args.weight)
            except ValueError as err:
                raise UsageError(str(err)) from None
            edit = set_weight(args.rules, args.rule, args.axis, weight)
            old = "unset" if edit.old is None else repr(float(edit.old))
            _emit(f"{edit.file}:{edit.line}: {edit.rule} {edit.axis} {old} -> {edit.new!r}\n")
            return EXIT_SUCCESS
        raise UsageError("weights needs an action: list or set")
    if args.command == "validate":
        return _validate(args.paths)
    parser.print_help(sys.stderr)
    return EXIT_ERROR


def _pack(args: argparse.Namespace) -> RulePack:
    pack = load_rules(args.rules)
    for item in args.set:
        name, equals, value = item.partition("=")
        rule_id, dot, axis = name.rpartition(".")
        if not equals or not dot:
            raise UsageError(f"--set {item!r}: expected RULE.AXIS=WEIGHT")
        try:
            pack.rule(rule_id)
        except KeyError:
            raise UsageError(f"--set {item!r}: unknown rule '{rule_id}'") from None
        if axis not in pack.scoring.axes:
            raise UsageError(f"--set {item!r}: unknown axis '{axis}' (axes: {', '.join(pack.scoring.axes)})")
        try:
            weight = parse_weight(value)
        except ValueError as err:
            raise UsageError(f"--set {item!r}: {err}") from None
        if not math.isfinite(weight):
            raise UsageError(f"--set {item!r}: weight must be finite")
        pack = pack.with_weight(rule_id, axis, weight)
    return pack


def _score(args: argparse.Namespace) -> int:
    if args.as_of:
        try:
            parse_date(args.as_of)
        except ValueError as err:
            raise UsageError(f"--as-of: {err}") from None
    if getattr(args, "top", 1) < 0:
        raise UsageError("--top must be 0 or more")
    if args.events.count("-") > 1:
        raise UsageError("standard input (-) can be read only once")
    # Read both before reporting, so the user sees the problems of events and rules together.
    problems: list[Problem] = []
    pack: RulePack | None = None
    try:
        pack = _pack(args)
    except InputError as err:
        problems += err.problems
    try:
        events = load_events(args.events, args.input_format)
    except InputError as err:
        problems += err.problems
    if problems or pack is None:
        raise InputError(problems)
    result = score(events, pack, actor=args.actor, as_of=args.as_of, every=getattr(args, "every", None))
    palette = Palette(sys.stdout.isatty() and "NO_COLOR" not in os.environ and not getattr(args, "output", None))
    if args.command == "score":
        _emit(_render_score(result, args.format, palette))
        return EXIT_SUCCESS
    if args.event is not None and not any(
        step.event.id == args.event for actor in result.actors.values() for step in actor.trail
    ):
        raise UsageError(f"--event: no event '{args.event}' among the scored events")
    if args.format == "json":
        text = to_json(document(result, explain=True, event=args.event))
    elif args.format == "markdown":
        text = explain_markdown(result, top=args.top, event=args.event)
    else:
        text = explain_text(result, palette, top=args.top, event=args.event)
    if args.output:
        write_output(Path(args.output), text)
    else:
        _emit(text)
    return EXIT_SUCCESS


def _render_score(result: Score, fmt: str, palette: Palette) -> str:
    if fmt == "json":
        return to_json(document(result))
    if fmt == "csv":
        return timeline_csv(result)
    if fmt == "markdown":
        return timeline_markdown(result)
    return timeline_text(result, palette)


def write_output(path: Path, text: str) -> None:
    """Write a report whole or not at all: temporary file beside it, then rename."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"--output: folder {str(folder)!r} does not exist")
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _emit(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def _validate(paths: list[str]) -> int:
    problems: list[Problem] = []
    for path in paths:
        target = Path(path)
        if not target.exists():
            raise UsageError(f"{path}: no such file or folder")
        try:
            if target.is_dir() or (target.suffix in (".yaml", ".yml") and not _looks_like_events(path)):
                pack = load_rules(path)
                _emit(f"{path}: ok, a rulepack of {len(pack.rules)} rules\n")
            else:
                events = load_events(path)
                _emit(f"{path}: ok, {len(events.events)} events\n")
        except InputError as err:
            problems += err.problems
    for problem in problems:
        print(problem, file=sys.stderr)
    return EXIT_FAIL if problems else EXIT_SUCCESS


def _looks_like_events(path: str) -> bool:
    try:
        return yaml_events(load_yaml(read_text(path), path))
    except InputError:
        # Let the event loader report it; a broken file is most often an event file.
        return not any(word in read_text(path) for word in ("rules:", "scoring:"))
