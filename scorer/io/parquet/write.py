"""Events written as Parquet (`scorer convert`): one file, or a folder partitioned by year.

The layout is the one `scorer.io.parquet.read` reads: the event fields as
columns (`tags` a list of text, `attrs` JSON text of an object, since the
attributes of different events need not share names or kinds), rows in
input order. With `--partition-by year` each year's events go to
`year=YYYY/part-0.parquet`, in input order within the year.

The rows of machine-coded input that did not become events go beside the
events: `NAME.skipped.parquet` for `NAME.parquet`, `_skipped.parquet` in a
folder (readers of the folder leave both out), with the rows read and the
blank lines in the file's metadata.

Nothing is left half-written: a file is written whole beside its place and
renamed there; a folder is built beside its place and renamed there, and an
existing folder is never written into.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from scorer.io.atomic import replace_file
from scorer.model.frame import EventSet
from scorer.model.skipped import Tally
from scorer.problems import UsageError

PARTITIONS = ("year",)
_ROW_GROUP = 1 << 17  # rows per row group: small enough to name a bad row's group usefully, large enough to read fast


@dataclass(frozen=True)
class Written:
    """What `convert` wrote: the events, the files, and the skipped rows' report (if any)."""

    events: int
    files: tuple[str, ...]
    skipped: str | None


def parquet_layout(frame: pl.DataFrame) -> pl.DataFrame:
    """Events of the scorer's frame as the columns of a Parquet file."""
    return frame.select(
        pl.col("id"),
        pl.col("date").cast(pl.String),
        pl.col("actor").cast(pl.String),
        pl.col("type").cast(pl.String),
        pl.col("partner").cast(pl.String),
        "intensity",
        "confidence",
        "summary",
        "source",
        "quote",
        pl.col("tags").str.json_decode(pl.List(pl.String)),
        "attrs",
    )


def _file_bytes(frame: pl.DataFrame, metadata: dict[str, str] | None = None) -> bytes:
    """A frame as the bytes of a Parquet file."""
    buffer = io.BytesIO()
    frame.write_parquet(buffer, row_group_size=_ROW_GROUP, metadata=metadata)
    return buffer.getvalue()


def write_events(events: EventSet, output: str, *, partition_by: str | None = None) -> Written:
    """Write the events (and the report of skipped rows) to `output`: a `.parquet` file, or a new folder."""
    if partition_by is not None and partition_by not in PARTITIONS:
        raise UsageError(f"--partition-by: {partition_by!r} is not one of {', '.join(PARTITIONS)}")
    target = Path(output)
    folder = partition_by is not None or not output.lower().endswith(".parquet")
    if not folder:
        parent = target.parent if str(target.parent) else Path(".")
        if not parent.is_dir():
            raise UsageError(f"--output: folder {str(parent)!r} does not exist")
        skipped = None
        if events.tally is not None:
            skipped = str(target.with_name(target.name[: -len(".parquet")] + ".skipped.parquet"))
            replace_file(Path(skipped), _skipped_bytes(events.tally))
        replace_file(target, _file_bytes(parquet_layout(events.frame)))
        return Written(len(events), (output,), skipped)
    return _write_folder(events, target, partition_by)


def _write_folder(events: EventSet, target: Path, partition_by: str | None) -> Written:
    """The events as a new folder of Parquet files, built beside it and renamed into place."""
    if target.exists():
        raise UsageError(f"--output: {str(target)!r} exists; give a new folder (or a .parquet file)")
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise UsageError(f"--output: folder {str(parent)!r} does not exist")
    building = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".scorer-tmp", dir=parent))
    try:
        frame = parquet_layout(events.frame)
        written: list[str] = []
        if partition_by is None:
            parts = [("", frame)]
        else:
            year = events.frame.select(pl.col("date").cast(pl.String).str.slice(0, 4).alias("year"))["year"]
            parts = [(f"year={key}", part.drop("year")) for key, part in _by_key(frame.with_columns(year), "year")]
        for name, part in parts:
            place = building / name if name else building
            place.mkdir(parents=True, exist_ok=True)
            (place / "part-0.parquet").write_bytes(_file_bytes(part))
            written.append(str(target / name / "part-0.parquet") if name else str(target / "part-0.parquet"))
        skipped = None
        if events.tally is not None:
            (building / "_skipped.parquet").write_bytes(_skipped_bytes(events.tally))
            skipped = str(target / "_skipped.parquet")
        os.chmod(building, 0o777 & ~_umask())
        os.rename(building, target)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return Written(len(events), tuple(written), skipped)


def _by_key(frame: pl.DataFrame, key: str) -> list[tuple[str, pl.DataFrame]]:
    """The frame split by a column's values, in sorted order of the values, rows in order within each."""
    parts = frame.partition_by(key, maintain_order=True, as_dict=True)
    return sorted(((str(k[0]), part) for k, part in parts.items()), key=lambda item: item[0])


def _skipped_bytes(tally: Tally) -> bytes:
    """The report of skipped rows as a Parquet file: one row per skip, the counts in the metadata."""
    frame = tally.skipped.frame.cast({"file": pl.String, "reason": pl.String, "message": pl.String})
    metadata = {"scorer.rows_read": str(tally.rows), "scorer.blank_lines": str(tally.skipped.blank)}
    return _file_bytes(frame, metadata)


def _umask() -> int:
    """The process's umask (read by setting it, then put back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
