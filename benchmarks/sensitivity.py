"""Sensitivity on the bundled pack and the Kazakhstan fixture: how long, and how often the engine is asked.

    python benchmarks/sensitivity.py [--repeat N]

Prints the best of N runs of the analysis (one match, then a rescoring per
varied weight), the time of the match alone, and the number of engine calls
per run, which must stay 1.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import scorer
from scorer.engine import Matcher
from scorer.scoring.score import match

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "kazakhstan-2009.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    events = scorer.read_events(str(FIXTURE))
    pack = scorer.load_pack()
    calls = 0
    original = Matcher.match_frame

    def counted(self: Matcher, frame, **options):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        return original(self, frame, **options)

    Matcher.match_frame = counted  # type: ignore[method-assign]

    runs, matches = [], []
    result = None
    for _ in range(args.repeat):
        start = time.perf_counter()
        match(events, pack)
        matches.append(time.perf_counter() - start)
        calls = 0
        start = time.perf_counter()
        result = scorer.sensitivity(events, pack)
        runs.append(time.perf_counter() - start)
    assert result is not None
    variations = sum(len(a.variations) for a in result.actors.values())
    flips = sum(len(a.flips) for a in result.actors.values())
    print(f"events: {len(events)}, rules: {len(pack.rules)}, weights varied: {variations} (x2 rescorings)")
    print(f"sensitivity, best of {args.repeat}: {min(runs) * 1000:.1f} ms (median {sorted(runs)[len(runs) // 2] * 1000:.1f} ms)")
    print(f"of which the one match: {min(matches) * 1000:.1f} ms; engine calls per run: {calls}")
    print(f"weights whose ±{result.delta:g} change flips the balance's sign: {flips}")


if __name__ == "__main__":
    main()
