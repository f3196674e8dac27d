"""Fuzz the scorer: the properties of tests/test_fuzz.py on as many random examples as asked for.

    python benchmarks/fuzz.py 2000            # 2,000 examples of each property
    python benchmarks/fuzz.py 2000 --seed 7   # the same examples again

Prints, per property, how many examples ran (shrinking included) and whether
it held; for a failure, the smallest input hypothesis found. The exit status
is 1 when any property failed.

Examples run in batches of BATCH, each batch in a fresh process: the rules
engine keeps every pack it has compiled for the life of a process, so one
process running thousands of generated packs would grow by gigabytes.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import test_fuzz  # noqa: E402 - the strategies and checks live with the CI test

BATCH = 500

PROPERTIES: dict[str, tuple[st.SearchStrategy[Any], Callable[..., None]]] = {
    "valid inputs agree across formats and runs, drivers add up": (
        st.tuples(
            test_fuzz.events(), test_fuzz.packs(), st.booleans(), st.integers(0, len(test_fuzz.SCORE_OPTIONS) - 1)
        ),
        test_fuzz.valid_inputs_agree,
    ),
    "near-valid event files fail cleanly": (test_fuzz.broken_events(), test_fuzz.near_valid_events_fail_cleanly),
    "near-valid rulepacks fail cleanly": (test_fuzz.broken_packs(), test_fuzz.near_valid_packs_fail_cleanly),
}


def batch(name: str, count: int, chosen: int) -> dict[str, Any]:
    """Run one batch in this process: how many examples ran, and whether the property held."""
    strategy, check = PROPERTIES[name]
    ran = 0

    @seed(chosen)
    @settings(max_examples=count, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(strategy)
    def prop(args: tuple[Any, ...]) -> None:
        nonlocal ran
        ran += 1
        check(*args)

    try:
        prop()
    except Exception:  # noqa: BLE001 - a failed property is reported, then the next one runs
        traceback.print_exc(file=sys.stdout)
        return {"ran": ran, "held": False}
    return {"ran": ran, "held": True}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", type=int, help="examples per property")
    parser.add_argument("--seed", type=int, default=int(time.time()), help="repeat a run (default: the time)")
    parser.add_argument("--batch", nargs=3, metavar=("PROPERTY", "COUNT", "SEED"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.batch:
        name, count, chosen = args.batch
        print(json.dumps(batch(name, int(count), int(chosen))))
        return 0
    print(f"seed {args.seed}", flush=True)
    total = failed = 0
    started = time.perf_counter()
    for name in PROPERTIES:
        begin = time.perf_counter()
        ran, held, left, number = 0, True, args.count, 0
        while left > 0 and held:
            size = min(left, BATCH)
            child = subprocess.run(
                [sys.executable, __file__, "0", "--batch", name, str(size), str(args.seed + number)],
                capture_output=True,
                text=True,
            )
            *report, last = child.stdout.strip().splitlines() or [""]
            try:
                result = json.loads(last)
            except json.JSONDecodeError:
                result = {"ran": 0, "held": False}
                report.append(last + child.stderr)
            ran += result["ran"]
            held = result["held"]
            if not held:
                print("\n".join(report), flush=True)
            left -= size
            number += 1
        total += ran
        failed += not held
        print(
            f"{'ok    ' if held else 'FAILED'} {ran:>7,} examples  {time.perf_counter() - begin:6.1f} s  {name}",
            flush=True,
        )
    print(
        f"{total:,} examples in {time.perf_counter() - started:.0f} s, {failed} of {len(PROPERTIES)} properties failed"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
