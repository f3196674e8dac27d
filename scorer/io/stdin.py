"""Standard input that can be looked at before it is read: its first bytes tell which reader reads it.

Standard input can be read once only, so its first bytes (`HEAD` at most) are
read ahead and kept; the stream every reader gets hands them out first, then
the rest as it comes. The same stream serves the whole run, whichever reader
asks for it.
"""

from __future__ import annotations

import io
import sys
from typing import BinaryIO

HEAD = 64 << 10


class _Replayed(io.RawIOBase):
    """The bytes read ahead, then the rest of the stream."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        """`head` first, then `rest`."""
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        """It is read, never written."""
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        """Fill `buffer` from what was read ahead, then from the stream."""
        if self._head.nbytes:
            count = min(len(buffer), self._head.nbytes)
            buffer[:count] = self._head[:count]
            self._head = self._head[count:]
            return count
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class _Peeked:
    """Standard input of this run (`owner`, as `sys.stdin` was): its first bytes, and a stream of all of it."""

    def __init__(self, owner: object) -> None:
        """Read ahead the first bytes of `owner` (as `sys.stdin` was when asked)."""
        self.owner = owner
        raw: BinaryIO | None = getattr(owner, "buffer", None)
        if raw is None:  # a text stream put in its place (tests, embedding programs)
            raw = io.BytesIO(sys.stdin.read().encode("utf-8"))
        parts: list[bytes] = []
        size = 0
        while size < HEAD:
            part = raw.read(HEAD - size)
            if not part:
                break
            parts.append(part)
            size += len(part)
        self.head = b"".join(parts)
        self.stream: BinaryIO = io.BufferedReader(_Replayed(self.head, raw))


_current: list[_Peeked] = []


def _peeked() -> _Peeked:
    """Standard input as read ahead: made when first asked for, anew when `sys.stdin` is another stream."""
    if not _current or _current[0].owner is not sys.stdin:
        _current[:] = [_Peeked(sys.stdin)]
    return _current[0]


def head() -> bytes:
    """The first bytes of standard input (all of it when it is short), without consuming them."""
    return _peeked().head


def stream() -> BinaryIO:
    """Standard input, its first bytes included: the one stream every reader of `-` reads."""
    return _peeked().stream
