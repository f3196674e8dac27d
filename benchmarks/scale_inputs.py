"""Inputs of the scale benchmarks beside `bench_scale.py`: joint-field packs, GDELT rows, Parquet and JSON Lines copies.

* `joint_rules`: every rule tests `type` and `partner` together (all 40
  partners: about 12,000 distinct combinations of the two in a million
  events; or `few`: two partners, most combinations then alike to the engine);
* `write_gdelt`: GDELT 1.0 export rows (58 columns) of synthetic acts, and
  `write_jsonl_of`: the events those rows become, as JSON Lines: the same
  content in our own format;
* `write_parquet_of`: any event file as Parquet (`scorer convert`).
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
AXES = ("west", "russia", "china")


def joint_rules(count: int, types: list[str], partners: list[str], seed: int, *, few: bool = False) -> list[dict[str, Any]]:
    """`count` rules, rule j testing the types j, j + count, ... and one partner (of all, or of two with `few`)."""
    rng = np.random.default_rng(seed)
    pool = partners[:2] if few else partners
    rules = []
    for j in range(count):
        tested = types[j::count]
        when = {"type": tested[0] if len(tested) == 1 else tested, "partner": pool[j % len(pool)]}
        axes = rng.choice(len(AXES), rng.integers(1, 3), replace=False)
        signals = {AXES[a]: float(rng.integers(-12, 13)) / 4 or 0.5 for a in sorted(axes)}
        rules.append({"id": f"rule-{j:03d}", "when": when, "signals": signals})
    return rules


def cameo_codes() -> list[str]:
    """The CAMEO event codes of three digits the scorer knows."""
    table = HERE.parent / "scorer" / "data" / "cameo-codes.tsv"
    rows = [line.split("\t") for line in table.read_text().splitlines() if line and not line.startswith("#")]
    return [row[0] for row in rows if len(row[0]) == 3]


def write_gdelt(path: Path, n: int, actors: list[str], partners: list[str], codes: list[str], seed: int) -> None:
    """`n` GDELT 1.0 rows: Actor1 of `actors`, Actor2 of `partners` (a tenth without), 20 years of days.

    Tones as GDELT writes them: 15 significant digits, each shared by about
    three rows (the events of one article), so that a million rows hold some
    300,000 distinct tones, as real exports do (the Georgia sample: 397 in
    1,255 rows); Goldstein values on the scale's tenths.
    """
    rng = np.random.default_rng(seed)
    actor = rng.integers(0, len(actors), n)
    partner = rng.integers(0, len(partners) + len(partners) // 9 + 1, n)
    code = rng.integers(0, len(codes), n)
    day = rng.integers(0, 20 * 365, n)
    dates = (np.datetime64("2005-01-01") + day.astype("timedelta64[D]")).astype(str)
    goldstein = rng.integers(-100, 101, n) / 10
    tones = rng.normal(0.0, 4.0, max(n // 3, 1))
    tone = tones[rng.integers(0, len(tones), n)]
    with path.open("w") as out:
        for start in range(0, n, 100_000):
            lines = []
            for i in range(start, min(start + 100_000, n)):
                a, c, d = actors[actor[i]], codes[code[i]], dates[i].replace("-", "")
                b = partners[partner[i]] if partner[i] < len(partners) else ""
                cells = [""] * 58
                cells[0:5] = [str(300_000_000 + i), d, d[:6], d[:4], f"{d[:4]}.5"]
                cells[5:8] = [f"{a}GOV", f"{a} GOVERNMENT", a]
                if b:
                    cells[15:18] = [f"{b}GOV", f"{b} GOVERNMENT", b]
                cells[25:35] = ["1", c, c, c[:2], "1", f"{goldstein[i]}", "4", "1", "4", f"{tone[i]:.15g}"]
                cells[56:58] = [d, f"https://example.org/news/{i}"]
                lines.append("\t".join(cells) + "\n")
            out.write("".join(lines))


def write_jsonl_of(source: Path, target: Path, *, attrs: bool = True) -> None:
    """The events an event file gives (GDELT rows included), as JSON Lines: the same content, our format
    (without their attributes, with `attrs=False`)."""
    from scorer.io.load import read_events  # the benchmark's child work, after the scorer is installed

    frame = read_events(str(source)).frame
    with target.open("w") as out:
        for row in frame.iter_rows(named=True):
            event = {k: row[k] for k in ("id", "date", "actor", "type", "partner", "intensity", "confidence")}
            event.update({k: row[k] for k in ("summary", "source", "quote") if row[k] is not None})
            for name in ("tags", "attrs") if attrs else ("tags",):
                if row[name] is not None:
                    event[name] = json.loads(row[name])
            out.write(json.dumps({k: v for k, v in event.items() if v is not None}) + "\n")


def write_parquet_of(source: Path, target: Path) -> None:
    """An event file as Parquet, through `scorer convert`."""
    from scorer.cli import main

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        if main(["convert", str(source), "--output", str(target)]) != 0:
            sys.exit(f"scorer convert {source} failed")
