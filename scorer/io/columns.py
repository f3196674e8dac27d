"""Large JSON Lines files read by columns: polars parses blocks of lines, checks run on the columns.

Small hand-coded files are validated event by event (`scorer.io.exact`); a
large JSON Lines file is read straight into a frame by polars and checked
with column expressions and byte counts. Those checks are conservative: a
block they are not sure of is validated line by line by the exact reader,
which then reports each problem with its line and column, or accepts the
lines after all.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date as Date

import numpy as np
import polars as pl

from scorer.io import early
from scorer.io.exact import jsonl_lines
from scorer.io.files import MAX_LINE_BYTES, LineTooLong, file_size, line_blocks
from scorer.io.json_bytes import names_text_for_people
from scorer.io.jsonl_block import CATEGORICAL, KEPT, Read, block_columns
from scorer.io.progress import Progress
from scorer.model.fields import DATE_RE, MAX_FIELD_CHARS, TESTED_TEXT, TYPE_RE, UNPRINTABLE_RE
from scorer.model.frame import READ_SCHEMA, SCHEMA, USUAL, empty, from_events
from scorer.problems import Problem, printable

_EPOCH_ORDINAL = Date(1970, 1, 1).toordinal()

BLOCK = early.BLOCK
Schema = dict[str, pl.DataType]  # the fields a block is read for
Early = tuple[Schema, pl.DataFrame | None] | tuple[()]  # what a block was parsed for, and its parse; or nothing
EXACT_LINES = 4096  # lines validated at a time by the exact reader: their models are dropped once they are columns
REFUSED_PIECE = 256 << 10  # bytes of whole lines a piece of a block the checks refuse (each piece tried again)
THREADS = 2  # threads reading blocks (polars parses without the interpreter lock)
# Blocks handed to the reading threads at once while blocks are read for the fields scoring reads: one more
# waits its turn, read from the file while the threads work, so that a thread that is done starts on it at
# once (reading a block and keeping the one before took 5-12 ms, in which one thread stood idle). Blocks
# read for every field (text for people) are larger once parsed: one a thread, as the peak allows.
IN_FLIGHT = THREADS + 1


@dataclass(frozen=True)
class ColumnRead:
    """A file read by columns: its good events, the problems of the others, and the size of each block
    that had to be validated line by line."""

    frame: pl.DataFrame
    problems: list[Problem]
    exact_blocks: tuple[int, ...] = ()


def jsonl_columns(
    path: str,
    *,
    block_size: int = BLOCK,
    exact_lines: int = EXACT_LINES,
    progress: Callable[[int, str], Progress] = Progress,
    left: frozenset[str] = frozenset(),
) -> ColumnRead | None:
    """A large JSON Lines file read by columns, block by block: its good events and the problems of the others.

    One pass over the file, cut into blocks of whole lines; two blocks are parsed
    at a time (polars works without the interpreter lock). Each block is checked
    as it comes; a block the checks are not sure of is validated line by line
    (`_exact_block`, `exact_lines` at a time), so that a quoted quote in one
    summary costs one block, not the file. What is cheaper to check once per
    distinct value (types, dates, actors) is checked when the blocks are joined,
    and the lines of values that fail are validated one by one for their
    messages. The events and problems are those the exact reader finds. None
    (the exact reader then reads the file) for a file that cannot be read, is
    empty, holds a line over MAX_LINE_BYTES or is not UTF-8 where the checks look.
    The fields in `left` are checked as every other, then dropped block by block:
    none in every event (what a score does not read of text for people).
    """
    blocks = _Blocks(path, exact_lines, left)
    if not blocks.read_all(block_size, progress):
        return None
    if not blocks.rows:
        # An empty file, or only blank lines, is the exact reader's to name.
        return ColumnRead(empty(), blocks.problems, tuple(blocks.exact)) if blocks.problems else None
    joined = blocks.joined()
    if joined is None:
        return None
    # (A stable sort: a line's problems keep their order.)
    return ColumnRead(joined, sorted(blocks.problems, key=lambda p: p.line), tuple(blocks.exact))


class _Blocks:
    """The blocks of one file as they are read: their rows, their lines, their problems."""

    def __init__(self, path: str, exact_lines: int, left: frozenset[str] = frozenset()) -> None:
        self.path = path
        self.exact_lines = exact_lines
        self.left = left
        self.frames: list[pl.DataFrame] = []
        self.numbers: list[np.ndarray] = []  # each block's rows' lines
        self.problems: list[Problem] = []
        self.exact: list[int] = []  # sizes of the blocks validated line by line
        self.rows = self.lines = 0
        self.ascii = True
        self.schema = USUAL  # the fields each block is read for first: all of them once a block holds text for people

    def read_all(self, block_size: int, progress: Callable[[int, str], Progress]) -> bool:
        """Read every block, `THREADS` at a time (up to `IN_FLIGHT` handed over); False as soon as one cannot
        be read by columns or line by line."""
        done = 0
        with ThreadPoolExecutor(max_workers=THREADS) as pool, progress(file_size(self.path), self.path) as bar:
            running: deque[Future[list[Read] | None]] = deque()
            try:
                for block, parsed in _parsed_blocks(self.path, block_size):
                    if block is None:
                        return False
                    running.append(pool.submit(self.block, block, not done, *parsed))
                    done += len(block)
                    handed = IN_FLIGHT if self.schema is USUAL else THREADS  # (asked again: a block may change it)
                    while len(running) >= handed or (running and running[0].done()):
                        if not self.add_all(running.popleft().result()):
                            return False
                        bar.update(done, self.rows)
                while running:
                    if not self.add_all(running.popleft().result()):
                        return False
                    bar.update(done, self.rows)
            finally:
                for waiting in running:
                    waiting.cancel()
        return True

    def block(
        self,
        raw: bytes,
        first: bool,
        parsed_for: Schema | None = None,
        parsed: pl.DataFrame | None = None,
        *,
        whole: bool = True,
    ) -> list[Read] | None:
        """One block, by columns if the checks allow it, else line by line (`parsed`: its fields of
        `parsed_for`, parsed while the command loaded); None if it cannot be read either way.

        A `whole` block the checks refuse is cut into pieces (`_pieces`): a line they are not sure of
        costs its piece of reading line by line, not the whole block.
        """
        read = block_columns(raw, self.schema, parsed if parsed_for is self.schema else None)
        if read is None and self.schema is USUAL and names_text_for_people(raw):
            read = block_columns(raw, READ_SCHEMA, parsed if parsed_for is READ_SCHEMA else None)
            if read is not None:
                self.schema = READ_SCHEMA  # this file's lines hold text for people: every later block is read for it
        if read is None:
            return self._pieces(raw, first) if whole and len(raw) > REFUSED_PIECE else self._exact(raw, first)
        return [self._kept(read)]

    def _exact(self, raw: bytes, first: bool) -> list[Read] | None:
        """Whole lines read line by line (`_exact_block`); None if they are not UTF-8."""
        self.exact.append(len(raw))
        read = _exact_block(raw, self.path, first, self.exact_lines)
        return None if read is None else [self._kept(read)]

    def _kept(self, read: Read) -> Read:
        """A read block with the fields in `left` dropped (none in every event)."""
        frame = read[0]
        if not self.left:
            return read
        dropped = frame.with_columns(pl.lit(None, frame.schema[name]).alias(name) for name in self.left if name in frame)
        return (dropped, *read[1:])

    def _pieces(self, raw: bytes, first: bool) -> list[Read] | None:
        """A block the checks refused, cut into pieces of about `REFUSED_PIECE` bytes of whole lines, each
        read as a block of its own (by columns where the checks allow it). Once two pieces in a row are
        refused, the rest of the block is read line by line at once: lines the checks are never sure
        of (tags or attributes on every line) cost no more tries."""
        reads: list[Read] = []
        start = refused = 0
        while start < len(raw):
            if refused >= 2:
                piece, end = self._exact(raw[start:], first and not start), len(raw)
            else:
                end = raw.find(b"\n", start + REFUSED_PIECE - 1) + 1 or len(raw)
                exact = len(self.exact)
                piece = self.block(raw[start:end], first and not start, whole=False)
                refused = refused + 1 if len(self.exact) > exact else 0
            if piece is None:
                return None
            reads += piece
            start = end
        return reads

    def add_all(self, reads: list[Read] | None) -> bool:
        """`add` each part of a block in turn; False for a block that could not be read."""
        return reads is not None and all(self.add(read) for read in reads)

    def add(self, read: Read | None) -> bool:
        """Keep a block's rows, numbered after the blocks before it; False for a block that could not be read."""
        if read is None:
            return False
        frame, block_ascii, block_lines, numbered, found = read
        self.frames.append(frame)
        lines = self.lines
        self.numbers.append(lines + (np.arange(1, frame.height + 1, dtype=np.int32) if numbered is None else numbered))
        self.problems.extend(dataclasses.replace(problem, line=problem.line + lines) for problem in found)
        self.ascii = self.ascii and block_ascii
        self.rows += frame.height
        self.lines += block_lines
        return True

    def joined(self) -> pl.DataFrame | None:
        """The blocks as one frame of the schema, values checked once each; None if a bad line cannot be named."""
        frames = self.frames
        # Tags and attributes come only from lines validated one by one (the checks refuse both).
        extra = [name for name in ("tags", "attrs") if any(f[name].null_count() < f.height for f in frames if name in f)]
        if any(len(f.columns) != len(READ_SCHEMA) + len(extra) for f in frames):
            frames = [
                f.select(*READ_SCHEMA, *[pl.col(c) if c in f else pl.lit(None, pl.String).alias(c) for c in extra])
                for f in frames
            ]
        line = pl.Series("line", np.concatenate(self.numbers), dtype=pl.Int32)
        frame = pl.concat(frames, rechunk=False)
        # (In the order found: polars then finds distinct values by hashing, not by sorting a million
        # codes, in half the time.)
        dates = frame["date"].unique(maintain_order=True).drop_nulls()
        days = pl.select(days_of(pl.lit(dates.cast(pl.String)))).to_series()  # null for a day that does not exist
        bad = _bad_values(frame, self.ascii, dates, days)
        if bad is not None:
            # Rows whose type, date, actor or partner fails: validated one by one for the exact messages.
            found = _problems_of_lines(self.path, line.filter(bad).to_list())
            if found is None:
                return None
            self.problems.extend(found)
            frame, line = frame.filter(~bad), line.filter(~bad)
        if not frame.height:
            return empty()
        # Handed on as columns, every other hold on the blocks let go: `_finished` copies them into one
        # chunk a column at a time, each column's blocks freed as it goes (not the whole frame twice at once).
        columns = dict(zip(frame.columns, frame.get_columns(), strict=True))
        self.frames = []
        del frames, frame
        return _finished(columns, line, self.path, dates, days)


def _parsed_blocks(path: str, size: int) -> Iterator[tuple[bytes | None, Early]]:
    """`_blocks`, each with the fields it was parsed for and its parse where the command parsed it while
    it loaded (`early.taken`): those first, then the rest of the file from where they end."""
    ahead = deque(early.taken(path, size))
    start = sum(len(raw) for raw, _, _ in ahead)
    while ahead:
        raw, schema, parsed = ahead.popleft()  # (handed on, not held: each block is dropped once checked)
        yield raw, (schema, parsed)
    for block in _blocks(path, size, start):
        yield block, ()


def _blocks(path: str, size: int, start: int = 0) -> Iterator[bytes | None]:
    """The file in blocks of whole lines of about `size` bytes, from byte `start` (where a line starts);
    None for a line over MAX_LINE_BYTES.

    The exact reader says what is wrong with a file that cannot be opened or
    holds too long a line; here it is only the end of the column reading.
    """
    try:
        with open(path, "rb", buffering=0) as stream:
            stream.seek(start)
            yield from line_blocks(stream, size, MAX_LINE_BYTES)
    except (OSError, LineTooLong):
        yield None


def _exact_block(raw: bytes, path: str, first: bool, exact_lines: int) -> Read | None:
    """Whole lines the column checks left alone, validated line by line as the exact reader does.

    None if they are not UTF-8 (the exact reader names the first bad byte).
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if first and text.startswith("\ufeff"):
        text = text[1:]  # the byte-order mark the exact reader drops
    lines = text.split("\n")  # (where the exact reader splits)
    if text.endswith("\n"):
        lines.pop()
    parts: list[pl.DataFrame] = []
    problems: list[Problem] = []
    for start in range(0, len(lines), exact_lines):
        results = jsonl_lines(lines[start : start + exact_lines], path, first=start + 1)
        problems.extend(result for result in results if isinstance(result, Problem))
        read = [result for result in results if not isinstance(result, Problem)]
        parts.append(from_events([e for e, _ in read], [o for _, o in read]))
    frame = pl.concat([part for part in parts if part.height] or [empty()])
    kept = frame.select(*[pl.col(name).cast(kind) for name, kind in KEPT.items()], "tags", "attrs")
    return kept, raw.isascii(), len(lines), frame["line"].to_numpy(), problems


def _bad_values(frame: pl.DataFrame, ascii: bool, dates: pl.Series, days: pl.Series) -> pl.Series | None:
    """Which rows hold a type, date, actor or partner the exact reader refuses (checked per distinct value).

    `dates` are the distinct dates (found once for both), `days` theirs.
    """
    refused: dict[str, pl.Series] = {}
    for name in CATEGORICAL:
        text = (dates if name == "date" else frame[name].unique(maintain_order=True).drop_nulls()).cast(pl.String)
        wrong = pl.Series([False] * len(text), dtype=pl.Boolean)
        if name in TESTED_TEXT:
            wrong |= text.str.len_bytes() > MAX_FIELD_CHARS
        if not ascii:
            wrong |= text.str.contains(UNPRINTABLE_RE)
        if name == "type":
            wrong |= ~text.str.contains(TYPE_RE.pattern)
        if name == "actor":
            wrong |= text == ""
        if name == "date":
            # A date that does not exist, such as 2009-02-30, has no day.
            wrong |= ~text.str.contains(DATE_RE.pattern) | days.is_null()
        if wrong.any():
            refused[name] = text.filter(wrong)
    if not refused:
        return None
    refusing = [pl.col(name).cast(pl.String).is_in(values.implode()) for name, values in refused.items()]
    return frame.select(pl.any_horizontal(refusing)).to_series()


def _problems_of_lines(path: str, numbers: list[int]) -> list[Problem] | None:
    """The exact reader's problems on these lines of the file (ascending); None if one has none after all."""
    wanted = np.asarray(numbers, dtype=np.int64)
    texts: list[tuple[int, str]] = []
    line = 1
    for block in _blocks(path, BLOCK):
        if block is None:
            return None
        ends = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == ord("\n"))
        starts = np.concatenate([[0], ends + 1])[: len(ends) + (not block.endswith(b"\n"))]
        lo, hi = np.searchsorted(wanted, [line, line + len(starts)])
        for number in wanted[lo:hi].tolist():
            at = int(starts[number - line])
            end = block.find(b"\n", at)
            text = block[at : end if end >= 0 else len(block)].decode("utf-8", "surrogateescape")
            texts.append((number, text[1:] if number == 1 and text.startswith("\ufeff") else text))
        line += len(starts)
    problems: list[Problem] = []
    for number, text in texts:
        found = [result for result in jsonl_lines([text], path, first=number) if isinstance(result, Problem)]
        if not found:
            return None
        problems.extend(found)
    return problems


def _finished(columns: dict[str, pl.Series], line: pl.Series, path: str, dates: pl.Series, days: pl.Series) -> pl.DataFrame:
    """The checked blocks' columns as the schema says (every type, date and actor has passed `_bad_values`).

    A column no line fills is a constant (it costs nothing); every column is made
    contiguous, so that scoring reads the numbers as numpy views rather than copies.
    One column at a time, taken out of `columns`: its blocks are let go as soon as
    it is copied, so the copy of one column is held beside the blocks, not of all.
    `dates` (Categorical) include every date of the frame, and `days` are theirs.
    """
    height = len(line)
    # Each row's day, looked up by its date's code.
    codes = dates.to_physical().to_numpy()
    day_of = np.zeros(int(codes.max()) + 1, dtype=np.int32)
    day_of[codes] = days.fill_null(0).to_numpy()  # (a date without a day has no row left)
    made = {"day": pl.Series(day_of[columns["date"].to_physical().to_numpy()]), "line": line}
    constant = {"file": (printable(path), pl.Categorical), "col": (1, pl.Int32)}
    finished: list[pl.Series | pl.Expr] = []
    for name, dtype in SCHEMA.items():
        if name in constant:
            value, kind = constant[name]
            finished.append(pl.lit(value, kind).alias(name))
        elif name in made:
            finished.append(made[name].rechunk().alias(name))
        elif name in ("intensity", "confidence"):  # (every block reads both: absent is 1)
            finished.append(columns.pop(name).fill_null(1.0).rechunk())
        elif name not in columns or columns[name].null_count() == height:
            columns.pop(name, None)
            finished.append(pl.lit(None, dtype).alias(name))
        else:
            # One chunk per column (blocks come in many): gathering events by actor and date from a
            # column of hundreds of chunks is an order of magnitude slower.
            finished.append(columns.pop(name).rechunk())
    return pl.select(*finished)


def days_of(date: pl.Expr) -> pl.Expr:
    """Ordinal day of a YYYY, YYYY-MM or YYYY-MM-DD date: the first day of a partial one."""
    full = (
        pl.when(date.str.len_chars() == 4)
        .then(date + "-01-01")
        .when(date.str.len_chars() == 7)
        .then(date + "-01")
        .otherwise(date)
    )
    return (full.str.to_date("%Y-%m-%d", strict=False).cast(pl.Int32) + _EPOCH_ORDINAL).cast(pl.Int32)
