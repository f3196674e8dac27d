"""The command line's grammar: every command, its arguments, their help and defaults, and an example each."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, NoReturn, TypeAlias

from scorer import __version__
from scorer.analysis.defaults import BASE_DRAWS as SOBOL_DRAWS
from scorer.analysis.defaults import DELTA, RIDGE
from scorer.analysis.defaults import DRAWS as BAND_DRAWS
from scorer.io.formats import COLUMNAR_FORMATS, FORMATS, MACHINE_FORMATS
from scorer.io.machine_coded.rows import INTENSITIES
from scorer.io.parquet.write import PARTITIONS
from scorer.io.targets import TARGET_FORMATS, UNGA_DEFAULT
from scorer.report.format import CHARTS
from scorer.report.render import FORMATS as OUTPUT_FORMATS
from scorer.scoring.periods import EVERY
from scorer.suggest import hint

if TYPE_CHECKING:
    Commands: TypeAlias = argparse._SubParsersAction["Parser"]

_EVENTS = (
    "event files: .yaml, .json (an array), .jsonl/.ndjson, .csv, .tsv, .parquet or a folder of Parquet files, "
    "GDELT or ICEWS exports (also zipped), "
    "or - for standard input (its format is told by what it holds)"
)
_RULES = (
    "the rulepack: a rule file, a folder of them, a bundled pack's name (default, cameo) or - for standard "
    "input (default: the bundled default pack)"
)
_AS_OF = (
    "score as on DATE, ignoring later events. DATE is YYYY-MM-DD; a year or a month stands for its last day "
    "(2020 is 2020-12-31, 2020-02 is 2020-02-29) (default: each actor's last event)"
)


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors suggest the nearest command or choice ("did you mean 'score'?")."""

    def error(self, message: str) -> NoReturn:
        """Print usage and the error, with a suggestion when a choice was mistyped; exit status 2."""
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {_suggested(message)}\n")


def _suggested(message: str) -> str:
    """An "invalid choice" message ended with the nearest valid choice, when one is near."""
    marker = "invalid choice: '"
    if marker not in message or "(choose from " not in message:
        return message
    word = message.split(marker, 1)[1].split("'", 1)[0]
    listed = message.rsplit("(choose from ", 1)[1].rstrip(")")
    choices = [choice.strip().strip("'") for choice in listed.split(",")]
    return hint(message, word, choices)


def _examples(*lines: str) -> str:
    """An epilog of example command lines."""
    return "example:\n" + "\n".join(f"  {line}" for line in lines)


def _command(commands: Commands, name: str, help_text: str, *examples: str) -> argparse.ArgumentParser:
    """A command with its one-line help (also its description) and examples."""
    sub: argparse.ArgumentParser = commands.add_parser(
        name,
        help=help_text,
        description=help_text[:1].upper() + help_text[1:] + ".",
        epilog=_examples(*examples),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return sub


def build_parser() -> argparse.ArgumentParser:
    """The parser of `scorer`'s whole command line."""
    parser = Parser(
        prog="scorer",
        description="Score foreign-policy alignment from coded events: a running balance between two poles, "
        "with the events and rules that explain it.",
        epilog=_examples(
            "scorer init work && cd work",
            "scorer score events.yaml --rules rules",
            "scorer COMMAND --help          (each command's options and an example)",
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"scorer {__version__}", help="print the version")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    _score(commands)
    _explain(commands)
    _plot(commands)
    _sensitivity(commands)
    _compare(commands)
    _validate(commands)
    _calibrate(commands)
    _weights(commands)
    _init(commands)
    _convert(commands)
    return parser


def _events_command(sub: argparse.ArgumentParser, two_packs: bool = False) -> argparse.ArgumentParser:
    """The arguments every command that reads events shares."""
    sub.add_argument("events", nargs="+", metavar="EVENTS", help=_EVENTS)
    if two_packs:
        sub.add_argument(
            "--rules",
            action="append",
            metavar="PACK",
            help="a pack to compare (a file, a folder, default, cameo or -): give two, or one with --set "
            "(default: the bundled default pack against itself with --set)",
        )
    else:
        sub.add_argument("--rules", metavar="PACK", help=_RULES)
    sub.add_argument(
        "--without",
        action="append",
        default=[],
        metavar="EVENT_ID",
        help="score as if this event had not happened (repeatable; default: none left out)",
    )
    _reading(sub)
    sub.add_argument(
        "--actor",
        metavar="CODE",
        help="score only this actor, a code of the events such as KAZ"
        " (default: every actor; text shows several actors as a ranking)",
    )
    sub.add_argument(
        "--partner",
        metavar="CODE",
        help="keep only the events toward this partner, such as RUS or NATO (default: every partner)",
    )
    sub.add_argument("--as-of", metavar="DATE", help=_AS_OF)
    sub.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="RULE.AXIS=WEIGHT",
        help="change a weight for this run only, the files untouched (repeatable; default: the pack's weights)",
    )
    return sub


def _reading(sub: argparse.ArgumentParser) -> None:
    """`--input-format`, `--strict` and `--intensity`: how event files are read (events commands, convert)."""
    sub.add_argument(
        "--input-format",
        choices=FORMATS + COLUMNAR_FORMATS + MACHINE_FORMATS,
        help="read every event file as this format (default: told by each file's extension or content)",
    )
    sub.add_argument(
        "--strict",
        action="store_true",
        help="make each GDELT/ICEWS row that cannot become an event an error (default: skipped and counted)",
    )
    sub.add_argument(
        "--intensity",
        choices=INTENSITIES,
        help="intensity of GDELT/ICEWS events: |Goldstein| or 1 for every event (default: goldstein)",
    )


def _format(sub: argparse.ArgumentParser, formats: Sequence[str]) -> None:
    """`--format` with its choices and the default, text."""
    sub.add_argument(
        "--format",
        choices=formats,
        default="text",
        help=f"output format: {', '.join(formats)} (default: text)",
    )


def _top(sub: argparse.ArgumentParser, what: str) -> None:
    """`--top N`."""
    sub.add_argument(
        "--top", type=int, default=10, metavar="N", help=f"{what} to list before 'N others' (default: 10)"
    )


def _score(commands: Commands) -> None:
    """`scorer score`."""
    sub = _events_command(
        _command(
            commands,
            "score",
            "the running balance over time, per actor",
            "scorer score events.yaml --rules rules --every year --format csv",
            "scorer score gdelt.export.CSV --rules cameo --actor KAZ --partner RUS --every month",
        )
    )
    sub.add_argument(
        "--every",
        choices=EVERY,
        help="one row per period, valued on its last day (default: one row per event)",
    )
    _format(sub, OUTPUT_FORMATS["score"])
    _draws(sub, bands=True)
    _engine(sub)


def _explain(commands: Commands) -> None:
    """`scorer explain`."""
    sub = _events_command(
        _command(
            commands,
            "explain",
            "which events and rules drive the score, and why an event matched nothing",
            "scorer explain events.yaml --rules rules --event kaz-2009-05-steppe-eagle",
        )
    )
    sub.add_argument("--event", metavar="ID", help="explain this event only (default: every event)")
    _top(sub, "drivers")
    _format(sub, OUTPUT_FORMATS["explain"])
    sub.add_argument(
        "--output",
        metavar="FILE",
        help="write the report to FILE, whole or not at all (default: standard output)",
    )
    _draws(sub, bands=True)
    _engine(sub)


def _engine(sub: argparse.ArgumentParser) -> None:
    """`--engine` and `--scheduler`, for the commands that run on Dask."""
    sub.add_argument(
        "--engine",
        choices=("local", "dask"),
        default="local",
        help="where to score: this process, or a Dask cluster (default: local)",
    )
    sub.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="with --engine dask: a running scheduler (tcp://host:8786), or local:N for N worker processes here"
        " (default: local:2)",
    )


def _convert(commands: Commands) -> None:
    """`scorer convert`."""
    sub = _command(
        commands,
        "convert",
        "write event files of any format as Parquet, a file or a folder partitioned by year",
        "scorer convert 2012*.export.CSV.zip --output gdelt-2012 --partition-by year",
    )
    sub.add_argument("events", nargs="+", metavar="EVENTS", help=_EVENTS)
    sub.add_argument(
        "--output", required=True, metavar="OUT", help="a .parquet file, or a new folder of Parquet files (required)"
    )
    sub.add_argument(
        "--partition-by", choices=PARTITIONS, help="one folder per year (year=2012/) under OUT (default: none)"
    )
    _reading(sub)


def _plot(commands: Commands) -> None:
    """`scorer plot`."""
    sub = _events_command(
        _command(
            commands,
            "plot",
            "one chart as a PNG, SVG or PDF file: the timeline, the drivers (waterfall), sensitivity (tornado or"
            " sobol), several actors ranked (ranking)",
            "scorer plot events.yaml --rules rules --chart waterfall --output drivers.png",
            "scorer plot gdelt.export.CSV --rules cameo --chart ranking --output ranking.pdf",
        )
    )
    sub.add_argument("--output", required=True, metavar="FILE", help="the chart file, .png, .svg or .pdf (required)")
    sub.add_argument(
        "--chart",
        choices=CHARTS,
        default="timeline",
        help="which chart (default: timeline; for several actors the timeline is their ranking)",
    )
    _top(sub, "rows")
    sub.add_argument(
        "--delta",
        type=float,
        default=DELTA,
        help=f"relative weight change of the tornado chart (default: {DELTA})",
    )
    _draws(sub, bands=True, sobol=True)


def _sensitivity(commands: Commands) -> None:
    """`scorer sensitivity`."""
    sub = _events_command(
        _command(
            commands,
            "sensitivity",
            "how the balance moves when one weight changes by ±delta, or with --global all ranged weights at once",
            "scorer sensitivity events.yaml --rules rules --delta 0.5",
            "scorer sensitivity events.yaml --rules rules --global --draws 512 --seed 1",
        )
    )
    sub.add_argument(
        "--delta", type=float, default=DELTA, help=f"relative weight change, above 0 (default: {DELTA}, ±25%%)"
    )
    _format(sub, OUTPUT_FORMATS["analysis"])
    sub.add_argument(
        "--global",
        dest="global_",
        action="store_true",
        help="Sobol' indices of the balance to every ranged weight drawn together, with SALib "
        "(default: one weight at a time by ±delta)",
    )
    _draws(sub, sobol=True)


def _compare(commands: Commands) -> None:
    """`scorer compare`."""
    sub = _events_command(
        _command(
            commands,
            "compare",
            "two packs (or a pack and --set) side by side",
            "scorer compare events.yaml --rules default --rules rules",
        ),
        two_packs=True,
    )
    _top(sub, "differences")
    _format(sub, OUTPUT_FORMATS["analysis"])


def _validate(commands: Commands) -> None:
    """`scorer validate`."""
    sub = _command(
        commands,
        "validate",
        "check event files and rulepacks: errors (exit 2), and warnings of typos no rule could use (exit 1)",
        "scorer validate events.yaml rules",
    )
    sub.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="event files and rule files or folders to check, or - for standard input",
    )
    sub.add_argument(
        "--rules",
        metavar="PACK",
        help="check the events against this pack (default: the one pack among PATHs, else the bundled pack)",
    )
    sub.add_argument(
        "--input-format",
        choices=FORMATS + COLUMNAR_FORMATS + MACHINE_FORMATS,
        help="read every PATH as events of this format (default: told by each file)",
    )



def _draws(sub: argparse.ArgumentParser, *, bands: bool = False, sobol: bool = False) -> None:
    """`--bands`, `--draws` and `--seed`: drawing the ranged weights."""
    if bands:
        sub.add_argument(
            "--bands",
            action="store_true",
            help="add the 5th-95th percentile bands of the balance over draws of the ranged weights "
            "(default: the weights as the pack gives them, no bands)",
        )
    defaults = [f"{BAND_DRAWS} with --bands"] * bands + [f"{SOBOL_DRAWS} base draws with --global or --chart sobol"] * sobol
    sub.add_argument(
        "--draws", type=int, metavar="N", help=f"how many times the weights are drawn (default: {'; '.join(defaults)})"
    )
    sub.add_argument(
        "--seed", type=int, metavar="S", help="seed of the draws, 0 or more: the same seed gives the same draws (default: 0)"
    )


def _calibrate(commands: Commands) -> None:
    """`scorer calibrate`."""
    sub = _events_command(
        _command(
            commands,
            "calibrate",
            "fit the weights to an outside measure (UN General Assembly votes, a CSV of actor,date,value)",
            "scorer calibrate events.yaml --rules rules --target targets.csv",
            "scorer calibrate events.yaml --rules work/rules --target unga.csv --target-format unga --write",
        )
    )
    sub.add_argument(
        "--target", required=True, metavar="FILE", help="the values to fit: a CSV of actor,date,value, or UN votes (required)"
    )
    sub.add_argument(
        "--target-format",
        choices=TARGET_FORMATS,
        default="csv",
        help=f"what --target holds: {', '.join(TARGET_FORMATS)} (default: csv)",
    )
    sub.add_argument(
        "--target-column", metavar="COL", help=f"the column to fit (default: value; with unga: {UNGA_DEFAULT})"
    )
    sub.add_argument(
        "--ridge",
        type=float,
        default=RIDGE,
        metavar="L",
        help=f"how strongly the fit is pulled toward the pack's own weights, 0 or more (default: {RIDGE:g})",
    )
    _format(sub, OUTPUT_FORMATS["global"])
    sub.add_argument(
        "--only",
        action="append",
        metavar="RULE.AXIS",
        help="fit only this weight, holding the others as the pack has them (repeatable; default: every weight)",
    )
    sub.add_argument(
        "--write",
        action="store_true",
        help="write the suggested weights into the files of the --rules pack, a pack of your own "
        "(default: only print them)",
    )


def _weights(commands: Commands) -> None:
    """`scorer weights list|set`."""
    weights = _command(
        commands,
        "weights",
        "list or edit rule weights",
        "scorer weights list --rules rules",
        "scorer weights set exercise-join-west.nato 2.0 --rules rules",
    )
    actions = weights.add_subparsers(dest="weights_command", metavar="ACTION", parser_class=Parser)
    listing = _command(actions, "list", "every rule with where it is defined and its weights", "scorer weights list")
    listing.add_argument("--rules", metavar="PACK", help=_RULES)
    _format(listing, OUTPUT_FORMATS["weights"])
    setting = _command(
        actions,
        "set",
        "change one weight in the rule file that defines it, and nothing else in the file",
        "scorer weights set exercise-join-west.nato 2.0 --rules work/rules",
        "scorer weights set exercise-join-west nato 2.0 --rules work/rules",
    )
    # A weight such as -1e3 is a number, not an option (argparse knows only -1 and -1.5 as numbers).
    setting._negative_number_matcher = re.compile(r"^-(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$")
    setting.add_argument(
        "target",
        metavar="RULE.AXIS|RULE",
        help="the rule and the axis as --set names them (exercise-join-west.nato), or the rule alone",
    )
    setting.add_argument("value", metavar="WEIGHT|AXIS", help="the new weight, or the axis when RULE is alone")
    setting.add_argument("weight", nargs="?", metavar="WEIGHT", help="the new weight, after RULE AXIS")
    setting.add_argument(
        "--rules",
        metavar="PACK",
        help="the pack to edit, a rule file or folder of your own (required in effect: the bundled packs "
        "are never edited; `scorer init` makes a copy)",
    )


def _init(commands: Commands) -> None:
    """`scorer init`."""
    sub = _command(
        commands,
        "init",
        "make a folder to work in: a copy of the bundled packs to edit, example events, a README",
        "scorer init work && scorer weights set exercise-join-west.nato 2.0 --rules work/rules",
    )
    sub.add_argument("folder", metavar="FOLDER", help="the folder to make (or an empty one to fill)")
