"""The differential hunt: `python benchmarks/differential.py N [FIRST]` scores N random cases through the
command line and checks every number against an evaluation written apart from `scorer/`.

The cases and the evaluation live in tests/ (differential_cases.py, differential_model.py);
each case is a random pack, events in YAML, JSON Lines or CSV, and random flags.
Prints how many cases ran, how many agreed, and the first few that did not;
exits 1 if any crashed or disagreed. `--mutate` first flips one operator of the
engine (`gte` compiled as `gt`), to show that the hunt catches such a mistake.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from differential_cases import run_case  # noqa: E402

from scorer.cli import main  # noqa: E402
from scorer.engine import compile as engine_compile  # noqa: E402


def mutate() -> None:
    """Compile every `gte` test as `gt`: the engine now misses values equal to a threshold."""
    leaf = engine_compile._leaf

    def mutated(test, names, negated):  # type: ignore[no-untyped-def]
        """The real leaf with `$gte` swapped for `$gt`."""
        done = leaf(test, names, negated)
        if "$and" in done and len(done["$and"]) == 2 and "$gte" in done["$and"][1]:
            done["$and"][1] = {"$gt": done["$and"][1]["$gte"]}
        return done

    engine_compile._leaf = mutated


def hunt(count: int, first: int) -> int:
    """Run the cases; print the figures; the number of cases that crashed or disagreed."""
    crashes, disagreements, shown = 0, 0, 0
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        for seed in range(first, first + count):
            problems = run_case(seed, main, Path(folder))
            crashes += any(p.startswith("crash") for p in problems)
            disagreements += bool(problems) and not any(p.startswith("crash") for p in problems)
            if problems and shown < 10:
                shown += 1
                print(f"seed {seed}: " + "; ".join(problems[:3]))
    elapsed = time.perf_counter() - started
    agreed = count - crashes - disagreements
    print(f"{count} cases ran (seeds {first}-{first + count - 1}): {agreed} agreed, "
          f"{crashes} crashes, {disagreements} disagreements ({elapsed:.0f} s)")
    return crashes + disagreements


def cli() -> int:
    """The command line of the hunt."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, nargs="?", default=500)
    parser.add_argument("first", type=int, nargs="?", default=0)
    parser.add_argument("--mutate", action="store_true", help="flip one operator of the engine first")
    args = parser.parse_args()
    if args.mutate:
        mutate()
    return 1 if hunt(args.count, args.first) else 0


if __name__ == "__main__":
    sys.exit(cli())
