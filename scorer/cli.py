"""The `scorer` command: a thin shell over the Python API.

Results go to standard output, problems to standard error as
`file:line:col: message`; exit status 0 success, 1 `validate` found problems,
2 bad usage or bad input.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from scorer import __version__
from scorer.compare import compare, compare_markdown, compare_text
from scorer.compare import to_document as compare_document
from scorer.events import FORMATS, EventSet, load_events, parse_date, read_text, yaml_events
from scorer.machine import INTENSITIES
from scorer.packs import resolve
from scorer.problems import InputError, Problem
from scorer.readers import MACHINE_FORMATS, Tally, detect, load, read, summary
from scorer.report import (
    Palette,
    document_json,
    explain_markdown,
    explain_text,
    timeline_csv,
    timeline_markdown,
    timeline_text,
    to_json,
    weights_document,
    weights_text,
)
from scorer.rules import MAX_WEIGHT, RulePack, load_rules, weight_too_large
from scorer.sensitivity import DELTA, of_matched, sensitivity, sensitivity_markdown, sensitivity_text
from scorer.sensitivity import to_document as sensitivity_document
from scorer.timeline import EVERY, Score, match, rescore
from scorer.weights import parse_weight, set_weight
from scorer.whatif import without
from scorer.yamlfile import load_yaml, printable

EXIT_SUCCESS, EXIT_FAIL, EXIT_ERROR = 0, 1, 2


class ScoreFormat(StrEnum):
    text = "text"
    json = "json"
    csv = "csv"
    markdown = "markdown"


class ExplainFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    html = "html"
    json = "json"


class AnalysisFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


class ListFormat(StrEnum):
    text = "text"
    json = "json"


class UsageError(Exception):
    """A command line that cannot be run as given."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="scorer", description="Score foreign-policy alignment from coded events.")
    parser.add_argument("--version", action="version", version=f"scorer {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def events_command(name: str, help_text: str, two_packs: bool = False) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument(
            "events",
            nargs="+",
            metavar="EVENTS",
            help="event files (.yaml, .jsonl, .csv; GDELT or ICEWS exports, also zipped) or - for standard input",
        )
        if two_packs:
            sub.add_argument(
                "--rules", action="append", metavar="PATH", help="a pack to compare: give it twice, or once with --set"
            )
        else:
            sub.add_argument("--rules", metavar="PATH", help="rule file or folder (default: the bundled pack)")
        sub.add_argument(
            "--without",
            action="append",
            default=[],
            metavar="EVENT_ID",
            help="score as if this event had not happened (repeatable)",
        )
        sub.add_argument(
            "--input-format", choices=FORMATS + MACHINE_FORMATS, help="format of the event files (needed for -)"
        )
        sub.add_argument(
            "--strict", action="store_true", help="a GDELT/ICEWS row that cannot become an event is an error"
        )
        sub.add_argument(
            "--intensity",
            choices=INTENSITIES,
            help="intensity of GDELT/ICEWS events: |Goldstein| (goldstein, the default) or 1 (one)",
        )
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

    plot_cmd = events_command("plot", "one chart as a PNG or SVG file")
    plot_cmd.add_argument("--output", required=True, metavar="FILE", help="the chart file: .png or .svg")
    plot_cmd.add_argument(
        "--chart", choices=("timeline", "waterfall", "tornado"), default="timeline", help="which chart (default timeline)"
    )
    plot_cmd.add_argument("--top", type=int, default=10, metavar="N", help="rows before 'N others' (default 10)")
    plot_cmd.add_argument("--delta", type=float, default=DELTA, help="relative weight change for tornado (0.25)")

    sensitivity_cmd = events_command("sensitivity", "how the balance moves when one weight changes by ±delta")
    sensitivity_cmd.add_argument("--delta", type=float, default=DELTA, help="relative weight change (default 0.25)")
    sensitivity_cmd.add_argument("--format", choices=[f.value for f in AnalysisFormat], default="text")

    compare_cmd = events_command("compare", "two packs (or a pack and --set) side by side", two_packs=True)
    compare_cmd.add_argument("--top", type=int, default=10, metavar="N", help="differences to list (default 10)")
    compare_cmd.add_argument("--format", choices=[f.value for f in AnalysisFormat], default="text")

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
    # What is loaded before the run stays for the whole run: the cyclic collector need
    # not walk it again at each full collection (~15 ms a collection once the libraries
    # are loaded). Left as it is where the caller froze objects of its own.
    freezing = gc.get_freeze_count() == 0
    if freezing:
        gc.freeze()
    try:
        return _run(parser, args)
    # Messages quote names and values from the input and the command line: `printable` keeps
    # each on one line and lets no control character (ESC ...) reach the terminal.
    except InputError as err:
        for problem in err.problems:
            print(printable(str(problem)), file=sys.stderr)
        return EXIT_ERROR
    except UsageError as err:
        print(printable(f"scorer: {err}"), file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        # The reader went away (`scorer score ... | head`): nothing left to say.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_SUCCESS
    except OSError as err:
        # A file the command could not write (an --output in a folder it may not write, a full disk).
        where = f"{err.filename}: " if err.filename else ""
        print(printable(f"scorer: {where}{err.strerror or err}"), file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("scorer: interrupted", file=sys.stderr)
        return EXIT_ERROR
    except Exception as err:  # noqa: BLE001 - the one place that turns surprises into a clear line
        print(printable(f"scorer: internal error: {type(err).__name__}: {err}"), file=sys.stderr)
        return EXIT_ERROR
    finally:
        if freezing:
            gc.unfreeze()


def _run(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if args.command in ("score", "explain"):
        return _score(args)
    if args.command == "plot":
        return _plot(args)
    if args.command == "sensitivity":
        return _sensitivity(args)
    if args.command == "compare":
        return _compare(args)
    if args.command == "weights":
        if args.weights_command == "list":
            pack = load_rules(resolve(args.rules))
            _emit(to_json(weights_document(pack)) if args.format == "json" else weights_text(pack))
            return EXIT_SUCCESS
        if args.weights_command == "set":
            try:
                weight = parse_weight(args.weight)
            except ValueError as err:
                raise UsageError(str(err)) from None
            edit = set_weight(resolve(args.rules), args.rule, args.axis, weight)
            old = "unset" if edit.old is None else repr(float(edit.old))
            _emit(f"{edit.file}:{edit.line}: {edit.rule} {edit.axis} {old} -> {edit.new!r}\n")
            return EXIT_SUCCESS
        raise UsageError("weights needs an action: list or set")
    if args.command == "validate":
        return _validate(args.paths)
    parser.print_help(sys.stderr)
    return EXIT_ERROR


def _pack(args: argparse.Namespace) -> RulePack:
    return _with_sets(load_rules(resolve(args.rules)), args.set)


def _with_sets(pack: RulePack, items: list[str]) -> RulePack:
    for item in items:
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
        if abs(weight) > MAX_WEIGHT:
            raise UsageError(f"--set {item!r}: {weight_too_large(f'{rule_id!r} on {axis!r}', weight)}")
        pack = pack.with_weight(rule_id, axis, weight)
    return pack


Packs = TypeVar("Packs")


def _inputs(args: argparse.Namespace, packs: Callable[[], Packs]) -> tuple[EventSet, Packs]:
    """The events (less `--without`) and the pack(s) of an events command."""
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
    loaded: Packs | None = None
    try:
        loaded = packs()
    except InputError as err:
        problems += err.problems
    try:
        events, args.tally = load(
            args.events, args.input_format, strict=args.strict, intensity=args.intensity or "goldstein"
        )
    except InputError as err:
        problems += err.problems
    if problems or loaded is None:
        raise InputError(problems)
    if args.tally is None and args.intensity:
        raise UsageError("--intensity applies to GDELT and ICEWS event files only")
    if args.tally is not None:
        sys.stderr.write(summary(args.tally))
    try:
        return without(events, args.without), loaded
    except ValueError as err:
        raise UsageError(f"--without: {err}") from None


def _score(args: argparse.Namespace) -> int:
    events, pack = _inputs(args, lambda: _pack(args))
    matched = match(events, pack, actor=args.actor, as_of=args.as_of)
    result = rescore(matched, pack, every=getattr(args, "every", None))
    palette = Palette(sys.stdout.isatty() and "NO_COLOR" not in os.environ and not getattr(args, "output", None))
    if args.command == "score":
        if args.format == "json":
            _emit_all(document_json(result, after=_skipped(args.tally)))
        else:
            _emit(_render_score(result, args.format, palette))
        return EXIT_SUCCESS
    if args.event is not None and not any(
        step.event.id == args.event for actor in result.actors.values() for step in actor.trail
    ):
        raise UsageError(f"--event: no event '{args.event}' among the scored events")
    if args.format == "json":
        text = b"".join(document_json(result, explain=True, event=args.event, after=_skipped(args.tally))).decode()
    elif args.format == "html":
        from scorer.html import html_report  # matplotlib: loaded only by the commands that draw

        sensitive = of_matched(matched, pack)
        text = html_report(result, sensitive, top=args.top, event=args.event, inputs=args.events)
    elif args.format == "markdown":
        charts = None
        if args.output:
            from scorer.charts import report_charts

            # The charts go next to the report, which links them by name.
            files, charts = report_charts(result, Path(args.output).stem, args.top)
            for name, data in files.items():
                write_output(Path(args.output).parent / name, data)
        text = explain_markdown(result, top=args.top, event=args.event, charts=charts)
    else:
        text = explain_text(result, palette, top=args.top, event=args.event)
    if args.output:
        write_output(Path(args.output), text)
    else:
        _emit(text)
    return EXIT_SUCCESS


def _render_score(result: Score, fmt: str, palette: Palette) -> str:
    if fmt == "csv":
        return timeline_csv(result)
    if fmt == "markdown":
        return timeline_markdown(result)
    return timeline_text(result, palette)


def _skipped(tally: Tally | None) -> dict[str, Any] | None:
    """GDELT/ICEWS rows that did not become events, listed after the score (only when such files were read)."""
    return None if tally is None else {"skipped": tally.as_json()}


def write_output(path: Path, text: str | bytes) -> None:
    """Write a report (or chart) whole or not at all: temporary file beside it, then rename."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"--output: folder {str(folder)!r} does not exist")
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        # mkstemp makes the file private; a report is meant to be shared, so give it the usual mode.
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as out:
            out.write(text if isinstance(text, bytes) else text.encode("utf-8"))
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _delta(value: float) -> float:
    if not math.isfinite(value) or value <= 0:
        raise UsageError(f"--delta must be a number above 0, not {value}")
    return value


def _plot(args: argparse.Namespace) -> int:
    from scorer.charts import ChartFormat, plot

    output = Path(args.output)
    suffix = output.suffix.lower()
    if suffix not in (".png", ".svg"):
        raise UsageError(f"--output {args.output!r}: a chart is written as .png or .svg")
    fmt: ChartFormat = "png" if suffix == ".png" else "svg"
    delta = _delta(args.delta)
    events, pack = _inputs(args, lambda: _pack(args))
    matched = match(events, pack, actor=args.actor, as_of=args.as_of)
    sensitive = of_matched(matched, pack, delta=delta) if args.chart == "tornado" else None
    write_output(output, plot(args.chart, rescore(matched, pack), fmt, sensitivity=sensitive, top=args.top))
    return EXIT_SUCCESS


def _sensitivity(args: argparse.Namespace) -> int:
    delta = _delta(args.delta)
    events, pack = _inputs(args, lambda: _pack(args))
    result = sensitivity(events, pack, delta=delta, actor=args.actor, as_of=args.as_of)
    if args.format == "json":
        _emit(to_json(sensitivity_document(result)))
    else:
        _emit(sensitivity_markdown(result) if args.format == "markdown" else sensitivity_text(result))
    return EXIT_SUCCESS


def _compare(args: argparse.Namespace) -> int:
    rules: list[str] = args.rules or []
    if len(rules) > 2:
        raise UsageError("compare takes two packs: --rules A --rules B")
    if len(rules) == 2 and args.set:
        raise UsageError("--set compares against the pack's own weights: give one --rules with it, not two")
    if len(rules) < 2 and not args.set:
        raise UsageError("compare needs two packs: --rules A --rules B, or --set RULE.AXIS=WEIGHT against one pack")

    def packs() -> tuple[RulePack, RulePack]:
        if len(rules) == 2:
            problems: list[Problem] = []
            loaded = []
            for path in rules:
                try:
                    loaded.append(load_rules(resolve(path)))
                except InputError as err:
                    problems += err.problems
            if problems:
                raise InputError(problems)
            return loaded[0], loaded[1]
        pack = load_rules(resolve(rules[0]) if rules else None)
        return pack, _with_sets(pack, args.set)

    events, (a, b) = _inputs(args, packs)
    first = rules[0] if rules else "the bundled pack"
    labels = (first, rules[1] if len(rules) == 2 else f"{first} with --set {' '.join(args.set)}")
    result = compare(events, a, b, labels=labels, actor=args.actor, as_of=args.as_of)
    if args.format == "json":
        _emit(to_json(compare_document(result)))
    else:
        render = compare_markdown if args.format == "markdown" else compare_text
        _emit(render(result, top=args.top))
    return EXIT_SUCCESS


def _emit(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def _emit_all(parts: Iterable[bytes]) -> None:
    """UTF-8 output written as it is made (decoded only where standard output takes text alone)."""
    sys.stdout.flush()
    binary = getattr(sys.stdout, "buffer", None)
    for part in parts:
        if binary is None:
            sys.stdout.write(part.decode("utf-8"))
        else:
            binary.write(part)
    (binary or sys.stdout).flush()


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
            elif kind := detect(path):
                reading = read(path, kind)
                skipped = f"; {len(reading.skipped)} rows cannot be events (score lists them)" if reading.skipped else ""
                _emit(f"{path}: ok, {reading.frame.height} events from {reading.rows} {kind} rows{skipped}\n")
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
