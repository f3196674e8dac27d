"""What fires on each group of tested values, as weights: the bridge from the engine's answers to numbers.

Everything here works on columns: one row per event (day, intensity,
confidence) and one row per match (event row, rule, axis, weight), so a
million events cost array arithmetic, not a million Python objects.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from scorer.pack.model import RulePack


@dataclass(frozen=True)
class Matches:
    """Every (event row, rule, axis) contribution of one actor, rows ascending, pack order within a row."""

    row: np.ndarray
    rule: np.ndarray
    axis: np.ndarray
    weight: np.ndarray
    contribution: np.ndarray


def ranks(sizes: np.ndarray) -> np.ndarray:
    """0, 1, ..., size - 1 for each size in turn."""
    ends = np.cumsum(sizes)
    ranks: np.ndarray = np.arange(int(ends[-1]) if len(ends) else 0) - np.repeat(ends - sizes, sizes)
    return ranks


@dataclass(frozen=True)
class Fired:
    """What fires on each group of tested values, as flat (rule, axis, weight) rows in pack and signal order.

    `layers` holds the same weights by group and axis: layer k has each group's
    k-th weight on each axis (0 where it has fewer), so that what an event adds to
    each axis is summed without a row per match, in the same order as the rows.
    """

    starts: np.ndarray  # group g's rows are [starts[g], starts[g + 1])
    rule: np.ndarray
    axis: np.ndarray
    weight: np.ndarray
    layers: np.ndarray  # (k, group, axis)

    @classmethod
    def of(cls, pack: RulePack, fired: list[tuple[int, ...]]) -> Fired:
        """The weights of the rules each group fires, from the pack and the engine's answers."""
        axis_index = {axis: i for i, axis in enumerate(pack.scoring.axes)}
        width = len(axis_index)
        # Each rule's signals as rows, then each group's rules' rows in turn.
        signals = [[(axis_index[name], w) for name, w in rule.signals.items()] for rule in pack.rules]
        count = np.array([len(s) for s in signals], dtype=np.int64)
        first = np.concatenate([[0], np.cumsum(count)])
        signal_axis = np.array([a for s in signals for a, _ in s], dtype=np.int64)
        signal_weight = np.array([w for s in signals for _, w in s], dtype=np.float64)
        per_group = np.array([len(rules) for rules in fired], dtype=np.int64)
        rules = np.fromiter(itertools.chain.from_iterable(fired), dtype=np.int64, count=int(per_group.sum()))
        rows_per_rule = count[rules]
        rule = np.repeat(rules, rows_per_rule)
        pick = np.repeat(first[rules], rows_per_rule) + ranks(rows_per_rule)
        axis, weight = signal_axis[pick], signal_weight[pick]
        sizes = np.bincount(np.repeat(np.arange(len(fired)), per_group), weights=rows_per_rule, minlength=len(fired))
        starts = np.concatenate([[0], np.cumsum(sizes.astype(np.int64))])
        group = np.repeat(np.arange(len(fired)), np.diff(starts))
        # A row's layer: how many rows of its group before it weigh on the same axis.
        key = group * width + axis
        order = np.argsort(key, kind="stable")
        run_start = np.flatnonzero(np.concatenate([[True], key[order][1:] != key[order][:-1]]))
        layer = np.empty(len(key), dtype=np.int64)
        layer[order] = ranks(np.diff(np.append(run_start, len(key))))
        layers = np.zeros((int(layer.max(initial=0)) + 1, len(fired), width))
        layers[layer, group, axis] = weight
        return cls(starts, rule, axis, weight, layers)

    @cached_property
    def _fires(self) -> np.ndarray:
        """Whether each group fires any rule."""
        fires: np.ndarray = self.starts[1:] > self.starts[:-1]
        return fires

    def amounts(self, groups: np.ndarray, intensity: np.ndarray, confidence: np.ndarray) -> np.ndarray:
        """What each event adds to each axis: the sum of weight × intensity × confidence of its matches.

        The same floats as summing the matches' contributions in row order (a layer
        with no weight adds 0.0, which changes no sum). Where most events fire
        nothing (a pack whose rules test several fields together), only those
        that fire are worked out; the others add 0.0.
        """
        some = np.flatnonzero(self._fires[groups])
        if 2 * len(some) > len(groups):
            return self._amounts(groups, intensity, confidence)
        amounts = np.zeros((len(groups), self.layers.shape[2]))
        amounts[some] = self._amounts(groups[some], intensity[some], confidence[some])
        return amounts

    def _amounts(self, groups: np.ndarray, intensity: np.ndarray, confidence: np.ndarray) -> np.ndarray:
        """`amounts`, worked out for every event given."""
        first, *more = self.layers
        amounts: np.ndarray = first[groups]  # a fresh array: worked on in place
        amounts *= intensity[:, None]
        amounts *= confidence[:, None]
        amounts += 0.0  # as a sum from 0.0 would: -0.0 becomes 0.0, nothing else changes
        for layer in more:
            amounts += layer[groups] * intensity[:, None] * confidence[:, None]
        return amounts

    def matches(self, groups: np.ndarray, intensity: np.ndarray, confidence: np.ndarray) -> Matches:
        """Every contribution to events of these groups (and these intensities and confidences), rows ascending."""
        per_row = (self.starts[1:] - self.starts[:-1])[groups]
        row = np.repeat(np.arange(len(groups)), per_row)
        offset = np.arange(len(row)) - np.repeat(np.cumsum(per_row) - per_row, per_row)
        pick = self.starts[groups][row] + offset
        weight = self.weight[pick]
        return Matches(row, self.rule[pick], self.axis[pick], weight, weight * intensity[row] * confidence[row])


@dataclass(frozen=True)
class EventColumns:
    """The numbers of events by actor and date (gathered once: each actor's are then a slice)."""

    day: np.ndarray
    intensity: np.ndarray
    confidence: np.ndarray
    groups: np.ndarray  # each event's group of tested values

    def part(self, lo: int, hi: int) -> EventColumns:
        """Rows lo to hi (one actor's)."""
        return EventColumns(self.day[lo:hi], self.intensity[lo:hi], self.confidence[lo:hi], self.groups[lo:hi])

