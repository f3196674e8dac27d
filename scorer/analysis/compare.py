"""Two rulepacks on the same events, side by side: `scorer compare EVENTS --rules A --rules B` (or `--set`).

When the second pack differs from the first only in weights (`--set`), the
events are matched once and scored twice; otherwise each pack is matched on
its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import polars as pl

from scorer.engine import Matcher
from scorer.model.frame import EventSet
from scorer.pack.model import RulePack
from scorer.scoring import tables
from scorer.scoring.actor import ActorScore, Share
from scorer.scoring.score import Score, match, rescore, score

if TYPE_CHECKING:
    from scorer.model.event import Event
@dataclass(frozen=True)
class Difference:
    """One event's or rule's share of the final balance under each pack (None: not a driver there)."""

    name: str
    a: float | None
    b: float | None
    a_at: str | None = None  # where a rule is defined in each pack
    b_at: str | None = None

    @property
    def difference(self) -> float:
        """B's share less A's (a missing share counts as 0)."""
        return (self.b or 0.0) - (self.a or 0.0)


@dataclass(frozen=True)
class ActorComparison:
    """One actor under both packs, with the differences of its event and rule drivers."""

    actor: str
    a: ActorScore
    b: ActorScore
    events: tuple[Difference, ...]  # biggest difference first
    rules: tuple[Difference, ...]


@dataclass(frozen=True)
class WeightChange:
    """A rule whose weights (or existence) differ between the packs."""

    rule: str
    a: dict[str, float] | None
    b: dict[str, float] | None
    a_at: str | None
    b_at: str | None


@dataclass(frozen=True)
class Comparison:
    """Both scores, lined up per actor, and the weights that differ."""

    labels: tuple[str, str]
    a: Score
    b: Score
    actors: dict[str, ActorComparison]
    changes: tuple[WeightChange, ...]  # in the order of pack A, then rules only in B

    def to_polars(self, table: Literal["timeline", "drivers"] = "timeline") -> pl.DataFrame:
        """One table of the comparison as a polars DataFrame, with the numbers of the JSON output.

        - `"timeline"`: a row per actor and event, by actor and date: `actor`,
          `date`, `event`, `a_balance`, `a_lean`, `b_balance`, `b_lean`,
          `balance_difference` (B's balance less A's).
        - `"drivers"`: a row per actor and event or rule that drives its final
          balance under either pack, biggest difference first: `actor`, `kind`
          (`"event"` or `"rule"`), `name`, `a` and `b` (its share under each
          pack, null when it is no driver there), `difference` (B's less A's),
          `rank` (1 for the biggest difference of that actor and kind).

        ValueError for another table name.
        """
        if table == "timeline":
            return _timeline(self)
        if table == "drivers":
            return _drivers(self)
        raise ValueError(f"no table {table!r}: a comparison's tables are 'timeline', 'drivers'")

    def to_pandas(self, table: Literal["timeline", "drivers"] = "timeline") -> Any:
        """`to_polars(table)` as a pandas DataFrame; needs the `pandas` extra (`pip install 'scorer[pandas]'`)."""
        return tables.to_pandas(self.to_polars(table))


def _timeline(result: Comparison) -> pl.DataFrame:
    """The `timeline` table of `Comparison.to_polars`, from both scores' timeline columns."""
    a = tables.timeline(list(result.a.actors.values()), result.a.pack.scoring.axes)
    b = tables.timeline(list(result.b.actors.values()), result.b.pack.scoring.axes)
    return pl.DataFrame(
        {
            "actor": a["actor"],
            "date": a["date"],
            "event": a["event"],
            "a_balance": a["balance"],
            "a_lean": a["lean"],
            "b_balance": b["balance"],
            "b_lean": b["lean"],
            "balance_difference": b["balance"] - a["balance"] + 0.0,
        }
    )


def _drivers(result: Comparison) -> pl.DataFrame:
    """The `drivers` table of `Comparison.to_polars`."""
    rows = [
        (name, kind, d.name, d.a, d.b, d.difference + 0.0, rank)
        for name, actor in result.actors.items()
        for kind, differences in (("event", actor.events), ("rule", actor.rules))
        for rank, d in enumerate(differences, 1)
    ]
    schema = {"actor": pl.String, "kind": pl.String, "name": pl.String, "a": pl.Float64, "b": pl.Float64}
    schema.update(difference=pl.Float64, rank=pl.Int64)
    return pl.DataFrame(rows, schema=schema, orient="row").with_columns(pl.col("a", "b") + 0.0)



def compare(
    events: EventSet | Sequence[Event],
    a: RulePack,
    b: RulePack,
    *,
    labels: tuple[str, str] = ("A", "B"),
    actor: str | None = None,
    as_of: str | None = None,
    matcher: Matcher | None = None,
) -> Comparison:
    """Score the events with both packs and line the results up per actor, event and rule."""
    if a.same_rules(b):
        matched = match(events, a, actor=actor, as_of=as_of, matcher=matcher)
        score_a, score_b = rescore(matched, a), rescore(matched, b)
    else:
        score_a = score(events, a, actor=actor, as_of=as_of, matcher=matcher)
        score_b = score(events, b, actor=actor, as_of=as_of)
    where_a, where_b = a.locations(), b.locations()
    actors = {}
    for name, actor_a in score_a.actors.items():
        actor_b = score_b.actors[name]
        order = {step.event.id: i for i, step in enumerate(actor_a.trail)}
        events_diff = _differences(actor_a.event_drivers, actor_b.event_drivers, order, {}, {})
        rule_order = {rule.id: i for i, rule in enumerate(list(a.rules) + list(b.rules))}
        rules_diff = _differences(actor_a.rule_drivers, actor_b.rule_drivers, rule_order, where_a, where_b)
        actors[name] = ActorComparison(name, actor_a, actor_b, events_diff, rules_diff)
    return Comparison(labels, score_a, score_b, actors, _changes(a, b))


def _differences(
    a: Sequence[Share], b: Sequence[Share], order: dict[str, int], where_a: dict[str, str], where_b: dict[str, str]
) -> tuple[Difference, ...]:
    """Both packs' shares of each name, biggest difference first."""
    shares_a = {s.name: s.share for s in a}
    shares_b = {s.name: s.share for s in b}
    names = sorted(set(shares_a) | set(shares_b), key=lambda n: order.get(n, len(order)))
    items = [Difference(n, shares_a.get(n), shares_b.get(n), where_a.get(n), where_b.get(n)) for n in names]
    # Stable sort: equal differences keep processing (or pack) order.
    return tuple(sorted(items, key=lambda d: -round(abs(d.difference), 12)))


def _changes(a: RulePack, b: RulePack) -> tuple[WeightChange, ...]:
    """The rules whose weights or existence differ, in A's order, then those only in B."""
    rules_b = {rule.id: rule for rule in b.rules}
    ids_a = {rule.id for rule in a.rules}
    changes = []
    for rule in a.rules:
        other = rules_b.get(rule.id)
        if other is None or other.signals != rule.signals or other.enabled != rule.enabled:
            changes.append(
                WeightChange(
                    rule.id,
                    dict(rule.signals) if rule.enabled else {},
                    None if other is None else dict(other.signals) if other.enabled else {},
                    rule.where,
                    None if other is None else other.where,
                )
            )
    for rule in b.rules:
        if rule.id not in ids_a:
            signals = dict(rule.signals) if rule.enabled else {}
            changes.append(WeightChange(rule.id, None, signals, None, rule.where))
    return tuple(changes)
