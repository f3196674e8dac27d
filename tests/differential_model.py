"""An evaluation of scores written apart from `scorer/`: what a pack says of events, worked out plainly.

Nothing here imports from `scorer`: the differential hunt (tests/differential_cases.py,
benchmarks/differential.py) compares every number the command prints with what
this module computes from the same pack and events, so a mistake has to be made
twice, in two different ways, to go unseen.

What it follows: a condition's tests on one event (a missing field meets only
`exists: false`; `ne` and `not_in` need the field; orderings need a number; a
number equals the same number however written, never a boolean or text; dates
compare as the first day of a partial date), contributions weight x intensity x
confidence, decay 0.5 ** (days / half-life), events by date with ties in input
order, balance plus - minus and lean balance / (|plus| + |minus|), `--as-of`
(later events left out, everything valued on that day), `--every` (a row per
period, valued on its last day, or on the --as-of day for the period holding it).
"""

from __future__ import annotations

import calendar
import re
from datetime import date as Date
from typing import Any

MISSING = object()


def day_of(text: str) -> Date:
    """The first day of a YYYY, YYYY-MM or YYYY-MM-DD date."""
    parts = [int(p) for p in text.split("-")]
    return Date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def value_of(event: dict[str, Any], name: str) -> Any:
    """An event's value for a tested field; intensity and confidence are 1 when not given."""
    if name.startswith("attrs."):
        return (event.get("attrs") or {}).get(name[6:], MISSING)
    if name in ("intensity", "confidence"):
        return event.get(name, 1.0)
    value = event.get(name)
    return MISSING if value is None else value


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _same(a: Any, b: Any) -> bool:
    """Equal as the pack means it: numbers by value, booleans and text only to their own kind."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if _number(a) and _number(b):
        return float(a) == float(b)
    return isinstance(a, str) and isinstance(b, str) and a == b


def test_holds(field: str, op: str, operand: Any, event: dict[str, Any]) -> bool:
    """One test of a condition on one event."""
    value = value_of(event, field)
    if op == "exists":
        return (value is not MISSING) == operand
    if value is MISSING:
        return False
    if field == "tags":
        wanted = operand if isinstance(operand, list) else [operand]
        hit = any(tag in wanted for tag in value)
        return not hit if op == "not_in" else hit
    if op == "regex":
        return isinstance(value, str) and re.search(operand, value) is not None
    if op == "prefix":
        return isinstance(value, str) and value.startswith(operand)
    if field == "date":
        left = day_of(value)
        if op in ("in", "not_in"):
            hit = any(left == day_of(str(v)) for v in operand)
            return hit if op == "in" else not hit
        return _ordered(op, left, day_of(str(operand)))
    if op in ("in", "not_in"):
        hit = any(_same(value, v) for v in operand)
        return hit if op == "in" else not hit
    if op in ("eq", "ne"):
        return _same(value, operand) == (op == "eq")
    return _number(value) and _ordered(op, float(value), float(operand))


def _ordered(op: str, left: Any, right: Any) -> bool:
    return {
        "eq": left == right,
        "ne": left != right,
        "gt": left > right,
        "gte": left >= right,
        "lt": left < right,
        "lte": left <= right,
    }[op]


def holds(condition: dict[str, Any], event: dict[str, Any], sets: dict[str, list[Any]]) -> bool:
    """A `when` mapping (every key must hold) on one event."""
    for key, value in condition.items():
        if key == "all":
            ok = all(holds(c, event, sets) for c in value)
        elif key == "any":
            ok = any(holds(c, event, sets) for c in value)
        elif key == "not":
            ok = not holds(value, event, sets)
        elif isinstance(value, dict):
            ok = all(
                test_holds(key, "in" if op == "in_set" else op, sets[arg] if op == "in_set" else arg, event)
                for op, arg in value.items()
            )
        elif isinstance(value, list):
            ok = test_holds(key, "in", value, event)
        else:
            ok = test_holds(key, "eq", value, event)
        if not ok:
            return False
    return True


def _period(day: Date, every: str) -> tuple[str, Date]:
    """The label and last day of the period holding `day`."""
    if every == "year":
        return str(day.year), Date(day.year, 12, 31)
    month = day.month if every == "month" else ((day.month - 1) // 3 + 1) * 3
    end = Date(day.year, month, calendar.monthrange(day.year, month)[1])
    label = f"{day.year}-{day.month:02d}" if every == "month" else f"{day.year}-Q{month // 3}"
    return label, end


def _worth(days: int, half_life: float | None) -> float:
    return 1.0 if half_life is None else 0.5 ** (days / half_life)


def expected(pack: dict[str, Any], events: list[dict[str, Any]], flags: dict[str, Any]) -> dict[str, Any]:
    """What `score --format json` with these flags must say of each actor: timeline, final, unmatched."""
    scoring = pack.get("scoring", {})
    axes = scoring.get("axes", ["nato", "russia"])
    plus, minus = scoring.get("balance", {}).get("plus", "nato"), scoring.get("balance", {}).get("minus", "russia")
    half_life = scoring.get("half_life_days")
    rules = [dict(rule, signals=dict(rule["signals"])) for rule in pack["rules"]]
    for rule_id, axis, weight in flags.get("set", []):
        next(r for r in rules if r["id"] == rule_id)["signals"][axis] = weight
    as_of = _last_day(flags["as_of"]) if flags.get("as_of") is not None else None
    kept = [e for e in events if e["id"] not in flags.get("without", [])]
    if flags.get("actor"):
        kept = [e for e in kept if e["actor"] == flags["actor"]]
    everyone = sorted({e["actor"] for e in kept})
    if as_of is not None:
        kept = [e for e in kept if day_of(e["date"]) <= day_of(as_of)]
    result = {}
    for actor in everyone:
        mine = sorted(
            (e for e in kept if e["actor"] == actor), key=lambda e: day_of(e["date"])
        )  # sorted() is stable: ties keep input order
        steps = []
        for e in mine:
            amounts = dict.fromkeys(axes, 0.0)
            fired = False
            for rule in rules:
                if rule.get("enabled", True) and holds(rule["when"], e, pack.get("sets", {})):
                    fired = True
                    for axis, weight in rule["signals"].items():
                        amounts[axis] += weight * e.get("intensity", 1.0) * e.get("confidence", 1.0)
            steps.append((e, day_of(e["date"]).toordinal(), amounts, fired))

        def totals_on(day: int, upto: int, steps: list[Any] = steps) -> dict[str, float]:
            """The totals of the first `upto` steps, valued on `day`."""
            return {a: sum(s[2][a] * _worth(day - s[1], half_life) for s in steps[:upto]) for a in axes}

        def row(totals: dict[str, float], **more: Any) -> dict[str, Any]:
            balance = totals[plus] - totals[minus]
            scale = abs(totals[plus]) + abs(totals[minus])
            return {**more, "totals": totals, "balance": balance, "lean": balance / scale if scale else 0.0}

        final_date = as_of if as_of is not None else (mine[-1]["date"] if mine else None)
        final_day = day_of(final_date).toordinal() if final_date else 0
        timeline: list[dict[str, Any]] = []
        if flags.get("every") and steps:
            timeline = _periods(flags["every"], steps, final_day, final_date if as_of is not None else None, totals_on, row)
        else:
            for i, (e, day, _, _) in enumerate(steps):
                timeline.append(row(totals_on(day, i + 1), date=e["date"], event=e["id"]))
        final = row(totals_on(final_day, len(steps)), date=final_date)
        unmatched = [s[0]["id"] for s in steps if not s[3]]
        result[actor] = {"timeline": timeline, "final": final, "unmatched": unmatched}
    return result


def _periods(
    every: str, steps: list[Any], final_day: int, as_of: str | None, totals_on: Any, row: Any
) -> list[dict[str, Any]]:
    """The timeline of `--every`: from the period of the first step to the one holding the final day."""
    timeline = []
    label, end = _period(Date.fromordinal(steps[0][1]), every)
    while True:
        last = end.toordinal() >= final_day
        on = final_day if last and as_of is not None else end.toordinal()
        upto = sum(1 for s in steps if s[1] <= on)
        inside = sum(1 for s in steps if _period(Date.fromordinal(s[1]), every)[0] == label and s[1] <= on)
        shown = as_of if last and as_of is not None else end.isoformat()
        timeline.append(row(totals_on(on, upto), period=label, date=shown, events=inside))
        if last:
            return timeline
        label, end = _period(Date.fromordinal(end.toordinal() + 1), every)


def differences(want: Any, got: Any, at: str = "$") -> list[str]:
    """Where `got` differs from `want`: numbers within a relative 1e-9, everything else exactly."""
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return [f"{at}: expected a mapping, got {got!r}"]
        found = []
        for key in want:
            if key not in got:
                found.append(f"{at}.{key}: missing")
            else:
                found += differences(want[key], got[key], f"{at}.{key}")
        return found
    if isinstance(want, list):
        if not isinstance(got, list) or len(want) != len(got):
            return [f"{at}: expected {len(want)} items, got {got!r}"[:300]]
        return [d for i, (w, g) in enumerate(zip(want, got, strict=True)) for d in differences(w, g, f"{at}[{i}]")]
    if _number(want):
        if not _number(got) or abs(want - got) > 1e-9 * max(1.0, abs(want), abs(got)):
            return [f"{at}: expected {want!r}, got {got!r}"]
        return []
    return [] if want == got else [f"{at}: expected {want!r}, got {got!r}"]


def _last_day(text: str) -> str:
    """`--as-of` as the day it stands for: a year or a month means its last day."""
    parts = [int(p) for p in text.split("-")]
    year, month = parts[0], parts[1] if len(parts) > 1 else 12
    day = parts[2] if len(parts) > 2 else calendar.monthrange(year, month)[1]
    return Date(year, month, day).isoformat()
