"""CSV for spreadsheets: the timeline (`score`, with `--bands` too), the trail (`explain`), `sensitivity`, `compare`.

Every CSV of the scorer (`sensitivity --global` and `calibrate` too) has a header row and its cells made by `cell`.

What a spreadsheet reads right:

- numbers as the shortest decimal that gives the same value once rounded to
  12 significant digits: 0.275, not 0.2749999999999999 (`number`);
- dates in one form per column: `date` is always a day (YYYY-MM-DD) and
  `period` says what the row covers, the date as the event file gives it
  (`2009-05`) or the period of `--every` (`2009-Q2`);
- text that a spreadsheet would run as a formula (a cell starting with
  `=`, `+`, `-`, `@`, a tab or a carriage return) starts with `'` instead, as
  spreadsheet-safe CSV writers do (`cell`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from scorer.analysis.compare import Comparison
from scorer.analysis.explain import Explanation
from scorer.analysis.sensitivity import Sensitivity
from scorer.analysis.uncertain import Bands
from scorer.model.fields import parse_date
from scorer.report.format import clean
from scorer.scoring.score import Score

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Cell = str | float | int | None


def number(value: float) -> str:
    """The shortest decimal of `value` rounded to 12 significant digits (`0.275`), never `-0.0`."""
    return repr(clean(float(f"{value:.12g}")))


def cell(value: Cell) -> str:
    """One cell: numbers by `number`, text made inert for spreadsheets, nothing as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return number(value)
    return "'" + value if value.startswith(_FORMULA_START) else value


def day(date: str) -> str:
    """A date as the day it counts from (YYYY-MM-DD): `2009-05` is 2009-05-01."""
    return parse_date(date).isoformat()


def csv_table(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    """A header row and rows, as CSV text with `\\n` line ends."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([cell(value) for value in row] for row in rows)
    return out.getvalue()


def timeline_csv(score: Score, bands: Bands | None = None) -> str:
    """The timeline of every actor: a row per event (or per period with `--every`), a column per axis.

    With `bands` (`score --bands`), the balance's 5th, 50th and 95th
    percentiles over the draws follow the balance.
    """
    axes = list(score.pack.scoring.axes)
    periodic = any(a.timeline and a.timeline[0].period is not None for a in score.actors.values())
    spread = ["balance_p05", "balance_p50", "balance_p95"] if bands is not None else []
    header = ["actor", "period", "date", "events" if periodic else "event", *axes, "balance", *spread, "lean"]
    rows: list[list[Cell]] = []
    for name, actor in score.actors.items():
        band = bands.actors[name].timeline if bands is not None else None
        for i, row in enumerate(actor.timeline):
            first: list[Cell] = (
                [row.period, row.date, row.events] if periodic else [row.date, day(row.date), row.event]
            )
            drawn: list[Cell] = [float(v) for v in band[i]] if band is not None else []
            rows.append([name, *first, *(row.totals[a] for a in axes), row.balance, *drawn, row.lean])
    return csv_table(header, rows)


def explain_csv(explanation: Explanation) -> str:
    """The trail: a row per rule that fired on an event and per axis, and a row with the reason for an unmatched event."""
    score, only = explanation.score, explanation.event
    where = score.pack.locations()
    header = [
        "actor", "period", "date", "event", "type", "partner", "rule", "defined_at", "axis",
        "weight", "intensity", "confidence", "contribution", "balance", "unmatched_reason",
    ]
    rows: list[list[Cell]] = []
    for name, actor in score.actors.items():
        why = actor.unmatched_reasons
        for step in actor.trail:
            e = step.event
            if only is not None and e.id != only:
                continue
            head: list[Cell] = [name, e.date, day(e.date), e.id, e.type, e.partner]
            if not step.matches:
                rows.append([*head, None, None, None, None, e.intensity, e.confidence, None, step.balance, why.get(e.id)])
            for m in step.matches:
                fired: list[Cell] = [m.rule, where[m.rule], m.axis, m.weight, m.intensity, m.confidence, m.contribution]
                rows.append([*head, *fired, step.balance, None])
    return csv_table(header, rows)


def sensitivity_csv(result: Sensitivity) -> str:
    """A row per actor and weight varied: the balance and lean with the weight lowered and raised by delta."""
    header = [
        "actor", "date", "balance", "lean", "rule", "axis", "defined_at", "weight", "delta",
        "low_weight", "low_balance", "low_lean", "high_weight", "high_balance", "high_lean", "breakeven", "flips",
    ]
    rows: list[list[Cell]] = []
    for name, actor in result.actors.items():
        for v in actor.variations:
            rows.append(
                [
                    name, day(actor.date), actor.balance, actor.lean, v.rule, v.axis, v.where, v.weight, result.delta,
                    v.low.weight, v.low.balance, v.low.lean, v.high.weight, v.high.balance, v.high.lean,
                    v.breakeven, "yes" if v.flips else "no",
                ]
            )
    return csv_table(header, rows)


def compare_csv(result: Comparison) -> str:
    """The timelines under both packs side by side, a row per actor and event (A and B: the packs in order)."""
    header = ["actor", "period", "date", "event", "balance_a", "balance_b", "b_minus_a", "lean_a", "lean_b"]
    rows: list[list[Cell]] = []
    for name, c in result.actors.items():
        for ra, rb in zip(c.a.timeline, c.b.timeline, strict=True):
            rows.append(
                [name, ra.date, day(ra.date), ra.event, ra.balance, rb.balance, rb.balance - ra.balance, ra.lean, rb.lean]
            )
    return csv_table(header, rows)
