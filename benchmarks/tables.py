"""DataFrames from a score: how long each table takes, against the JSON document and a table made row by row.

    python benchmarks/tables.py                    # 200,000 events
    python benchmarks/tables.py --events 50000 --repeat 7

For three shapes of the same number of events (200 actors; one actor; 200
actors by month), scores a synthetic file (the generator of bench_scale.py)
once, then per repetition rescores it (no engine call) and times, on the
fresh score whose timeline columns, drivers and matches are made first
(untimed): the JSON document (`render(score, "json")`), each of
`to_polars("timeline" | "drivers" | "trail")`, and `to_pandas()`. The
baseline made row by row is the timeline built from the `Row` objects of
`ActorScore.timeline` (made in the timed part, as such code would). Prints
medians and each one's ratio to the JSON document of the same repetition.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
from bench_scale import event_types, make_rules, write_events, write_pack

import scorer
from scorer.scoring.score import Score, match, rescore

OUT = Path(__file__).resolve().parent / "out"


def by_rows(result: Score) -> pl.DataFrame:
    """The timeline table made from one `Row` object per row: the way this is avoided."""
    rows = [
        {"actor": name, "date": row.date, "event": row.event, "period": row.period, **row.totals, "balance": row.balance}
        for name, actor in result.actors.items()
        for row in actor.timeline
    ]
    return pl.DataFrame(rows)


def made(result: Score) -> Score:
    """The score with what every table and the document share computed already."""
    for actor in result.actors.values():
        _ = actor.columns, actor.event_drivers, actor.rule_drivers, actor.matches
    return result


def timed(run: Callable[[], Any]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def shape(name: str, events: scorer.EventSet, pack: scorer.RulePack, repeat: int, **options: Any) -> None:
    """Time each table of one shape of score and print the medians and ratios."""
    matched = match(events, pack, actor=options.pop("actor", None))
    every = options.get("every")
    cases: dict[str, Callable[[Score], Any]] = {
        "json document": lambda s: scorer.render(s, "json"),
        "timeline": lambda s: s.to_polars("timeline"),
        "drivers": lambda s: s.to_polars("drivers"),
        "trail": lambda s: s.to_polars("trail"),
        "timeline to pandas": lambda s: s.to_pandas("timeline"),
        "timeline by rows": by_rows,
    }
    times: dict[str, list[float]] = {case: [] for case in cases}
    for _ in range(repeat):
        for case, run in cases.items():
            result = made(rescore(matched, pack, every=every))
            times[case].append(timed(lambda run=run, result=result: run(result)))  # type: ignore[misc]
    result = rescore(matched, pack, every=every)
    rows = result.to_polars().height
    print(f"\n{name}: {len(result.actors)} actors, {matched.frame.height:,} events, {rows:,} timeline rows")
    for case, spent in times.items():
        ratios = [t / j for t, j in zip(spent, times["json document"], strict=True)]
        print(f"  {case:<20} {statistics.median(spent) * 1000:9.1f} ms   x{statistics.median(ratios):.2f} of the JSON")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    actors = [f"A{i:03d}" for i in range(200)]
    types = event_types(300)
    partners = ["NATO", "EU", "CSTO", "SCO", "EAEU", "CIS", "OSCE", "UN", "RUS", "USA", "CHN"]
    data, rules = OUT / f"tables-{args.events}.jsonl", OUT / "tables-pack.yaml"
    write_events(data, args.events, actors, types, partners, seed=11)
    write_events(OUT / f"tables-one-{args.events}.jsonl", args.events, actors[:1], types, partners, seed=12)
    write_pack(rules, make_rules(100, types, partners, seed=13))
    pack = scorer.load_pack(rules)
    events = scorer.read_events(data)
    print(f"median of {args.repeat}; ratios are medians of each repetition's ratio")
    shape("200 actors, by event", events, pack, args.repeat)
    shape("one actor, by event", scorer.read_events(OUT / f"tables-one-{args.events}.jsonl"), pack, args.repeat)
    shape("200 actors, by month", events, pack, args.repeat, every="month")


if __name__ == "__main__":
    main()
