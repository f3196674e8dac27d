"""Scoring math (docs/reference.md): contributions, decay, balance and lean, periods, actors, drivers."""

from __future__ import annotations

import json
import math
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from conftest import write
from hypothesis import given, settings
from hypothesis import strategies as st

from scorer.io.load import read_events as load_events
from scorer.model.frame import EventSet
from scorer.pack.load import load_rules
from scorer.pack.model import RulePack
from scorer.scoring.actor import ActorScore
from scorer.scoring.balance import balance_and_lean
from scorer.scoring.decay import running
from scorer.scoring.fired import Fired as _Fired
from scorer.scoring.score import score

RULES = """\
scoring: {{axes: [nato, russia, china], balance: {{plus: nato, minus: russia}}, half_life_days: {half_life}}}
rules:
  - {{id: west, when: {{partner: NATO}}, signals: {{nato: 2}}}}
  - {{id: east, when: {{partner: RUS}}, signals: {{russia: 1.5, nato: -0.5}}}}
  - {{id: china, when: {{partner: CHN}}, signals: {{china: 4}}}}
"""


def pack_of(tmp_path: Path, half_life: float | None = None) -> RulePack:
    return load_rules(write(tmp_path, "pack.yaml", RULES.format(half_life="null" if half_life is None else half_life)))


def events_of(tmp_path: Path, events: list[tuple[str, str, str] | dict[str, Any]], name: str = "e.jsonl") -> EventSet:
    """Events from (id, date, partner) triples or full mappings; actor KAZ unless given."""
    rows = []
    for item in events:
        fields = item if isinstance(item, dict) else {"id": item[0], "date": item[1], "partner": item[2]}
        rows.append(json.dumps({"actor": "KAZ", "type": "x", **fields}))
    return load_events(str(write(tmp_path, name, "\n".join(rows) + "\n")))


def kaz(tmp_path: Path, events: list[Any], half_life: float | None = None, **options: Any) -> ActorScore:
    return score(events_of(tmp_path, events), pack_of(tmp_path, half_life), **options).actors["KAZ"]


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


# --- contributions ---------------------------------------------------------


def test_contribution_is_weight_times_intensity_times_confidence(tmp_path: Path) -> None:
    actor = kaz(tmp_path, [{"id": "a", "date": "2009-01-01", "partner": "RUS", "intensity": 3, "confidence": 0.5}])
    (step,) = actor.trail
    assert [(m.rule, m.axis, m.weight, m.intensity, m.confidence, m.contribution) for m in step.matches] == [
        ("east", "russia", 1.5, 3.0, 0.5, 2.25),
        ("east", "nato", -0.5, 3.0, 0.5, -0.75),
    ]
    assert actor.final.totals == {"nato": -0.75, "russia": 2.25, "china": 0.0}
    assert actor.final.balance == -3.0
    assert actor.final.lean == -1.0


def test_zero_intensity_or_confidence_contributes_nothing_but_still_matches(tmp_path: Path) -> None:
    actor = kaz(
        tmp_path,
        [
            {"id": "a", "date": "2009", "partner": "NATO", "intensity": 0},
            {"id": "b", "date": "2009", "partner": "NATO", "confidence": 0},
        ],
    )
    assert actor.unmatched == ()
    assert [m.contribution for step in actor.trail for m in step.matches] == [0.0, 0.0]
    assert actor.final.balance == 0.0 and actor.final.lean == 0.0


def test_running_totals_without_decay(tmp_path: Path) -> None:
    actor = kaz(tmp_path, [("a", "2009-01-01", "NATO"), ("b", "2009-02-01", "RUS"), ("c", "2009-03-01", "CHN"), ("d", "2009-04-01", "NATO")])
    rows = [(r.event, r.date, r.totals, r.balance, r.lean) for r in actor.timeline]
    assert rows == [
        ("a", "2009-01-01", {"nato": 2.0, "russia": 0.0, "china": 0.0}, 2.0, 1.0),
        ("b", "2009-02-01", {"nato": 1.5, "russia": 1.5, "china": 0.0}, 0.0, 0.0),
        ("c", "2009-03-01", {"nato": 1.5, "russia": 1.5, "china": 4.0}, 0.0, 0.0),
        ("d", "2009-04-01", {"nato": 3.5, "russia": 1.5, "china": 4.0}, 2.0, 0.4),
    ]
    assert actor.final.date == "2009-04-01"
    assert actor.final.totals == {"nato": 3.5, "russia": 1.5, "china": 4.0}


# --- balance and lean ------------------------------------------------------


@pytest.mark.parametrize(
    ("nato", "russia", "balance", "lean"),
    [
        (0.0, 0.0, 0.0, 0.0),
        (3.0, 1.0, 2.0, 0.5),
        (1.0, 3.0, -2.0, -0.5),
        (-1.0, 2.0, -3.0, -1.0),
        (1.0, -1.0, 2.0, 1.0),
        (-2.0, -2.0, 0.0, 0.0),
        (0.0, 5.0, -5.0, -1.0),
        (-1.0, -3.0, 2.0, 0.5),
    ],
)
def test_balance_and_lean(nato: float, russia: float, balance: float, lean: float) -> None:
    assert balance_and_lean({"nato": nato, "russia": russia, "china": 9.0}, "nato", "russia") == (balance, lean)


def test_lean_is_zero_when_both_poles_are_zero_but_another_axis_is_not(tmp_path: Path) -> None:
    actor = kaz(tmp_path, [("a", "2009", "CHN")])
    assert actor.final.totals == {"nato": 0.0, "russia": 0.0, "china": 4.0}
    assert (actor.final.balance, actor.final.lean) == (0.0, 0.0)


# --- decay -----------------------------------------------------------------


def test_half_life_decay_on_each_row(tmp_path: Path) -> None:
    actor = kaz(tmp_path, [("a", "2009-01-01", "NATO"), ("b", "2009-01-11", "RUS"), ("c", "2009-01-31", "NATO")], half_life=10)
    a, b, c = actor.timeline
    assert a.totals == {"nato": 2.0, "russia": 0.0, "china": 0.0}
    # Ten days later the first 2.0 is worth 1.0; b adds russia 1.5 and nato -0.5.
    assert close(b.totals["nato"], 0.5) and close(b.totals["russia"], 1.5)
    assert close(b.balance, -1.0) and close(b.lean, -0.5)
    # Twenty more days: two more half-lives for b, three in all for a.
    assert close(c.totals["nato"], 2 * 0.5**3 - 0.5 * 0.5**2 + 2)
    assert close(c.totals["russia"], 1.5 * 0.25)
    assert close(actor.final.balance, c.balance)


def test_decay_with_a_fractional_half_life_and_uneven_gaps(tmp_path: Path) -> None:
    actor = kaz(tmp_path, [("a", "2008-02-27", "NATO"), ("b", "2008-03-02", "NATO")], half_life=2.5)
    # 2008 is a leap year: four calendar days from Feb 27 to Mar 2.
    assert close(actor.timeline[1].totals["nato"], 2 * 0.5 ** (4 / 2.5) + 2)


def test_decay_over_a_long_gap(tmp_path: Path) -> None:
    actor = kaz(tmp_path, [("a", "1990-01-01", "NATO"), ("b", "2009-01-01", "RUS")], half_life=1)
    days = (np.datetime64("2009-01-01") - np.datetime64("1990-01-01")).astype(int)
    expected = 2 * 0.5 ** float(days) - 0.5
    assert actor.timeline[1].totals["nato"] == pytest.approx(expected, abs=1e-12)
    assert math.isfinite(actor.final.lean)


def test_partial_dates_decay_from_the_first_day(tmp_path: Path) -> None:
    actor = kaz(tmp_path, [("a", "2009", "NATO"), ("b", "2009-02", "RUS"), ("c", "2009-02-11", "CHN")], half_life=10)
    assert [r.date for r in actor.timeline] == ["2009", "2009-02", "2009-02-11"]
    # a counts from 2009-01-01: 31 days to Feb 1, 41 to Feb 11.
    assert close(actor.timeline[1].totals["nato"], 2 * 0.5**3.1 - 0.5)
    assert close(actor.final.totals["nato"], 2 * 0.5**4.1 - 0.5 * 0.5)
    assert close(actor.final.totals["russia"], 1.5 * 0.5)


def test_as_of_evaluates_on_that_day_and_ignores_later_events(tmp_path: Path) -> None:
    events = [("a", "2009-01-01", "NATO"), ("b", "2009-01-11", "RUS"), ("c", "2009-02-01", "NATO")]
    actor = kaz(tmp_path, events, half_life=10, as_of="2009-01-21")
    assert [r.event for r in actor.timeline] == ["a", "b"]
    assert actor.final.date == "2009-01-21"
    assert close(actor.final.totals["nato"], 2 * 0.25 - 0.5 * 0.5)
    assert close(actor.final.totals["russia"], 0.75)
    plain = kaz(tmp_path, events, as_of="2009-01-11")
    assert [r.event for r in plain.timeline] == ["a", "b"], "an event on the as-of day counts"
    assert plain.final.totals == {"nato": 1.5, "russia": 1.5, "china": 0.0}


def test_as_of_with_a_partial_date(tmp_path: Path) -> None:
    actor = kaz(tmp_path, [("a", "2009-01-01", "NATO"), ("b", "2009-02-01", "RUS"), ("c", "2009-02-02", "NATO")], as_of="2009-02")
    assert [r.event for r in actor.timeline] == ["a", "b"]
    assert actor.final.date == "2009-02"


# --- order -----------------------------------------------------------------


def test_events_are_processed_by_date_ties_in_input_order(tmp_path: Path) -> None:
    events = [
        ("late", "2010-01-01", "NATO"),
        ("tie-1", "2009-03-01", "RUS"),
        ("early", "2008", "CHN"),
        ("tie-2", "2009-03", "NATO"),
        ("tie-3", "2009-03-01", "CHN"),
    ]
    actor = kaz(tmp_path, events)
    assert [r.event for r in actor.timeline] == ["early", "tie-1", "tie-2", "tie-3", "late"]
    assert [r.date for r in actor.timeline] == ["2008", "2009-03-01", "2009-03", "2009-03-01", "2010-01-01"]
    assert [s.event.id for s in actor.trail] == ["early", "tie-1", "tie-2", "tie-3", "late"]
    assert actor.final.date == "2010-01-01"


def test_ties_across_files_keep_file_order(tmp_path: Path) -> None:
    first = write(tmp_path, "b.yaml", "- {id: from-b, date: 2009-05, actor: KAZ, type: x, partner: RUS}\n")
    second = write(tmp_path, "a.yaml", "- {id: from-a, date: 2009-05-01, actor: KAZ, type: x, partner: NATO}\n")
    actor = score(load_events([str(first), str(second)]), pack_of(tmp_path)).actors["KAZ"]
    assert [r.event for r in actor.timeline] == ["from-b", "from-a"]


# --- several actors --------------------------------------------------------


def test_each_actor_is_scored_on_its_own(tmp_path: Path) -> None:
    events = events_of(
        tmp_path,
        [
            {"id": "u1", "date": "2009-01-01", "actor": "UZB", "partner": "RUS"},
            {"id": "k1", "date": "2009-01-05", "partner": "NATO"},
            {"id": "u2", "date": "2009-01-11", "actor": "UZB", "partner": "NATO"},
            {"id": "k2", "date": "2009-01-02", "partner": "XXX"},
        ],
    )
    pack = pack_of(tmp_path, half_life=10)
    result = score(events, pack)
    assert list(result.actors) == ["KAZ", "UZB"]
    kaz_, uzb = result.actors["KAZ"], result.actors["UZB"]
    assert [r.event for r in kaz_.timeline] == ["k2", "k1"]
    assert kaz_.unmatched == ("k2",) and uzb.unmatched == ()
    assert kaz_.final.date == "2009-01-05" and uzb.final.date == "2009-01-11"
    assert kaz_.final.totals == {"nato": 2.0, "russia": 0.0, "china": 0.0}
    assert close(uzb.final.totals["nato"], -0.25 + 2) and close(uzb.final.totals["russia"], 0.75)
    only = score(events, pack, actor="UZB")
    assert list(only.actors) == ["UZB"]
    early = score(events, pack, as_of="2009-01-04")
    assert list(early.actors) == ["KAZ", "UZB"], "an actor whose events come later is still there"
    kaz_early = early.actors["KAZ"]
    assert [r.event for r in kaz_early.timeline] == ["k2"]
    alone = score(events, pack, as_of="2009-01-01", actor="KAZ")
    assert list(alone.actors) == ["KAZ"]
    empty = alone.actors["KAZ"]
    assert empty.timeline == () and empty.trail == () and empty.unmatched == ()
    assert empty.final.date == "2009-01-01"
    assert empty.final.totals == {"nato": 0.0, "russia": 0.0, "china": 0.0} and empty.final.balance == 0.0
    assert empty.event_drivers == () and empty.rule_drivers == ()
    for every in ("year", "quarter", "month"):
        assert score(events, pack, as_of="2008-12-31", every=every).actors["UZB"].timeline == ()
    assert list(only.actors) == ["UZB"]
    assert only.actors["UZB"].final.totals == uzb.final.totals


# --- periods ---------------------------------------------------------------


def periods(actor: ActorScore) -> list[tuple[str | None, str, int | None, float]]:
    return [(r.period, r.date, r.events, r.totals["nato"]) for r in actor.timeline]


def test_every_year(tmp_path: Path) -> None:
    actor = kaz(tmp_path, [("a", "2007-06-01", "NATO"), ("b", "2009-02-01", "NATO"), ("c", "2009-12-31", "NATO")], every="year")
    assert periods(actor) == [("2007", "2007-12-31", 1, 2.0), ("2008", "2008-12-31", 0, 2.0), ("2009", "2009-12-31", 2, 6.0)]
    assert all(r.event is None for r in actor.timeline)
    assert actor.final.date == "2009-12-31"


def test_every_quarter(tmp_path: Path) -> None:
    actor = kaz(tmp_path, [("a", "2008-02-29", "NATO"), ("b", "2008-07", "NATO"), ("c", "2008-10-01", "NATO")], every="quarter")
    assert periods(actor) == [
        ("2008-Q1", "2008-03-31", 1, 2.0),
        ("2008-Q2", "2008-06-30", 0, 2.0),
        ("2008-Q3", "2008-09-30", 1, 4.0),
        ("2008-Q4", "2008-12-31", 1, 6.0),
    ]


def test_every_month_with_leap_years(tmp_path: Path) -> None:
    actor = kaz(tmp_path, [("a", "2008-01-31", "NATO"), ("b", "2008-03", "NATO")], every="month")
    assert periods(actor) == [("2008-01", "2008-01-31", 1, 2.0), ("2008-02", "2008-02-29", 0, 2.0), ("2008-03", "2008-03-31", 1, 4.0)]
    other = kaz(tmp_path, [("a", "2009-02-10", "NATO"), ("b", "2100-02-01", "NATO")], every="month", as_of="2009-03-01")
    assert periods(other) == [("2009-02", "2009-02-28", 1, 2.0), ("2009-03", "2009-03-01", 0, 2.0)]
    century = kaz(tmp_path, [("a", "2100-02-10", "NATO"), ("b", "2000-02-10", "NATO")], every="month", as_of="2000-02-29")
    assert periods(century) == [("2000-02", "2000-02-29", 1, 2.0)]
    assert kaz(tmp_path, [("a", "2100-02-10", "NATO")], every="month").timeline[0].date == "2100-02-28"


def test_every_with_as_of_runs_to_the_as_of_period(tmp_path: Path) -> None:
    actor = kaz(tmp_path, [("a", "2009-01-15", "NATO"), ("b", "2009-06-01", "NATO")], every="quarter", as_of="2009-12-01")
    assert periods(actor) == [
        ("2009-Q1", "2009-03-31", 1, 2.0),
        ("2009-Q2", "2009-06-30", 1, 4.0),
        ("2009-Q3", "2009-09-30", 0, 4.0),
        ("2009-Q4", "2009-12-01", 0, 4.0),
    ]
    assert actor.final.date == "2009-12-01"


@pytest.mark.parametrize("every", ["year", "quarter", "month"])
@pytest.mark.parametrize("as_of", ["2009-02-14", "2009-03-31", "2009-02", "2009"])
def test_the_period_holding_as_of_is_valued_on_that_day(tmp_path: Path, every: str, as_of: str) -> None:
    # The clock stops on --as-of: the last period's row is `final`, not a later day's value.
    events = [("a", "2008-11-15", "NATO"), ("b", "2009-01-10", "RUS"), ("c", "2009-02-01", "CHN"), ("d", "2009-06-01", "NATO")]
    actor = kaz(tmp_path, events, half_life=20, every=every, as_of=as_of)
    last = actor.timeline[-1]
    assert (last.date, last.totals, last.balance, last.lean) == (
        actor.final.date,
        actor.final.totals,
        actor.final.balance,
        actor.final.lean,
    )
    assert last.date == as_of


def test_every_values_each_period_on_its_last_day_with_decay(tmp_path: Path) -> None:
    actor = kaz(tmp_path, [("a", "2009-01-01", "NATO"), ("b", "2009-02-18", "NATO")], half_life=10, every="month")
    jan, feb = actor.timeline
    assert close(jan.totals["nato"], 2 * 0.5**3.0)  # Jan 1 to Jan 31
    assert close(feb.totals["nato"], 2 * 0.5**5.8 + 2 * 0.5**1.0)  # to Feb 28: 58 and 10 days
    assert (jan.events, feb.events) == (1, 1)


# --- drivers ---------------------------------------------------------------


def test_drivers_sum_to_the_final_balance(tmp_path: Path) -> None:
    events = [
        {"id": "a", "date": "2009-01-01", "partner": "NATO", "intensity": 2},
        {"id": "b", "date": "2009-01-11", "partner": "RUS"},
        {"id": "c", "date": "2009-01-21", "partner": "CHN"},
        {"id": "d", "date": "2009-01-31", "partner": "NATO", "confidence": 0.25},
        {"id": "e", "date": "2009-01-31", "partner": "XXX"},
    ]
    actor = kaz(tmp_path, events, half_life=10)
    final = actor.final.balance
    assert math.isclose(sum(s.share for s in actor.event_drivers), final, abs_tol=1e-9)
    assert math.isclose(sum(s.share for s in actor.rule_drivers), final, abs_tol=1e-9)
    shares = {s.name: s.share for s in actor.event_drivers}
    # On Jan 31: a is 30 days old, b 20, d new.
    assert close(shares["a"], 4 * 0.125)
    assert close(shares["b"], (-0.5 - 1.5) * 0.25)
    assert close(shares["d"], 0.5)
    assert "c" not in shares, "an event that moves no pole of the balance is not a driver"
    assert "e" not in shares
    rules = {s.name: s.share for s in actor.rule_drivers}
    assert set(rules) == {"west", "east"}
    assert close(rules["west"], 0.5 + 0.5) and close(rules["east"], -0.5)


def test_drivers_are_ranked_by_size_ties_in_order(tmp_path: Path) -> None:
    actor = kaz(
        tmp_path,
        [
            {"id": "small", "date": "2009", "partner": "NATO", "intensity": 0.5},
            {"id": "big-minus", "date": "2009", "partner": "RUS", "intensity": 3},
            {"id": "tie-1", "date": "2009", "partner": "NATO"},
            {"id": "tie-2", "date": "2009", "partner": "NATO"},
        ],
    )
    assert [(s.name, s.share) for s in actor.event_drivers] == [
        ("big-minus", -6.0),
        ("tie-1", 2.0),
        ("tie-2", 2.0),
        ("small", 1.0),
    ]
    assert [(s.name, s.share) for s in actor.rule_drivers] == [("east", -6.0), ("west", 5.0)]


# --- the running sum against the formula -----------------------------------


@settings(max_examples=150, deadline=None)
@given(
    steps=st.lists(
        st.tuples(st.integers(0, 3000), st.floats(-100, 100, allow_nan=False)), min_size=1, max_size=30
    ),
    half_life=st.one_of(st.none(), st.floats(0.5, 400)),
)
def test_running_total_equals_the_sum_of_decayed_contributions(
    steps: list[tuple[int, float]], half_life: float | None
) -> None:
    steps.sort(key=lambda s: s[0])
    days = [d for d, _ in steps]
    amounts = [a for _, a in steps]
    got = running(days, amounts, half_life)
    for i, day in enumerate(days):
        expected = sum(
            a * (1.0 if half_life is None else 0.5 ** ((day - d) / half_life)) for d, a in steps[: i + 1]
        )
        assert got[i] == pytest.approx(expected, rel=1e-9, abs=1e-9)


_signals = st.dictionaries(
    st.sampled_from(["nato", "russia", "china"]), st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=3
)


@settings(max_examples=150, deadline=None)
@given(
    signals=st.lists(_signals, min_size=1, max_size=6),
    fired=st.lists(st.lists(st.integers(0, 5), max_size=5, unique=True).map(sorted), min_size=1, max_size=6),
    events=st.lists(
        st.tuples(st.integers(0, 5), st.floats(0, 1e3, allow_nan=False), st.floats(0, 1, allow_nan=False)),
        max_size=30,
    ),
)
def test_amounts_by_weight_layers_are_the_sums_of_the_matches_to_the_bit(
    signals: list[dict[str, float]], fired: list[list[int]], events: list[tuple[int, float, float]]
) -> None:
    """Several rules weighing on one axis of one event are summed in match order, as the trail shows them."""
    rules = [SimpleNamespace(signals=s) for s in signals]
    pack: Any = SimpleNamespace(rules=rules, scoring=SimpleNamespace(axes=("nato", "russia", "china")))
    table = _Fired.of(pack, [tuple(r for r in group if r < len(rules)) for group in fired])
    groups = np.array([g % len(fired) for g, _, _ in events], dtype=np.int64)
    intensity = np.array([i for _, i, _ in events])
    confidence = np.array([c for _, _, c in events])
    m = table.matches(groups, intensity, confidence)
    expected = np.bincount(m.row * 3 + m.axis, weights=m.contribution, minlength=len(events) * 3).reshape(-1, 3)
    found = table.amounts(groups, intensity, confidence)
    assert found.tobytes() == expected.tobytes()


@settings(max_examples=150, deadline=None)
@given(
    signals=st.lists(_signals, min_size=1, max_size=6),
    fired=st.lists(st.lists(st.integers(0, 5), max_size=5, unique=True).map(sorted), min_size=1, max_size=6),
)
def test_the_fired_table_lists_each_groups_rules_signals_in_pack_and_signal_order(
    signals: list[dict[str, float]], fired: list[list[int]]
) -> None:
    rules = [SimpleNamespace(signals=s) for s in signals]
    axes = ("nato", "russia", "china")
    pack: Any = SimpleNamespace(rules=rules, scoring=SimpleNamespace(axes=axes))
    groups = [tuple(r for r in group if r < len(rules)) for group in fired]
    table = _Fired.of(pack, groups)
    expected = [[(r, axes.index(a), w) for r in group for a, w in signals[r].items()] for group in groups]
    for g, rows in enumerate(expected):
        lo, hi = table.starts[g], table.starts[g + 1]
        columns = (table.rule[lo:hi].tolist(), table.axis[lo:hi].tolist(), table.weight[lo:hi].tolist())
        found = list(zip(*columns, strict=True))
        assert found == rows
        for a in range(len(axes)):
            weights = [w for _, axis, w in rows if axis == a]
            assert table.layers[: len(weights), g, a].tolist() == weights
            assert not table.layers[len(weights) :, g, a].any()
