"""Reports of many actors: the ranking in text, HTML and as a chart, against the JSON document of the same score.

    python benchmarks/reports_many_actors.py [--repeat N]

Machine-coded-like events (CAMEO types, a partner for two events in three)
are scored once with the bundled CAMEO pack for each shape (events x actors);
then each report is made `--repeat` times. Prints the median time of each, its
ratio to the JSON document's, and the size of what it wrote.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np
import polars as pl

import scorer
from scorer.model.frame import SCHEMA, EventSet
from scorer.report.bars import ranking_chart
from scorer.report.format import Palette
from scorer.report.html_ranking import ranking_page
from scorer.report.json import document_json
from scorer.report.text import timeline_text
from scorer.scoring.score import Matched, Score, match, rescore

CODES = ("010", "036", "040", "042", "043", "046", "051", "057", "072", "111", "120", "124", "173", "190")
PARTNERS = ("USA", "RUS", "FRA", "DEU", "CHN", "NATO", "EU", None)
SHAPES = ((10_000, 10), (10_000, 200), (200_000, 40), (200_000, 400))


def events(n: int, actors: int, seed: int = 7) -> EventSet:
    """n events of `actors` actors over a year, as the readers would make them."""
    rng = np.random.default_rng(seed)
    names = [f"A{k:03d}" for k in range(actors)]
    day = 734_716 + rng.integers(0, 365, n)  # 2012
    frame = pl.DataFrame(
        {
            "id": [str(200_000_000 + i) for i in range(n)],
            "date": [str(np.datetime64("0001-01-01") + np.timedelta64(int(d) - 1, "D")) for d in day],
            "day": day,
            "actor": rng.choice(names, n),
            "type": ["cameo." + c for c in rng.choice(CODES, n)],
            "partner": [PARTNERS[k] for k in rng.integers(0, len(PARTNERS), n)],
            "intensity": rng.uniform(0, 10, n).round(1),
            "confidence": np.ones(n),
            "summary": None,
            "source": None,
            "quote": None,
            "tags": None,
            "attrs": None,
            "file": "bench.tsv",
            "line": np.arange(1, n + 1),
            "col": np.ones(n, dtype=np.int64),
        },
        schema_overrides=SCHEMA,
    ).select(list(SCHEMA))
    return EventSet(frame, None, ("bench.tsv",))


def median_time(repeat: int, make: Callable[[], bytes]) -> tuple[float, int]:
    """The median seconds of `make` and the size of its output."""
    times, size = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        size = len(make())
        times.append(time.perf_counter() - start)
    return statistics.median(times), size


def reports(result: Score) -> dict[str, Callable[[], bytes]]:
    """Each report of the score, made from scratch (a fresh score each time: nothing cached between runs)."""
    return {
        "json document": lambda: b"".join(document_json(fresh(result))),
        "ranking text": lambda: timeline_text(fresh(result), Palette()).encode(),
        "ranking html": lambda: ranking_page(fresh(result)).encode(),
        "ranking png": lambda: ranking_chart(fresh(result), "png"),
    }


def fresh(result: Score) -> Score:
    """The same score with nothing computed yet (actor scores compute their views once, then keep them)."""
    return rescore(MATCHED[id(result)], result.pack)


MATCHED: dict[int, Matched] = {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    pack = scorer.load_pack("cameo")
    print(f"{'events':>8} {'actors':>6}  {'report':<14} {'median':>9} {'x json':>7} {'bytes':>10}")
    for n, actors in SHAPES:
        matched = match(events(n, actors), pack)
        result = rescore(matched, pack)
        MATCHED[id(result)] = matched
        timed = {name: median_time(args.repeat, make) for name, make in reports(result).items()}
        base = timed["json document"][0]
        for name, (seconds, size) in timed.items():
            print(f"{n:>8} {actors:>6}  {name:<14} {seconds * 1000:>7.1f}ms {seconds / base:>7.2f} {size:>10,}")


if __name__ == "__main__":
    main()
