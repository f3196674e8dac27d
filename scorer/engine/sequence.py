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

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

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


@dataclass
class Place:
    """Every event's place in processing order (day, then input row): the order, each row's place, the days."""

    order: np.ndarray  # place -> row
    rank: np.ndarray  # row -> place
    days: np.ndarray  # place -> day

    @classmethod
    def of(cls, frame: pl.DataFrame) -> Place:
        """Each row's place in date order (ties in input order), and the day at each place."""
        day = frame["day"].to_numpy().astype(np.int64)
        size = max(frame.height, 1)
        # Day and row in one number, all distinct: sorting the numbers is the stable sort, and faster.
        key = (day - int(day.min(initial=0))) * size + np.arange(frame.height, dtype=np.int64)
        order = np.sort(key) % size
        rank = np.empty(frame.height, dtype=np.int64)
        rank[order] = np.arange(frame.height, dtype=np.int64)
        return cls(order, rank, day[order])

    @cached_property
    def _firsts(self) -> tuple[int, np.ndarray] | None:
        """The first place on or after each day from the first event's to the day after the last's, when
        that table is small next to the events (a gather beats a binary search into every event)."""
        if not len(self.days):
            return None
        first, last = int(self.days[0]), int(self.days[-1])
        if last - first > max(4 * len(self.days), 1 << 16):
            return None
        return first, np.searchsorted(self.days, np.arange(first, last + 2), side="left")

    def first_on_or_after(self, days: np.ndarray) -> np.ndarray:
        """The first place on or after each of these days."""
        if self._firsts is None:
            found: np.ndarray = np.searchsorted(self.days, days, side="left")
            return found
        first, table = self._firsts
        picked: np.ndarray = table[np.clip(days - first, 0, len(table) - 1)]
        return picked


class Tokens:
    """Each row's value of a field as a number shared across fields (equal values, equal numbers; -1 where
    the field is absent), worked out once per field and distinct value."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame
        self.table: dict[str, int] = {}
        self.known: dict[str, np.ndarray] = {}

    def of(self, name: str) -> np.ndarray:
        """The numbers of field `name`, one per row."""
        if name not in self.known and self.frame[base_column(name)].dtype == pl.Categorical:
            self.known[name] = self._categorical(name)
        if name not in self.known:
            column = base_column(name)
            where, values = distinct(self.frame.select(column), [column])
            numbers = np.empty(values.height + 1, dtype=np.int64)
            for i, row in enumerate(values.iter_rows(named=True)):
                value = field_value(decoded(row), name)
                numbers[i] = -1 if value is MISSING else self.table.setdefault(token(value), len(self.table))
            self.known[name] = numbers[where] if self.frame.height else np.zeros(0, dtype=np.int64)
        return self.known[name]


    def _categorical(self, name: str) -> np.ndarray:
        """`of` a categorical column, by its codes: one number per distinct text, then one gather."""
        column = self.frame[name]
        present = column.unique().drop_nulls()
        codes = present.to_physical().to_numpy().astype(np.int64)
        top = int(codes.max(initial=-1)) + 1
        numbers = np.full(top + 1, -1, dtype=np.int64)  # code `top` stands for null
        for code, text in zip(codes.tolist(), present.cast(pl.String).to_list(), strict=True):
            numbers[code] = self.table.setdefault(token(text), len(self.table))
        picked: np.ndarray = numbers[column.to_physical().fill_null(top).to_numpy().astype(np.int64)]
        return picked


def _keys(
    tokens: Tokens, same: Sequence[tuple[str, str]], earlier: np.ndarray, scored: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The join key of each earlier and each scored event: equal where every `same_as` pair is equal, -1 where
    a field is absent."""
    mine = np.zeros(len(earlier), dtype=np.int64)
    theirs = np.zeros(len(scored), dtype=np.int64)
    width = 1
    for earlier_field, scored_field in same:
        left, right = tokens.of(earlier_field)[earlier], tokens.of(scored_field)[scored]
        size = len(tokens.table) + 1
        if width * size >= 1 << 62:  # too many combinations for one number: number the combinations so far
            _, dense = np.unique(np.concatenate([mine, theirs]), return_inverse=True)
            dense = dense.reshape(-1).astype(np.int64)
            mine, theirs, width = dense[: len(mine)], dense[len(mine) :], int(dense.max(initial=0)) + 1
        mine = np.where((mine < 0) | (left < 0), -1, mine * size + left)
        theirs = np.where((theirs < 0) | (right < 0), -1, theirs * size + right)
        width *= size
    return mine, theirs


def count(
    tokens: Tokens, place: Place, context: Context, earlier: np.ndarray, scored: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """How many of the `earlier` rows count as context for each `scored` row; also the earlier rows in
    join order and where each scored row's count ends among them."""
    size = len(place.rank) + 1
    mine, theirs = _keys(tokens, context.same, earlier, scored)
    present = mine >= 0
    # Key and place in one number; the keys are renumbered densely first so that the product fits.
    _, dense = np.unique(np.concatenate([mine[present], theirs]), return_inverse=True)
    dense = dense.reshape(-1).astype(np.int64)
    joined = np.sort(dense[: int(present.sum())] * size + place.rank[earlier[present]])
    rows = place.order[joined % size]
    base = dense[int(present.sum()) :] * size
    ends = _found_in(joined, base + place.rank[scored])
    if context.within_days is None:
        first = base
    else:
        days = place.days[place.rank[scored]]
        oldest = np.ceil(days - context.within_days).astype(np.int64)
        first = base + place.first_on_or_after(oldest)
    starts = _found_in(joined, first)
    counts = np.where(theirs >= 0, ends - starts, 0)
    return counts, rows, ends


def _found_in(haystack: np.ndarray, needles: np.ndarray) -> np.ndarray:
    """`np.searchsorted(haystack, needles)`, the needles looked up in sorted order: each search then starts
    where the last one ended, in memory already read, which is much faster over large arrays."""
    order = np.argsort(needles)
    found = np.empty(len(needles), dtype=np.int64)
    found[order] = np.searchsorted(haystack, needles[order], side="left")
    return found


def resolve(
    frame: pl.DataFrame, groups: np.ndarray, fired: list[tuple[int, ...]], pack: RulePack, extra: dict[Context, int]
) -> tuple[np.ndarray, list[tuple[int, ...]], Sequences]:
    """Groups and fired rules with every sequence rule decided event by event (see the module's notes).

    `fired` holds, beside the pack's rules, the index `extra[context]` where an
    event meets that context's `when`; those indices are gone from the answer.
    """
    sequence = [i for i, rule in enumerate(pack.rules) if rule.enabled and rule.contexts]
    single = {i for i, rule in enumerate(pack.rules) if not rule.contexts}
    plain = [tuple(r for r in rules if r in single) for rules in fired]
    place = Place.of(frame)
    tokens = Tokens(frame)
    having = _Having(fired)
    every = np.ones(frame.height, dtype=bool)
    earlier: dict[int, Earlier] = {}
    flags = np.zeros((frame.height, len(sequence)), dtype=bool)
    for s, index in enumerate(sequence):
        ok = having(index)[groups]
        for context in pack.rules[index].contexts:
            scored = np.flatnonzero(ok)
            if not len(scored):
                break
            wanted = every if context.when is None else having(extra[context])[groups]
            counts, rows, ends = count(tokens, place, context, np.flatnonzero(wanted), scored)
            holds = counts >= context.min_count
            ok[scored] = holds if context.kind == "after" else ~holds
            if context.kind == "after":
                earlier[index] = Earlier(context.min_count, rows, scored, ends)
        flags[:, s] = ok
    return (*_regrouped(groups, plain, flags, sequence), Sequences(earlier))


class _Having:
    """Which groups fired a given rule or context, from the groups' answers flattened once."""

    def __init__(self, fired: list[tuple[int, ...]]) -> None:
        sizes = np.fromiter((len(rules) for rules in fired), dtype=np.int64, count=len(fired))
        self.flat = np.fromiter(itertools.chain.from_iterable(fired), dtype=np.int64, count=int(sizes.sum()))
        self.owner = np.repeat(np.arange(len(fired)), sizes)
        self.size = len(fired)

    def __call__(self, index: int) -> np.ndarray:
        found = np.zeros(self.size, dtype=bool)
        found[self.owner[self.flat == index]] = True
        return found


def _numbered(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`np.unique(key, return_inverse=True)` for non-negative keys; by direct addressing when their range
    is small (no sort)."""
    top = int(key.max(initial=0)) + 1
    if top > max(4 * len(key), 1 << 20):
        distinct_keys, which = np.unique(key, return_inverse=True)
        return distinct_keys, which.reshape(-1)
    present = np.zeros(top, dtype=bool)
    present[key] = True
    number = np.cumsum(present) - 1
    return np.flatnonzero(present), number[key]


def _regrouped(
    groups: np.ndarray, plain: list[tuple[int, ...]], flags: np.ndarray, sequence: list[int]
) -> tuple[np.ndarray, list[tuple[int, ...]]]:
    """Groups split by which sequence rules fired; each new group's rules in pack order."""
    flagged = np.flatnonzero(flags.any(axis=1))
    groups = groups.astype(np.int64)
    if not len(flagged):
        return groups, plain
    # The group and the flags as one number where they fit (as bits above the group), else rows of numbers.
    width = len(sequence)
    if width + len(plain).bit_length() < 63:
        bits = flags[flagged].astype(np.int64) << np.arange(width, dtype=np.int64)
        key = (bits.sum(axis=1) << len(plain).bit_length()) + groups[flagged]
        distinct_keys, which = _numbered(key)
        shift, mask = len(plain).bit_length(), (1 << len(plain).bit_length()) - 1
        rows = [(k & mask, [(k >> shift) >> s & 1 for s in range(width)]) for k in distinct_keys.tolist()]
    else:
        both = np.concatenate([groups[flagged, None], flags[flagged].astype(np.int64)], axis=1)
        distinct_rows, which = np.unique(both, axis=0, return_inverse=True)
        rows = [(row[0], row[1:]) for row in distinct_rows.tolist()]
    groups[flagged] = len(plain) + which.reshape(-1)
    more = [
        tuple(sorted(plain[group] + tuple(r for r, on in zip(sequence, on_off, strict=True) if on)))
        for group, on_off in rows
    ]
    return groups, plain + more
