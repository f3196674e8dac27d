"""Why the score is what it is: a score with its trail and drivers, for one event or all."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from scorer.analysis.indices import GlobalSensitivity
from scorer.analysis.uncertain import Bands
from scorer.model.frame import EventSet
from scorer.pack.model import RulePack
from scorer.problems import UsageError
from scorer.scoring import tables
from scorer.scoring.score import Matched, Score, rescore
from scorer.scoring.tables import Table


@dataclass(frozen=True)
class Explanation:
    """A score with what explains it: per actor the trail of every event and the drivers of the final balance.

    `event` limits the trail to one event; `matched` is the match behind the
    score, for reports that also show the sensitivity; `sources` are the
    event files read; `bands` and `indices` come with `--bands`.
    """

    score: Score
    matched: Matched
    event: str | None = None
    sources: tuple[str, ...] = ()
    bands: Bands | None = None  # with `--bands`: how sure the balance is
    indices: GlobalSensitivity | None = None  # and which uncertain weights its spread comes from

    def to_polars(self, table: Table = "trail") -> pl.DataFrame:
        """One table of the explanation as a polars DataFrame: `"trail"` (of `event` alone when one was
        explained), `"drivers"` or `"timeline"`, with the columns of `Score.to_polars`."""
        return tables.table(list(self.score.actors.values()), self.score.pack, table, event=self.event)

    def to_pandas(self, table: Table = "trail") -> Any:
        """`to_polars(table)` as a pandas DataFrame; needs the `pandas` extra (`pip install 'scorer[pandas]'`)."""
        return tables.to_pandas(self.to_polars(table))


def explain(matched: Matched, pack: RulePack, events: EventSet, event: str | None = None) -> Explanation:
    """The explanation of events already matched with `pack`; ValueError if `event` is not among those scored."""
    result = rescore(matched, pack, tally=events.tally)
    if event is not None and not any(step.event.id == event for actor in result.actors.values() for step in actor.trail):
        raise UsageError(f"--event: no event '{event}' among the scored events")
    return Explanation(result, matched, event, events.sources)
