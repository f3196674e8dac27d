"""The bad-input corpus (tests/bad_inputs/cases.yaml): every broken input gets exit 2 and one clear line.

Each case runs `scorer.cli.main` from a copy of the corpus folder, so that a
case that would write (`weights set`) cannot change the corpus, and so that
the files a case makes at run time (a 1 GiB line, a named pipe) stay out of
the repository. Besides the expected first line of standard error, every case
must print no traceback, and finish in bounded time and memory: the limits
are loose on purpose (a refused alias bomb or 1 GiB line takes milliseconds
and about a MiB; the bounds only catch "read it all" or "expand it all").

A byte-order mark and CRLF line ends are not bad input: the tests at the end
show they are read as if they were not there.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import resource
import shutil
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
import yaml

from scorer.cli import main

CORPUS = Path(__file__).parent / "bad_inputs"
CASES: list[dict[str, Any]] = yaml.safe_load((CORPUS / "cases.yaml").read_text(encoding="utf-8"))

SECONDS = 10.0
TRACED_BYTES = 64 << 20  # Python allocations at their peak
RSS_GROWTH_BYTES = 256 << 20  # the process's peak resident size may grow by this much at most

GIB = 1 << 30


def _giant(path: Path, head: bytes) -> None:
    """`head`, then a line that runs to 1 GiB: a sparse file, written in two small writes."""
    with path.open("wb") as out:
        out.write(head)
        out.seek(GIB)
        out.write(b'"\n')


def _make(kind: str, folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    if kind == "giant-line-jsonl":
        _giant(folder / "giant.jsonl", b'{"id": "')
    elif kind == "giant-line-csv":
        _giant(folder / "giant.csv", b'id,date,actor,type\n"')
    elif kind == "giant-yaml":
        _giant(folder / "giant.yaml", b'events:\n  - id: "')
    elif kind in ("big-jsonl-c1-control", "big-jsonl-long-id"):
        # Over 1 MiB, so read by the column reader first; the last line is the bad one.
        line = '{"id": "e%d", "date": "2009-04-21", "actor": "KAZ", "type": "exercise.join", "summary": "%s"}\n'
        good = "".join(line % (i, "x" * 600) for i in range(2_000))
        last = (
            '{"id": "last", "date": "2009", "actor": "KAZ", "type": "x.y", "summary": "\u009b31m"}\n'
            if kind == "big-jsonl-c1-control"
            else '{"id": "%s", "date": "2009", "actor": "KAZ", "type": "x.y"}\n' % ("x" * 1001)
        )
        (folder / f"{kind}.jsonl").write_text(good + last, encoding="utf-8")
    elif kind == "csv-huge-cell":
        cell = "x" * 200_000
        (folder / "csv-huge-cell.csv").write_text(
            f'id,date,actor,type,summary\ne1,2009,KAZ,x.y,"{cell}"\n', encoding="utf-8"
        )
    elif kind == "fifo":
        if not (folder / "fifo.jsonl").exists():
            os.mkfifo(folder / "fifo.jsonl")
    elif kind == "unreadable":
        if os.geteuid() == 0:
            pytest.skip("root reads a file without read permission; unreadable-proc-mem covers root")
        target = folder / "unreadable.yaml"
        target.write_text("events: []\n", encoding="utf-8")
        target.chmod(0)
    else:
        raise AssertionError(f"unknown make: {kind}")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("corpus") / "bad_inputs"
    shutil.copytree(CORPUS, copy)
    return copy


def test_the_corpus_is_large_and_names_are_unique() -> None:
    names = [case["name"] for case in CASES]
    assert len(names) >= 50
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_bad_input(
    case: dict[str, Any], corpus: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(corpus)
    if "make" in case:
        _make(case["make"], corpus / "generated")
    capsys.readouterr()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    tracemalloc.start()
    started = time.perf_counter()
    try:
        status = main(case["argv"])
    finally:
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - rss_before
    out, err = capsys.readouterr()
    assert "Traceback" not in err + out
    assert "internal error" not in err
    assert err.splitlines()[:1] == [case["first"]], err
    assert status == 2
    assert elapsed < SECONDS, f"took {elapsed:.1f} s"
    assert peak < TRACED_BYTES, f"allocated {peak / 2**20:.0f} MiB"
    assert rss_growth < RSS_GROWTH_BYTES, f"resident size grew by {rss_growth / 2**20:.0f} MiB"


def test_corpus_files_are_untouched_by_the_weights_cases(corpus: Path) -> None:
    for name in ("ok", "aliased", "defined-twice"):
        for original in (CORPUS / "weights" / name).iterdir():
            assert (corpus / "weights" / name / original.name).read_bytes() == original.read_bytes()


# --- A byte-order mark and CRLF line ends are accepted ----------------------------------------

PACK = """\
scoring:
  axes: [nato, russia]
  balance: {plus: nato, minus: russia}
rules:
  - id: join-nato
    when: {type: exercise.join, partner: NATO}
    signals: {nato: 1.5}   # a comment that must survive
"""
EVENTS = {
    "yaml": "events:\n  - {id: e1, date: 2009-04-21, actor: KAZ, type: exercise.join, partner: NATO}\n",
    "jsonl": '{"id": "e1", "date": "2009-04-21", "actor": "KAZ", "type": "exercise.join", "partner": "NATO"}\n',
    "csv": "id,date,actor,type,partner\ne1,2009-04-21,KAZ,exercise.join,NATO\n",
}


def _score(events: Path, rules: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["score", str(events), "--rules", str(rules), "--format", "json"]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("fmt", sorted(EVENTS))
def test_byte_order_mark_and_crlf_read_as_plain(fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plain_rules = tmp_path / "plain-rules.yaml"
    plain_rules.write_text(PACK, encoding="utf-8")
    plain = tmp_path / f"plain.{fmt}"
    plain.write_text(EVENTS[fmt], encoding="utf-8")
    expected = _score(plain, plain_rules, capsys)
    assert '"nato": 1.5' in expected
    marked_rules = tmp_path / "marked-rules.yaml"
    marked_rules.write_bytes(b"\xef\xbb\xbf" + PACK.replace("\n", "\r\n").encode("utf-8"))
    marked = tmp_path / f"marked.{fmt}"
    marked.write_bytes(b"\xef\xbb\xbf" + EVENTS[fmt].replace("\n", "\r\n").encode("utf-8"))
    assert _score(marked, marked_rules, capsys) == expected


def test_weights_set_keeps_byte_order_mark_and_crlf(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = tmp_path / "pack.yaml"
    original = b"\xef\xbb\xbf" + PACK.replace("\n", "\r\n").encode("utf-8")
    rules.write_bytes(original)
    assert main(["weights", "set", "join-nato", "nato", "2.5", "--rules", str(rules)]) == 0
    assert rules.read_bytes() == original.replace(b"nato: 1.5", b"nato: 2.5")
    assert main(["weights", "set", "join-nato", "russia", "-1", "--rules", str(rules)]) == 0
    assert rules.read_bytes() == original.replace(b"nato: 1.5}", b"nato: 2.5, russia: -1.0}")
    capsys.readouterr()


# --- Hostile content ------------------------------------------------------------------------

HOSTILE = {
    "id": "e1<b>|`x`",
    "date": "2009-04-21",
    "actor": "KAZ",
    "type": "exercise.join",
    "partner": "NATO",
    "summary": "<script>alert(1)</script> | **bold** <img src=x onerror=alert(2)> `code`",
    "source": "<iframe src=//evil></iframe>",
    "quote": "]]></x><!-- -->",
    "tags": ["<i>"],
}


def _report(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(argv) == 0
    return capsys.readouterr().out


@pytest.fixture
def hostile(tmp_path: Path) -> list[str]:

    events = tmp_path / "hostile.jsonl"
    events.write_text(json.dumps(HOSTILE) + "\n", encoding="utf-8")
    rules = tmp_path / "pack.yaml"
    rules.write_text(PACK, encoding="utf-8")
    return [str(events), "--rules", str(rules)]


def test_input_text_is_inert_in_html(hostile: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    page = _report(["explain", *hostile, "--format", "html"], capsys)
    for raw in ("<script", "<img", "<iframe", "<b>", "<i>", "]]></x>"):
        assert raw not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_input_text_is_inert_in_markdown(hostile: list[str], capsys: pytest.CaptureFixture[str]) -> None:

    for argv in (["explain", *hostile, "--format", "markdown"], ["score", *hostile, "--format", "markdown"]):
        page = _report(argv, capsys)
        # Code spans show their text as it is, markup included: only what is outside them could render.
        outside = re.sub(r"(`+)(?:(?!\1).)+\1", "", page)
        for raw in ("<script", "<img", "<iframe", "<b>", "<i>", "<!--", "e1<b>|"):
            assert raw not in outside


def test_input_text_round_trips_in_json_and_csv(hostile: list[str], capsys: pytest.CaptureFixture[str]) -> None:

    document = json.loads(_report(["explain", *hostile, "--format", "json"], capsys))
    assert document["actors"]["KAZ"]["trail"][0]["event"] == HOSTILE["id"]
    rows = list(csv.reader(io.StringIO(_report(["score", *hostile, "--format", "csv"], capsys))))
    assert rows[1][rows[0].index("event")] == HOSTILE["id"]


def test_text_reports_carry_no_control_characters(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An ESC cannot even get in: every reader refuses control characters in text (see the corpus)."""
    events = tmp_path / "e.csv"
    events.write_text(
        "id,date,actor,type,summary\ne1,2009-04-21,KAZ,exercise.join,\x1b]0;title\x07\n", encoding="utf-8"
    )
    assert main(["explain", str(events)]) == 2
    assert "\x1b" not in capsys.readouterr().err


def test_a_regex_on_the_longest_value_allowed_is_quick(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Accepted regexes on hostile values of the longest length allowed (1,000 characters) stay quick."""

    rules = tmp_path / "pack.yaml"
    rules.write_text(
        "rules:\n"
        + "".join(
            f"  - id: r{i}\n    when: {{source: {{regex: {json.dumps(pattern)}}}}}\n    signals: {{nato: 1}}\n"
            for i, pattern in enumerate(
                [r"^[a-z]+(?:\.[a-z]+)*$", r"(?i)nato.*exercise", r"\w+\s+\w+\s+\w+", r"a[^b]*b"]
            )
        ),
        encoding="utf-8",
    )
    values = ["a" * 999 + "!", "nato" * 250, "a " * 499 + "!!", "a" * 1000, "a." * 499 + ".."]
    events = tmp_path / "e.jsonl"
    events.write_text(
        "".join(
            json.dumps({"id": f"e{i}", "date": "2009", "actor": "KAZ", "type": "x.y", "source": value}) + "\n"
            for i, value in enumerate(values)
        ),
        encoding="utf-8",
    )
    started = time.perf_counter()
    assert main(["score", str(events), "--rules", str(rules)]) == 0
    assert time.perf_counter() - started < SECONDS
    capsys.readouterr()


def test_input_links_are_inert_in_markdown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = tmp_path / "e.jsonl"
    summary = "[click](javascript:alert(1)) ![pixel](http://example.invalid/p.png)"
    events.write_text(
        json.dumps({"id": "e1", "date": "2009", "actor": "KAZ", "type": "x.y", "summary": summary}) + "\n",
        encoding="utf-8",
    )
    page = _report(["explain", str(events), "--format", "markdown"], capsys)
    assert "](" not in page.replace("\\]", "")
