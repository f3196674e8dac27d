"""The codebook table: made from a pack's codebook, and the reference's table the same as the default pack's."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from scorer.pack.load import load_rules
from scorer.report.codebook import END, REGENERATE, START, codebook_markdown, main, marked_table, with_codebook

REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "reference.md"


def test_the_reference_shows_the_default_packs_codebook() -> None:
    pack = load_rules()
    assert pack.codebook, "the default pack has no codebook"
    shown = marked_table(REFERENCE.read_text(encoding="utf-8"))
    assert shown == codebook_markdown(pack), (
        f"docs/reference.md's codebook table differs from the default pack's codebook "
        f"(rules/00-scoring.yaml): regenerate it with `{REGENERATE}`"
    )


def test_a_row_per_type_in_pack_order_with_markdown_made_inert() -> None:
    pack = replace(load_rules(), codebook={"b.two": "second | with a bar", "a.one": "first <b>"})
    assert codebook_markdown(pack) == (
        "| type | meaning |\n|---|---|\n| `b.two` | second \\| with a bar |\n| `a.one` | first &lt;b&gt; |\n"
    )


def test_with_codebook_replaces_only_the_marked_text() -> None:
    pack = replace(load_rules(), codebook={"x.y": "what x.y means"})
    document = f"# Title\n\nBefore.\n\n{START}\n| old |\n{END}\n\nAfter.\n"
    updated = with_codebook(document, pack)
    assert updated == f"# Title\n\nBefore.\n\n{START}\n{codebook_markdown(pack)}{END}\n\nAfter.\n"
    assert with_codebook(updated, pack) == updated


@pytest.mark.parametrize("document", ["no markers", f"{END}\n{START}\n", f"{START}\n{START}\n{END}\n"])
def test_markers_missing_twice_or_out_of_order_are_refused(document: str) -> None:
    with pytest.raises(ValueError, match="codebook:start"):
        marked_table(document)


def test_main_rewrites_the_table_of_a_document(tmp_path: Path) -> None:
    doc = tmp_path / "reference.md"
    doc.write_text(f"Codebook:\n\n{START}\nstale\n{END}\n", encoding="utf-8")
    assert main([str(doc)]) == 0
    assert marked_table(doc.read_text(encoding="utf-8")) == codebook_markdown(load_rules())
    assert main([]) == 2
