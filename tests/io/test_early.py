"""A large JSON Lines file's first blocks parsed while the command loads: the column reader takes them
only for the very file and blocks they are, and reads exactly what it reads without them."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from scorer.io import early
from scorer.io.files import MAX_LINE_BYTES, line_blocks
from scorer.io.load import read_events
from scorer.model.frame import READ_SCHEMA, USUAL
from scorer.problems import InputError

LINE = '{"id": "e%d", "date": "2009-04-%02d", "actor": "KAZ", "type": "exercise.join", "partner": "NATO"}\n'
BLOCK = 256 << 10


def _events(path: Path, count: int, bad: dict[int, str] | None = None) -> Path:
    """`count` good lines, some of them replaced by `bad` (by line number from 1)."""
    lines = [LINE % (i, 1 + i % 28) for i in range(count)]
    for number, text in (bad or {}).items():
        lines[number - 1] = text + "\n"
    path.write_text("".join(lines))
    return path


@pytest.fixture(autouse=True)
def _nothing_left_started() -> Iterator[None]:
    """Each test starts and ends with no parsing begun."""
    early._started.clear()
    yield
    early._started.clear()


def test_the_blocks_taken_are_the_files_first_blocks_as_polars_parses_them(tmp_path: Path) -> None:
    path = _events(tmp_path / "events.jsonl", 20_000)
    early.begin(["score", "--rules", "pack.yaml", str(path), "--format", "json"], block_size=BLOCK, blocks=3)
    early._started[0].thread.join()  # (asked at once, it would stop before the first block)
    taken = early.taken(str(path), BLOCK)
    with open(path, "rb") as stream:
        blocks = list(line_blocks(stream, BLOCK, MAX_LINE_BYTES))
    assert len(blocks) > 3 and [raw for raw, _, _ in taken] == blocks[:3]
    for raw, schema, parsed in taken:
        assert schema is USUAL and parsed is not None and parsed.equals(pl.read_ndjson(raw, schema=USUAL))
    assert early.taken(str(path), BLOCK) == []  # handed over once


def test_blocks_from_the_first_that_names_text_for_people_are_parsed_for_every_field(tmp_path: Path) -> None:
    people = '{"id": "p", "date": "2009", "actor": "KAZ", "type": "a.b", "source": "https://example.org"}'
    path = _events(tmp_path / "events.jsonl", 20_000, {6_000: people})  # in the third block of 256 KiB
    early.begin(["explain", str(path)], block_size=BLOCK, blocks=5)
    early._started[0].thread.join()
    taken = early.taken(str(path), BLOCK)
    assert [schema for _, schema, _ in taken] == [USUAL, USUAL, READ_SCHEMA, READ_SCHEMA, READ_SCHEMA]
    for raw, schema, parsed in taken:
        assert parsed is not None and parsed.equals(pl.read_ndjson(raw, schema=schema))


@pytest.mark.parametrize(
    ("argv", "asked", "size"),
    [
        (["explain", "{path}"], "{other}", BLOCK),  # another file
        (["score", "{path}"], "{path}", BLOCK // 2),  # other blocks
        (["validate", "{path}"], "{path}", BLOCK),  # a command that reads events otherwise
        (["score", "{small}"], "{small}", BLOCK),  # read event by event
        (["score", "-", "{path}"], "-", BLOCK),  # standard input
    ],
)
def test_nothing_is_taken_of_another_file_or_other_blocks(tmp_path: Path, argv: list[str], asked: str, size: int) -> None:
    names = {"path": str(_events(tmp_path / "events.jsonl", 20_000)), "other": str(_events(tmp_path / "other.ndjson", 20_000))}
    names["small"] = str(_events(tmp_path / "small.jsonl", 100))
    early.begin([word.format(**names) for word in argv], block_size=BLOCK, blocks=2)
    assert early.taken(asked.format(**names), size) == []


def test_a_file_changed_since_is_read_afresh(tmp_path: Path) -> None:
    path = _events(tmp_path / "events.jsonl", 20_000)
    early.begin(["score", str(path)], block_size=BLOCK, blocks=2)
    early._started[0].thread.join()
    _events(path, 20_001)
    assert early.taken(str(path), BLOCK) == []


@pytest.mark.parametrize(
    "bad",
    [
        {},
        {3: '{"id": "e3", "date": "2009-02-30", "actor": "KAZ", "type": "exercise.join"}'},  # in a block taken
        {3: '{"id": "e3", "summary": "for people", "date": "2009", "actor": "KAZ", "type": "a.b"}'},  # every field
        {6_000: '{"id": "e3", "quote": "for people", "date": "2009", "actor": "KAZ", "type": "a.b"}'},  # from the 3rd
        {19_000: '{"id": "late", "date": "2009", "actor": "KAZ", "type": "exercise.join", "oops": 1}'},  # after them
        {2: "not json", 4: '{"id": "e5", "date": "2009", "actor": "KAZ", "type": "a.b"}'},  # refused by polars; a repeat
    ],
)
def test_the_reader_reads_what_it_reads_without_them(tmp_path: Path, bad: dict[int, str]) -> None:
    path = _events(tmp_path / "events.jsonl", 20_000, bad)

    def read() -> tuple[pl.DataFrame | None, list[str]]:
        try:
            return read_events([str(path)], block_size=BLOCK).frame, []
        except InputError as err:
            return None, [str(problem) for problem in err.problems]

    alone = read()
    early.begin(["score", str(path)], block_size=BLOCK, blocks=3)
    early._started[0].thread.join()
    assert len(early._started[0].parsed) == 3
    together = read()
    assert not early._started  # taken
    assert (alone[0] is None) == (together[0] is None) and alone[1] == together[1]
    assert alone[0] is None or together[0] is not None and alone[0].equals(together[0])


@pytest.mark.parametrize(
    "bad",
    [
        {},
        {2: '{"id": "e1", "date": "2009-13-01", "actor": "KAZ", "type": "exercise.join"}', 40_000: "\x00{]"},
    ],
)
def test_the_command_with_its_blocks_parsed_early_prints_what_main_prints(tmp_path: Path, bad: dict[int, str]) -> None:
    """Through the installed command's entry point (`launch`), which parses the first blocks early: the same
    output, the same problems (a bad date, a repeated id, a line polars refuses) and exit status."""
    path = _events(tmp_path / "events.jsonl", 60_000, bad)  # about 6 MB: two blocks of the command's
    probe = f"""
import io, sys
from scorer.io import early
sys.argv = ["scorer", "score", {str(path)!r}, "--format", "json"]
taken = []
original = early.taken
early.taken = lambda *args: taken.append(original(*args)) or taken[-1]
from scorer.cli import launch
status = launch()
assert len(taken) == 1 and len(taken[0]) >= 1, taken
sys.exit(status)
"""
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, timeout=120, check=False, env=os.environ)
    assert b"Traceback" not in done.stderr, done.stderr.decode()[-2000:]
    inside = subprocess.run(
        [sys.executable, "-c", f"import sys; from scorer.cli import main; sys.exit(main(['score', {str(path)!r}, '--format', 'json']))"],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert (done.returncode, done.stdout, done.stderr) == (inside.returncode, inside.stdout, inside.stderr)
    assert done.returncode == (2 if bad else 0)
