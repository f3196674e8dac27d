"""The documentation holds together: every relative link resolves, nothing points outside the repository.

Links in README.md, CHANGELOG.md, benchmarks/README.md and docs/*.md must
name files of the repository, and an anchor (`file.md#heading`) a heading of
that file; the README stays short; and the repository never names the
outside document the contract once came from: docs/reference.md is the
contract now.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", ROOT / "CHANGELOG.md", ROOT / "benchmarks" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

# [text](target) and ![alt](target); a target ends at white space or ")".
_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
_FENCE = re.compile(r"^```.*?^```", re.S | re.M)
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*$", re.M)


def links(text: str) -> list[str]:
    """The link targets of a markdown text, code blocks and code spans left out."""
    prose = re.sub(r"`[^`\n]*`", "", _FENCE.sub("", text))
    return _LINK.findall(prose)


def anchor(heading: str) -> str:
    """The anchor a heading gets on the usual markdown hosts: lower case, punctuation dropped, spaces as '-'."""
    text = re.sub(r"[^\w\- ]", "", heading.replace("`", "").lower())
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """The anchors of a markdown file's headings (outside code blocks)."""
    return {anchor(h) for h in _HEADING.findall(_FENCE.sub("", path.read_text(encoding="utf-8")))}


def test_the_documents_are_there() -> None:
    for path in DOCS:
        assert path.is_file(), path
    assert {p.name for p in DOCS} >= {"reference.md", "cameo.md", "bad-input.md", "architecture.md"}
    assert (ROOT / "LICENSE").is_file()


@pytest.mark.parametrize("doc", DOCS, ids=[str(p.relative_to(ROOT)) for p in DOCS])
def test_every_link_resolves_inside_the_repository(doc: Path) -> None:
    broken = []
    for target in links(doc.read_text(encoding="utf-8")):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):
            broken.append(f"{target}: points outside the repository")
            continue
        name, _, fragment = target.partition("#")
        path = (doc.parent / name).resolve() if name else doc
        if not path.exists() or ROOT not in (path, *path.parents):
            broken.append(f"{target}: no such file in the repository")
        elif fragment and path.suffix == ".md" and fragment not in anchors(path):
            broken.append(f"{target}: no heading '{fragment}' in {path.relative_to(ROOT)}")
    assert not broken, f"{doc.relative_to(ROOT)}: " + "; ".join(broken)


def test_the_link_check_can_fail(tmp_path: Path) -> None:
    text = "See [a](missing.md), ![b](docs/x.png), `[c](in-code.md)` and [d](#top).\n```\n[e](fenced.md)\n```\n"
    assert links(text) == ["missing.md", "docs/x.png", "#top"]
    assert anchor("`scorer score` and --every!") == "scorer-score-and---every"


def test_the_readme_is_short() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").count("\n")
    assert lines <= 200, f"README.md has {lines} lines: move detail to docs/"


def test_no_file_names_the_old_outside_contract() -> None:
    word = re.compile(r"\b" + "S" + "PEC" + r"\b")  # (spelt in two parts, so this file does not name it)
    skipped = {".git", ".venv", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache", ".hypothesis", "out", "build", "dist"}
    texts = (".py", ".md", ".yaml", ".yml", ".toml", ".txt", ".tsv", ".jsonl", ".csv", ".cfg", "")
    named = []
    for path in ROOT.rglob("*"):
        inside = path.relative_to(ROOT)
        if path.is_file() and path.suffix in texts and not skipped.intersection(inside.parts):
            text = path.read_text(encoding="utf-8", errors="replace")
            named += [f"{inside}:{text[: m.start()].count(chr(10)) + 1}" for m in word.finditer(text)]
    assert not named, "the contract is docs/reference.md; these still name the old one: " + ", ".join(named)
