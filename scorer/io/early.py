"""The first blocks of a large JSON Lines file parsed while the command loads (`begin`), for the column
reader to take when it comes to them (`taken`).

The command spends its first half second loading polars, numpy and its own
modules, on one core. polars parses JSON without the interpreter lock, so as
soon as polars is loaded a thread parses the first `BLOCKS` blocks of the
events file the command line names, cut as the column reader cuts them and
read for the fields it will read (those scoring reads, or every field once a
block names one of text for people): the other core's idle half second. The
reader then takes the blocks parsed so far, each with its parse, and reads
the rest of the file itself; it checks them exactly as it checks its own.

Nothing here decides anything: a file it guessed wrong (the value of another
option, a file the reader reads otherwise), a file changed since, a reader
that cuts other blocks, and the reader simply reads the file as it would
have. `taken` is asked only by the column reader, and gives blocks only of the
very file `begin` parsed (same device, inode, size and time of change).
"""

from __future__ import annotations

import os
import stat
import threading
from collections import deque
from pathlib import Path

import polars as pl

from scorer.io.files import MAX_LINE_BYTES, LineTooLong, line_blocks
from scorer.io.json_bytes import names_text_for_people
from scorer.model.frame import READ_SCHEMA, USUAL

# Bytes of whole lines a block, as the column reader cuts a file. Larger blocks than 4 MiB, as before: a
# million events' reading leaves glibc's heap 16-20 MB smaller (fewer, larger buffers that the allocator
# reuses whole), and a block the checks refuse is cut into pieces (`scorer.io.columns.REFUSED_PIECE`).
BLOCK = 8 << 20
BLOCKS = 2  # blocks parsed at most while the command loads (about 30 MB held until the reader takes them)
COLUMNS_FROM = 1 << 20  # a JSON Lines file of this size or less is read event by event, not by columns
_COMMANDS = ("score", "explain")  # the commands whose events are named first

# A block, the fields it was parsed for (`USUAL` or `READ_SCHEMA`), and what polars made of them (None:
# polars refused the block).
Parsed = tuple[bytes, dict[str, pl.DataType], pl.DataFrame | None]

class _Parsing:
    """The blocks of one file parsed on a thread of their own, until `BLOCKS` or until told to stop."""

    def __init__(self, path: str, identity: tuple[int, int, int, int], block_size: int, blocks: int) -> None:
        self.path, self.identity, self.block_size, self.blocks = path, identity, block_size, blocks
        self.parsed: deque[Parsed] = deque()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="scorer-early-blocks", daemon=True)

    def _run(self) -> None:
        """Parse block after block, for the fields the reader will ask of it: `USUAL` until a block names
        a field of text for people, `READ_SCHEMA` from then on, as the reader goes (a file that cannot be
        read, or holds too long a line, ends it quietly)."""
        schema = USUAL
        try:
            with open(self.path, "rb", buffering=0) as stream:
                for raw in line_blocks(stream, self.block_size, MAX_LINE_BYTES):
                    if self.stop.is_set():
                        return
                    if schema is USUAL and names_text_for_people(raw):
                        schema = READ_SCHEMA
                    self.parsed.append((raw, schema, _parse(raw, schema)))
                    if len(self.parsed) >= self.blocks:
                        return
        except (OSError, LineTooLong):
            return


_started: list[_Parsing] = []  # the one parsing `begin` started, until it is taken


def begin(argv: list[str], *, block_size: int = BLOCK, blocks: int = BLOCKS) -> None:
    """Start parsing the first blocks of the JSON Lines file a `score` or `explain` command line names
    first, if it names one the column reader will read (over `COLUMNS_FROM` bytes); else nothing."""
    if not argv or argv[0] not in _COMMANDS:
        return
    for word in argv[1:]:
        if word.startswith("-") or Path(word).suffix.lower() not in (".jsonl", ".ndjson"):
            continue
        identity = _identity(word)
        if identity is not None and identity[2] > COLUMNS_FROM:
            parsing = _Parsing(word, identity, block_size, blocks)
            _started.append(parsing)
            parsing.thread.start()
        return


def taken(path: str, block_size: int) -> list[Parsed]:
    """The blocks of `path` parsed ahead, in order from its start (none if `begin` parsed another file, or
    cut other blocks); parsing stops, and the blocks are handed over once."""
    if not _started:
        return []
    parsing = _started.pop()
    parsing.stop.set()
    parsing.thread.join()  # (at most the block it was parsing)
    if parsing.block_size != block_size or _identity(path) != parsing.identity:
        return []
    return list(parsing.parsed)


def _parse(raw: bytes, schema: dict[str, pl.DataType]) -> pl.DataFrame | None:
    """A block's fields of `schema`, as the column reader reads it; None if polars refuses it."""
    try:
        return pl.read_ndjson(raw, schema=schema)
    except Exception:  # noqa: BLE001 - the reader tries it again, and says what is wrong
        return None


def _identity(path: str) -> tuple[int, int, int, int] | None:
    """What tells a regular file from any other, and from itself changed (device, inode, size, time of
    change); None for anything that is not a regular file."""
    try:
        found = os.stat(path)
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(found.st_mode):
        return None
    return (found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns)
