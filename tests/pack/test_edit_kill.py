"""`weights set` killed at random moments leaves the rule file whole; two at once both land.

A `python -m scorer` spends most of its life importing (polars, numpy), so a
kill at a random moment of it rarely lands in the edit. The 200 kills are
therefore dealt to children forked from a server process that has imported
the scorer once: each child runs `scorer.cli.main(["weights", "set", ...])`,
the very code `python -m scorer` runs, and is killed with SIGKILL after a
random delay between 0 and the time such a child takes when left alone. A
few real `python -m scorer` processes are killed too.

After each kill: the rule file is the old file or the new one, byte for
byte, and the pack loads. A temporary file can remain only if the kill fell
between writing it and renaming it over the rule file; the next edit of the
folder must remove it, and after that edit none remains.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from scorer.pack.edit import set_weight
from scorer.pack.load import load_rules

ROOT = Path(__file__).resolve().parents[2]
KILLS = 200
REAL_KILLS = 8
RULE, AXIS = "exercise-join-west", "nato"
OTHER_RULE = "exercise-join-russia-bloc"
PACK_FILES = {path.name for path in (ROOT / "rules").glob("*.yaml")}

# Forks one child per command line given, kills them all after `kill_after`
# seconds (if given), reaps them, and reports how each ended. The kill comes
# before the reaping, so the pid is still our child's even if it has exited.
SERVER = r"""
import json, os, signal, sys, time, warnings
warnings.simplefilter("ignore")  # polars warns about fork; the children never use polars
from scorer.cli import main

for request in map(json.loads, sys.stdin):
    started = time.perf_counter()
    pids = []
    for argv in request["runs"]:
        pid = os.fork()
        if pid == 0:
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            os.dup2(null, 2)
            os._exit(main(argv))
        pids.append(pid)
    if request["kill_after"] is not None:
        time.sleep(request["kill_after"])
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
    statuses = [os.waitpid(pid, 0)[1] for pid in pids]
    print(json.dumps({"statuses": statuses, "seconds": time.perf_counter() - started}), flush=True)
"""


class Server:
    def __init__(self, cwd: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVER], cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )

    def run(self, runs: list[list[str]], kill_after: float | None = None) -> tuple[list[int], float]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps({"runs": runs, "kill_after": kill_after}) + "\n")
        self.process.stdin.flush()
        reply = json.loads(self.process.stdout.readline())
        return reply["statuses"], reply["seconds"]

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    running = Server(tmp_path)
    yield running
    running.close()


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    """A copy of the bundled pack, the weight under test set to a value found nowhere else in its file."""
    folder = tmp_path / "rules"
    folder.mkdir()
    for name in PACK_FILES:
        shutil.copy(ROOT / "rules" / name, folder)
    set_weight(folder, RULE, AXIS, 7.125)
    return folder


def _weight_set(weight: float, rule: str = RULE, axis: str = AXIS) -> list[str]:
    return ["weights", "set", rule, axis, repr(weight), "--rules", "rules"]


def _leftovers(folder: Path) -> list[str]:
    """Files in the rules folder other than the pack's own: a temporary file, whatever it is called."""
    return sorted(set(os.listdir(folder)) - PACK_FILES)


def _check(folder: Path, rule_file: Path, before: bytes, old: float, new: float) -> bytes:
    """The rule file is the old file or the new one, byte for byte, and the pack loads with that weight."""
    now = rule_file.read_bytes()
    after = before.replace(f"{AXIS}: {old!r}".encode(), f"{AXIS}: {new!r}".encode())
    assert after != before
    assert now in (before, after), "the rule file is neither the old one nor the new one"
    assert load_rules(folder).rule(RULE).signals[AXIS] == (old if now == before else new)
    return now


@pytest.mark.slow
def test_kill_weights_set_200_times(server: Server, pack: Path) -> None:
    rule_file = Path(load_rules(pack).rule(RULE).file)
    typical = statistics.median(server.run([_weight_set(7.0 + i)])[1] for i in range(5))
    set_weight(pack, RULE, AXIS, 7.125)
    randomly = random.Random(20090421)
    killed = left = 0
    weight = 7.125
    for i in range(KILLS):
        before = rule_file.read_bytes()
        new = 8.0 + i / 1024
        (status,), _ = server.run([_weight_set(new)], kill_after=randomly.uniform(0, typical))
        killed += os.WIFSIGNALED(status)
        now = _check(pack, rule_file, before, weight, new)
        left += bool(_leftovers(pack))
        weight = new if now != before else weight
        # The next edit of the folder clears whatever the kill left.
        set_weight(pack, RULE, AXIS, weight + 0.5)
        weight += 0.5
        assert _leftovers(pack) == []
    print(
        f"\n{KILLS} runs killed at random within {typical * 1000:.0f} ms: {killed} died mid-run, "
        f"0 corrupt rule files, {left} left a temporary file (removed by the next edit)"
    )
    assert killed > KILLS // 4, "the kills should mostly land while the edit runs"


@pytest.mark.slow
def test_kill_python_m_scorer(pack: Path) -> None:
    """A few real `python -m scorer` processes too, killed after a random part of their usual run time."""
    rule_file = Path(load_rules(pack).rule(RULE).file)
    command = [sys.executable, "-m", "scorer", *_weight_set(9.5)]

    def run(kill_after: float | None) -> float:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=pack.parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            process.wait(timeout=kill_after)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        return time.perf_counter() - started

    typical = run(None)
    randomly = random.Random(6)
    for _ in range(REAL_KILLS):
        set_weight(pack, RULE, AXIS, 7.125)
        assert _leftovers(pack) == []
        before = rule_file.read_bytes()
        run(randomly.uniform(0, typical))
        _check(pack, rule_file, before, 7.125, 9.5)


@pytest.mark.slow
def test_two_edits_at_once_both_land(server: Server, pack: Path) -> None:
    for i in range(20):
        mine, other = 10.0 + i, -10.0 - i
        statuses, _ = server.run([_weight_set(mine), _weight_set(other, OTHER_RULE, "russia")])
        assert statuses == [0, 0]
        loaded = load_rules(pack)
        assert loaded.rule(RULE).signals[AXIS] == mine
        assert loaded.rule(OTHER_RULE).signals["russia"] == other
    assert _leftovers(pack) == []


@pytest.mark.slow
def test_two_python_m_scorer_at_once_both_land(pack: Path) -> None:
    runs = [_weight_set(11.5), _weight_set(-11.5, OTHER_RULE, "russia")]
    processes = [
        subprocess.Popen([sys.executable, "-m", "scorer", *argv], cwd=pack.parent, stdout=subprocess.DEVNULL)
        for argv in runs
    ]
    assert [process.wait(timeout=60) for process in processes] == [0, 0]
    loaded = load_rules(pack)
    assert loaded.rule(RULE).signals[AXIS] == 11.5
    assert loaded.rule(OTHER_RULE).signals["russia"] == -11.5


def test_next_edit_removes_only_our_leftovers(pack: Path) -> None:
    ours = pack / ".military.yaml.k2j3h4g5.scorer-tmp"
    ours.write_text("half a file", encoding="utf-8")
    theirs = [pack / ".military.yaml.swp", pack / "notes.tmp", pack / ".military.yaml.abcdefgh.tmp"]
    for path in theirs:
        path.write_text("not ours", encoding="utf-8")
    set_weight(pack, RULE, AXIS, 3.25)
    assert not ours.exists()
    assert all(path.read_text(encoding="utf-8") == "not ours" for path in theirs)
