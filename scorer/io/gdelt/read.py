"""GDELT 1.0 and 2.0 exports read as events: by columns a block at a time, row by row where unsure."""

from __future__ import annotations

from scorer.io.gdelt.columns import block
from scorer.io.gdelt.rows import row_event
from scorer.io.machine_coded.columns import Known
from scorer.io.machine_coded.rows import Intensity, Reading
from scorer.io.machine_coded.source import read_source, sources


def read_gdelt(
    path: str, *, intensity: Intensity = "goldstein", by_columns: bool = True, left: frozenset[str] = frozenset()
) -> Reading:
    """Every row of a GDELT 1.0 or 2.0 export (or of each file in a `.zip`): an event or a skip.

    Rows are read a block at a time by columns (`scorer.io.gdelt.columns`); the
    lines that reading is not sure of (every line, without `by_columns`) are read
    one by one (`row_event`). The fields in `left` (of `LEFT_OUT`) need not be read: the events read
    by columns have none.
    """
    reading = Reading()
    known: Known = {}  # what the blocks' lookups found: dates, countries, codes (the same all through a file)
    for source in sources(path):
        read_source(
            reading,
            source,
            lambda raw, first, name: block(raw, first, name, intensity, known, left) if by_columns else None,
            lambda fields: row_event(fields, intensity),
        )
    return reading
