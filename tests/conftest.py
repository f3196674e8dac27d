"""Helpers shared by the tests of the core scorer: files in a temporary folder, the CLI run in-process."""

from __future__ import annotations

import json
import tempfile
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from scorer.cli import main
from scorer.io.machine_coded import source
from scorer.model import EventSet, to_events

if TYPE_CHECKING:
    from scorer.model.event import Event


@dataclass
class Run:
    """What one `scorer` command line gave: exit status, standard output, standard error."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        assert self.code == 0, self.err
        return json.loads(self.out)


def models(events: EventSet) -> list[Event]:
    """The events of a set as pydantic models, in input order."""
    return to_events(events.frame)


def write(folder: Path, name: str, text: str) -> Path:
    """A file in `folder` with `text` (dedented), parents created; returns its path."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def made_odd(text: str, odd: str | None, blank_at: int = 1) -> str:
    """Tab-separated lines made odd the ways exports are: a blank line after line `blank_at`, a short row
    at the end, Windows line endings, no newline at the end."""
    if odd == "blank":
        return text.replace("\n", "\n\n", blank_at)
    if odd == "short":
        return text + "a\tb\n"
    if odd == "crlf":
        return text.replace("\n", "\r\n")
    if odd == "no newline":
        return text[:-1]
    return text


def both_readings(data: bytes, name: str, read: Callable[..., Any], left: frozenset[str] = frozenset()) -> None:
    """`data` as a machine-coded file `name`, read by `read` by columns and again with `by_columns=False`
    (every line read one by one): the same events, skipped rows and row count. Read by columns, it is
    also read a few lines at a time (many blocks: what a block learns is reused by the next). With
    `left`, also read by columns without working those fields out (`read(..., left=left)`, as a score
    reads): the same but for them."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        by_columns = read(str(path))
        one_by_one = read(str(path), by_columns=False)
        lean = [read(str(path), left=left)] if left else []
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(source, "_BLOCK", 2048)
            small_blocks = read(str(path))
            lean += [read(str(path), left=left)] if left else []
    for other, without in [(one_by_one, ()), (small_blocks, ()), *[(reading, left) for reading in lean]]:
        assert by_columns.rows == other.rows
        assert by_columns.skipped == other.skipped
        assert by_columns.frame.drop(without).equals(other.frame.drop(without))


@pytest.fixture()
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """Run `scorer` with the given arguments in this process and capture what it printed."""

    def run(*argv: str | Path) -> Run:
        capsys.readouterr()
        code = main([str(arg) for arg in argv])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run
