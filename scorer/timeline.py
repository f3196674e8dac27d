"""Scoring math (SPEC section 4): contributions, decay, running totals, periods and drivers.

Accumulation works on plain columns (days, amounts) so that it does not care
how the contributions were matched.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date as Date
from typing import Literal

from scorer.engine import Matcher
from scorer.events import Event, EventSet, parse_date
from scorer.rules import RulePack

Every = Literal["year", "quarter", "month"]
EVERY: tuple[str, ...] = ("year", "quarter", "month")


@dataclass(frozen=True)
class Match:
    """One rule firing on one event, for one axis."""

    rule: str
    axis: str
    weight: float
    intensity: float
    confidence: float
    contribution: float


@dataclass(frozen=True)
class Step:
    """One event of the trail: what fired on it and the running totals after it."""

    event: Event
    matches: tuple[Match, ...]
    totals: dict[str, float]
    balance: float
    lean: float


@dataclass(frozen=True)
class Row:
    """One timeline row: after an event, or at the end of a period."""

    date: str
    totals: dict[str, float]
    balance: float
    lean: float
    event: str | None = None
    period: str | None = None
    events: int | None = None


@dataclass(frozen=True)
class Share:
    """A driver of the final balance: an event id or a rule id, and its signed share."""

    name: str
    share: float


@dataclass(frozen=True)
class ActorScore:
    actor: str
    trail: tuple[Step, ...]
    timeline: tuple[Row, ...]
    final: Row
    unmatched: tuple[str, ...]
    event_drivers: tuple[Share, ...]
    rule_drivers: tuple[Share, ...]


@dataclass(frozen=True)
class Score:
    pack: RulePack
    actors: dict[str, ActorScore]


def worth(amount: float, made: int, on: int, half_life: float | None) -> float:
    """What a contribution made on day `made` is worth on day `on`."""
    if half_life is None:
        return amount
    return amount * math.pow(0.5, (on - made) / half_life)


def running(days: Sequence[int], amounts: Sequence[float], half_life: float | None) -> list[float]:
    """The total after each step, valued on that step's day (days ascending)."""
    totals: list[float] = []
    total, last = 0.0, None
    for day, amount in zip(days, amounts, strict=True):
        if last is not None:
            total = worth(total, last, day, half_life)
        total += amount
        totals.append(total)
        last = day
    return totals


def balance_and_lean(totals: dict[str, float], plus: str, minus: str) -> tuple[float, float]:
    balance = totals[plus] - totals[minus]
    scale = abs(totals[plus]) + abs(totals[minus])
    return balance, (balance / scale if scale else 0.0)


def period_of(day: Date, every: Every) -> tuple[str, Date]:
    """The label and last day of the period holding `day`."""
    if every == "year":
        return f"{day.year}", Date(day.year, 12, 31)
    if every == "quarter":
        quarter = (day.month - 1) // 3 + 1
        month = quarter * 3
        return f"{day.year}-Q{quarter}", Date(day.year, month, calendar.monthrange(day.year, month)[1])
    return f"{day.year}-{day.month:02d}", Date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def _periods(first: Date, last: Date, every: Every) -> list[tuple[str, Date]]:
    periods = []
    label, end = period_of(first, every)
    while True:
        periods.append((label, end))
        if end >= last:
            return periods
        label, end = period_of(Date.fromordinal(end.toordinal() + 1), every)


def score(
    events: EventSet | Sequence[Event],
    pack: RulePack,
    *,
    actor: str | None = None,
    as_of: str | None = None,
    every: Every | None = None,
    matcher: Matcher | None = None,
) -> Score:
    """Score events with a pack: one `ActorScore` per actor, in actor-code order."""
    items = list(events.events if isinstance(events, EventSet) else events)
    cutoff = parse_date(as_of) if as_of else None
    chosen = [e for e in items if (actor is None or e.actor == actor) and (cutoff is None or e.day <= cutoff)]
    chosen.sort(key=lambda e: e.day)  # stable: ties keep input order
    fired = (matcher or Matcher(pack)).match(chosen)
    by_actor: dict[str, list[tuple[Event, tuple[int, ...]]]] = {}
    for event, rules in zip(chosen, fired, strict=True):
        by_actor.setdefault(event.actor, []).append((event, rules))
    return Score(pack, {name: _score_actor(name, by_actor[name], pack, as_of, every) for name in sorted(by_actor)})


def _matches(event: Event, rule_indices: tuple[int, ...], pack: RulePack) -> tuple[Match, ...]:
    found = []
    for index in rule_indices:
        rule = pack.rules[index]
        for axis, weight in rule.signals.items():
            contribution = weight * event.intensity * event.confidence
            found.append(Match(rule.id, axis, weight, event.intensity, event.confidence, contribution))
    return tuple(found)


def _score_actor(
    actor: str,
    fired: list[tuple[Event, tuple[int, ...]]],
    pack: RulePack,
    as_of: str | None,
    every: Every | None,
) -> ActorScore:
    scoring = pack.scoring
    half_life = scoring.half_life_days
    events = [event for event, _ in fired]
    matches = [_matches(event, rules, pack) for event, rules in fired]
    days = [event.day.toordinal() for event in events]
    amounts = {axis: [sum(m.contribution for m in ms if m.axis == axis) for ms in matches] for axis in scoring.axes}
    columns = {axis: running(days, amounts[axis], half_life) for axis in scoring.axes}

    def row_totals(i: int) -> dict[str, float]:
        return {axis: columns[axis][i] for axis in scoring.axes}

    trail = []
    for i, event in enumerate(events):
        totals = row_totals(i)
        balance, lean = balance_and_lean(totals, scoring.plus, scoring.minus)
        trail.append(Step(event, matches[i], totals, balance, lean))

    def valued_on(day: int) -> dict[str, float]:
        return {
            axis: sum(worth(a, d, day, half_life) for a, d in zip(amounts[axis], days, strict=True) if d <= day)
            for axis in scoring.axes
        }

    if every is None:
        timeline = tuple(
            Row(step.event.date, step.totals, step.balance, step.lean, event=step.event.id) for step in trail
        )
    else:
        end = parse_date(as_of) if as_of else events[-1].day
        rows = []
        position = 0
        for label, last_day in _periods(events[0].day, end, every):
            count = 0
            while position < len(events) and events[position].day <= last_day:
                position += 1
                count += 1
            totals = {
                axis: worth(columns[axis][position - 1], days[position - 1], last_day.toordinal(), half_life)
                if position
                else 0.0
                for axis in scoring.axes
            }
            balance, lean = balance_and_lean(totals, scoring.plus, scoring.minus)
            rows.append(Row(last_day.isoformat(), totals, balance, lean, period=label, events=count))
        timeline = tuple(rows)

    final_date = as_of if as_of else events[-1].date
    final_day = parse_date(final_date).toordinal()
    final_totals = valued_on(final_day)
    balance, lean = balance_and_lean(final_totals, scoring.plus, scoring.minus)
    final = Row(final_date, final_totals, balance, lean)

    sign = {scoring.plus: 1.0, scoring.minus: -1.0}
    event_shares: dict[str, float] = {}
    rule_shares: dict[str, float] = {}
    for event, day, found in zip(events, days, matches, strict=True):
        for match in found:
            if match.axis in sign:
                share = sign[match.axis] * worth(match.contribution, day, final_day, half_life)
                event_shares[event.id] = event_shares.get(event.id, 0.0) + share
                rule_shares[match.rule] = rule_shares.get(match.rule, 0.0) + share
    rule_order = {rule.id: i for i, rule in enumerate(pack.rules)}

    unmatched = tuple(event.id for event, found in zip(events, matches, strict=True) if not found)
    return ActorScore(
        actor,
        tuple(trail),
        timeline,
        final,
        unmatched,
        _ranked(event_shares, {e.id: i for i, e in enumerate(events)}),
        _ranked(rule_shares, rule_order),
    )


def _ranked(shares: dict[str, float], order: dict[str, int]) -> tuple[Share, ...]:
    ranked = sorted(shares.items(), key=lambda item: (-abs(item[1]), order[item[0]]))
    return tuple(Share(name, share) for name, share in ranked)
