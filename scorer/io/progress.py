"""A progress bar on standard error for inputs that take more than a second.

    with Progress(total_bytes, "events.jsonl") as bar:
        for chunk in chunks:
            ...
            bar.update(bytes_done, rows_done)

It draws only when standard error is a terminal, and only once the work has
run for `delay` seconds, so short runs, pipes, files and tests see nothing.
`update` is cheap enough to call every few thousand rows: it redraws at most
ten times a second. The line is erased when the block ends.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import TextIO

_REDRAW = 0.1
_WIDTH = 24


def _size(count: float) -> str:
    """A byte count for people: `512 B`, `12.3 MB`."""
    for unit in ("B", "KB", "MB", "GB"):
        if count < 1000 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1000
    raise AssertionError("unreachable")


class Progress:
    """Rows read and bytes of `total` done, drawn as `label [#####   ]  42%  12.3/29.0 MB  512,000 rows  2.1 s`."""

    def __init__(self, total: int, label: str = "", *, stream: TextIO | None = None, delay: float = 1.0) -> None:
        self.total = max(total, 0)
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.delay = delay
        self.enabled = _is_terminal(self.stream)
        self.started = time.monotonic()
        self._next = self.started + delay
        self._drawn = False

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def update(self, done: int, rows: int | None = None) -> None:
        """Record progress: `done` bytes of `total`, and `rows` read so far if known."""
        if not self.enabled:
            return
        now = time.monotonic()
        if now < self._next:
            return
        self._next = now + _REDRAW
        self.stream.write("\r" + self.line(done, rows, now - self.started))
        self.stream.flush()
        self._drawn = True

    def line(self, done: int, rows: int | None, elapsed: float) -> str:
        """The bar's text."""
        parts = [self.label] if self.label else []
        if self.total:
            share = min(done / self.total, 1.0)
            filled = int(share * _WIDTH)
            parts.append(f"[{'#' * filled}{' ' * (_WIDTH - filled)}] {share:4.0%}")
            parts.append(f"{_size(done)}/{_size(self.total)}")
        else:
            parts.append(_size(done))
        if rows is not None:
            parts.append(f"{rows:,} rows")
        parts.append(f"{elapsed:.1f} s")
        return "  ".join(parts)

    def close(self) -> None:
        """Erase the bar if it was drawn."""
        if self._drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self._drawn = False


def _is_terminal(stream: TextIO) -> bool:
    """Whether a stream is a terminal (a closed or odd stream is not)."""
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
