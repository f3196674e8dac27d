"""What `--bands` adds to `scorer score` on the scale benchmark's file: 1,000 draws of every weight.

    python benchmarks/bench_bands.py                    # 1,000,000 events, 300 rules, 1,000 draws, 5 rounds
    python benchmarks/bench_bands.py --events 100000    # a quick run
    python benchmarks/bench_bands.py --every none       # one timeline row per event instead of per month

Uses the synthetic file and pack of `bench_scale.py` (the pack with
`uncertainty: 0.25`, so every weight on the balance's poles is drawn), and
times, as processes one after the other in each round,

    scorer score FILE --rules PACK --every month --format json
    scorer score FILE --rules PACK --every month --format json --bands --draws 1000

then prints each round's ratio and their median: the issue's target is that
the bands add under 20%. In this process it also times the bands alone
(`scorer.api.bands` on a score already made), so the cost can be split into
the matrix products and the percentiles.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from bench_scale import BLOCS, HERE, codes, event_types, make_rules, run_measured, write_events, write_pack

import scorer


def pack_with_uncertainty(path: Path, rules: int, types: list[str], partners: list[str]) -> Path:
    """The scale benchmark's pack, every weight uncertain by a quarter either way."""
    write_pack(path, make_rules(rules, types, partners, seed=rules))
    text = path.read_text().replace("  balance: {plus: west, minus: russia}\n", "  balance: {plus: west, minus: russia}\n  uncertainty: 0.25\n")
    path.write_text(text)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="events in the file (default 1,000,000)")
    parser.add_argument("--rules", type=int, default=300, help="rules in the pack (default 300)")
    parser.add_argument("--draws", type=int, default=1000, help="draws of the weights (default 1,000)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the two commands in turn (default 5)")
    parser.add_argument("--every", default="month", help="timeline rows: month (default), year, ... or none")
    parser.add_argument("--out", type=Path, default=HERE / "out", help="where the files go (default benchmarks/out)")
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    actors, partners, types = codes(200), codes(240)[200:232] + list(BLOCS), event_types(300)
    events = out / f"events-{args.events}.jsonl"
    if not events.exists():
        write_events(events, args.events, actors, types, partners, seed=args.events)
    pack = pack_with_uncertainty(out / f"pack-{args.rules}-uncertain.yaml", args.rules, types, partners)
    every = [] if args.every == "none" else ["--every", args.every]
    plain = [sys.executable, "-m", "scorer", "score", str(events), "--rules", str(pack), *every, "--format", "json"]
    banded = [*plain, "--bands", "--draws", str(args.draws)]
    print(f"{args.events:,} events, {args.rules} rules (uncertainty 0.25), timeline per {args.every}, {args.draws:,} draws")
    ratios, times = [], []
    for k in range(args.rounds):
        base, _ = run_measured(plain, out / "bands-plain.json")
        with_bands, peak = run_measured(banded, out / "bands-banded.json")
        ratios.append(with_bands / base)
        times.append((base, with_bands, peak))
        print(f"  round {k + 1}: score {base:6.2f} s, score --bands {with_bands:6.2f} s ({peak / 1e6:,.0f} MB): {with_bands / base:.3f}x")
    median = statistics.median(ratios)
    print(
        f"median of {args.rounds} rounds: score {statistics.median(t[0] for t in times):.2f} s, "
        f"with --bands {statistics.median(t[1] for t in times):.2f} s; --bands adds {100 * (median - 1):+.1f}% "
        f"(target under +20%: {'met' if median < 1.2 else 'NOT met'})"
    )
    loaded = scorer.read_events(str(events))
    result = scorer.score(loaded, scorer.load_pack(str(pack)), every=None if args.every == "none" else args.every)
    rows = sum(len(actor.columns.dates) for actor in result.actors.values())
    start = time.perf_counter()
    banded_score = scorer.bands(result, draws=args.draws)
    alone = time.perf_counter() - start
    print(
        f"in this process, the bands alone: {alone:.2f} s for {rows:,} timeline rows of {len(result.actors)} actors "
        f"and {len(banded_score.bands.ranged)} uncertain weights"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
