"""Warnings about values that pass validation but that no rule could ever use: most often typos.

An event's type, partner or actor that the pack does not know (see
`scorer.pack.vocabulary`) is warned about once per value, where it first
stands, with the names it was likely meant to be. A rule that tests a type
that neither the codebook nor any event has is warned about the same way.
Warnings never stop a run: commands print them on standard error and go on;
`validate` exits 1 when it printed any.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from scorer.engine.semantics import walk
from scorer.io.locate import FileFields
from scorer.model.frame import EventSet
from scorer.pack.model import RulePack
from scorer.pack.vocabulary import LINTED, Vocabulary, vocabulary
from scorer.problems import Problem
from scorer.suggest import closest

# The event types the GDELT and ICEWS readers give: CAMEO codes.
CAMEO_TYPES = "cameo."

_WHAT = {
    "type": "is not in the pack's codebook and no rule tests it",
    "partner": "is not a country or bloc code, a member of the pack's sets, or named by a rule",
    "actor": "is not a country or bloc code the scorer knows",
}


def warning(file: str, line: int, col: int, message: str) -> Problem:
    """A problem that does not stop the run, printed `file:line:col: warning: message`."""
    return Problem(file, line, col, f"warning: {message}")


def _with_hint(message: str, names: list[str]) -> str:
    """`message`, then `; did you mean 'x'?` when there is a name to suggest."""
    if not names:
        return message
    return f"{message}; did you mean " + " or ".join(f"'{name}'" for name in names) + "?"


def _first_of_each(frame: pl.DataFrame, name: str) -> list[tuple[str, str, int, int, int]]:
    """Each distinct value of a column: the value, where it first stands (file, line, col), and how many events have it."""
    # Grouped by the categorical codes, the text of each distinct value made once.
    rows = (
        frame.lazy()
        .select(name, "file", "line", "col")
        .drop_nulls(name)
        .group_by(name, maintain_order=True)
        .agg(pl.col("file").first(), pl.col("line").first(), pl.col("col").first(), pl.len().alias("n"))
        .with_columns(pl.col(name).cast(pl.String), pl.col("file").cast(pl.String))
        .collect()
    )
    return [(value, file, line, col, n) for value, file, line, col, n in rows.iter_rows()]


def lint_events(events: EventSet, pack: RulePack) -> list[Problem]:
    """A warning for each type, partner and actor of the events that the pack cannot use and no table knows."""
    words = vocabulary(pack)
    found: list[tuple[str, int, int, str, str]] = []  # file, line, col, field, message
    cameo_hint = _cameo_hint(events.frame, words)
    for name in LINTED:
        for value, file, line, col, count in _first_of_each(events.frame, name):
            if words.knows(name, value) or (cameo_hint and name == "type" and value.startswith(CAMEO_TYPES)):
                continue
            times = f" ({count} events)" if count > 1 else ""
            message = _with_hint(f"{name} '{value}'{times} {_WHAT[name]}", words.suggest(name, value))
            found.append((file, line, col, name, message))
    problems = [warning(*cameo_hint)] if cameo_hint else []
    files: dict[str, FileFields] = {}
    for file, line, col, name, message in found:
        fields = files.setdefault(file, FileFields(file))
        problems.append(warning(file, *fields.spot(line, col, name), message))
    return problems


def _cameo_hint(frame: pl.DataFrame, words: Vocabulary) -> tuple[str, int, int, str] | None:
    """One warning for CAMEO-coded events (GDELT, ICEWS) scored with a pack that tests none of their types."""
    types = frame["type"].unique(maintain_order=True).cast(pl.String).to_list()  # (by hashing: no sort)
    kinds = [kind for kind in types if kind is not None and kind.startswith(CAMEO_TYPES)]
    if not kinds or any(words.knows("type", kind) for kind in kinds):
        return None
    cameo = frame.lazy().filter(pl.col("type").cast(pl.String).is_in(kinds))
    first = cameo.select(pl.col("file").cast(pl.String), "line", "col").head(1).collect().row(0)
    count = cameo.select(pl.len()).collect().item()
    message = (
        f"{count} events have CAMEO types ({CAMEO_TYPES}NNN, from GDELT or ICEWS) and no rule of this pack "
        f"tests any of them: score machine-coded events with --rules cameo"
    )
    return first[0], first[1], first[2], message


def lint_pack(pack: RulePack, event_types: Iterable[str] = ()) -> list[Problem]:
    """A warning for each type a rule tests that neither the pack's codebook nor any of `event_types` has.

    A pack without a codebook says nothing of which types exist, so its rules are not checked.
    """
    if not pack.codebook:
        return []
    known = set(pack.codebook) | set(event_types)
    problems: list[Problem] = []
    for rule in pack.rules:
        tests = [test for when in (rule.when, *(c.when for c in rule.contexts if c.when is not None)) for test in walk(when)]
        for test in tests:
            if test.field != "type" or test.op not in ("eq", "ne", "in", "not_in"):
                continue
            values = test.operand if isinstance(test.operand, tuple) else (test.operand,)
            for index, value in enumerate(values):
                kind = str(value)
                if kind in known:
                    continue
                line, col = test.spots[index] if index < len(test.spots) else (rule.line, 1)
                message = f"rule '{rule.id}' tests type '{kind}', which is not in the pack's codebook"
                problems.append(warning(rule.file, line, col, _with_hint(message, closest(kind, pack.codebook))))
    return list(dict.fromkeys(problems))
