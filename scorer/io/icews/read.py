"""ICEWS event files read as events: by columns a block at a time, row by row where unsure."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scorer.io.icews.columns import block
from scorer.io.icews.rows import Header, read_header, row_event
from scorer.io.machine_coded.columns import Block
from scorer.io.machine_coded.rows import Intensity, Reading
from scorer.io.machine_coded.source import read_source, sources
from scorer.problems import InputError, Problem

if TYPE_CHECKING:
    from scorer.model.event import Event


def read_icews(path: str, *, intensity: Intensity = "goldstein", by_columns: bool = True) -> Reading:
    """Every row of an ICEWS event file (or of each file in a `.zip`): an event or a skip.

    Rows are read a block at a time by columns (`scorer.io.icews.columns`); the
    lines that reading is not sure of (every line, without `by_columns`) are read
    one by one (`row_event`).
    """
    reading = Reading()
    for source in sources(path):
        headers: list[Header] = []  # the source's header, once its first line is read

        def header(fields: list[str], name: str = source.name, headers: list[Header] = headers) -> None:
            """Read the source's header row."""
            headers.append(read_header(fields, name))

        def columns(raw: bytes, first: int, name: str, headers: list[Header] = headers) -> Block | None:
            """A block of the source by columns."""
            return block(raw, first, name, headers[0], intensity) if by_columns else None

        def by_row(fields: list[str], headers: list[Header] = headers) -> Event:
            """One row of the source."""
            return row_event(fields, headers[0], intensity)

        read_source(reading, source, columns, by_row, header)
        if not headers:
            raise InputError([Problem(source.name, 1, 1, "empty file: expected the ICEWS header row")])
    return reading
