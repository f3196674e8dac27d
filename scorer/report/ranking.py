"""Many actors at a glance: where each one stands, ranked by balance, and what no rule matched, by type.

Machine-coded data names dozens of actors at once. A report of every
actor's timeline runs to pages; the ranking is one line per actor, from the
one leaning furthest toward the plus pole to the one leaning furthest toward
the minus pole, and `--actor` gives one actor's timeline.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from scorer.io.machine_coded.countries import places
from scorer.pack.model import All, AnyOf, Condition, Not, RulePack, Test
from scorer.report.format import Palette, signed, table
from scorer.report.labels import happened
from scorer.scoring.score import Score

# Unmatched event types listed one by one before "N other types".
TYPES_LISTED = 8
# Actors listed at each end of a longer ranking, the rest as one line between them.
ENDS_LISTED = 20
# Longer country names are cut to this many characters in the ranking.
NAME_WIDTH = 24


@dataclass(frozen=True)
class Standing:
    """One actor's line of the ranking."""

    actor: str
    name: str  # the country's name, "" for a code the country table does not know
    balance: float
    lean: float
    events: int
    unmatched: int
    date: str  # of the final balance


@dataclass(frozen=True)
class UnmatchedType:
    """Events of one type that no rule matched, and why."""

    type: str
    events: int
    what: str  # what the type means (`042 Make a visit`), or the type itself
    why: str


def standings(score: Score) -> list[Standing]:
    """Every actor, most toward the plus pole first, most toward the minus pole last (ties by actor code)."""
    shown = places().shown
    rows = [
        Standing(
            name,
            shown.get(name, ""),
            actor.final.balance,
            actor.final.lean,
            actor.size,
            len(actor.unmatched),
            actor.final.date,
        )
        for name, actor in score.actors.items()
    ]
    return sorted(rows, key=lambda row: (-round(row.balance, 9), row.actor))


def ends(ranked: list[Standing]) -> tuple[list[Standing], list[Standing], list[Standing]]:
    """A ranking cut to its ENDS_LISTED highest and lowest, and those between (none for a short ranking)."""
    if len(ranked) <= 2 * ENDS_LISTED + 1:
        return ranked, [], []
    return ranked[:ENDS_LISTED], ranked[ENDS_LISTED:-ENDS_LISTED], ranked[-ENDS_LISTED:]


def unmatched_types(score: Score) -> list[UnmatchedType]:
    """The types of the events no rule matched, most events first, each with what it means and why."""
    counts: Counter[str] = Counter()
    for actor in score.actors.values():
        counts.update(actor.fields(["type"], unmatched=True)["type"])
    return [
        UnmatchedType(kind, n, happened(kind) or kind, _why(score.pack, kind))
        for kind, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]


def _why(pack: RulePack, kind: str) -> str:
    """Why events of a type matched nothing: no rule is about the type, or its rules' other conditions failed."""
    if any(rule.enabled and _admits(rule.when, kind) for rule in pack.rules):
        return "its rules' other conditions (partner, ...) failed"
    return "no rule tests this type"


def _admits(condition: Condition, kind: str) -> bool:
    """Whether a condition can hold for an event of this type (other fields could make it hold)."""
    if isinstance(condition, All):
        return all(_admits(item, kind) for item in condition.items)
    if isinstance(condition, AnyOf):
        return any(_admits(item, kind) for item in condition.items)
    if isinstance(condition, Not) or not isinstance(condition, Test) or condition.field != "type":
        return True
    op, operand = condition.op, condition.operand
    if op == "eq":
        return bool(operand == kind)
    if op == "in":
        return kind in operand
    if op == "prefix":
        return kind.startswith(str(operand))
    if op == "regex":
        return re.search(str(operand), kind) is not None
    return True


def ranking_text(score: Score, palette: Palette) -> str:
    """The ranking of every actor, the unmatched events by type, and how to see one actor's timeline."""
    scoring = score.pack.scoring
    ranked = standings(score)
    events = sum(row.events for row in ranked)
    first = min(actor.first_date for actor in score.actors.values())
    last = max(row.date for row in ranked)
    lines = [
        palette.bold(f"{len(ranked)} actors, {events} events from {first} to {last}")
        + f", ranked by balance {palette.legend(scoring.plus, scoring.minus)}",
        "",
    ]
    listed = [row for row in ranked if row.unmatched < row.events]
    idle = [row for row in ranked if 0 < row.events == row.unmatched]
    empty = [row for row in ranked if row.events == 0]
    named = any(row.name for row in listed)
    top, middle, bottom = ends(listed)
    rows, values = [], []
    for row in top + bottom:
        name = [_cut(row.name)] if named else []
        rows.append(
            [row.actor, *name, signed(row.balance), signed(row.lean), str(row.events), str(row.unmatched), row.date]
        )
        values.append([None, *([None] if named else []), row.balance, row.lean, None, None, None])
    headers = ["actor", *(["name"] if named else []), "balance", "lean", "events", "unmatched", "final on"]
    start = 2 if named else 1
    body = table(headers, rows, {start, start + 1, start + 2, start + 3}, palette, values)
    if middle:
        between = f"... {len(middle)} actors from {signed(middle[0].balance)} to {signed(middle[-1].balance)} ..."
        body.insert(2 + len(top), between)
    lines += body
    if idle:
        codes = ", ".join(f"{row.actor} ({row.events})" for row in idle)
        lines += ["", _wrap(f"no rule matched any event of {len(idle)} actors (events): {codes}")]
    if empty:
        codes = ", ".join(row.actor for row in empty)
        lines += ["", _wrap(f"no events on or before {empty[0].date} of {len(empty)} actors: {codes}")]
    lines += _unmatched_lines(score, events)
    lines += ["", "One actor's timeline: --actor CODE; every timeline: --format json or csv."]
    return "\n".join(lines) + "\n"


def _unmatched_lines(score: Score, events: int) -> list[str]:
    """The unmatched events by type: the most frequent types, then the rest as one line."""
    kinds = unmatched_types(score)
    total = sum(len(actor.unmatched) for actor in score.actors.values())
    if not total:
        return ["", "unmatched: none (every event matched a rule)"]
    lines = ["", f"unmatched: {total} of {events} events, by type"]
    rows = [[str(kind.events), kind.what, kind.why] for kind in kinds[:TYPES_LISTED]]
    rest = kinds[TYPES_LISTED:]
    if rest:
        rows.append([str(sum(kind.events for kind in rest)), f"{len(rest)} other types", ""])
    unknown = total - sum(kind.events for kind in kinds)
    if unknown:  # a run on Dask brings back totals per day, not the events' types
        rows.append([str(unknown), "type not known", "scored on Dask: only the totals per day came back"])
    lines += ["  " + line for line in table(["events", "type", "why"], rows, {0})]
    return lines


def _cut(name: str) -> str:
    """A country's name, cut to fit its column."""
    return name if len(name) <= NAME_WIDTH else name[: NAME_WIDTH - 1] + "…"


def _wrap(line: str, width: int = 100) -> str:
    """A long list line wrapped at commas, continued with an indent."""
    if len(line) <= width or ", " not in line:
        return line
    out, current = [], ""
    for part in line.split(", "):
        piece = part if not current else f"{current}, {part}"
        if len(piece) > width and current:
            out.append(current + ",")
            current = "    " + part
        else:
            current = piece
    return "\n".join([*out, current])
