"""`validate`: event files and rulepacks checked, each said ok or not, with the warnings of the linter.

Errors are what no command could read; warnings are values a command reads
but no rule could use (see `scorer.analysis.lint`). Event files are checked
against the pack of `--rules`, else against the one pack among the paths,
else (no pack among them) against the bundled pack; a pack among the paths is
checked against its own codebook and the types of the event files given with
it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from scorer.analysis.lint import lint_events, lint_pack
from scorer.io import stdin
from scorer.io.files import missing
from scorer.io.formats import MACHINE_FORMATS, detect, sniff
from scorer.io.load import looks_like_events, read_events
from scorer.io.parquet.read import is_parquet
from scorer.model.frame import EventSet
from scorer.pack.bundled import resolve
from scorer.pack.load import load_rules
from scorer.pack.model import RulePack
from scorer.problems import InputError, Problem

# A rule file's top-level keys, at the start of a line: what tells a pack on standard input from events.
_PACK_KEY = re.compile(rb"^(?:rules|scoring|sets|codebook)\s*:", re.MULTILINE)


@dataclass
class Checked:
    """One path checked: what it holds when it could be read, its errors and its warnings."""

    path: str
    summary: str | None = None  # "a rulepack of 12 rules", "5 events", ...
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    pack: RulePack | None = None
    events: EventSet | None = None
    meant_as_pack: bool = False

    def line(self) -> str | None:
        """`PATH: ok, SUMMARY` (with the count of warnings), or None when it has errors."""
        if self.errors or self.summary is None:
            return None
        count = len(self.warnings)
        warned = f" ({count} warning{'s' if count != 1 else ''})" if count else ""
        return f"{self.path}: ok, {self.summary}{warned}"


@dataclass(frozen=True)
class Validation:
    """Every path checked, in the order given; errors with the pack of `--rules` come first."""

    checked: tuple[Checked, ...]
    rules_errors: tuple[Problem, ...] = ()

    @property
    def errors(self) -> list[Problem]:
        """Every error: those of `--rules`, then each path's."""
        return list(self.rules_errors) + [p for c in self.checked for p in c.errors]

    @property
    def warnings(self) -> list[Problem]:
        """Every warning, path by path."""
        return [p for c in self.checked for p in c.warnings]


def is_pack(path: str) -> bool:
    """Whether a path holds a rulepack rather than events: a folder (not of Parquet files), a YAML rule file, rule
    YAML on standard input."""
    if path == "-":
        return sniff(stdin.head()) == "yaml" and _PACK_KEY.search(stdin.head()) is not None
    target = Path(path)
    if target.is_dir():
        return not is_parquet(path)
    return target.suffix.lower() in (".yaml", ".yml") and not looks_like_events(path)


def _check(path: str, input_format: str | None) -> Checked:
    """One path read as a pack or as events; its errors, not yet its warnings."""
    checked = Checked(path)
    if path != "-" and not os.path.exists(path):
        checked.errors.append(missing(path))
        return checked
    try:
        if input_format is None and is_pack(path):
            checked.meant_as_pack = True
            checked.pack = load_rules(path)
            checked.summary = f"a rulepack of {len(checked.pack.rules)} rules"
            return checked
        checked.events = read_events(path, input_format)
    except InputError as err:
        checked.errors.extend(err.problems)
        return checked
    kind = input_format if input_format in MACHINE_FORMATS else detect(path)
    tally = checked.events.tally
    if tally is not None and kind:
        skipped = f"; {len(tally.skipped)} rows cannot be events (score lists them)" if tally.skipped else ""
        checked.summary = f"{len(checked.events)} events from {tally.rows} {kind} rows{skipped}"
    else:
        checked.summary = f"{len(checked.events)} events"
    return checked


def validate(paths: list[str], rules: str | None = None, input_format: str | None = None) -> Validation:
    """Check each path; lint the events against the pack that would score them, and each pack against its codebook."""
    checked = [_check(path, input_format) for path in paths]
    packs = [c for c in checked if c.meant_as_pack]
    judge: RulePack | None = None
    rules_errors: list[Problem] = []
    try:
        if rules is not None:
            judge = load_rules(resolve(rules))
        elif len(packs) == 1:
            judge = packs[0].pack  # None when it has errors: nothing to check the events against
        elif not packs and any(c.events is not None for c in checked):
            judge = load_rules(None)
    except InputError as err:
        rules_errors = err.problems
    types = {str(t) for c in checked if c.events is not None for t in c.events.frame["type"].unique().to_list()}
    for c in checked:
        if c.pack is not None:
            c.warnings = lint_pack(c.pack, types)
        elif c.events is not None and judge is not None:
            c.warnings = lint_events(c.events, judge)
    return Validation(tuple(checked), tuple(rules_errors))
