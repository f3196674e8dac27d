"""The Python API: one function per thing the `scorer` command does, taking the same inputs.

    >>> import scorer
    >>> events = scorer.read_events("fixtures/kazakhstan-2009.yaml")  # any format; events.tally: skipped rows
    >>> result = scorer.score(events)              # the bundled pack; or a RulePack, a name ("cameo"), a path
    >>> result.actors["KAZ"].final.balance
    >>> result.to_polars()                         # the timeline as a DataFrame ("drivers", "trail" too)
    >>> print(scorer.render(scorer.explain(events), "markdown"))      # a report as text

Every function raises `InputError` (carrying each `Problem` with its
file:line:col) for bad input, and `ValueError` (`UsageError`) for arguments
that cannot be used as given; the command turns both into messages and exit
status 2.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias, get_args

from scorer import analysis, distributed, report
from scorer.analysis import lint as linting
from scorer.analysis import whatif
from scorer.analysis.defaults import BASE_DRAWS, DELTA, DRAWS, RIDGE, SEED
from scorer.engine import compiled, fields_of
from scorer.engine.semantics import base_column
from scorer.io import load
from scorer.io.atomic import replace_file
from scorer.io.machine_coded.rows import Intensity
from scorer.io.parquet.write import Written, write_events
from scorer.io.targets import Targets, read_targets
from scorer.model.fields import last_day
from scorer.model.frame import EventSet
from scorer.model.skipped import Tally
from scorer.pack import edit, starter
from scorer.pack.bundled import editable, resolve
from scorer.pack.edit import Edit
from scorer.pack.load import load_rules
from scorer.pack.model import RulePack
from scorer.problems import Problem, UsageError
from scorer.report.format import Caption, Chart, ChartFormat
from scorer.report.render import FORMATS, Style
from scorer.report.render import render as render_parts
from scorer.scoring.periods import Every
from scorer.scoring.score import Matched, Score, match, rescore
from scorer.suggest import hint

if TYPE_CHECKING:
    from scorer.model.event import Event

__all__ = [
    "bands",
    "calibrate",
    "check_actor",
    "check_as_of",
    "cluster_inputs",
    "check_editable",
    "compare",
    "convert",
    "explain",
    "explain_on_cluster",
    "global_sensitivity",
    "init",
    "lint",
    "load_pack",
    "plot",
    "prepare",
    "read_events",
    "read_targets",
    "render",
    "score",
    "score_on_cluster",
    "sensitivity",
    "set_weight",
    "tested_fields",
    "validate",
    "without",
    "write_calibration",
    "write_file",
    "write_report",
]

Events = EventSet | Sequence["Event"]
Pack = RulePack | str | Path | None
# (Named, not evaluated: the analyses load when first used.)
Result: TypeAlias = "Score | analysis.explain.Explanation | analysis.sensitivity.Sensitivity | analysis.compare.Comparison | RulePack"

# The format a file's name suggests.
_SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".json": "json", ".csv": "csv", ".html": "html", ".htm": "html"}


def read_events(
    paths: str | Path | Sequence[str | Path],
    input_format: str | None = None,
    *,
    strict: bool = False,
    intensity: Intensity = "goldstein",
    columns: Sequence[str] | None = None,
) -> EventSet:
    """Read event files of every kind, in the order given, as one `EventSet`.

    Hand-coded files (YAML, JSON Lines, CSV) and machine-coded exports (GDELT,
    ICEWS) are told apart by their content and name; `input_format` (`yaml`,
    `jsonl`, `csv`, `gdelt`, `icews`) says it instead, as standard input (`-`)
    needs. Machine-coded rows that cannot become events are skipped and
    reported in the set's `tally` (None when no machine-coded file was read):
    `tally.rows`, `tally.skipped` (each with file, line, col, reason),
    `tally.summary()`. `strict=True` makes each skipped row an error instead.
    `intensity` is what a machine-coded event's intensity is read from:
    `goldstein` (the Goldstein scale) or `constant` (1.0).

    Parquet files (`.parquet`, or a folder of them) are read for the fields
    in `columns` only, and those every score needs (`tested_fields(pack)`
    names what a pack tests); by default, for every field.

    Every problem of every file is raised together as one `InputError`.
    """
    names = [str(paths)] if isinstance(paths, (str, Path)) else [str(path) for path in paths]
    return load.read_events(names, input_format, strict=strict, intensity=intensity, columns=columns)


# `--actor` with a code no event has lists the actors present, this many at most.
_ACTORS_LISTED = 40


def load_pack(path: str | Path | None = None, *, settings: Sequence[str] = ()) -> RulePack:
    """A rulepack: a YAML file, a folder of them, `-` (standard input), a bundled pack's name, or the default pack.

    Bundled packs are named `default` and `cameo`.

    `settings` are `RULE.AXIS=WEIGHT` changes for this pack only (the command's
    `--set`); ValueError names the first that cannot be applied.
    """
    pack = load_rules(resolve(str(path)) if path is not None else None)
    for setting in settings:
        try:
            pack = pack.with_setting(setting)
        except ValueError as err:
            shown = setting if len(setting) <= 80 else setting[:60] + "..."
            raise UsageError(f"--set {shown!r}: {err}") from None
    return pack


def without(events: Events, ids: str | Sequence[str]) -> EventSet:
    """The events less those with these ids (the command's `--without`); ValueError names each id not among them."""
    return whatif.without(_event_set(events), [ids] if isinstance(ids, str) else ids)


def _event_set(events: Events) -> EventSet:
    """Events as a set: as they are, or event models in the order given."""
    return events if isinstance(events, EventSet) else EventSet.of(events)


def _pack(pack: Pack) -> RulePack:
    """A pack as it is, or loaded by name or path (None: the bundled pack)."""
    return pack if isinstance(pack, RulePack) else load_pack(pack)


def _without(events: Events, ids: str | Sequence[str], partner: str | None = None) -> EventSet:
    """`without` (and `whatif.toward` a partner), their ValueError naming the command's option."""
    try:
        kept = without(events, ids)
    except ValueError as err:
        raise UsageError(f"--without: {err}") from None
    if partner is None:
        return kept
    try:
        return whatif.toward(kept, partner)
    except ValueError as err:
        raise UsageError(f"--partner: {err}") from None


def _matched(
    events: Events,
    pack: RulePack,
    actor: str | None,
    as_of: str | None,
    leave_out: str | Sequence[str],
    partner: str | None = None,
) -> Matched:
    """The events less `leave_out` (toward `partner` only), filtered and matched once."""
    if actor is not None:
        check_actor(events, actor)
    as_of = check_as_of(as_of) if as_of is not None else None
    return match(_without(events, leave_out, partner), pack, actor=actor, as_of=as_of)


def score(
    events: Events,
    pack: Pack = None,
    *,
    actor: str | None = None,
    as_of: str | None = None,
    every: Every | None = None,
    without: str | Sequence[str] = (),
    partner: str | None = None,
) -> Score:
    """Score events with a pack (`scorer score`): per actor the timeline and the final totals, balance and lean.

    `pack` is a `RulePack`, a bundled pack's name or a path (None: the bundled
    pack). `actor` keeps one actor; `as_of` (YYYY, YYYY-MM or YYYY-MM-DD)
    evaluates on that date and ignores later events; `every` (`year`,
    `quarter`, `month`) gives a timeline row per period instead of per event;
    `without` scores as if the events of these ids had not happened; `partner`
    keeps the events toward that partner only.
    The result converts to DataFrames: `Score.to_polars`, `Score.to_pandas`.
    """
    if every is not None and every not in get_args(Every):
        raise UsageError(f"every: one of {', '.join(get_args(Every))}, not {every!r}")
    rules = _pack(pack)
    return rescore(_matched(events, rules, actor, as_of, without, partner), rules, every=every, tally=_tally(events))


def _tally(events: Events) -> Tally | None:
    """The skipped rows of the files the events were read from."""
    return events.tally if isinstance(events, EventSet) else None


def explain(
    events: Events,
    pack: Pack = None,
    *,
    actor: str | None = None,
    as_of: str | None = None,
    event: str | None = None,
    without: str | Sequence[str] = (),
    partner: str | None = None,
    bands: tuple[int, int] | None = None,
) -> analysis.explain.Explanation:
    """Which events and rules drive the score (`scorer explain`): per actor the trail of every event and the drivers.

    `event` explains one event (ValueError if it is not among those scored);
    `bands` (draws, seed) adds how sure the balance is: its bands, and the
    Sobol' indices of the final balance (on the default number of base draws,
    with the same seed). The other arguments are those of `score`. The result
    converts to DataFrames: `Explanation.to_polars`, `Explanation.to_pandas`.
    """
    rules = _pack(pack)
    matched = _matched(events, rules, actor, as_of, without, partner)
    result = analysis.explain.explain(matched, rules, _event_set(events), event)
    if bands is None:
        return result
    draws, seed = bands
    return replace(result, bands=_bands(result.score, draws, seed), indices=_indices(result.score, BASE_DRAWS, seed))


def sensitivity(
    events: Events,
    pack: Pack = None,
    *,
    delta: float = DELTA,
    actor: str | None = None,
    as_of: str | None = None,
    without: str | Sequence[str] = (),
    partner: str | None = None,
) -> analysis.sensitivity.Sensitivity:
    """How each actor's final balance moves when each weight changes by a relative ±delta, one at a time.

    `scorer sensitivity`: the events are matched once and rescored per weight.
    The result converts to a DataFrame: `Sensitivity.to_polars`.
    """
    if not (math.isfinite(delta) and delta > 0):
        raise UsageError(f"delta must be a number above 0, not {delta}")
    rules = _pack(pack)
    return analysis.sensitivity.of_matched(_matched(events, rules, actor, as_of, without, partner), rules, delta=delta)


def bands(score: Score, *, draws: int = DRAWS, seed: int = SEED) -> analysis.uncertain.BandedScore:
    """The score with its bands: each ranged weight drawn uniformly in its range `draws` times (`score --bands`)."""
    return analysis.uncertain.BandedScore(score, _bands(score, draws, seed))


def _bands(score: Score, draws: int, seed: int) -> analysis.uncertain.Bands:
    """`analysis.uncertain.bands`, its ValueError naming the option."""
    try:
        return analysis.bands_of(score, draws=draws, seed=seed)
    except ValueError as err:
        raise UsageError(f"--draws: {err}") from None


def global_sensitivity(
    events: Events,
    pack: Pack = None,
    *,
    draws: int = BASE_DRAWS,
    seed: int = SEED,
    actor: str | None = None,
    as_of: str | None = None,
    without: str | Sequence[str] = (),
    partner: str | None = None,
) -> analysis.indices.GlobalSensitivity:
    """Sobol' indices of each actor's final balance to each ranged weight (`sensitivity --global`)."""
    rules = _pack(pack)
    return _indices(rescore(_matched(events, rules, actor, as_of, without, partner), rules), draws, seed)


def _indices(score: Score, draws: int, seed: int) -> analysis.indices.GlobalSensitivity:
    """`analysis.global_sensitivity`, its ValueErrors naming the option."""
    try:
        analysis.indices.check_draws(draws)
    except ValueError as err:
        raise UsageError(f"--draws: {err}") from None
    try:
        return analysis.global_sensitivity(score, draws=draws, seed=seed)
    except ValueError as err:
        raise UsageError(f"--global: {err}") from None


def calibrate(
    events: Events,
    pack: Pack,
    targets: Targets,
    *,
    ridge: float = RIDGE,
    only: Sequence[str] | None = None,
    actor: str | None = None,
    as_of: str | None = None,
    without: str | Sequence[str] = (),
    partner: str | None = None,
) -> analysis.calibrate.Calibration:
    """The weights that make the balance track `targets` best, and the agreement before and after (`calibrate`);
    `only` fits those weights (`rule.axis`) alone."""
    rules = _pack(pack)
    score = rescore(_matched(events, rules, actor, as_of, without, partner), rules)
    try:
        return analysis.calibrate.calibrate(score, targets, ridge=ridge, only=only)
    except ValueError as err:
        raise UsageError(f"calibrate: {err}") from None


def write_calibration(pack: str | Path | None, result: analysis.calibrate.Calibration) -> list[Edit]:
    """Write the suggested weights (rounded to 0.01) into the pack's files, one number each (`calibrate --write`).

    Refused for the pack installed with scorer: name a copy with `--rules`.
    """
    return edit.set_weights(check_editable(pack, "calibrate --write"), analysis.calibrate.changes(result))


def compare(
    events: Events,
    a: Pack,
    b: Pack,
    *,
    labels: tuple[str, str] | None = None,
    actor: str | None = None,
    as_of: str | None = None,
    without: str | Sequence[str] = (),
    partner: str | None = None,
) -> analysis.compare.Comparison:
    """The same events scored with two packs (`scorer compare`), lined up per actor, event and rule.

    `labels` name the packs in reports (by default their names or paths as
    given, or `A` and `B`). For the same pack with other weights, pass
    `load_pack(name, settings=[...])` as `b`. The result converts to
    DataFrames: `Comparison.to_polars`.
    """
    if actor is not None:
        check_actor(events, actor)
    as_of = check_as_of(as_of) if as_of is not None else None
    if labels is None:
        labels = (_label(a, "A"), _label(b, "B"))
    return analysis.compare.compare(_without(events, without, partner), _pack(a), _pack(b), labels=labels, actor=actor, as_of=as_of)


def _label(pack: Pack, default: str) -> str:
    """What a report calls a pack: its name or path as given, else `default`."""
    return default if isinstance(pack, RulePack) else "the bundled pack" if pack is None else str(pack)


def convert(events: EventSet, output: str | Path, *, partition_by: str | None = None) -> Written:
    """Write events as Parquet (`scorer convert`): a `.parquet` file, or a new folder, by year with
    `partition_by="year"`; the rows of GDELT/ICEWS input that did not become events go beside them."""
    return write_events(events, str(output), partition_by=partition_by)


def tested_fields(pack: Pack) -> list[str]:
    """The event fields a pack's rules test or join on (`attrs` for any attribute): what `score` must read of
    Parquet."""
    rules = _pack(pack)
    joined = {
        base_column(name)
        for rule in rules.rules
        if rule.enabled
        for context in rule.contexts
        for pair in context.same
        for name in pair
    }
    return sorted(set(fields_of(rules)) | joined)


def prepare(pack: Pack) -> None:
    """Compile a pack for the engine before its first match (which compiles it otherwise): a command does it
    while its events are read. The last pack compiled is kept; preparing another drops it."""
    compiled(_pack(pack))


def cluster_inputs(
    paths: Sequence[str], input_format: str | None = None, *, strict: bool = False, intensity: Intensity = "goldstein"
) -> Any:
    """The inputs of a run on Dask (`scorer.distributed.driver.Inputs`): Parquet files left for the workers
    to read, other files read here (their GDELT/ICEWS tally with them)."""
    return distributed.load_driver().inputs(paths, input_format, strict=strict, intensity=intensity)


def score_on_cluster(
    inputs: Any,
    pack: Pack,
    *,
    scheduler: str,
    actor: str | None = None,
    as_of: str | None = None,
    every: Every | None = None,
    without: str | Sequence[str] = (),
) -> Score:
    """`score` on a Dask cluster (`scheduler`: an address, or `local:N`); the same numbers as `score`.

    With `every`, the workers sum by actor and day and the periods are made
    here; without, the events (at most `MAX_FETCHED`) are brought here and scored as `score` does.
    A pack with sequence rules has its events (at most `MAX_FETCHED`) brought here too: a rule with
    `after` or `not_after` looks at every earlier event, whichever part holds it.
    """
    as_of = check_as_of(as_of) if as_of is not None else None
    rules = _pack(pack)
    result = _run_on_cluster(inputs, rules, scheduler, actor=actor, as_of=as_of, every=every, without=without)
    if isinstance(result, EventSet):
        return rescore(match(result, rules, actor=actor, as_of=as_of), rules, every=every, tally=result.tally)
    return result  # type: ignore[no-any-return]


def explain_on_cluster(
    inputs: Any,
    pack: Pack,
    *,
    scheduler: str,
    actor: str | None = None,
    as_of: str | None = None,
    event: str | None = None,
    without: str | Sequence[str] = (),
) -> analysis.explain.Explanation:
    """`explain` on a Dask cluster: the events of `actor` (or all, at most `MAX_FETCHED`) brought here.
    With sequence rules every actor's events are brought here: they are context for the actor's."""
    as_of = check_as_of(as_of) if as_of is not None else None
    rules = _pack(pack)
    events = _run_on_cluster(inputs, rules, scheduler, actor=actor, as_of=as_of, without=without, per_event=True)
    return analysis.explain.explain(match(events, rules, actor=actor, as_of=as_of), rules, events, event)


def _run_on_cluster(
    inputs: Any, rules: RulePack, scheduler: str, *, without: str | Sequence[str], **options: Any
) -> Any:
    """One run of the Dask driver on the cluster at `scheduler`: a Score of sums, or the events fetched here."""
    leave_out = [without] if isinstance(without, str) else list(without)
    driver = distributed.load_driver()
    with driver.connect(scheduler) as client:
        return driver.run(client, inputs, rules, without=leave_out, **options)


def lint(events: EventSet, *packs: RulePack) -> list[Problem]:
    """Warnings (`file:line:col: warning: ...`) for each type, partner and actor of the events no pack could use."""
    found: dict[Problem, None] = {}
    for pack in packs:
        found.update(dict.fromkeys(linting.lint_events(events, pack)))
    return list(found)


def validate(
    paths: Sequence[str], *, rules: str | None = None, input_format: str | None = None
) -> analysis.validation.Validation:
    """Check event files and rulepacks: each one's errors, and the linter's warnings (see `validate` in the docs)."""
    return analysis.validation.validate(list(paths), rules, input_format)


def check_as_of(date: str) -> str:
    """`--as-of DATE`, checked (YYYY, YYYY-MM or YYYY-MM-DD), as the day it stands for: a year or a month means its last day.

    `--as-of 2020` scores everything that happened in 2020 (it is 2020-12-31),
    as `--every year` values the year 2020 on its last day.
    """
    try:
        return last_day(date).isoformat()
    except ValueError as err:
        raise UsageError(f"--as-of: {err}") from None


def check_actor(events: Events, actor: str) -> str:
    """`--actor CODE`, checked: an actor of the events (UsageError naming those present, and the nearest)."""
    present = sorted(str(name) for name in _event_set(events).frame["actor"].unique().to_list())
    if actor in present:
        return actor
    shown = ", ".join(present[:_ACTORS_LISTED]) or "none"
    more = f" and {len(present) - _ACTORS_LISTED} more" if len(present) > _ACTORS_LISTED else ""
    raise UsageError(hint(f"--actor {actor!r}: no event of this actor (actors: {shown}{more})", actor, present))


def set_weight(pack: str | Path | None, rule: str, axis: str, weight: float) -> Edit:
    """Change one weight in the rule file that defines it (`scorer weights set`), and nothing else in the file.

    `pack` is a pack's path or bundled name; the returned `Edit` says which
    file and line changed, and the old and new weight. The bundled packs are
    never edited (UsageError): `init` makes a copy to edit.
    """
    again = f"`scorer weights set {rule}.{axis} {weight!r} --rules FOLDER/rules`"
    return edit.set_weight(check_editable(pack, "weights set", again), rule, axis, weight)


def check_editable(pack: str | Path | None, command: str, again: str = "`--rules FOLDER/rules`") -> str:
    """The path of a pack `command` may edit (a pack of your own); UsageError for a bundled pack or standard input.

    The bundled packs are part of the scorer: `init` makes a copy to edit, then
    named as `again` says.
    """
    refused = editable(str(pack) if pack is not None else None)
    path = resolve(str(pack)) if pack is not None else None
    if refused or path is None:
        raise UsageError(
            f"{command}: {refused}, not a pack to edit; nothing changed. Make a copy of your own with "
            f"`scorer init FOLDER`, then edit it: {again}"
        )
    return path


def init(folder: str | Path) -> list[Path]:
    """Write a starter folder: a copy of the bundled packs in FOLDER/rules, example events, a README (`scorer init`)."""
    return starter.init(folder)


def plot(
    events: Events,
    pack: Pack = None,
    chart: Chart = "timeline",
    fmt: ChartFormat = "png",
    *,
    actor: str | None = None,
    as_of: str | None = None,
    without: str | Sequence[str] = (),
    partner: str | None = None,
    top: int | None = 10,
    delta: float = DELTA,
    bands: tuple[int, int] | None = None,
) -> bytes:
    """One chart (`scorer plot`): `timeline`, `waterfall`, `tornado`, `ranking` or `sobol`, as PNG, SVG or PDF bytes.

    A timeline of several actors is their ranking; a waterfall, a tornado or a
    Sobol' chart is drawn for one actor (ValueError naming the actors otherwise). `top` is how
    many drivers a waterfall or tornado shows; `delta` is the tornado's
    relative change of each weight; `bands` (draws, seed) shades the
    timeline's band, or draws the Sobol' chart. The chart carries a caption
    (data files, pack, date, scorer version). Save it with `write_file`.
    """
    rules = _pack(pack)
    matched = _matched(events, rules, actor, as_of, without, partner)
    score = rescore(matched, rules)
    if chart in ("waterfall", "tornado", "sobol") and len(score.actors) > 1:
        raise UsageError(f"--chart {chart} draws one actor: add --actor CODE (actors: {', '.join(score.actors)})")
    sensitivity = analysis.sensitivity.of_matched(matched, rules, delta=delta) if chart == "tornado" else None
    about = Caption(_event_set(events).sources, rules.name)
    draws, seed = bands or (DRAWS, SEED)
    if chart == "sobol":
        return report.plot(chart, score, fmt, top=top, indices=_indices(score, draws, seed), about=about)
    banded = _bands(score, draws, seed) if bands else None
    return report.plot(chart, score, fmt, sensitivity=sensitivity, top=top, bands=banded, about=about)


def render(result: Result, fmt: str = "text", *, top: int | None = 10) -> str:
    """A report of a result as text, in one of the formats that result comes in.

    A `Score` (from `score`): `text`, `json`, `csv`, `markdown`. An
    `Explanation` (from `explain`): `text`, `markdown`, `html`, `json`, `csv`. A
    `Sensitivity` or a `Comparison`: `text`, `json`, `csv`, `markdown`. A `RulePack`
    (its weights, as `scorer weights list`): `text`, `json`. The text is what
    the command prints for `--format FMT` (without colour). `top` is how many
    drivers or differences a report lists before "N others" (None: all).
    ValueError for a format the result does not come in.
    """
    return b"".join(render_parts(result, _format(result, fmt), _style(top))).decode("utf-8")


def _format(result: Result, fmt: str) -> str:
    """`fmt`, checked against the formats `result` comes in."""
    if isinstance(result, Score):
        formats = FORMATS["score"]
    elif isinstance(result, analysis.explain.Explanation):
        formats = FORMATS["explain"]
    else:
        formats = FORMATS["weights" if isinstance(result, RulePack) else "analysis"]
    if fmt not in formats:
        raise UsageError(f"a {type(result).__name__} report comes in {', '.join(formats)}: not {fmt!r}")
    return fmt


def _style(top: int | None) -> Style:
    """The layout of a report listing `top` drivers."""
    if top is not None and top < 0:
        raise UsageError("top must be 0 or more")
    return Style(top=top)


def write_report(result: Result, path: str | Path, fmt: str | None = None, *, top: int | None = 10) -> None:
    """Write the report of `render` to a file, whole or not at all.

    `fmt` defaults to what the file's name suggests (`.md`, `.json`, `.csv`,
    `.html`; anything else: `text`). A markdown explanation gets its charts as
    PNG files beside it, which it links.
    """
    path = Path(path)
    fmt = _format(result, fmt or _SUFFIXES.get(path.suffix.lower(), "text"))
    style = _style(top)
    if fmt == "markdown" and isinstance(result, analysis.explain.Explanation):
        # The charts go next to the report, which links them by name.
        about = Caption(result.sources, result.score.pack.name)
        files, charts = report.report_charts(result.score, path.stem, top, about)
        for name, data in files.items():
            write_file(path.parent / name, data)
        style = Style(top=top, charts=charts)
    write_file(path, b"".join(render_parts(result, fmt, style)))


def write_file(path: str | Path, data: str | bytes) -> None:
    """Write a report or chart whole or not at all (a temporary file beside it, then renamed); text as UTF-8."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"--output: folder {str(folder)!r} does not exist")
    replace_file(path, data if isinstance(data, bytes) else data.encode("utf-8"))
