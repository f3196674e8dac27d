"""Dask benchmark: 10M events as partitioned Parquet, scored by the local engine and on 1 and 2 Dask workers.

    python benchmarks/bench_dask.py                       # 10,000,000 events, 300 rules, 3 runs each
    python benchmarks/bench_dask.py --events 1000000      # a quick run
    python benchmarks/bench_dask.py --workers 1 2 4       # other cluster sizes

Writes the synthetic events of `bench_scale.py` (about 200 actors, 300
types, 40 partners, 20 years) as Parquet partitioned by year, once, and a
pack whose every rule tests `type` and `partner` together. Then times, each
as a process of its own (`scorer score DIR --rules PACK --every month
--format json`, the median of `--repeats` runs, with peak memory of the
command's own process; workers' memory is not in it):

* `--engine local`;
* `--engine dask --scheduler local:N` for each N of `--workers`: a
  LocalCluster of N worker processes started for the run, its start-up
  included in the time.

Prints events per second, the speed-up of each cluster size over one
worker and over the local engine, and whether every final total agrees
with the local engine's to 1e-9. Needs the `dask` and `bench` extras.
Files go to benchmarks/out/ (not versioned).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale import (  # noqa: E402 - the benchmark beside this one
    BLOCS,
    FIRST_YEAR,
    YEARS,
    codes,
    event_types,
    run_measured,
    write_pack,
    zipf_weights,
)
from scale_inputs import joint_rules  # noqa: E402 - the inputs both benchmarks write

HERE = Path(__file__).resolve().parent


def write_parquet_events(folder: Path, n: int, actors: list[str], types: list[str], partners: list[str]) -> None:
    """`n` events as `year=YYYY/part-0.parquet`, made by columns (the shape of bench_scale's JSON Lines)."""
    rng = np.random.default_rng(n)
    actor = rng.choice(len(actors), n, p=zipf_weights(len(actors), rng))
    kind = rng.choice(len(types), n, p=zipf_weights(len(types), rng))
    partner = rng.choice(len(partners) + 1, n, p=np.append(zipf_weights(len(partners), rng) * 0.9, 0.1))
    day = np.sort(rng.integers(0, YEARS * 365, n))  # by date, as archives are kept
    dates = (np.datetime64(f"{FIRST_YEAR}-01-01") + day.astype("timedelta64[D]")).astype(str)
    frame = pl.DataFrame(
        {
            "id": [f"e{i:08d}" for i in range(n)],
            "date": dates,
            "actor": np.array(actors)[actor],
            "type": np.array(types)[kind],
            "partner": pl.Series(np.array(partners + [""])[partner]).replace("", None),
            "intensity": np.where(rng.random(n) < 0.3, rng.integers(1, 7, n) * 0.5, 1.0),
            "confidence": np.where(rng.random(n) < 0.2, rng.integers(5, 11, n) / 10, 1.0),
        }
    )
    building = folder.with_name(folder.name + ".tmp")
    for (year,), part in frame.with_columns(year=pl.col("date").str.slice(0, 4)).partition_by(
        "year", as_dict=True, maintain_order=True
    ).items():
        place = building / f"year={year}"
        place.mkdir(parents=True, exist_ok=True)
        part.drop("year").write_parquet(place / "part-0.parquet", row_group_size=1 << 17)
    building.rename(folder)


def totals(path: Path) -> dict[tuple[str, str], float]:
    document = json.loads(path.read_text())
    return {(a, axis): v for a, s in document["actors"].items() for axis, v in s["final"]["totals"].items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000_000, help="events (default 10,000,000)")
    parser.add_argument("--rules", type=int, default=300, help="rules in the pack (default 300)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="cluster sizes (default 1 2)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each; the median is shown (default 3)")
    parser.add_argument("--out", type=Path, default=HERE / "out", help="where files go (default benchmarks/out)")
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    actors, partners, types = codes(200), codes(240)[200:232] + list(BLOCS), event_types(300)
    folder = out / f"parquet-{args.events}"
    if not folder.exists():
        write_parquet_events(folder, args.events, actors, types, partners)
    pack = out / f"pack-joint-{args.rules}.yaml"
    write_pack(pack, joint_rules(args.rules, types, partners, seed=args.rules))
    files = sorted(folder.rglob("*.parquet"))
    size = sum(f.stat().st_size for f in files) / 1e6
    print(f"{args.events:,} events in {len(files)} Parquet files ({size:,.0f} MB, {folder}), {args.rules} rules"
          " testing type and partner together, --every month")
    print(f"machine: {os.cpu_count()} cores, shared with other runs: figures vary from run to run")
    base = [sys.executable, "-m", "scorer", "score", str(folder), "--rules", str(pack), "--every", "month", "--format", "json"]
    runs = [("local engine", [*base, "--engine", "local"])]
    runs += [(f"dask local:{n}", [*base, "--engine", "dask", "--scheduler", f"local:{n}"]) for n in args.workers]
    seconds: dict[str, float] = {}
    expected: dict[tuple[str, str], float] | None = None
    agree = True
    print(f"{'':16} {'median':>9} {'events/s':>12} {'peak (driver)':>14}   totals")
    for name, argv_ in runs:
        output = out / f"dask-bench-{name.replace(' ', '-').replace(':', '')}.json"
        measured = [run_measured(argv_, output) for _ in range(args.repeats)]
        seconds[name] = statistics.median(t for t, _ in measured)
        found = totals(output)
        if expected is None:
            expected, verdict = found, "(the reference)"
        else:
            worst = max(abs(found.get(k, 0.0) - v) / max(1.0, abs(v)) for k, v in expected.items())
            ok = found.keys() == expected.keys() and worst <= 1e-9
            agree = agree and ok
            verdict = f"{'agree' if ok else 'DISAGREE'} (worst relative gap {worst:.1e})"
        peak = max(m for _, m in measured)
        rate = args.events / seconds[name]
        print(f"  {name:<14} {seconds[name]:7.2f} s {rate:12,.0f} {peak / 1e6:11,.0f} MB   {verdict}")
    one = seconds.get("dask local:1")
    for n in args.workers:
        mine = seconds[f"dask local:{n}"]
        against = f", {one / mine:.2f}x over local:1" if one and n != 1 else ""
        print(f"speed-up of local:{n}: {seconds['local engine'] / mine:.2f}x over the local engine{against}")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
