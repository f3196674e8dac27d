"""Markdown reports keep text from input files inert: no table split, no line break, no live link or image."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from conftest import Run, write

from scorer.report.format import md_code, md_text

RULES = "rules:\n  - {id: r, when: {partner: NATO}, signals: {nato: 1}}\n"
HOSTILE = [
    "x|y](http://evil)",
    "a\nb",
    "a\rb",
    "a\u2028b",
    "[click](http://evil)",
    "![img](http://evil/p.png)",
    "`tick`|`",
]


def _rows(text: str) -> list[str]:
    """The table rows of a markdown report (lines that start with a pipe)."""
    return [line for line in text.splitlines() if line.startswith("|")]


def _cells(row: str) -> int:
    """How many cells a table row holds, as a GitHub renderer splits it (escaped pipes do not split)."""
    return len(re.split(r"(?<!\\)\|", row)) - 2


def test_score_markdown_keeps_one_row_per_event(tmp_path: Path, cli: Callable[..., Run]) -> None:
    lines = [
        json.dumps({"id": hostile, "date": "2009-01-15", "actor": "KAZ", "type": "a.b", "partner": "NATO"})
        for hostile in HOSTILE
    ]
    events, rules = write(tmp_path, "e.jsonl", "\n".join(lines) + "\n"), write(tmp_path, "r.yaml", RULES)
    done = cli("score", events, "--rules", rules, "--format", "markdown")
    assert done.code == 0, done.err
    rows = _rows(done.out)
    assert len(rows) == 2 + len(HOSTILE), done.out
    assert {_cells(row) for row in rows} == {6}, rows


def test_explain_markdown_leaves_no_link_or_image_live(tmp_path: Path, cli: Callable[..., Run]) -> None:
    events = write(
        tmp_path,
        "e.yaml",
        """\
        - id: e1
          date: 2009-01-15
          actor: KAZ
          type: a.b
          partner: NATO
          summary: "see [the report](http://evil/x) and ![pixel](http://evil/p.png)"
          source: "[source](javascript:alert(1))"
        """,
    )
    done = cli("explain", events, "--rules", write(tmp_path, "r.yaml", RULES), "--format", "markdown")
    assert done.code == 0, done.err
    assert re.search(r"(?<!\\)\]\(", done.out) is None, "a ](... that is not escaped makes a link"
    assert "\\[the report\\](http://evil/x)" in done.out


def test_the_helpers() -> None:
    for text in HOSTILE:
        assert "\n" not in md_text(text) and "\r" not in md_text(text) and "\u2028" not in md_text(text)
        assert re.search(r"(?<!\\)[|\[\]]", md_text(text)) is None
        assert re.search(r"(?<!\\)\|", md_code(text)) is None and "\n" not in md_code(text)
