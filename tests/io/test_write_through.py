"""Writes go through symbolic links and into pipes and devices; only a regular file is ever replaced."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Run, write

EVENTS = "- {id: e1, date: 2009-01-15, actor: KAZ, type: exercise.join, partner: NATO}\n"
RULES = """\
rules:
  - id: r1
    when: {type: exercise.join}
    signals: {nato: 1}
"""


def test_weights_set_edits_the_file_a_link_leads_to(tmp_path: Path, cli: Callable[..., Run]) -> None:
    real = write(tmp_path / "packs", "real.yaml", RULES)
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    done = cli("weights", "set", "r1", "nato", "2.5", "--rules", link)
    assert done.code == 0, done.err
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert "signals: {nato: 2.5}" in real.read_text()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".scorer-tmp")]


def test_output_through_a_link_replaces_the_file_it_leads_to(tmp_path: Path, cli: Callable[..., Run]) -> None:
    events, rules = write(tmp_path, "e.yaml", EVENTS), write(tmp_path, "r.yaml", RULES)
    real = write(tmp_path, "real.txt", "old\n")
    link, dangling = tmp_path / "out.txt", tmp_path / "new.txt"
    link.symlink_to(real)
    dangling.symlink_to(tmp_path / "made.txt")
    for path in (link, dangling):
        assert cli("explain", events, "--rules", rules, "--output", path).code == 0
        assert path.is_symlink()
    assert real.read_text().startswith("KAZ: balance +1.00")
    assert (tmp_path / "made.txt").read_text() == real.read_text()


def test_output_into_a_named_pipe(tmp_path: Path, cli: Callable[..., Run]) -> None:
    events, rules = write(tmp_path, "e.yaml", EVENTS), write(tmp_path, "r.yaml", RULES)
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(pipe.read_bytes()))
    reader.start()
    done = cli("explain", events, "--rules", rules, "--output", pipe)
    reader.join(timeout=30)
    assert done.code == 0, done.err
    assert got and got[0].startswith(b"KAZ: balance +1.00")
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode)


def test_a_full_device_is_an_error_and_stays_a_device(tmp_path: Path, cli: Callable[..., Run]) -> None:
    # A device node of its own (as /dev/full): code that replaced it would not damage the machine's /dev.
    if os.geteuid() != 0:
        pytest.skip("making a device node needs root")
    events, rules = write(tmp_path, "e.yaml", EVENTS), write(tmp_path, "r.yaml", RULES)
    full = tmp_path / "full"
    os.mknod(full, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
    done = cli("explain", events, "--rules", rules, "--output", full)
    assert done.code == 2
    assert done.err.startswith(f"scorer: {full}: No space left on device")
    assert stat.S_ISCHR(os.lstat(full).st_mode)


def test_output_to_standard_output_by_its_name(tmp_path: Path) -> None:
    # As /dev/stdout: a link to /proc/self/fd/1 (one of our own, so that no mistake replaces the machine's).
    events, rules = write(tmp_path, "e.yaml", EVENTS), write(tmp_path, "r.yaml", RULES)
    stdout = tmp_path / "stdout"
    stdout.symlink_to("/proc/self/fd/1")
    done = subprocess.run(
        [sys.executable, "-m", "scorer", "explain", str(events), "--rules", str(rules), "--output", str(stdout)],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(b"KAZ: balance +1.00")
    assert stdout.is_symlink()
