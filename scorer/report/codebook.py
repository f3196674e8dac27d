"""A pack's codebook as a markdown table: the table of docs/reference.md is made from the default pack by this.

The reference marks the table with `START` and `END`; to bring it in line
with the pack after the codebook in `rules/00-scoring.yaml` changed:

    python -m scorer.report.codebook docs/reference.md
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from scorer.io.atomic import replace_file
from scorer.pack.load import load_rules
from scorer.pack.model import RulePack
from scorer.report.format import md_code, md_text

START = "<!-- codebook:start -->"
END = "<!-- codebook:end -->"
REGENERATE = "python -m scorer.report.codebook docs/reference.md"


def codebook_markdown(pack: RulePack) -> str:
    """The pack's event types and what each means, one row each in the pack's order."""
    rows = [f"| {md_code(kind)} | {md_text(meaning)} |" for kind, meaning in pack.codebook.items()]
    return "\n".join(["| type | meaning |", "|---|---|", *rows]) + "\n"


def marked_table(document: str) -> str:
    """The text between the codebook markers of a document; ValueError if they are not there once each, in order."""
    if document.count(START) != 1 or document.count(END) != 1 or document.index(START) > document.index(END):
        raise ValueError(f"expected one {START} line and, after it, one {END} line")
    return document.split(START, 1)[1].split(END, 1)[0].strip("\n") + "\n"


def with_codebook(document: str, pack: RulePack) -> str:
    """The document with the text between its codebook markers replaced by the pack's table."""
    marked_table(document)  # (checks the markers)
    head, rest = document.split(START, 1)
    tail = rest.split(END, 1)[1]
    return f"{head}{START}\n{codebook_markdown(pack)}{END}{tail}"


def main(argv: Sequence[str] | None = None) -> int:
    """Rewrite the codebook table of each document given with the default pack's codebook."""
    paths = list(sys.argv[1:] if argv is None else argv)
    if not paths:
        print(f"usage: {REGENERATE}", file=sys.stderr)
        return 2
    pack = load_rules()
    for name in paths:
        path = Path(name)
        replace_file(path, with_codebook(path.read_text(encoding="utf-8"), pack).encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
