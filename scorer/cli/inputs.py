"""What a command reads before it works: its events and pack(s), every problem of both at once, and the
warnings about them (`lint`), printed on standard error."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from scorer import api
from scorer.model.frame import EventSet
from scorer.pack.model import RulePack
from scorer.problems import InputError, Problem, UsageError, printable

Packs = TypeVar("Packs")


def read_inputs(
    args: argparse.Namespace,
    packs: Callable[[], Packs],
    columns: Callable[[Packs], list[str]] | None = None,
    *,
    warned: bool = True,
) -> tuple[EventSet, Packs]:
    """The events and the pack(s) of an events command, read together so that every problem shows at once,
    and the warnings about them printed (unless not `warned`: then `warnings_beside` prints them).

    With `columns`, Parquet input is read for the fields it names of the pack (and those every score needs).
    """
    if args.as_of is not None:
        api.check_as_of(args.as_of)
    if getattr(args, "top", 1) < 0:
        raise UsageError("--top must be 0 or more")
    rules = args.rules if isinstance(args.rules, list) else [args.rules]
    if args.events.count("-") + rules.count("-") > 1:
        raise UsageError("standard input (-) can be read only once: give it as the events or as --rules, once")
    problems: list[Problem] = []
    loaded: Packs | None = None
    try:
        loaded = packs()
    except InputError as err:
        problems += err.problems
    events: EventSet | None = None
    with ThreadPoolExecutor(max_workers=1) as pool:
        # The pack is compiled for the engine while the events are read (polars reads without the lock).
        if isinstance(loaded, RulePack):
            pool.submit(api.prepare, loaded)
        try:
            events = api.read_events(
                args.events,
                args.input_format,
                strict=args.strict,
                intensity=args.intensity or "goldstein",
                columns=columns(loaded) if columns is not None and loaded is not None else None,
            )
        except InputError as err:
            problems += err.problems
    if problems or loaded is None or events is None:
        raise InputError(problems)
    if events.tally is None and args.intensity:
        raise UsageError("--intensity applies to GDELT and ICEWS event files only")
    if events.tally is not None:
        sys.stderr.write(events.tally.summary())
    if warned:
        _say(_warnings(events, loaded))
    return events, loaded


@contextlib.contextmanager
def warnings_beside(events: EventSet, packs: Any) -> Iterator[None]:
    """The warnings about the events worked out on a second thread while the block runs (polars groups
    their values without the lock), printed when it ends, whatever it raised (before the error's message)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        found = pool.submit(_warnings, events, packs)
        try:
            yield
        finally:
            _say(found.result())


def _warnings(events: EventSet, packs: Any) -> list[Problem]:
    """`lint`'s warnings about the events, for the pack(s) among `packs`."""
    used = packs if isinstance(packs, tuple) else (packs,)
    return api.lint(events, *(pack for pack in used if isinstance(pack, RulePack)))


def _say(problems: list[Problem]) -> None:
    """Each problem on a line of standard error."""
    for problem in problems:
        print(printable(str(problem)), file=sys.stderr)


def pack_of(args: argparse.Namespace) -> RulePack:
    """The pack of `--rules` (or the bundled one) with `--set` applied."""
    return api.load_pack(args.rules, settings=args.set)


def on_cluster(args: argparse.Namespace) -> tuple[Any, RulePack]:
    """The inputs and pack of a run on Dask, read together so that every problem shows at once."""
    if args.as_of:
        api.check_as_of(args.as_of)
    problems: list[Problem] = []
    pack: RulePack | None = None
    inputs: Any = None
    try:
        pack = pack_of(args)
    except InputError as err:
        problems += err.problems
    try:
        inputs = api.cluster_inputs(args.events, args.input_format, strict=args.strict, intensity=args.intensity or "goldstein")
    except InputError as err:
        problems += err.problems
    if problems or pack is None:
        raise InputError(problems)
    if inputs.tally is not None:
        sys.stderr.write(inputs.tally.summary())
    return inputs, pack
