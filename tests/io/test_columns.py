"""The column reader of large JSON Lines files: it accepts exactly what the exact reader accepts.

Each case is a tricky line among enough good ones to pass the size from which
the column reader is tried; the same file is then read with the column reader
switched off, and both readings must agree: the same events (with their lines),
or the same problems.
"""

from __future__ import annotations

import json
from pathlib import Path

import hypothesis.strategies as st
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings

import scorer
from scorer.io import columns as table
from scorer.io import load as events
from scorer.io.files import MAX_LINE_BYTES
from scorer.io.load import read_events as load_events
from scorer.io.progress import Progress
from scorer.model.frame import LEFT_OUT, NUMBER_FIELDS, TEXT_FIELDS
from scorer.problems import InputError


def _padded(size: int) -> str:
    """A good line of exactly `size` bytes (its newline not counted), padded in its summary."""
    line = '{"id": "x", "date": "2009", "actor": "KAZ", "type": "a.b", "summary": "%s"}'
    return line % ("s" * (size - len(line % "")))


GOOD = '{"id": "e%d", "date": "2009-04-%02d", "actor": "KAZ", "type": "exercise.join", "partner": "NATO"}\n'

TRICKY = {
    "plain": '{"id": "x", "date": "2009", "actor": "UZB", "type": "arms.buy", "intensity": 2.5, "confidence": 0.5}',
    "boolean intensity": '{"id": "x", "date": "2009", "actor": "KAZ", "type": "a.b", "intensity": true}',
    "false confidence": '{"id": "x", "date": "2009", "actor": "KAZ", "type": "a.b", "confidence": false}',
    "null intensity": '{"id": "x", "date": "2009", "actor": "KAZ", "type": "a.b", "intensity": null}',
    "null partner": '{"id": "x", "date": "2009", "actor": "KAZ", "type": "a.b", "partner": null}',
    "text intensity": '{"id": "x", "date": "2009", "actor": "KAZ", "type": "a.b", "intensity": "2"}',
    "number id": '{"id": 7, "date": "2009", "actor": "KAZ", "type": "a.b"}',
    "number date": '{"id": "x", "date": 2009, "actor": "KAZ", "type": "a.b"}',
    "boolean summary": '{"id": "x", "date": "2009", "actor": "KAZ", "type": "a.b", "summary": true}',
    "list partner": '{"id": "x", "date": "2009", "actor": "KAZ", "type": "a.b", "partner": ["NATO"]}',
    "object partner": '{"id": "x", "date": "2009", "actor": "KAZ", "type": "a.b", "partner": {"NATO": 1}}',
    "brackets in text": '{"id": "x", "date": "2009", "actor": "KAZ", "type": "a.b", "summary": "[sic] {x}"}',
    "boolean id, null partner": '{"id": false, "date": "2009", "actor": "KAZ", "type": "a.b", "partner": null}',
    "number id, spaced key, null partner": '{"id" : 7, "date": "2009", "actor": "KAZ", "type": "a.b", "partner": null}',
    "spaced keys": '{"id" : "x", "date" :"2009", "actor":  "KAZ", "type":"a.b"}',
    "unknown field": '{"id": "x", "date": "2009", "actor": "KAZ", "type": "a.b", "colour": 5}',
    "duplicate key": '{"id": "x", "id": "y", "date": "2009", "actor": "KAZ", "type": "a.b"}',
    "escaped quotes": '{"id": "x", "date": "2009", "actor": "KAZ", "type": "a.b", "summary": "he said \\"no\\""}',
    "escape": '{"id": "x", "date": "2009", "actor": "KAZ", "type": "a.b", "summary": "caf\\u00e9"}',
    "lone surrogate": '{"id": "x", "date": "2009", "actor": "KAZ", "type": "a.b", "summary": "a\\ud800b"}',
    "surrogate pair": '{"id": "x", "date": "2009", "actor": "KAZ", "type": "a.b", "summary": "\\ud83d\\ude00"}',
    "escaped control": '{"id": "x", "date": "2009", "actor": "KAZ", "type": "a.b", "summary": "a\\u0001b"}',
    "escaped type": '{"id": "x", "date": "2009", "actor": "KAZ", "type": "a\\u002eb"}',
    "escaped key": '{"i\\u0064": "x", "date": "2009", "actor": "KAZ", "type": "a.b"}',
    "escaped backslash before quote": '{"id": "x", "date": "2009", "actor": "KAZ", "type": "a.b", "summary": "a\\\\"}',
    "number summary and escaped quotes": (
        '{"id": "x", "date": "2009", "actor": "KAZ", "type": "a.b", "summary": 5, "source": "\\"\\""}'
    ),
    "tags and attrs": '{"id": "x", "date": "2009", "actor": "KAZ", "type": "a.b", "tags": ["t"], "attrs": {"k": 1}}',
    "blank line": "",
    "not an object": "[1, 2]",
    "a number": "7",
    "a string": '"x"',
    "an empty object": "{}",
    "white space": "   ",
    "broken": '{"id": "x", "date": "2009"',
    "missing actor": '{"id": "x", "date": "2009", "type": "a.b"}',
    "empty id": '{"id": "", "date": "2009", "actor": "KAZ", "type": "a.b"}',
    "upper-case type": '{"id": "x", "date": "2009", "actor": "KAZ", "type": "A.b"}',
    "impossible date": '{"id": "x", "date": "2009-02-30", "actor": "KAZ", "type": "a.b"}',
    "negative intensity": '{"id": "x", "date": "2009", "actor": "KAZ", "type": "a.b", "intensity": -1}',
    "confidence above one": '{"id": "x", "date": "2009", "actor": "KAZ", "type": "a.b", "confidence": 1.5}',
    "huge number": '{"id": "x", "date": "2009", "actor": "KAZ", "type": "a.b", "intensity": 1e999}',
    "huge intensity": '{"id": "x", "date": "2009", "actor": "KAZ", "type": "a.b", "intensity": 1e300}',
    "whole number past a float": '{"id": "x", "date": "2009", "actor": "KAZ", "type": "a.b", "intensity": 1%s}' % ("0" * 400),
    "attribute past a float": '{"id": "x", "date": "2009", "actor": "KAZ", "type": "a.b", "attrs": {"n": -1%s}}' % ("0" * 400),
    "control character": '{"id": "x", "date": "2009", "actor": "KAZ", "type": "a.b", "summary": "a\x01b"}',
    "long id": '{"id": "%s", "date": "2009", "actor": "KAZ", "type": "a.b"}' % ("x" * 1001),
    "duplicate id": '{"id": "e5", "date": "2009", "actor": "KAZ", "type": "a.b"}',
    "crlf": '{"id": "x", "date": "2009", "actor": "KAZ", "type": "a.b"}\r',
    "the longest line allowed": _padded(MAX_LINE_BYTES),
    "a line one byte too long": _padded(MAX_LINE_BYTES + 1),
}


def _file(folder: Path, tricky: str, good: int) -> Path:
    lines = [GOOD % (i, i % 28 + 1) for i in range(good)]
    lines.insert(good * 2 // 3, tricky + "\n")
    path = folder / "events.jsonl"
    path.write_bytes("".join(lines).encode("utf-8"))
    return path


def _reading(
    path: Path, columns_from: int = events.COLUMNS_FROM, columns: list[str] | None = None
) -> pl.DataFrame | list[str]:
    try:
        # Blocks of 256 KiB: several blocks, the tricky line in a late one.
        return load_events(str(path), columns_from=columns_from, block_size=256 << 10, columns=columns).frame
    except InputError as err:
        return [str(problem) for problem in err.problems]


def _both_readers_agree(path: Path, columns_from: int = events.COLUMNS_FROM) -> None:
    """The same events (or the same problems) with the column reader tried first and without it; and read
    as a score reads (for the fields its pack tests), the same but for the text and attributes it leaves
    out, none in every event, every problem found all the same."""
    columns = _reading(path, columns_from)
    exact = _reading(path, 1 << 40)
    lean = _reading(path, columns_from, columns=["type", "partner"])
    assert type(columns) is type(exact) is type(lean)
    if isinstance(exact, list):
        assert columns == exact == lean
    else:
        assert isinstance(columns, pl.DataFrame) and isinstance(lean, pl.DataFrame)
        assert columns.equals(exact)
        read_by_columns = path.stat().st_size > columns_from
        left = sorted(LEFT_OUT) if read_by_columns else []
        assert lean.drop(left).equals(exact.drop(left))
        assert all(lean[name].null_count() == lean.height for name in left)


@pytest.mark.parametrize("piece", [table.REFUSED_PIECE, 16 << 10])  # the tricky block whole, or cut into pieces
@pytest.mark.parametrize("name", list(TRICKY))
def test_the_column_reader_agrees_with_the_exact_one(
    name: str, piece: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(table, "REFUSED_PIECE", piece)
    path = _file(tmp_path, TRICKY[name], good=12_000)
    assert path.stat().st_size > events.COLUMNS_FROM
    _both_readers_agree(path)


def test_a_plain_file_is_read_by_columns_with_its_line_numbers(tmp_path: Path) -> None:
    path = _file(tmp_path, TRICKY["plain"], good=12_000)
    read = table.jsonl_columns(str(path), block_size=100 << 10)
    assert read is not None and read.problems == []
    frame = read.frame
    assert frame.height == 12_001
    assert frame["line"].to_list() == list(range(1, 12_002))
    assert frame.filter(pl.col("id") == "x").select("line", "intensity", "confidence").row(0) == (8_001, 2.5, 0.5)


def test_the_blocks_are_made_one_chunk_a_column_each_let_go_as_it_is_copied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scorer.model.frame import SCHEMA

    path = _file(tmp_path, TRICKY["plain"], good=12_000)
    handed: list[dict[str, pl.Series]] = []
    finished = table._finished

    def watched(columns: dict[str, pl.Series], *rest: object) -> pl.DataFrame:
        handed.append(columns)
        assert columns["id"].n_chunks() > 1  # the blocks' chunks, as read
        return finished(columns, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(table, "_finished", watched)
    read = table.jsonl_columns(str(path), block_size=100 << 10)
    assert read is not None
    assert handed == [{}]  # every column taken out of the blocks' as it was made one chunk
    assert read.frame.columns == list(SCHEMA)
    assert all(column.n_chunks() == 1 for column in read.frame.get_columns())
    assert read.frame.equals(_reading(path, 1 << 40))  # as the exact reader reads it


@pytest.mark.parametrize("last", [TRICKY["plain"], _padded(MAX_LINE_BYTES + 1), TRICKY["broken"]])
def test_a_last_line_without_its_newline_reads_the_same(
    last: str, tmp_path: Path
) -> None:
    path = _file(tmp_path, TRICKY["plain"], good=12_000)
    path.write_bytes(path.read_bytes() + last.encode())
    _both_readers_agree(path)


@pytest.mark.parametrize("name", ["boolean intensity", "impossible date", "upper-case type", "broken"])
def test_the_column_reader_names_a_bad_line_without_reading_the_file_line_by_line(
    name: str, tmp_path: Path
) -> None:
    path = _file(tmp_path, TRICKY[name], good=12_000)
    path.write_bytes(path.read_bytes() + (TRICKY[name] + "\n").encode())  # and once in the last block
    read = table.jsonl_columns(str(path), block_size=256 << 10)
    assert read is not None
    frame, problems = read.frame, read.problems
    assert frame.height == 12_000
    assert [p.line for p in problems] == [8_001, 12_002]
    _both_readers_agree(path)


def test_the_column_reader_leaves_a_file_with_a_too_long_line_to_the_exact_one(tmp_path: Path) -> None:
    path = _file(tmp_path, TRICKY["a line one byte too long"], good=12_000)
    assert table.jsonl_columns(str(path)) is None


@pytest.mark.parametrize("tricky", [(8_001,), (1, 12_001), (3_000, 3_001, 9_500), (1, 2, 3, 4, 5, 6, 7, 8)])
def test_a_refused_block_is_cut_into_pieces_so_that_its_tricky_lines_cost_little(
    tricky: tuple[int, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Lines the checks refuse (tags, a blank line, a spaced key, a bad value) at these line numbers, a
    # byte-order mark first: each costs its piece of reading line by line, not its block.
    monkeypatch.setattr(table, "REFUSED_PIECE", 8 << 10)
    kinds = [TRICKY["tags and attrs"], TRICKY["blank line"], TRICKY["spaced keys"], TRICKY["unknown field"]]
    lines = [GOOD % (i, i % 28 + 1) for i in range(12_000)]
    for n, at in enumerate(sorted(tricky, reverse=True)):
        lines.insert(at - 1, kinds[n % len(kinds)] + "\n")
    path = tmp_path / "events.jsonl"
    path.write_bytes(("\ufeff" + "".join(lines)).encode("utf-8"))
    read = table.jsonl_columns(str(path), block_size=256 << 10)
    assert read is not None
    assert 1 <= len(read.exact_blocks) <= len(tricky) + 1  # (and the mark's)
    assert all(size <= (8 << 10) + max(map(len, lines)) + 3 for size in read.exact_blocks)  # (to a line's end)
    _both_readers_agree(path)


def test_lines_the_checks_are_never_sure_of_cost_no_more_tries_than_a_few_pieces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tags on every line: each block is tried whole and in two pieces (for the fields scoring reads: no
    # others would pass with tags), then read line by line.
    monkeypatch.setattr(table, "REFUSED_PIECE", 8 << 10)
    tried: list[int] = []
    block_columns = table.block_columns

    def counted(raw: bytes, *rest: object) -> object:
        tried.append(len(raw))
        return block_columns(raw, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(table, "block_columns", counted)
    path = _file(tmp_path, TRICKY["plain"], good=12_000)
    path.write_text(path.read_text().replace("}\n", ', "tags": ["t"]}\n'))
    read = table.jsonl_columns(str(path), block_size=256 << 10)
    assert read is not None and read.frame.height == 12_001
    blocks = -(-path.stat().st_size // (256 << 10))
    assert len(tried) <= 3 * blocks + 3
    assert sum(read.exact_blocks) == path.stat().st_size
    _both_readers_agree(path)


@pytest.mark.parametrize("name", ["spaced keys", "tags and attrs", "blank line", "unknown field"])
def test_a_block_the_checks_refuse_is_validated_line_by_line(
    name: str, tmp_path: Path
) -> None:
    # One such line costs its block, not the file; the lines after it keep their numbers.
    path = _file(tmp_path, TRICKY[name], good=12_000)
    read = table.jsonl_columns(str(path), block_size=100 << 10, exact_lines=100)  # several slices in the block
    assert read is not None
    frame, problems = read.frame, read.problems
    assert [p.line for p in problems] == ([8_001] if name == "unknown field" else [])
    assert len(read.exact_blocks) == 1 and read.exact_blocks[0] < path.stat().st_size // 4
    skipped = name in ("blank line", "unknown field")
    assert frame.height == 12_001 - skipped
    assert frame["line"].to_list() == [n for n in range(1, 12_002) if not (skipped and n == 8_001)]
    _both_readers_agree(path)


@pytest.mark.parametrize("name", ["escaped quotes", "escape", "brackets in text", "plain"])
def test_escapes_are_read_by_columns(name: str, tmp_path: Path) -> None:
    # A quote after an odd run of backslashes is text; the block stays columns, and reads as the exact reader does.
    lines = [
        f'{{"id": "q{i}", "date": "2009", "actor": "KAZ", "type": "a.b", "summary": "{text}"}}'
        for i, text in enumerate(['he said \\"no\\"', "a\\\\", '\\\\\\"', "x\\u00e9\\n\\t", "\\/", '\\" [sic] {x}'])
    ]
    path = _file(tmp_path, TRICKY[name], good=12_000)
    path.write_text(path.read_text() + "\n".join(lines) + "\n")
    read = table.jsonl_columns(str(path), block_size=100 << 10)
    assert read is not None and read.problems == [] and read.exact_blocks == ()
    summaries = read.frame.filter(pl.col("id").str.starts_with("q"))["summary"].to_list()
    assert summaries == ['he said "no"', "a\\", '\\"', "x\u00e9\n\t", "/", '" [sic] {x}']
    _both_readers_agree(path)


@pytest.mark.parametrize("field", ["summary", "source", "quote"])
def test_text_for_people_first_met_late_in_a_file_is_read_by_columns(field: str, tmp_path: Path) -> None:
    # Blocks are read first for the fields most lines hold; a key the first reading left out
    # makes its block read again for every field, and so every later block.
    path = _file(tmp_path, TRICKY["plain"], good=12_000)
    late = [f'{{"id": "t{i}", "date": "2009", "actor": "KAZ", "type": "a.b", "{field}": "said {i}"}}' for i in range(3)]
    path.write_text(path.read_text() + "\n".join(late) + "\n" + "".join(GOOD % (20_000 + i, 1) for i in range(3_000)))
    read = table.jsonl_columns(str(path), block_size=100 << 10)
    assert read is not None and read.problems == [] and read.exact_blocks == ()
    assert read.frame.filter(pl.col("id").str.starts_with("t"))[field].to_list() == ["said 0", "said 1", "said 2"]
    _both_readers_agree(path)


# Any JSON value a careless export might hold, in any of the fields the reader knows (and one it does not).
_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.floats(allow_nan=False)
    | st.sampled_from(["", "2009", "a.b", "KAZ", 'q"q', "x\\y", "\x01", "[", "{", '\\"', '":', "😀", "\x7f"])
    | st.text(st.characters(exclude_categories=["Cs"]), max_size=5),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.sampled_from(["k", "x"]), inner, max_size=2),
    max_leaves=3,
)
_fields = st.sampled_from([*TEXT_FIELDS, *NUMBER_FIELDS, "tags", "attrs", "colour"])
_base = {"id": "x", "date": "2009-04-21", "actor": "KAZ", "type": "a.b"}


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.lists(st.tuples(_fields, _values), max_size=3), drop=st.sets(st.sampled_from(list(_base))))
def test_any_line_reads_the_same_by_columns(
    changes: list[tuple[str, object]], drop: set[str], tmp_path: Path
) -> None:
    record: dict[str, object] = {k: v for k, v in _base.items() if k not in drop}
    record.update(changes)
    good = [json.dumps({**_base, "id": f"g{i}"}) for i in range(3)]
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join([good[0], json.dumps(record, ensure_ascii=False), *good[1:]]) + "\n", encoding="utf-8")
    _both_readers_agree(path, columns_from=-1)  # every file goes to the column reader first


def test_the_column_reader_reports_progress(tmp_path: Path) -> None:
    seen: list[tuple[int, int | None]] = []

    class Recording(Progress):
        def update(self, done: int, rows: int | None = None) -> None:
            seen.append((done, rows))

    path = _file(tmp_path, TRICKY["plain"], good=40_000)
    assert table.jsonl_columns(str(path), block_size=1 << 20, progress=Recording) is not None
    assert len(seen) >= 3
    assert seen == sorted(seen)  # bytes and rows only grow
    assert seen[-1][0] <= path.stat().st_size and seen[-1][1] is not None and seen[-1][1] <= 40_001


def test_a_score_keeps_no_text_for_people_of_a_large_file(tmp_path: Path) -> None:
    line = '{"id": "e%d", "date": "2009-04-%02d", "actor": "KAZ", "type": "exercise.join", "partner": "NATO",'
    line += ' "summary": "Kazakhstan joins exercise %d", "source": "https://example.org/%d", "quote": "q%d"}\n'
    path = tmp_path / "events.jsonl"
    path.write_text("".join(line % (i, i % 28 + 1, i, i, i) for i in range(30_000)))
    pack = scorer.load_pack()
    read = table.jsonl_columns(str(path), block_size=256 << 10, left=LEFT_OUT)
    assert read is not None and read.exact_blocks == ()  # every block read by columns
    lean = load_events(str(path), columns=scorer.tested_fields(pack))
    full = load_events(str(path))
    assert full.frame["summary"].null_count() == full.frame["quote"].null_count() == 0
    assert all(lean.frame[name].null_count() == lean.frame.height for name in ("summary", "source", "quote"))
    assert lean.frame.drop(*LEFT_OUT).equals(full.frame.drop(*LEFT_OUT))
    assert scorer.score(lean, pack).actors["KAZ"].final == scorer.score(full, pack).actors["KAZ"].final
