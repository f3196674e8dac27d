"""What the linter and the reasons for unmatched events cost, next to the score they come with.

    python benchmarks/lint.py                  # 100,000 and 400,000 events, 30 and 300 rules, 5 rounds
    python benchmarks/lint.py --rounds 3

For each shape (events x rules) it writes the synthetic JSON Lines file and
pack of benchmarks/bench_scale.py, reads them once, and then times in this
process, in turn within each round:

* `score`: match and score (`scorer.api.score`), the final totals asked for;
* `json`: the score's JSON document, as `score --format json` writes it,
  `unmatched_reasons` included;
* `reasons`: the reasons alone, for every unmatched event of every actor;
* `lint`: the warnings every events command prints (`scorer.api.lint`).

It prints the medians and the ratios reasons/json and lint/score, taken
within each round (their median). Files go to benchmarks/out/ (not versioned).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_scale  # noqa: E402 - the synthetic input is bench_scale's

from scorer import api  # noqa: E402
from scorer.report.render import Style, render  # noqa: E402


def timed(work: Callable[[], object]) -> float:
    """Seconds `work` takes."""
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def shape(events: int, rules: int, rounds: int) -> None:
    """Time one shape and print its line."""
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    actors = bench_scale.codes(200)
    types = bench_scale.event_types(300)
    partners = actors[:32] + list(bench_scale.BLOCS)
    path, pack_path = out / f"lint-{events}.jsonl", out / f"lint-{rules}.yaml"
    if not path.exists():
        bench_scale.write_events(path, events, actors, types, partners, seed=1)
    bench_scale.write_pack(pack_path, bench_scale.make_rules(rules, types, partners, seed=2))
    read = api.read_events(str(path))
    pack = api.load_pack(str(pack_path))
    times: dict[str, list[float]] = {"score": [], "json": [], "reasons": [], "lint": []}
    unmatched = 0
    for _ in range(rounds):
        times["score"].append(timed(lambda: [a.final for a in api.score(read, pack).actors.values()]))
        times["json"].append(timed(lambda: b"".join(render(api.score(read, pack), "json", Style()))))
        result = api.score(read, pack)
        unmatched = sum(len(a.unmatched) for a in result.actors.values())
        times["reasons"].append(timed(lambda: [a.unmatched_reasons for a in result.actors.values()]))  # noqa: B023
        times["lint"].append(timed(lambda: api.lint(read, pack)))
    medians = {name: statistics.median(values) for name, values in times.items()}
    reasons_json = statistics.median(r / j for r, j in zip(times["reasons"], times["json"], strict=True))
    lint_score = statistics.median(li / s for li, s in zip(times["lint"], times["score"], strict=True))
    print(
        f"{events:>9,} events {rules:>4} rules {unmatched:>8,} unmatched | "
        + "  ".join(f"{name} {value:6.2f} s" for name, value in medians.items())
        + f" | reasons/json {reasons_json:5.1%}  lint/score {lint_score:5.1%}"
    )


def main() -> None:
    """Every shape, one line each."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--events", type=int, nargs="+", default=[100_000, 400_000])
    parser.add_argument("--rules", type=int, nargs="+", default=[30, 300])
    args = parser.parse_args()
    for events in args.events:
        for rules in args.rules:
            shape(events, rules, args.rounds)


if __name__ == "__main__":
    main()
