"""The command line's grammar: every command, its arguments and their help."""

from __future__ import annotations

import argparse

from scorer import __version__
from scorer.analysis.sensitivity import DELTA
from scorer.io.formats import FORMATS, MACHINE_FORMATS
from scorer.io.machine_coded.rows import INTENSITIES
from scorer.report.format import CHARTS
from scorer.report.render import FORMATS as OUTPUT_FORMATS
from scorer.scoring.periods import EVERY


def build_parser() -> argparse.ArgumentParser:
    """The parser of `scorer`'s whole command line."""
    parser = argparse.ArgumentParser(prog="scorer", description="Score foreign-policy alignment from coded events.")
    parser.add_argument("--version", action="version", version=f"scorer {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _score(commands)
    _explain(commands)
    _plot(commands)
    _sensitivity(commands)
    _compare(commands)
    _weights(commands)
    validate = commands.add_parser("validate", help="check event files and rulepacks")
    validate.add_argument("paths", nargs="+", metavar="PATH")
    validate.add_argument("--rules", metavar="PATH")
    validate.add_argument("--input-format", choices=FORMATS + MACHINE_FORMATS)
    return parser


def _events_command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], name: str, help_text: str, two_packs: bool = False
) -> argparse.ArgumentParser:
    """A command that reads events: the arguments every such command shares."""
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
    sub.add_argument("--input-format", choices=FORMATS + MACHINE_FORMATS, help="format of the event files (needed for -)")
    sub.add_argument("--strict", action="store_true", help="a GDELT/ICEWS row that cannot become an event is an error")
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


def _score(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`scorer score`."""
    sub = _events_command(commands, "score", "the running balance over time")
    sub.add_argument("--every", choices=EVERY, help="one row per period instead of per event")
    sub.add_argument("--format", choices=OUTPUT_FORMATS["score"], default="text")


def _explain(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`scorer explain`."""
    sub = _events_command(commands, "explain", "which events and rules drive the score")
    sub.add_argument("--event", metavar="ID", help="explain this event only")
    sub.add_argument("--top", type=int, default=10, metavar="N", help="drivers to list before 'N others' (default 10)")
    sub.add_argument("--format", choices=OUTPUT_FORMATS["explain"], default="text")
    sub.add_argument("--output", metavar="FILE", help="write the report to FILE instead of standard output")


def _plot(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`scorer plot`."""
    sub = _events_command(commands, "plot", "one chart as a PNG or SVG file")
    sub.add_argument("--output", required=True, metavar="FILE", help="the chart file: .png or .svg")
    sub.add_argument(
        "--chart", choices=CHARTS, default="timeline", help="which chart (default timeline)"
    )
    sub.add_argument("--top", type=int, default=10, metavar="N", help="rows before 'N others' (default 10)")
    sub.add_argument("--delta", type=float, default=DELTA, help="relative weight change for tornado (0.25)")


def _sensitivity(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`scorer sensitivity`."""
    sub = _events_command(commands, "sensitivity", "how the balance moves when one weight changes by ±delta")
    sub.add_argument("--delta", type=float, default=DELTA, help="relative weight change (default 0.25)")
    sub.add_argument("--format", choices=OUTPUT_FORMATS["analysis"], default="text")


def _compare(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`scorer compare`."""
    sub = _events_command(commands, "compare", "two packs (or a pack and --set) side by side", two_packs=True)
    sub.add_argument("--top", type=int, default=10, metavar="N", help="differences to list (default 10)")
    sub.add_argument("--format", choices=OUTPUT_FORMATS["analysis"], default="text")


def _weights(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`scorer weights list|set`."""
    weights = commands.add_parser("weights", help="list or edit rule weights")
    actions = weights.add_subparsers(dest="weights_command", metavar="ACTION")
    listing = actions.add_parser("list", help="every rule with its weights")
    listing.add_argument("--rules", metavar="PATH")
    listing.add_argument("--format", choices=OUTPUT_FORMATS["weights"], default="text")
    setting = actions.add_parser("set", help="change one weight in the rule file")
    setting.add_argument("rule")
    setting.add_argument("axis")
    setting.add_argument("weight")
    setting.add_argument("--rules", metavar="PATH")
