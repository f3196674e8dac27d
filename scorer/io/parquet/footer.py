"""How many rows each row group of a Parquet file holds, read from the file's footer.

A bad value in a Parquet file is named by its row group and its row there;
polars reads the rows but does not say where groups begin. The footer is a
Thrift structure in the compact protocol: this reads just enough of it (the
row count of each row group) and skips the rest.
"""

from __future__ import annotations

import os

_MAGIC = b"PAR1"
_ROW_GROUPS, _NUM_ROWS = 4, 3  # FileMetaData.row_groups, RowGroup.num_rows


class _Broken(Exception):
    """The footer is not what the format says."""


class _Reader:
    """A cursor over compact-protocol bytes."""

    def __init__(self, data: bytes) -> None:
        self.data, self.at = data, 0

    def byte(self) -> int:
        """The next byte."""
        if self.at >= len(self.data):
            raise _Broken
        self.at += 1
        return self.data[self.at - 1]

    def varint(self) -> int:
        """An unsigned variable-length integer."""
        value, shift = 0, 0
        while True:
            b = self.byte()
            value |= (b & 0x7F) << shift
            if not b & 0x80:
                return value
            shift += 7
            if shift > 70:
                raise _Broken

    def zigzag(self) -> int:
        """A signed (zigzag) variable-length integer."""
        n = self.varint()
        return (n >> 1) ^ -(n & 1)

    def skip(self, kind: int, depth: int = 0) -> None:
        """Skip one value of compact type `kind`."""
        if depth > 64:
            raise _Broken
        if kind in (1, 2):  # booleans: the value is in the type
            return
        if kind == 3:
            self.at += 1
        elif kind in (4, 5, 6):
            self.varint()
        elif kind == 7:
            self.at += 8
        elif kind == 8:
            length = self.varint()  # (read before `self.at` is: reading moves it)
            self.at += length
        elif kind in (9, 10):
            size, inner = self.collection()
            for _ in range(size):
                self.byte() if inner in (1, 2) else self.skip(inner, depth + 1)
        elif kind == 11:
            size = self.varint()
            if size:
                kinds = self.byte()
                for _ in range(size):
                    self.skip(kinds >> 4, depth + 1)
                    self.skip(kinds & 0x0F, depth + 1)
        elif kind == 12:
            for _, inner in self.fields():
                self.skip(inner, depth + 1)
        else:
            raise _Broken

    def collection(self) -> tuple[int, int]:
        """A list's or set's size and element type."""
        head = self.byte()
        size = head >> 4
        return (self.varint() if size == 15 else size), head & 0x0F

    def fields(self) -> list[tuple[int, int]] | _Fields:
        """The fields of the struct that starts here."""
        return _Fields(self)


class _Fields:
    """The fields of a struct as (id, type), the caller reading or skipping each value in turn."""

    def __init__(self, reader: _Reader) -> None:
        self.reader, self.last = reader, 0

    def __iter__(self) -> _Fields:
        return self

    def __next__(self) -> tuple[int, int]:
        head = self.reader.byte()
        if head == 0:
            raise StopIteration
        delta, kind = head >> 4, head & 0x0F
        self.last = self.last + delta if delta else self.reader.zigzag()
        return self.last, kind


def row_groups(path: str) -> list[int] | None:
    """The row count of each row group of a Parquet file, in order; None if the footer cannot be read."""
    try:
        with open(path, "rb") as stream:
            size = stream.seek(0, os.SEEK_END)
            if size < 12:
                return None
            stream.seek(size - 8)
            tail = stream.read(8)
            length = int.from_bytes(tail[:4], "little")
            if tail[4:] != _MAGIC or length > size - 12:
                return None
            stream.seek(size - 8 - length)
            reader = _Reader(stream.read(length))
        counts: list[int] = []
        for field, kind in reader.fields():
            if field != _ROW_GROUPS or kind != 9:
                reader.skip(kind)
                continue
            groups, inner = reader.collection()
            if inner != 12:
                return None
            for _ in range(groups):
                rows = None
                for member, member_kind in reader.fields():
                    if member == _NUM_ROWS and member_kind == 6:
                        rows = reader.zigzag()
                    else:
                        reader.skip(member_kind)
                if rows is None:
                    return None
                counts.append(rows)
        return counts
    except (OSError, _Broken, IndexError):
        return None


def where(counts: list[int] | None, row: int) -> tuple[int, int] | None:
    """The row group (0-based) holding a 0-based row of the file, and the row's place in it (0-based)."""
    if counts is None:
        return None
    start = 0
    for group, count in enumerate(counts):
        if row < start + count:
            return group, row - start
        start += count
    return None
