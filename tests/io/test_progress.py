"""The progress bar: silent off a terminal and for short work, a single line that is erased at the end."""

from __future__ import annotations

import io

from scorer.io.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_silent_when_not_a_terminal() -> None:
    stream = io.StringIO()
    with Progress(1000, "events.jsonl", stream=stream, delay=0.0) as bar:
        bar.update(500, 10)
    assert stream.getvalue() == ""


def test_silent_before_the_delay() -> None:
    stream = Terminal()
    with Progress(1000, "events.jsonl", stream=stream, delay=60.0) as bar:
        bar.update(500, 10)
    assert stream.getvalue() == ""


def test_draws_and_erases_on_a_terminal() -> None:
    stream = Terminal()
    with Progress(2_000_000, "events.jsonl", stream=stream, delay=0.0) as bar:
        bar.update(1_000_000, 12_345)
    text = stream.getvalue()
    assert "events.jsonl" in text and " 50%" in text and "1.0 MB/2.0 MB" in text and "12,345 rows" in text
    assert text.endswith("\r\033[K")


def test_unknown_total() -> None:
    assert Progress(0, "-", stream=io.StringIO()).line(2_500, None, 1.25) == "-  2.5 KB  1.2 s"
