"""`scorer`'s command line: parse, call the Python API, print; one handler maps every error to a message.

Results go to standard output, problems to standard error as
`file:line:col: message`; exit status 0 success, 1 `validate` found problems,
2 bad usage or bad input.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Sequence

from scorer.cli import commands
from scorer.cli.commands import EXIT_ERROR, EXIT_SUCCESS
from scorer.cli.parser import build_parser
from scorer.problems import InputError, UsageError, printable


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    # What is loaded before the run stays for the whole run: the cyclic collector need
    # not walk it again at each full collection. A run makes objects by the hundred
    # thousand that live a moment (a timeline's rows, made and written): counted from
    # 700 allocations, the young generation was walked 120 times in a million-event
    # score (30 ms); from `_YOUNG`, none. Left as it is where the caller froze objects
    # of its own.
    freezing = gc.get_freeze_count() == 0
    thresholds = gc.get_threshold()
    if freezing:
        gc.freeze()
        gc.set_threshold(max(thresholds[0], _YOUNG), *thresholds[1:])
    try:
        return _handled(args)
    finally:
        if freezing:
            gc.set_threshold(*thresholds)
            gc.unfreeze()


_YOUNG = 50_000  # allocations between two collections of the young generation, while a command runs


def _handled(args: object) -> int:
    """The command run, every failure turned into a clear line on standard error and exit status 2."""
    # Messages quote names and values from the input and the command line: `printable` keeps
    # each on one line and lets no control character (ESC ...) reach the terminal.
    try:
        return commands.run(args)
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
