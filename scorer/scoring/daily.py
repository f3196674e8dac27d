"""An actor's score from its totals per day: what a distributed run brings back instead of its events.

A run over many machines sums what each event adds to each axis by actor
and day where the events are (`scorer.distributed`), and sends back that
small table. The running totals, periods and decay are then the same
arithmetic as on the events themselves (`ActorScore`), a day standing for
its events; the sums are grouped differently, so totals agree to rounding.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date as Date
from functools import partial
from typing import Any

import numpy as np
import polars as pl

from scorer.pack.model import RulePack
from scorer.scoring.actor import ActorScore
from scorer.scoring.fired import EventColumns, Fired
from scorer.scoring.periods import Every
from scorer.scoring.unmatched_ids import UnmatchedIds


class DayScore(ActorScore):
    """One actor's score from its days (ascending), what each day adds to each axis, and its events per day.

    Only the views made of totals exist here (`final`, `columns` with periods,
    `unmatched`, `size`, `first_date`); the per-event views need the events
    themselves, and the events' fields are not here (`fields`, `described` are empty).
    """

    def __init__(
        self,
        actor: str,
        pack: RulePack,
        days: np.ndarray,
        amounts: np.ndarray,
        counts: np.ndarray,
        final_date: str,
        every: Every | None,
        unmatched: UnmatchedIds,
        span: tuple[int, int],
        *,
        as_of: bool = False,
    ) -> None:
        """`final_date` is the --as-of day when `as_of`: the period holding it is valued on it."""
        ones = np.ones(len(days))
        numbers = EventColumns(days, ones, ones, np.zeros(len(days), dtype=np.int64))
        super().__init__(
            actor,
            pack,
            pl.DataFrame(),
            np.arange(len(days)),
            numbers,
            Fired.of(pack, [()]),
            final_date,
            every,
            partial(unmatched.between, *span),
            partial(unmatched.reasons_between, *span),
            partial(unmatched.json_parts, *span),
            as_of=as_of,
        )
        self._day_amounts = amounts
        self._ends = np.cumsum(counts)

    def _amounts(self) -> np.ndarray:
        """What each day adds to each axis: the days are the rows."""
        return self._day_amounts

    def _events_upto(self, upto: np.ndarray) -> np.ndarray:
        """The events up to each cut, from the running count of events per day."""
        events: np.ndarray = np.where(upto > 0, self._ends[np.maximum(upto - 1, 0)], 0)
        return events

    @property
    def size(self) -> int:
        """How many events the days hold."""
        return int(self._ends[-1]) if len(self._ends) else 0

    @property
    def first_date(self) -> str:
        """The actor's first day, as YYYY-MM-DD (the events' own spelling stayed with them)."""
        return Date.fromordinal(int(self._days[0])).isoformat() if len(self._days) else self._final_date

    def fields(self, names: Sequence[str], *, unmatched: bool = False) -> dict[str, list[Any]]:
        """No field of the events came back from the cluster: every column is empty."""
        return {name: [] for name in names}

    def described(self, ids: Sequence[str]) -> dict[str, tuple[str, str | None, str, str]]:
        """No event came back from the cluster: nothing to describe."""
        return {}
