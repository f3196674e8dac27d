"""Helpers shared by the tests of the core scorer: files in a temporary folder, the CLI run in-process."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from scorer.cli import main


@dataclass
class Run:
    """What one `scorer` command line gave: exit status, standard output, standard error."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        assert self.code == 0, self.err
        return json.loads(self.out)


def write(folder: Path, name: str, text: str) -> Path:
    """A file in `folder` with `text` (dedented), parents created; returns its path."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture()
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """Run `scorer` with the given arguments in this process and capture what it printed."""

    def run(*argv: str | Path) -> Run:
        capsys.readouterr()
        code = main([str(arg) for arg in argv])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run
