"""Unit contributions: the totals are the units times the weights, on every timeline row, the final date and
any other day."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from uncertain_cases import Case, cases

from scorer.scoring.score import score
from scorer.scoring.units import columns_of, expand, final_units, signals, unit_blocks, units_at


@settings(max_examples=40, deadline=None)
@given(case=cases(), every=st.sampled_from([None, "year", "quarter"]))
def test_units_times_weights_are_the_totals(case: Case, every: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        events, pack = case.load(Path(folder))
    result = score(events, pack, every=every)  # type: ignore[arg-type]
    chosen = signals(pack)
    table = columns_of(pack, chosen)
    weights = np.array([s.weight for s in chosen])
    axes = list(pack.scoring.axes)
    for actor in result.actors.values():
        upto, at = actor.cuts()
        fired = expand(actor, table, len(chosen))
        units = np.concatenate(list(unit_blocks(fired, upto, at, block=3)))
        final = final_units(fired, actor.final_day)
        for k, axis in enumerate(axes):
            on = np.array([s.axis == axis for s in chosen], dtype=bool)
            scale = 1 + np.abs(actor.columns.values[:, k]).max(initial=0)
            assert np.allclose(units[:, on] @ weights[on], actor.columns.values[:, k], rtol=1e-9, atol=1e-9 * scale)
            assert final[on] @ weights[on] == pytest.approx(actor.final.totals[axis], rel=1e-9, abs=1e-9 * scale)


@settings(max_examples=25, deadline=None)
@given(case=cases(min_events=2))
def test_units_on_a_day_are_the_totals_as_of_that_day(case: Case) -> None:
    with tempfile.TemporaryDirectory() as folder:
        events, pack = case.load(Path(folder))
    chosen = signals(pack, ("nato", "russia"))
    table = columns_of(pack, chosen)
    sign = np.array([1.0 if s.axis == "nato" else -1.0 for s in chosen])
    weights = np.array([s.weight for s in chosen])
    whole = score(events, pack)
    days = np.array([725_000, 730_000, 733_000, 737_000])  # 1985-12 ... 2018-10
    for name, actor in whole.actors.items():
        units = units_at(actor, table, len(chosen), days)
        for row, day in zip(units, days, strict=True):
            as_of = str(np.datetime64("0001-01-01") + np.timedelta64(int(day) - 1, "D"))
            found = score(events, pack, as_of=as_of).actors.get(name)
            expected = found.final.balance if found else 0.0
            assert row @ (sign * weights) == pytest.approx(expected, rel=1e-9, abs=1e-9)
