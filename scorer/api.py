"""The Python API: one function per thing the `scorer` command does, taking the same inputs.

    >>> import scorer
    >>> events = scorer.read_events("fixtures/kazakhstan-2009.yaml")
    >>> pack = scorer.load_pack()                      # the bundled pack; "cameo", "default" or a path for others
    >>> result = scorer.score(events, pack, every="year")
    >>> result.actors["KAZ"].final.balance
    >>> result.to_polars()                             # the timeline as a DataFrame

Every function raises `InputError` (carrying each `Problem` with its
file:line:col) for bad input, and `ValueError` for arguments that cannot be
used as given; the command turns both into messages and exit status 2.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from scorer import report
from scorer.analysis import compare as comparing
from scorer.analysis import explain as explaining
from scorer.analysis import lint as linting
from scorer.analysis import sensitivity as sensitive
from scorer.analysis import validation, whatif
from scorer.io.atomic import replace_file
from scorer.io.load import read_events
from scorer.model.fields import last_day
from scorer.model.frame import EventSet
from scorer.pack import edit, starter
from scorer.pack.bundled import editable, resolve
from scorer.pack.edit import Edit
from scorer.pack.load import load_rules
from scorer.pack.model import RulePack
from scorer.problems import Problem, UsageError
from scorer.report.format import Chart, ChartFormat
from scorer.report.render import Style, render
from scorer.scoring.periods import Every
from scorer.scoring.score import Matched, Score, match, rescore
from scorer.suggest import hint

__all__ = [
    "check_actor",
    "check_as_of",
    "compare",
    "explain",
    "init",
    "lint",
    "load_pack",
    "plot",
    "read_events",
    "score",
    "sensitivity",
    "set_weight",
    "validate",
    "write_file",
    "write_report",
]


# `--actor` with a code no event has lists the actors present, this many at most.
_ACTORS_LISTED = 40


def load_pack(path: str | Path | None = None, *, settings: Sequence[str] = ()) -> RulePack:
    """A rulepack: a YAML file, a folder of them, `-` (standard input), a bundled pack's name, or the default pack.

    Bundled packs are named `default` and `cameo`.

    `settings` are `RULE.AXIS=WEIGHT` changes for this pack only (`--set`);
    ValueError names the first that cannot be applied.
    """
    pack = load_rules(resolve(str(path)) if path is not None else None)
    for setting in settings:
        try:
            pack = pack.with_setting(setting)
        except ValueError as err:
            raise UsageError(f"--set {setting!r}: {err}") from None
    return pack


def _matched(
    events: EventSet, pack: RulePack, actor: str | None, as_of: str | None, leave_out: Sequence[str]
) -> Matched:
    """The events less `leave_out`, filtered and matched once."""
    if actor is not None:
        check_actor(events, actor)
    as_of = check_as_of(as_of) if as_of is not None else None
    return match(_without(events, leave_out), pack, actor=actor, as_of=as_of)


def _without(events: EventSet, ids: Sequence[str]) -> EventSet:
    """`whatif.without`, its ValueError naming the option."""
    try:
        return whatif.without(events, ids)
    except ValueError as err:
        raise UsageError(f"--without: {err}") from None


def score(
    events: EventSet,
    pack: RulePack,
    *,
    actor: str | None = None,
    as_of: str | None = None,
    every: Every | None = None,
    without: Sequence[str] = (),
) -> Score:
    """Score events with a pack: per actor the timeline (per event, or per period with `every`) and the final totals.

    `actor` keeps one actor, `as_of` evaluates on that date and ignores later
    events, `without` scores as if the events of these ids had not happened.
    """
    return rescore(_matched(events, pack, actor, as_of, without), pack, every=every, tally=events.tally)


def explain(
    events: EventSet,
    pack: RulePack,
    *,
    actor: str | None = None,
    as_of: str | None = None,
    event: str | None = None,
    without: Sequence[str] = (),
) -> explaining.Explanation:
    """Which events and rules drive the score; `event` explains one event (ValueError if it is not scored)."""
    return explaining.explain(_matched(events, pack, actor, as_of, without), pack, events, event)


def sensitivity(
    events: EventSet,
    pack: RulePack,
    *,
    delta: float = sensitive.DELTA,
    actor: str | None = None,
    as_of: str | None = None,
    without: Sequence[str] = (),
) -> sensitive.Sensitivity:
    """How the final balance moves when each weight changes by a relative ±delta, one at a time."""
    return sensitive.of_matched(_matched(events, pack, actor, as_of, without), pack, delta=delta)


def compare(
    events: EventSet,
    a: RulePack,
    b: RulePack,
    *,
    labels: tuple[str, str] = ("A", "B"),
    actor: str | None = None,
    as_of: str | None = None,
    without: Sequence[str] = (),
) -> comparing.Comparison:
    """The same events scored with two packs, lined up per actor, event and rule."""
    if actor is not None:
        check_actor(events, actor)
    as_of = check_as_of(as_of) if as_of is not None else None
    return comparing.compare(_without(events, without), a, b, labels=labels, actor=actor, as_of=as_of)


def lint(events: EventSet, *packs: RulePack) -> list[Problem]:
    """Warnings (`file:line:col: warning: ...`) for each type, partner and actor of the events no pack could use."""
    found: dict[Problem, None] = {}
    for pack in packs:
        found.update(dict.fromkeys(linting.lint_events(events, pack)))
    return list(found)


def validate(
    paths: Sequence[str], *, rules: str | None = None, input_format: str | None = None
) -> validation.Validation:
    """Check event files and rulepacks: each one's errors, and the linter's warnings (see `validate` in the docs)."""
    return validation.validate(list(paths), rules, input_format)


def check_as_of(date: str) -> str:
    """`--as-of DATE`, checked, as the day it stands for: a year or a month means its last day.

    `--as-of 2020` scores everything that happened in 2020 (it is 2020-12-31),
    as `--every year` values the year 2020 on its last day.
    """
    try:
        return last_day(date).isoformat()
    except ValueError as err:
        raise UsageError(f"--as-of: {err}") from None


def check_actor(events: EventSet, actor: str) -> str:
    """`--actor CODE`, checked: an actor of the events (UsageError naming those present, and the nearest)."""
    present = sorted(str(name) for name in events.frame["actor"].unique().to_list())
    if actor in present:
        return actor
    shown = ", ".join(present[:_ACTORS_LISTED]) or "none"
    more = f" and {len(present) - _ACTORS_LISTED} more" if len(present) > _ACTORS_LISTED else ""
    raise UsageError(hint(f"--actor {actor!r}: no event of this actor (actors: {shown}{more})", actor, present))


def set_weight(pack: str | Path | None, rule: str, axis: str, weight: float) -> Edit:
    """Change one weight in the rule file that defines it (`weights set`), and nothing else in the file.

    The bundled packs are never edited (UsageError): `init` makes a copy to edit.
    """
    refused = editable(str(pack) if pack is not None else None)
    if refused:
        raise UsageError(
            f"weights set: {refused}, not a pack to edit; nothing changed. Make a copy of your own with "
            f"`scorer init FOLDER`, then edit it: `scorer weights set {rule}.{axis} {weight!r} --rules FOLDER/rules`"
        )
    return edit.set_weight(resolve(str(pack)) if pack is not None else None, rule, axis, weight)


def init(folder: str | Path) -> list[Path]:
    """Write a starter folder: a copy of the bundled packs in FOLDER/rules, example events, a README (`scorer init`)."""
    return starter.init(folder)


def plot(
    events: EventSet,
    pack: RulePack,
    chart: Chart = "timeline",
    fmt: ChartFormat = "png",
    *,
    actor: str | None = None,
    as_of: str | None = None,
    without: Sequence[str] = (),
    top: int | None = 10,
    delta: float = sensitive.DELTA,
) -> bytes:
    """One chart (`timeline`, `waterfall` or `tornado`) as PNG or SVG bytes, a panel per actor."""
    matched = _matched(events, pack, actor, as_of, without)
    sensitivity = sensitive.of_matched(matched, pack, delta=delta) if chart == "tornado" else None
    return report.plot(chart, rescore(matched, pack), fmt, sensitivity=sensitivity, top=top)


def write_file(path: Path, data: str | bytes) -> None:
    """Write a report or chart whole or not at all (temporary file beside it, then renamed)."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"--output: folder {str(folder)!r} does not exist")
    replace_file(path, data if isinstance(data, bytes) else data.encode("utf-8"))


def write_report(
    result: Score | explaining.Explanation | sensitive.Sensitivity | comparing.Comparison,
    path: Path,
    fmt: str = "text",
    *,
    top: int | None = 10,
) -> None:
    """Write a report to a file, whole or not at all; a markdown explanation gets its charts as PNG files beside it."""
    charts = None
    if fmt == "markdown" and isinstance(result, explaining.Explanation):
        # The charts go next to the report, which links them by name.
        files, charts = report.report_charts(result.score, path.stem, top)
        for name, data in files.items():
            write_file(path.parent / name, data)
    write_file(path, b"".join(render(result, fmt, Style(top=top, charts=charts))))
