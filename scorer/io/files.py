"""Reading input files safely: UTF-8 text within limits, and blocks of whole lines.

Limits on what is read are checked while reading, so that a hostile file is
refused after about a megabyte rather than after filling memory:

- no line of any input may be longer than MAX_LINE_BYTES: a "1 GB line" is
  refused at its first MiB, before the parsers (which hold a line whole) see it;
- a YAML file may not be larger than MAX_YAML_BYTES: YAML is for files kept by
  hand and costs about a second and 60 MB of memory per MB to parse; larger
  data belongs in JSON Lines or CSV, which have no size limit;
- bytes that are not UTF-8 are refused in the chunk they arrive in, so binary
  garbage (even an endless stream) stops at once.
"""

from __future__ import annotations

import codecs
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from scorer.io import stdin
from scorer.problems import InputError, Problem

MAX_LINE_BYTES = 1 << 20
MAX_YAML_BYTES = 16 << 20
_CHUNK = 1 << 20  # at most MAX_LINE_BYTES, so that only lines crossing a chunk edge need measuring


def missing(path: str) -> Problem:
    """A file or folder that is not there: said the same way by every command and reader."""
    return Problem(path, 1, 1, "no such file or folder")


def cannot_read(path: str, err: OSError) -> InputError:
    """Why a file could not be opened or read, as a problem of that file."""
    if isinstance(err, FileNotFoundError):
        return InputError([missing(path)])
    if isinstance(err, IsADirectoryError):
        return InputError([Problem(path, 1, 1, "is a directory, not a file")])
    return InputError([Problem(path, 1, 1, f"cannot read: {err.strerror or err}")])


def _open(path: str, limit: int | None) -> BinaryIO:
    """A file (or standard input) opened for reading, refused early if too large."""
    if path == "-":
        return stdin.stream()
    # Opened without waiting: a named pipe that nobody writes to reads as empty instead of hanging the run.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        status = os.fstat(fd)
        if stat.S_ISDIR(status.st_mode):
            raise IsADirectoryError(path)
        if limit is not None and stat.S_ISREG(status.st_mode) and status.st_size > limit:
            raise InputError([Problem(path, 1, 1, _too_large(status.st_size, limit))])
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return open(fd, "rb")


def _chunks(path: str, limit: int | None) -> Iterator[tuple[bytes, int, int]]:
    """The file in chunks, each with the number of the line it starts in and where that line starts.

    The start is counted from the start of the chunk (so it is 0 or negative).
    Refuses (InputError) a line longer than MAX_LINE_BYTES or a file larger
    than `limit` as soon as it is seen, before passing the chunk on.
    """
    try:
        stream = _open(path, limit)
        try:
            total = 0
            line = 1  # number of the line being read
            line_start = 0  # where it starts, counted from the start of the file
            while chunk := stream.read(_CHUNK):
                chunk_line, chunk_line_start = line, line_start - total
                first = chunk.find(b"\n")
                if first >= 0:
                    # A line that starts and ends inside this chunk is shorter than a chunk:
                    # only the line ending here and the one left open need measuring.
                    if total + first - line_start > MAX_LINE_BYTES:
                        raise InputError([Problem(path, line, 1, _too_long())])
                    line += chunk.count(b"\n")
                    line_start = total + chunk.rfind(b"\n") + 1
                total += len(chunk)
                if total - line_start > MAX_LINE_BYTES:
                    raise InputError([Problem(path, line, 1, _too_long())])
                if limit is not None and total > limit:
                    raise InputError([Problem(path, 1, 1, _too_large(total, limit))])
                yield chunk, chunk_line, chunk_line_start
        finally:
            if path != "-":
                stream.close()
    except OSError as err:
        raise cannot_read(path, err) from None


def _too_long() -> str:
    """The message for a line over the limit."""
    return f"line too long: more than {MAX_LINE_BYTES:,} bytes (1 MiB); refused without reading it all"


def _too_large(size: int, limit: int) -> str:
    """The message for a YAML file over the limit."""
    return f"file too large for YAML: {size:,} bytes, more than {limit >> 20} MiB (use JSON Lines or CSV)"


def _yaml_limit(path: str, limit: int | None) -> int | None:
    """The size limit for a file: the given one, else YAML's by its extension."""
    if limit is None and Path(path).suffix.lower() in (".yaml", ".yml"):
        return MAX_YAML_BYTES
    return limit


def read_text(path: str, limit: int | None = None) -> str:
    """The UTF-8 text of a file or of standard input (`-`), a byte-order mark dropped; problems as InputError.

    `limit` caps the size of the file; by default a file named `.yaml`/`.yml`
    is capped at MAX_YAML_BYTES and others are not. Every line is capped at
    MAX_LINE_BYTES.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    parts: list[str] = []
    chunk, line, line_start = b"", 1, 0
    for chunk, line, line_start in _chunks(path, _yaml_limit(path, limit)):
        pending = decoder.getstate()[0]  # the start of a character cut by the end of the chunk before
        try:
            parts.append(decoder.decode(chunk))
        except UnicodeDecodeError as err:
            raise _not_utf8(path, pending + chunk, err.start, line, line_start + len(pending)) from None
    tail = decoder.getstate()[0]
    if tail:  # the file ends inside a character
        raise _not_utf8(path, chunk, len(chunk) - len(tail), line, line_start)
    text = "".join(parts)
    return text[1:] if text.startswith("\ufeff") else text


def _not_utf8(path: str, chunk: bytes, at: int, line: int, line_start: int) -> InputError:
    """The bad byte at `at` in `chunk`, named by line and column (`line` starts at `line_start` of the chunk)."""
    newlines = chunk.count(b"\n", 0, at)
    if newlines:
        line += newlines
        line_start = chunk.rfind(b"\n", 0, at) + 1
    return InputError([Problem(path, line, at - line_start + 1, f"not UTF-8 text (byte 0x{chunk[at]:02x})")])



def file_size(path: str) -> int:
    """The size of a file in bytes; 0 for standard input or a file that cannot be read."""
    try:
        return 0 if path == "-" else os.stat(path).st_size
    except OSError:
        return 0


class LineTooLong(Exception):
    """A line longer than the reader's limit."""


def line_blocks(stream: BinaryIO, size: int, max_line: int | None = None) -> Iterator[bytes]:
    """The stream in blocks of whole lines of about `size` bytes (the last may lack its newline).

    With `max_line`, a line longer than that raises LineTooLong as soon as it is
    seen; without, a longer line makes a longer block.
    """
    reach = max_line if max_line is not None else size
    buffer = bytearray(size + reach + 1)  # a block and the unfinished line before it
    held = 0  # bytes of an unfinished line at the start of the buffer
    while True:
        if len(buffer) - held < size:
            buffer.extend(bytes(size))  # (only without max_line: a line longer than a block)
        with memoryview(buffer) as view:
            got = stream.readinto(view[held : held + size])  # type: ignore[attr-defined]
        end = held + (got or 0)
        if not got:
            if held:
                if max_line is not None and held > max_line:
                    raise LineTooLong
                yield bytes(buffer[:held])
            return
        cut = buffer.rfind(b"\n", 0, end) + 1
        if max_line is not None:
            # Each line ends within max_line of its start: hop from line start to
            # the last newline within reach (a few hops a block, not one a line).
            start = 0
            while end - start > max_line:
                newline = buffer.rfind(b"\n", start, start + max_line + 1)
                if newline < 0:
                    raise LineTooLong
                start = newline + 1
        if cut:
            with memoryview(buffer) as view:
                block = view[:cut].tobytes()  # (one copy; `bytes(buffer[:cut])` makes two)
            yield block
        buffer[: end - cut] = buffer[cut:end]
        held = end - cut
