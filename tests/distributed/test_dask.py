"""`--engine dask`: the same output as the local engine, on the fixture, the GDELT sample and random packs.

Most cases run the driver with a client that does each task here, in turn
(the two passes, the answers, the sums are the same code); one test starts
a real LocalCluster of two worker processes and scores through the command.
"""

from __future__ import annotations

import contextlib
import json
import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from scorer.cli import main

dask = pytest.importorskip("dask.distributed")

from scorer.distributed import driver  # noqa: E402 - only with Dask installed

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "fixtures" / "kazakhstan-2009.yaml"
GDELT = ROOT / "tests" / "data" / "gdelt-sample.tsv"


class _Here:
    """A stand-in for a Dask client that runs each task at once, in this process."""

    def scatter(self, data: Any, broadcast: bool = False) -> Any:
        return data

    def map(self, function: Callable[..., Any], items: list[Any], pure: bool = False, **kwargs: Any) -> list[Any]:
        return [function(item, **kwargs) for item in items]

    def gather(self, results: list[Any]) -> list[Any]:
        return results


@pytest.fixture()
def here(monkeypatch: pytest.MonkeyPatch) -> None:
    """`--scheduler` of any address runs its tasks here."""

    def connect(scheduler: str) -> Iterator[_Here]:
        yield _Here()

    monkeypatch.setattr(driver, "connect", contextlib.contextmanager(connect))


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def close(a: Any, b: Any, where: str = "$") -> str | None:
    """Where two JSON documents differ, numbers compared to 1e-9 (relative, or absolute below 1)."""
    if isinstance(a, float | int) and isinstance(b, float | int) and not isinstance(a, bool):
        return None if abs(a - b) <= 1e-9 * max(1.0, abs(a)) else f"{where}: {a!r} != {b!r}"
    if isinstance(a, dict) and isinstance(b, dict):
        if list(a) != list(b):
            return f"{where}: keys {list(a)} != {list(b)}"
        return next((m for k in a if (m := close(a[k], b[k], f"{where}.{k}"))), None)
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{where}: {len(a)} items != {len(b)}"
        return next((m for i, (x, y) in enumerate(zip(a, b, strict=True)) if (m := close(x, y, f"{where}[{i}]"))), None)
    return None if a == b else f"{where}: {a!r} != {b!r}"


def same_on_dask(capsys: pytest.CaptureFixture[str], *argv: object, scheduler: str = "tcp://here:1") -> str:
    """The command's JSON locally and on Dask, which must agree; returns the local output."""
    status, local, err = run(capsys, *argv, "--format", "json")
    assert status == 0, err
    status, remote, err = run(capsys, *argv, "--format", "json", "--engine", "dask", "--scheduler", scheduler)
    assert status == 0, err
    problem = close(json.loads(local), json.loads(remote))
    assert problem is None, problem
    return local


def flat_pack(folder: Path) -> Path:
    """The bundled pack less its sequence rules (`after`, `not_after`): one that Dask scores by sums."""
    out = folder / "flat"
    out.mkdir(exist_ok=True)
    for source in sorted((ROOT / "rules").glob("*.yaml")):
        document = yaml.safe_load(source.read_text())
        if isinstance(document, dict) and "rules" in document:
            document["rules"] = [r for r in document["rules"] if "after" not in r and "not_after" not in r]
        (out / source.name).write_text(yaml.safe_dump(document, sort_keys=False))
    return out


@pytest.mark.usefixtures("here")
@pytest.mark.parametrize("pack", ["bundled", "flat"])
@pytest.mark.parametrize(
    "options",
    [["score", "--every", "year"], ["score", "--every", "month", "--as-of", "2009-03"], ["score"], ["explain"],
     ["explain", "--actor", "KAZ"], ["score", "--every", "quarter", "--without", "kaz-2003-nato-overflight"],
     ["score", "--every", "quarter", "--actor", "KAZ"]],
)
def test_the_fixture_scores_the_same(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, options: list[str], pack: str
) -> None:
    """The bundled pack has sequence rules, whose events are scored on the driver; the flat one is summed."""
    rules = ["--rules", flat_pack(tmp_path)] if pack == "flat" else []
    same_on_dask(capsys, options[0], FIXTURE, *rules, *options[1:])


@pytest.mark.usefixtures("here")
def test_the_gdelt_sample_scores_the_same(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    same_on_dask(capsys, "score", GDELT, "--rules", "cameo", "--every", "month")
    run(capsys, "convert", GDELT, "--output", tmp_path / "g", "--partition-by", "year")
    same_on_dask(capsys, "score", tmp_path / "g", "--rules", "cameo", "--every", "quarter")
    same_on_dask(capsys, "explain", tmp_path / "g", "--rules", "cameo", "--actor", "GEO")


@pytest.mark.usefixtures("here")
def test_a_per_event_timeline_of_too_many_events_is_refused(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(driver, "MAX_FETCHED", 3)
    flat = flat_pack(tmp_path)
    status, out, err = run(capsys, "score", FIXTURE, "--rules", flat, "--engine", "dask", "--scheduler", "tcp://here:1")
    assert (status, out) == (2, "")
    assert "too many to view one by one on Dask" in err and "--every" in err
    assert run(capsys, "score", FIXTURE, "--rules", flat, "--engine", "dask", "--scheduler", "x:1", "--every", "year")[0] == 0
    # The bundled pack's sequence rules need every event in one place, with --every too.
    status, out, err = run(capsys, "score", FIXTURE, "--engine", "dask", "--scheduler", "x:1", "--every", "year")
    assert (status, out) == (2, "")
    assert "rule 'membership-join-west' has after or not_after" in err and "--engine local" in err


@pytest.mark.usefixtures("here")
def test_problems_found_on_workers_are_reported_together(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    lines = ['{"id": "a", "date": "2009", "actor": "KAZ", "type": "x.y"}'] * 2
    (tmp_path / "e.jsonl").write_text("\n".join(lines) + "\n")
    run(capsys, "convert", tmp_path / "e.jsonl", "--output", tmp_path / "e.parquet")  # refused: a repeated id
    (tmp_path / "f.jsonl").write_text(lines[0] + "\n")
    run(capsys, "convert", tmp_path / "f.jsonl", "--output", tmp_path / "f.parquet")
    status, _, err = run(
        capsys, "score", tmp_path / "f.parquet", tmp_path / "f.jsonl", "--engine", "dask", "--scheduler", "x:1"
    )
    assert status == 2
    assert err.strip() == f"{tmp_path / 'f.jsonl'}:1:1: field 'id': duplicate event id 'a' (first at {tmp_path / 'f.parquet'}:1)"


def random_case(seed: int, folder: Path) -> tuple[Path, Path, list[str]]:
    """A random pack, events and options."""
    rng = random.Random(seed)
    actors, types, partners = ["KAZ", "UZB", "RUS"], ["a.x", "a.y", "b.x", "b.z", "c.c"], ["NATO", "CSTO", "SCO", None]
    lines = []
    for i in range(rng.randint(1, 60)):
        date = f"{rng.randint(2007, 2010)}"
        if rng.random() < 0.9:
            date += f"-{rng.randint(1, 12):02d}"
            if rng.random() < 0.8:
                date += f"-{rng.randint(1, 28):02d}"
        event: dict[str, Any] = {"id": f"e{i}", "date": date, "actor": rng.choice(actors), "type": rng.choice(types)}
        if (partner := rng.choice(partners)) is not None:
            event["partner"] = partner
        if rng.random() < 0.5:
            event["intensity"] = rng.choice([0.5, 1, 2.5, 3])
        if rng.random() < 0.3:
            event["confidence"] = rng.choice([0.2, 0.5, 1])
        if rng.random() < 0.4:
            event["attrs"] = {"units": rng.randint(0, 5)}
        if rng.random() < 0.3:
            event["tags"] = rng.sample(["pfp", "x", "y"], rng.randint(1, 2))
        lines.append(json.dumps(event))
    tests = [
        lambda: {"type": rng.choice(types)},
        lambda: {"type": {"in": rng.sample(types, 2)}},
        lambda: {"partner": {"ne": rng.choice(partners[:3])}},
        lambda: {"partner": {"exists": rng.random() < 0.5}},
        lambda: {"attrs.units": {rng.choice(["gte", "lt"]): rng.randint(0, 5)}},
        lambda: {"tags": {"contains": "pfp"}},
        lambda: {"date": {"gte": f"{rng.randint(2007, 2010)}-06"}},
        lambda: {"any": [{"type": rng.choice(types)}, {"partner": rng.choice(partners[:3])}]},
        lambda: {"not": {"type": rng.choice(types)}},
        lambda: {"type": rng.choice(types), "partner": rng.choice(partners[:3])},
    ]
    rules = []
    for j in range(rng.randint(1, 12)):
        signals = {axis: rng.choice([-2, -1, -0.5, 0.5, 1, 3]) for axis in rng.sample(["p", "m", "o"], rng.randint(1, 2))}
        rules.append(f"  - {{id: r{j}, when: {json.dumps(rng.choice(tests)())}, signals: {json.dumps(signals)}}}")
    half = f", half_life_days: {rng.choice([30, 365, 0.5])}" if rng.random() < 0.6 else ""
    pack = folder / f"pack-{seed}.yaml"
    pack.write_text(f"scoring: {{axes: [p, m, o], balance: {{plus: p, minus: m}}{half}}}\nrules:\n" + "\n".join(rules) + "\n")
    events = folder / f"events-{seed}.jsonl"
    events.write_text("\n".join(lines) + "\n")
    options = ["--every", rng.choice(["year", "quarter", "month"])]
    if rng.random() < 0.3:
        options += ["--as-of", f"{rng.randint(2007, 2010)}-{rng.randint(1, 12):02d}"]
    if rng.random() < 0.3:
        options += ["--actor", rng.choice(actors)]
    return pack, events, options


@pytest.mark.usefixtures("here")
@pytest.mark.parametrize("seed", range(40))
def test_random_packs_score_the_same(capsys: pytest.CaptureFixture[str], tmp_path: Path, seed: int) -> None:
    pack, events, options = random_case(seed, tmp_path)
    run(capsys, "convert", events, "--output", tmp_path / "parts", "--partition-by", "year")
    same_on_dask(capsys, "score", events, "--rules", pack, *options)
    same_on_dask(capsys, "score", tmp_path / "parts", "--rules", pack, *options)
    same_on_dask(capsys, "explain", tmp_path / "parts", "--rules", pack, *options[2:])


@pytest.mark.slow
def test_a_local_cluster_of_two_processes_scores_the_same(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with dask.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        address = cluster.scheduler_address
        same_on_dask(capsys, "score", FIXTURE, "--every", "quarter", scheduler=address)
        same_on_dask(capsys, "explain", FIXTURE, "--actor", "KAZ", scheduler=address)
        for seed in range(6):
            pack, events, options = random_case(seed, tmp_path)
            run(capsys, "convert", events, "--output", tmp_path / f"parts-{seed}", "--partition-by", "year")
            same_on_dask(capsys, "score", tmp_path / f"parts-{seed}", "--rules", pack, *options, scheduler=address)
    status, out, err = run(capsys, "score", FIXTURE, "--every", "year", "--engine", "dask", "--scheduler", "local:2")
    assert status == 0, err


SEQUENCE_PACK = """\
scoring: {axes: [p, m], balance: {plus: p, minus: m}}
rules:
  - {id: plain, when: {type: a.x}, signals: {p: 1}}
  - id: after-a
    when: {type: b.x}
    after: {when: {type: a.x, partner: {same_as: partner}}}
    signals: {m: 2}
"""


@pytest.mark.usefixtures("here")
@pytest.mark.parametrize("every", ["month", None])
def test_a_pack_with_sequence_rules_scores_the_same(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, every: str | None
) -> None:
    """Earlier events of other actors, in other parts, are context: `--actor` must not hide them."""
    (tmp_path / "pack.yaml").write_text(SEQUENCE_PACK)
    rows = [
        ("e1", "2009-01-01", "UZB", "a.x", "NATO"),
        ("e2", "2010-02-01", "KAZ", "b.x", "NATO"),
        ("e3", "2010-03-01", "KAZ", "b.x", "CSTO"),
        ("e4", "2011-03-01", "KAZ", "a.x", "CSTO"),
    ]
    names = ("id", "date", "actor", "type", "partner")
    (tmp_path / "e.jsonl").write_text("".join(json.dumps(dict(zip(names, r, strict=True))) + "\n" for r in rows))
    run(capsys, "convert", tmp_path / "e.jsonl", "--output", tmp_path / "parts", "--partition-by", "year")
    options = ["--every", every] if every else []
    for actor in ([], ["--actor", "KAZ"]):
        local = same_on_dask(capsys, "score", tmp_path / "parts", "--rules", tmp_path / "pack.yaml", *options, *actor)
        assert json.loads(local)["actors"]["KAZ"]["final"]["totals"]["m"] == 2
    same_on_dask(capsys, "explain", tmp_path / "parts", "--rules", tmp_path / "pack.yaml", "--actor", "KAZ")


@pytest.mark.usefixtures("here")
def test_bands_are_drawn_with_the_local_engine_only(capsys: pytest.CaptureFixture[str]) -> None:
    for command in (["score", "--every", "year"], ["explain"]):
        status, out, err = run(capsys, *command, FIXTURE, "--bands", "--engine", "dask", "--scheduler", "x:1")
        assert (status, out) == (2, "")
        assert "--bands" in err and "--engine local" in err
    status, _, err = run(capsys, "score", FIXTURE, "--every", "year", "--draws", "5", "--engine", "dask")
    assert status == 2 and "--draws and --seed apply only with --bands" in err


@pytest.mark.parametrize("wide", [False, True])  # the four keys as one number, and (past 63 bits) as four
def test_unmatched_events_are_put_in_order_by_actor_day_part_and_row(wide: bool) -> None:
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(7)
    n = 5_000
    found = pl.DataFrame(
        {
            "day": pl.Series(rng.integers(733_000, 734_000, n), dtype=pl.Int32),
            "part": rng.integers(0, 6, n),
            "row": pl.Series(rng.permutation(n) * ((1 << 50) if wide else 1), dtype=pl.UInt64),
        }
    )
    rank = rng.integers(0, 12, n)
    expected = found.with_columns(rank=pl.Series(rank)).select(pl.arg_sort_by(["rank", "day", "part", "row"]))
    assert driver._order(rank, found, 6).to_list() == expected.to_series().to_list()


def test_local_workers_share_the_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("POLARS_MAX_THREADS", raising=False)
    monkeypatch.setattr(driver.os, "cpu_count", lambda: 8)
    assert driver._worker_threads(1) == {"POLARS_MAX_THREADS": "8"}
    assert driver._worker_threads(3) == {"POLARS_MAX_THREADS": "2"}
    assert driver._worker_threads(16) == {"POLARS_MAX_THREADS": "1"}
    monkeypatch.setenv("POLARS_MAX_THREADS", "5")  # the user's own setting is left to the workers
    assert driver._worker_threads(2) == {}
