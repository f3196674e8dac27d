"""Sequence-rule benchmark: the scale benchmark's pack with and without sequence rules, on the same events.

    python benchmarks/bench_sequence.py                  # 1,000,000 events, 5 rounds
    python benchmarks/bench_sequence.py --events 100000  # a quick run

Uses the scale benchmark's synthetic events and 300-rule pack
(`bench_scale.py`), and times `scorer score FILE --rules PACK --every month
--format json` in this process for three packs, in turn within each round:

* `plain`: the 300 rules;
* `sequence`: the 300 rules and 6 sequence rules (`after` with and without
  `same_as`, with a window and without, `min_count` 2, `not_after`, and one
  with both), each testing common event types;
* `stripped`: the same 306 rules with every `after`/`not_after` taken out, so
  that the difference to `sequence` is the join alone.

Prints each round's times and the medians of the ratios sequence/plain (the
target: at most 1.30) and sequence/stripped. Files go to benchmarks/out/.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import statistics
import time
from pathlib import Path
from typing import Any

from bench_scale import BLOCS, HERE, codes, event_types, make_rules, write_events, write_pack

from scorer.cli import main as scorer_main


def sequence_rules(types: list[str]) -> list[dict[str, Any]]:
    """Six sequence rules over common types: every kind of context the rule language has."""

    def some(start: int) -> list[str]:
        return types[start::30]

    def same(*fields: str) -> dict[str, Any]:
        return {field: {"same_as": field} for field in fields}

    bodies: list[dict[str, Any]] = [
        {"when": {"type": some(0)}, "after": {"within_days": 90, "when": {"type": some(7), **same("partner")}}},
        {
            "when": {"type": some(1)},
            "after": {"within_days": 365, "min_count": 2, "when": {"type": some(2), **same("actor")}},
        },
        {"when": {"type": some(3)}, "not_after": {"when": {"type": some(3), **same("actor", "partner")}}},
        {"when": {"type": some(4)}, "after": {"within_days": 30, "when": {"partner": "NATO"}}},
        {
            "when": {"type": some(5)},
            "after": {"within_days": 180, "when": {"type": some(6), **same("actor")}},
            "not_after": {"within_days": 7, "when": {"type": some(5), **same("actor")}},
        },
        {"when": {"type": some(8)}, "after": {"within_days": 365, "when": {"type": some(9), **same("actor", "partner")}}},
    ]
    return [{"id": f"seq-{i}", **body, "signals": {"russia": 1.0}} for i, body in enumerate(bodies)]


def write_full_pack(path: Path, rules: list[dict[str, Any]]) -> None:
    """A pack whose rules may carry `after` and `not_after` (JSON is YAML)."""
    scoring = {"axes": ["west", "russia", "china"], "balance": {"plus": "west", "minus": "russia"}}
    path.write_text(json.dumps({"scoring": scoring, "rules": rules}, indent=1) + "\n")


def timed(events: Path, pack: Path) -> float:
    """Seconds for one `scorer score` in this process."""
    argv = ["score", str(events), "--rules", str(pack), "--every", "month", "--format", "json"]
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        status = scorer_main(argv)
    if status != 0:
        raise SystemExit(f"scorer failed with exit status {status} on {pack}")
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="events in the file (default 1,000,000)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the three packs in turn (default 5)")
    parser.add_argument("--out", type=Path, default=HERE / "out", help="where the files go (default benchmarks/out)")
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    actors, partners, types = codes(200), codes(240)[200:232] + list(BLOCS), event_types(300)
    events = out / f"events-{args.events}.jsonl"
    if not events.exists():
        write_events(events, args.events, actors, types, partners, seed=args.events)
    plain_rules = make_rules(300, types, partners, seed=300)
    plain = out / "pack-300.yaml"
    write_pack(plain, plain_rules)
    extra = sequence_rules(types)
    sequence, stripped = out / "pack-300-sequence.yaml", out / "pack-300-stripped.yaml"
    write_full_pack(sequence, plain_rules + extra)
    bare = [{k: v for k, v in rule.items() if k not in ("after", "not_after")} for rule in extra]
    write_full_pack(stripped, plain_rules + bare)
    packs = {"plain": plain, "sequence": sequence, "stripped": stripped}
    print(f"{args.events:,} events; packs: 300 rules, +6 sequence rules, +6 rules without their contexts")
    for pack in packs.values():  # a first run of each: files cached, rulesets registered
        timed(events, pack)
    rows: list[dict[str, float]] = []
    for round_ in range(args.rounds):
        row = {name: timed(events, pack) for name, pack in packs.items()}
        rows.append(row)
        print(
            f"round {round_ + 1}: plain {row['plain']:.2f} s, sequence {row['sequence']:.2f} s,"
            f" stripped {row['stripped']:.2f} s; sequence/plain {row['sequence'] / row['plain']:.3f}"
        )
    over_plain = statistics.median(r["sequence"] / r["plain"] for r in rows)
    over_stripped = statistics.median(r["sequence"] / r["stripped"] for r in rows)
    verdict = "within" if over_plain <= 1.30 else "OVER"
    print(f"median sequence/plain {over_plain:.3f} ({verdict} the 1.30 target); sequence/stripped {over_stripped:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
