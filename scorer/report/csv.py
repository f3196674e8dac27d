"""CSV of the timeline: one row per actor and event (or period), a column per axis, balance and lean."""

from __future__ import annotations

import csv
import io

from scorer.report.format import clean, csv_text
from scorer.scoring.score import Score


def timeline_csv(score: Score) -> str:
    """The timeline of every actor as CSV, with a header row."""
    axes = list(score.pack.scoring.axes)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    periodic = any(a.timeline and a.timeline[0].period is not None for a in score.actors.values())
    writer.writerow(
        ["actor"] + (["period", "date", "events"] if periodic else ["date", "event"]) + axes + ["balance", "lean"]
    )
    for name, actor in score.actors.items():
        for row in actor.timeline:
            first = [row.period, row.date, row.events] if periodic else [row.date, csv_text(row.event or "")]
            writer.writerow(
                [csv_text(name)]
                + first
                + [repr(clean(row.totals[a])) for a in axes]
                + [repr(clean(row.balance)), repr(clean(row.lean))]
            )
    return out.getvalue()
