"""Each command of `scorer`: its options checked, the Python API called, the result printed or written."""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path
from typing import Any

from scorer import api
from scorer.analysis.defaults import BASE_DRAWS as SOBOL_DRAWS
from scorer.analysis.defaults import DRAWS as BAND_DRAWS
from scorer.cli.inputs import on_cluster, pack_of, read_inputs, warnings_beside
from scorer.cli.output import emit
from scorer.pack.model import RulePack, parse_weight
from scorer.problems import InputError, Problem, UsageError, printable
from scorer.report.format import CHART_FORMATS, ChartFormat, Palette
from scorer.report.render import Style, render

EXIT_SUCCESS, EXIT_FAIL, EXIT_ERROR = 0, 1, 2


def run(args: Any) -> int:
    """Run the parsed command line; returns the exit status."""
    if args.command == "weights":
        return _weights(args)
    if args.command == "validate":
        return _validate(args)
    if args.command == "init":
        return _init(args)
    if args.command == "convert":
        return _convert(args)
    return {
        "score": _score,
        "explain": _explain,
        "plot": _plot,
        "sensitivity": _sensitivity,
        "compare": _compare,
        "calibrate": _calibrate,
    }[args.command](args)


def _palette(args: argparse.Namespace) -> Palette:
    """Colour only for a terminal, when NO_COLOR is unset and no file is written."""
    return Palette(sys.stdout.isatty() and "NO_COLOR" not in os.environ and not getattr(args, "output", None))


def _scheduler(args: argparse.Namespace) -> str:
    """`--scheduler`, which goes with `--engine dask` only (as `--bands` goes with the local engine only)."""
    if args.engine != "dask" and args.scheduler:
        raise UsageError("--scheduler goes with --engine dask")
    if args.engine == "dask" and args.bands:
        raise UsageError("--bands draws weights over every event in this process: use it with --engine local")
    if args.engine == "dask" and args.partner:
        raise UsageError("--partner keeps one partner's events in this process: use it with --engine local")
    return str(args.scheduler or "local:2")


def _score(args: argparse.Namespace) -> int:
    """`scorer score`."""
    scheduler = _scheduler(args)
    draws, seed = draw_options(args, BAND_DRAWS, args.bands)
    if args.engine == "dask":
        inputs, pack = on_cluster(args)
        result = api.score_on_cluster(
            inputs, pack, scheduler=scheduler, actor=args.actor, as_of=args.as_of, every=args.every, without=args.without
        )
        emit(render(result, args.format, Style(palette=_palette(args))))
        return EXIT_SUCCESS
    events, pack = read_inputs(args, lambda: pack_of(args), api.tested_fields, warned=False)
    with warnings_beside(events, pack):  # (while the events are matched and scored)
        result = api.score(
            events, pack, actor=args.actor, as_of=args.as_of, every=args.every, without=args.without, partner=args.partner
        )
    if args.bands:
        emit(render(api.bands(result, draws=draws, seed=seed), args.format, Style(palette=_palette(args))))
        return EXIT_SUCCESS
    emit(render(result, args.format, Style(palette=_palette(args))))
    return EXIT_SUCCESS


def _explain(args: argparse.Namespace) -> int:
    """`scorer explain`."""
    scheduler = _scheduler(args)
    draws, seed = draw_options(args, BAND_DRAWS, args.bands)
    if args.engine == "dask":
        inputs, pack = on_cluster(args)
        result = api.explain_on_cluster(
            inputs, pack, scheduler=scheduler, actor=args.actor, as_of=args.as_of, event=args.event, without=args.without
        )
    else:
        events, pack = read_inputs(args, lambda: pack_of(args), warned=False)
        with warnings_beside(events, pack):  # (while the events are matched and explained)
            result = api.explain(
                events,
                pack,
                actor=args.actor,
                as_of=args.as_of,
                event=args.event,
                without=args.without,
                partner=args.partner,
                bands=(draws, seed) if args.bands else None,
            )
    if args.output:
        api.write_report(result, Path(args.output), args.format, top=args.top)
    else:
        emit(render(result, args.format, Style(top=args.top, palette=_palette(args))))
    return EXIT_SUCCESS


def _delta(value: float) -> float:
    """`--delta`, checked."""
    if not math.isfinite(value) or value <= 0:
        raise UsageError(f"--delta must be a number above 0, not {value}")
    return value


def _plot(args: argparse.Namespace) -> int:
    """`scorer plot`."""
    output = Path(args.output)
    formats: dict[str, ChartFormat] = {f".{fmt}": fmt for fmt in CHART_FORMATS}
    if output.suffix.lower() not in formats:
        raise UsageError(f"--output {args.output!r}: a chart is written as .png, .svg or .pdf")
    delta = _delta(args.delta)
    events, pack = read_inputs(args, lambda: pack_of(args))
    sobol = args.chart == "sobol"
    if args.bands and args.chart not in ("timeline", "ranking"):
        raise UsageError("--bands shades the timeline and the ranking only: drop it, or use --chart timeline")
    draws, seed = draw_options(args, SOBOL_DRAWS if sobol else BAND_DRAWS, args.bands or sobol)
    chart = api.plot(
        events,
        pack,
        args.chart,
        formats[output.suffix.lower()],
        actor=args.actor,
        as_of=args.as_of,
        without=args.without,
        partner=args.partner,
        top=args.top,
        delta=delta,
        bands=(draws, seed) if args.bands or sobol else None,
    )
    api.write_file(output, chart)
    return EXIT_SUCCESS


def _sensitivity(args: argparse.Namespace) -> int:
    """`scorer sensitivity`."""
    delta = _delta(args.delta)
    if args.global_:
        draws, seed = draw_options(args, SOBOL_DRAWS, True)
        events, pack = read_inputs(args, lambda: pack_of(args))
        found = api.global_sensitivity(
            events,
            pack,
            draws=draws,
            seed=seed,
            actor=args.actor,
            as_of=args.as_of,
            without=args.without,
            partner=args.partner,
        )
        emit(render(found, args.format, Style()))
        return EXIT_SUCCESS
    draw_options(args, SOBOL_DRAWS, False)
    events, pack = read_inputs(args, lambda: pack_of(args))
    result = api.sensitivity(
        events, pack, delta=delta, actor=args.actor, as_of=args.as_of, without=args.without, partner=args.partner
    )
    emit(render(result, args.format, Style()))
    return EXIT_SUCCESS


def _calibrate(args: argparse.Namespace) -> int:
    """`scorer calibrate`: the weights fitted to a target, and with `--write` written into the pack."""
    if not math.isfinite(args.ridge) or args.ridge < 0:
        raise UsageError(f"--ridge must be a number of 0 or more, not {args.ridge}")
    if args.write and (args.rules is None or args.set):
        raise UsageError("--write edits a pack of your own: name it with --rules, and without --set")
    if args.write:
        api.check_editable(args.rules, "calibrate --write")
    events, (pack, targets) = read_inputs(
        args, lambda: (pack_of(args), api.read_targets(args.target, args.target_format, args.target_column))
    )
    result = api.calibrate(
        events,
        pack,
        targets,
        ridge=args.ridge,
        only=args.only,
        actor=args.actor,
        as_of=args.as_of,
        without=args.without,
        partner=args.partner,
    )
    edits = api.write_calibration(args.rules, result) if args.write else []
    emit(render(result, args.format, Style()))
    for edit in edits:
        sys.stderr.write(f"{edit.file}:{edit.line}: {edit.rule} {edit.axis} {edit.old!r} -> {edit.new!r}\n")
    return EXIT_SUCCESS


def _compare(args: argparse.Namespace) -> int:
    """`scorer compare`: two packs, or one pack and `--set`."""
    rules: list[str] = args.rules or []
    if len(rules) > 2:
        raise UsageError("compare takes two packs: --rules A --rules B")
    if len(rules) == 2 and args.set:
        raise UsageError("--set compares against the pack's own weights: give one --rules with it, not two")
    if len(rules) < 2 and not args.set:
        raise UsageError("compare needs two packs: --rules A --rules B, or --set RULE.AXIS=WEIGHT against one pack")

    def packs() -> tuple[RulePack, RulePack]:
        """Both packs: two of --rules, or one and itself with --set."""
        if len(rules) == 2:
            problems: list[Problem] = []
            loaded = []
            for path in rules:
                try:
                    loaded.append(api.load_pack(path))
                except InputError as err:
                    problems += err.problems
            if problems:
                raise InputError(problems)
            return loaded[0], loaded[1]
        pack = api.load_pack(rules[0] if rules else None)
        return pack, api.load_pack(rules[0] if rules else None, settings=args.set)

    events, (a, b) = read_inputs(args, packs)
    first = rules[0] if rules else "the bundled pack"
    labels = (
        printable(first),
        printable(rules[1] if len(rules) == 2 else f"{first} with --set {' '.join(args.set)}"),
    )
    result = api.compare(
        events, a, b, labels=labels, actor=args.actor, as_of=args.as_of, without=args.without, partner=args.partner
    )
    emit(render(result, args.format, Style(top=args.top)))
    return EXIT_SUCCESS


def _convert(args: argparse.Namespace) -> int:
    """`scorer convert`: any readable input written as Parquet."""
    if args.events.count("-") > 1:
        raise UsageError("standard input (-) can be read only once")
    events = api.read_events(args.events, args.input_format, strict=args.strict, intensity=args.intensity or "goldstein")
    if events.tally is None and args.intensity:
        raise UsageError("--intensity applies to GDELT and ICEWS event files only")
    if events.tally is not None:
        sys.stderr.write(events.tally.summary())
    written = api.convert(events, args.output, partition_by=args.partition_by)
    count = len(written.files)
    files = f"{count} Parquet file{'s' if count != 1 else ''}"
    report = f"; skipped rows: {written.skipped}" if written.skipped else ""
    emit([f"{args.output}: {written.events:,} events in {files}{report}\n".encode()])
    return EXIT_SUCCESS


def draw_options(args: argparse.Namespace, default: int, used: bool) -> tuple[int, int]:
    """`--draws` (or `default`) and `--seed` (or 0), checked; refused where nothing is drawn (not `used`)."""
    if not used and (args.draws is not None or args.seed is not None):
        raise UsageError("--draws and --seed apply only with --bands, --global or --chart sobol")
    if args.seed is not None and args.seed < 0:
        raise UsageError(f"--seed must be 0 or more, not {args.seed}")
    return (args.draws if args.draws is not None else default), args.seed or 0


def _weights(args: argparse.Namespace) -> int:
    """`scorer weights list|set`."""
    if args.weights_command == "list":
        emit(render(api.load_pack(args.rules), args.format, Style()))
        return EXIT_SUCCESS
    if args.weights_command == "set":
        rule, axis, text = _weight_target([args.target, args.value] + ([args.weight] if args.weight is not None else []))
        try:
            weight = parse_weight(text)
        except ValueError as err:
            raise UsageError(str(err)) from None
        edit = api.set_weight(args.rules, rule, axis, weight)
        old = "unset" if edit.old is None else repr(float(edit.old))
        emit([f"{printable(edit.file)}:{edit.line}: {edit.rule} {edit.axis} {old} -> {edit.new!r}\n".encode()])
        return EXIT_SUCCESS
    raise UsageError("weights needs an action: list or set")


def _weight_target(target: list[str]) -> tuple[str, str, str]:
    """`RULE.AXIS WEIGHT` (as --set names a weight) or `RULE AXIS WEIGHT`: the rule, the axis, the weight's text."""
    if len(target) == 2:
        rule, dot, axis = target[0].rpartition(".")
        if dot and rule and axis:
            return rule, axis, target[1]
        raise UsageError(f"weights set: {target[0]!r} is not RULE.AXIS: give RULE.AXIS WEIGHT or RULE AXIS WEIGHT")
    if len(target) == 3:
        return target[0], target[1], target[2]
    raise UsageError("weights set takes RULE.AXIS WEIGHT or RULE AXIS WEIGHT")


def _init(args: argparse.Namespace) -> int:
    """`scorer init FOLDER`: the starter folder written, and what to do next."""
    written = api.init(args.folder)
    rules = written[0]
    lines = [f"wrote {path}" for path in written]
    lines += ["", "next:", f"  scorer score {written[1]} --rules {rules}", f"  scorer weights set RULE.AXIS WEIGHT --rules {rules}"]
    emit(["\n".join(lines).encode() + b"\n"])
    return EXIT_SUCCESS


def _validate(args: argparse.Namespace) -> int:
    """`scorer validate`: each file or folder checked, `ok` or its problems; exit 2 on errors, 1 on warnings."""
    if args.paths.count("-") + (args.rules == "-") > 1:
        raise UsageError("standard input (-) can be read only once")
    result = api.validate(args.paths, rules=args.rules, input_format=args.input_format)
    emit([f"{line}\n".encode() for checked in result.checked if (line := checked.line())])
    for problem in result.errors + result.warnings:
        print(printable(str(problem)), file=sys.stderr)
    if result.errors:
        return EXIT_ERROR
    return EXIT_FAIL if result.warnings else EXIT_SUCCESS
