"""Sequence rules: which events have the earlier events that a rule's `after` or `not_after` asks for.

durable_rules has already said, for each distinct combination of tested values,
whether an event meets the rule's own `when` and whether it meets each
context's `when` (a single-event condition, compiled like any rule). What
remains is a join over columns: for each event the rule may score, how many
context events with the same `same_as` keys come before it (date order, ties in
input order) and at most `within_days` days before it. Every event gets a
place in one processing order (day, then input row); keys and places are
packed into one sorted integer array per context, so a count is two binary
searches per scored event, and nothing is done per pair of events.

The answer refines the groups of tested values: events of one group that
differ in which sequence rules fired get groups of their own, so that
everything downstream (weights, sensitivity, reports) still reads
"each group's fired rules".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from scorer.engine.distinct import decoded, distinct
from scorer.engine.semantics import MISSING, base_column, field_value, token
from scorer.pack.model import Context, RulePack


@dataclass(frozen=True)
class Earlier:
    """For one rule's `after`: the context events in join order, and where each scored event's count ends."""

    min_count: int
    rows: np.ndarray  # frame rows of the context events, by key, then processing order
    scored: np.ndarray  # frame rows of the events tested, ascending
    ends: np.ndarray  # for each of those, the end (exclusive) of its earlier events in `rows`


@dataclass(frozen=True)
class Sequences:
    """What the join found, for the trail: by rule index, the earlier events of each rule with `after`."""

    earlier: dict[int, Earlier]

    def before(self, row: int, rule: int) -> list[int]:
        """The frame rows of the latest `min_count` earlier events that let `rule` fire on `row`, oldest first."""
        found = self.earlier.get(rule)
        if found is None:
            return []
        at = int(np.searchsorted(found.scored, row))
        if at >= len(found.scored) or found.scored[at] != row:
            return []
        end = int(found.ends[at])
        rows: list[int] = found.rows[max(end - found.min_count, 0) : end].tolist()
        return rows


@dataclass(frozen=True)
class Place:
    """Every event's place in processing order (day, then input row), and the days in that order."""

    rank: np.ndarray  # row -> place
    days: np.ndarray  # place -> day

    @classmethod
    def of(cls, frame: pl.DataFrame) -> Place:
        day = frame["day"].to_numpy().astype(np.int64)
        order = np.argsort(day, kind="stable")
        rank = np.empty(frame.height, dtype=np.int64)
        rank[order] = np.arange(frame.height, dtype=np.int64)
        return cls(rank, day[order])

    def first_on_or_after(self, days: np.ndarray) -> np.ndarray:
        """The first place on or after each of these days."""
        found: np.ndarray = np.searchsorted(self.days, days, side="left")
        return found


def _tokens(frame: pl.DataFrame, name: str, rows: np.ndarray, table: dict[str, int]) -> np.ndarray:
    """Each of these rows' value of field `name` as a number shared across fields (equal values, equal
    numbers; `table` holds the numbers given so far), -1 where the field is absent."""
    column = base_column(name)
    where, values = distinct(frame.select(column)[pl.Series(rows)], [column])
    numbers = np.empty(values.height + 1, dtype=np.int64)
    for i, row in enumerate(values.iter_rows(named=True)):
        value = field_value(decoded(row), name)
        numbers[i] = -1 if value is MISSING else table.setdefault(token(value), len(table))
    picked: np.ndarray = numbers[where] if len(rows) else np.zeros(0, dtype=np.int64)
    return picked


def _keys(
    frame: pl.DataFrame, same: Sequence[tuple[str, str]], earlier: np.ndarray, scored: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The join key of each earlier and each scored event: equal where every `same_as` pair is equal, -1 where
    a field is absent."""
    if not same:
        return np.zeros(len(earlier), dtype=np.int64), np.zeros(len(scored), dtype=np.int64)
    table: dict[str, int] = {}
    left = np.stack([_tokens(frame, mine, earlier, table) for mine, _ in same], axis=1)
    right = np.stack([_tokens(frame, theirs, scored, table) for _, theirs in same], axis=1)
    if len(same) == 1:
        return left[:, 0], right[:, 0]
    both = np.concatenate([left, right])
    _, key = np.unique(both, axis=0, return_inverse=True)
    key = key.reshape(-1).astype(np.int64)
    key[(both < 0).any(axis=1)] = -1
    return key[: len(earlier)], key[len(earlier) :]


def count(
    frame: pl.DataFrame, place: Place, context: Context, earlier: np.ndarray, scored: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """How many of the `earlier` rows count as context for each `scored` row; also the earlier rows in
    join order and where each scored row's count ends among them."""
    size = frame.height + 1
    mine, theirs = _keys(frame, context.same, earlier, scored)
    kept = earlier[mine >= 0]
    joined = mine[mine >= 0] * size + place.rank[kept]
    order = np.argsort(joined, kind="stable")
    joined, kept = joined[order], kept[order]
    present = theirs >= 0
    base = np.where(present, theirs, 0) * size
    ends = np.searchsorted(joined, base + place.rank[scored], side="left")
    if context.within_days is None:
        first = base
    else:
        days = frame["day"].to_numpy()[scored].astype(np.int64)
        oldest = np.ceil(days - context.within_days).astype(np.int64)
        first = base + place.first_on_or_after(oldest)
    starts = np.searchsorted(joined, first, side="left")
    counts = np.where(present, ends - starts, 0)
    return counts, kept, ends


def resolve(
    frame: pl.DataFrame, groups: np.ndarray, fired: list[tuple[int, ...]], pack: RulePack, extra: dict[Context, int]
) -> tuple[np.ndarray, list[tuple[int, ...]], Sequences]:
    """Groups and fired rules with every sequence rule decided event by event (see the module's notes).

    `fired` holds, beside the pack's rules, the index `extra[context]` where an
    event meets that context's `when`; those indices are gone from the answer.
    """
    total = len(pack.rules)
    sequence = [i for i, rule in enumerate(pack.rules) if rule.enabled and rule.contexts]
    plain = [tuple(r for r in rules if r < total and not pack.rules[r].contexts) for rules in fired]
    place = Place.of(frame)
    every = np.ones(frame.height, dtype=bool)
    earlier: dict[int, Earlier] = {}
    flags = np.zeros((frame.height, len(sequence)), dtype=bool)
    for s, index in enumerate(sequence):
        ok = _having(fired, index)[groups]
        for context in pack.rules[index].contexts:
            scored = np.flatnonzero(ok)
            if not len(scored):
                break
            wanted = every if context.when is None else _having(fired, extra[context])[groups]
            counts, rows, ends = count(frame, place, context, np.flatnonzero(wanted), scored)
            holds = counts >= context.min_count
            ok[scored] = holds if context.kind == "after" else ~holds
            if context.kind == "after":
                earlier[index] = Earlier(context.min_count, rows, scored, ends)
        flags[:, s] = ok
    return (*_regrouped(groups, plain, flags, sequence), Sequences(earlier))


def _having(fired: list[tuple[int, ...]], index: int) -> np.ndarray:
    """Which groups fired `index`."""
    return np.array([index in rules for rules in fired], dtype=bool)


def _regrouped(
    groups: np.ndarray, plain: list[tuple[int, ...]], flags: np.ndarray, sequence: list[int]
) -> tuple[np.ndarray, list[tuple[int, ...]]]:
    """Groups split by which sequence rules fired; each new group's rules in pack order."""
    flagged = np.flatnonzero(flags.any(axis=1))
    groups = groups.astype(np.int64)
    if not len(flagged):
        return groups, plain
    both = np.concatenate([groups[flagged, None], flags[flagged].astype(np.int64)], axis=1)
    distinct_rows, which = np.unique(both, axis=0, return_inverse=True)
    groups[flagged] = len(plain) + which.reshape(-1)
    more = [
        tuple(sorted(plain[row[0]] + tuple(r for r, on in zip(sequence, row[1:], strict=True) if on)))
        for row in distinct_rows.tolist()
    ]
    return groups, plain + more
