"""Events from Parquet: a `.parquet` file, or a folder of them (Hive-style partitions such as `year=2012/`).

Each event field is a column: the text fields as text, `intensity` and
`confidence` as numbers, `tags` as a list of text, `attrs` as a struct or as
JSON text of an object. Every value is held to the same rules as in any
other format; a bad one is named by file, row group and row. A folder's
files are read in path order, those under folders or with names starting
with `_` or `.` left out; a partition folder `key=value` gives the column
`key` to the files below it that lack it, and is otherwise only a folder.

Only the columns asked for are read (`columns`), so a score whose pack tests
a few fields reads those and what every score needs.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import polars as pl

from scorer.io.columns import days_of
from scorer.io.exact import problems_of
from scorer.io.parquet.footer import row_groups, where
from scorer.model.fields import DATE_RE, MAX_FIELD_CHARS, TESTED_TEXT, TYPE_RE, UNPRINTABLE_RE, unprintable
from scorer.model.frame import NUMBER_FIELDS, SCHEMA, TEXT_FIELDS, empty
from scorer.problems import InputError, Problem

FIELDS = (*TEXT_FIELDS, *NUMBER_FIELDS, "tags", "attrs")
REQUIRED = ("id", "date", "actor", "type")
NEEDED = ("id", "date", "actor", "intensity", "confidence")  # what every score reads, tested or not
_TEXT_KINDS = (pl.String, pl.Categorical, pl.Enum)


def is_parquet(path: str) -> bool:
    """Whether a path names Parquet input: a `.parquet` file, or a folder holding one (at any depth)."""
    if path == "-":
        return False
    if path.lower().endswith(".parquet"):
        return True
    return Path(path).is_dir() and next(Path(path).rglob("*.parquet"), None) is not None


def parquet_files(path: str) -> list[str]:
    """The Parquet files a path names, in order: itself, or those below a folder (not `_`/`.` ones,
    nor reports of skipped rows)."""
    root = Path(path)
    if not root.is_dir():
        return [path]
    found = sorted(
        str(file)
        for file in root.rglob("*.parquet")
        if file.is_file()
        and not file.name.endswith(".skipped.parquet")  # what `convert` writes beside events
        and not any(part.startswith(("_", ".")) for part in file.relative_to(root).parts)
    )
    if not found:
        raise InputError([Problem(path, 1, 1, "no .parquet file in this folder")])
    return found


def partition_values(root: str, file: str) -> dict[str, str]:
    """The `key=value` folders between a root folder and one of its files."""
    if not Path(root).is_dir():
        return {}
    values = {}
    for part in Path(file).relative_to(root).parts[:-1]:
        key, equals, value = part.partition("=")
        if equals and key:
            values[unquote(key)] = unquote(value)
    return values


def read_parquet(path: str, columns: Sequence[str] | None = None) -> tuple[pl.DataFrame, list[Problem]]:
    """The events of a Parquet file or folder as a frame of `SCHEMA` (fields not read are null), and the
    problems of the rows that are not events. `columns` are the fields to read (those NEEDED always)."""
    frames, problems = [], []
    for file in parquet_files(path):
        frame, found = read_file(file, partition_values(path, file), columns)
        frames.append(frame)
        problems.extend(found)
    return (pl.concat(frames) if frames else empty()), problems


def read_file(
    file: str, partitions: dict[str, str] | None = None, columns: Sequence[str] | None = None, *, check: bool = True
) -> tuple[pl.DataFrame, list[Problem]]:
    """One Parquet file's events (`read_parquet`), with the values of its partition folders.

    `check=False` skips the checks of values, for a file read again after a first reading found none.
    """
    partitions = partitions or {}
    try:
        schema = pl.read_parquet_schema(file)
    except Exception as err:  # noqa: BLE001 - whatever polars says of a file it cannot read
        message = str(err).splitlines()[0] if str(err) else type(err).__name__
        return empty(), [Problem(file, 1, 1, f"not a readable Parquet file: {message}")]
    wanted = [name for name in FIELDS if columns is None or name in columns or name in NEEDED or name in REQUIRED]
    problems = _column_problems(file, schema, partitions)
    if problems:
        return empty(), problems
    present = [name for name in wanted if name in schema]
    try:
        frame = pl.scan_parquet(file).select(present).collect()
    except Exception as err:  # noqa: BLE001
        return empty(), [Problem(file, 1, 1, f"cannot read the Parquet file: {str(err).splitlines()[0]}")]
    frame = frame.with_columns(
        pl.lit(value, pl.String).alias(key) for key, value in partitions.items() if key in wanted and key not in schema
    )
    frame = _plain(frame, wanted)
    bad = _bad_rows(frame) if check else pl.Series([False])
    if bad.any():
        frame, problems = _named(file, frame, bad)
    return _finished(file, frame), problems


def _column_problems(file: str, schema: dict[str, Any], partitions: dict[str, str]) -> list[Problem]:
    """Columns that are not event fields, fields missing, and columns of a type no event field has."""
    problems = []
    for name, kind in schema.items():
        if name not in FIELDS and name not in partitions:
            problems.append(Problem(file, 1, 1, f"column '{name}': not an event field (fields: {', '.join(FIELDS)})"))
            continue
        if name not in FIELDS:
            continue
        expected = _expected(name, kind)
        if expected is not None:
            problems.append(Problem(file, 1, 1, f"column '{name}': expected {expected}, got {kind}"))
    for name in REQUIRED:
        if name not in schema and name not in partitions:
            problems.append(Problem(file, 1, 1, f"column '{name}': required, and missing"))
    return problems


def _expected(name: str, kind: Any) -> str | None:
    """What a column of this field must hold, if `kind` is not that; None if it is."""
    if name in NUMBER_FIELDS:
        return None if kind.is_numeric() or kind == pl.Null else "numbers"
    if name == "date":
        return None if isinstance(kind, _TEXT_KINDS) or kind in (pl.Date, pl.Null) else "text or dates"
    if name == "tags":
        ok = kind == pl.Null or (isinstance(kind, pl.List) and isinstance(kind.inner, (*_TEXT_KINDS, pl.Null)))
        return None if ok else "a list of text"
    if name == "attrs":
        if isinstance(kind, (*_TEXT_KINDS, pl.Null)):
            return None
        if isinstance(kind, pl.Struct):
            odd = [f.name for f in kind.fields if not _scalar(f.dtype)]
            return None if not odd else f"a struct of text, numbers or booleans (field '{odd[0]}' is not)"
        return "a struct, or JSON text of an object"
    return None if isinstance(kind, (*_TEXT_KINDS, pl.Null)) else "text"


def _scalar(kind: Any) -> bool:
    """Whether an attribute field of a struct holds text, a number or a boolean."""
    return bool(kind.is_numeric() or kind in (pl.Boolean, pl.Null) or isinstance(kind, _TEXT_KINDS))


def _plain(frame: pl.DataFrame, wanted: Iterable[str]) -> pl.DataFrame:
    """The fields as the checks read them: text as text, numbers as floats, dates as text, missing ones null."""
    made = []
    for name in wanted:
        if name not in frame.columns:
            kind = pl.List(pl.String) if name == "tags" else pl.Float64 if name in NUMBER_FIELDS else pl.String
            made.append(pl.lit(None, kind).alias(name))
        elif name in NUMBER_FIELDS:
            made.append(pl.col(name).cast(pl.Float64))
        elif name == "date" and frame.schema[name] == pl.Date:
            made.append(pl.col(name).dt.strftime("%Y-%m-%d"))
        elif name == "tags":
            made.append(pl.col(name).cast(pl.List(pl.String)))
        elif name == "attrs" and isinstance(frame.schema[name], pl.Struct):
            made.append(pl.col(name))
        else:
            made.append(pl.col(name).cast(pl.String))
    return frame.select(made)


def _text_bad(name: str, column: pl.Expr) -> pl.Expr:
    """Rows whose text in this field the event rules refuse (null is the caller's to judge)."""
    bad = column.str.contains(UNPRINTABLE_RE)
    if name in TESTED_TEXT:
        bad |= column.str.len_chars() > MAX_FIELD_CHARS
    if name == "type":
        bad |= ~column.str.contains(TYPE_RE.pattern)
    if name in ("id", "actor"):
        bad |= column == ""
    return bad.fill_null(False)


def _bad_rows(frame: pl.DataFrame) -> pl.Series:
    """Rows that are surely or perhaps not events (those are then validated one by one)."""
    checks = [pl.col(name).is_null() for name in REQUIRED]
    checks += [_text_bad(name, pl.col(name)) for name in TEXT_FIELDS if name in frame.columns]
    date = pl.col("date")
    checks.append(~date.str.contains(DATE_RE.pattern).fill_null(True) | days_of(date).is_null())
    for name, low, high in (("intensity", 0.0, math.inf), ("confidence", 0.0, 1.0)):
        value = pl.col(name)
        checks.append((~value.is_finite() | (value < low) | (value > high)).fill_null(False))
    if "tags" in frame.columns:
        tag = pl.element()
        refused = tag.is_null() | tag.str.contains(UNPRINTABLE_RE) | (tag.str.len_chars() > MAX_FIELD_CHARS)
        checks.append(pl.col("tags").list.eval(refused).list.any().fill_null(False))
    if "attrs" in frame.columns and isinstance(frame.schema["attrs"], pl.Struct):
        checks += [_attr_bad(field.name, field.dtype) for field in frame.schema["attrs"].fields]
    row = frame.select(pl.any_horizontal(checks)).to_series()
    if "attrs" in frame.columns and frame.schema["attrs"] == pl.String:
        texts = frame["attrs"].unique().drop_nulls().to_list()
        refused_texts = [text for text in texts if _attrs_refused(text)]
        if refused_texts:
            row |= frame["attrs"].is_in(pl.Series(refused_texts, dtype=pl.String).implode()).fill_null(False)
    return row


def _attr_bad(name: str, kind: Any) -> pl.Expr:
    """Rows whose attribute `name` of a struct column the event rules refuse."""
    value = pl.col("attrs").struct.field(name)
    bad = value.is_not_null() & pl.lit(unprintable(name) is not None or len(name) > MAX_FIELD_CHARS)
    if isinstance(kind, _TEXT_KINDS):
        text = value.cast(pl.String)
        bad |= text.str.contains(UNPRINTABLE_RE) | (text.str.len_chars() > MAX_FIELD_CHARS)
    elif kind.is_float():
        bad |= ~value.is_finite()
    return bad.fill_null(False)


def _attrs_refused(text: str) -> bool:
    """Whether JSON text of attributes may be refused: not an object of text, numbers and booleans."""
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return True
    if not isinstance(value, dict):
        return True
    return any(isinstance(item, (dict, list)) or item is None for item in value.values())


def _named(file: str, frame: pl.DataFrame, bad: pl.Series) -> tuple[pl.DataFrame, list[Problem]]:
    """The rows that pass, and the problems of those that do not, each named by row group and row."""
    counts = row_groups(file)
    problems: list[Problem] = []
    keep = ~bad
    rows = frame.with_row_index("row").filter(bad)
    kept = keep.to_list()
    for values in rows.iter_rows(named=True):
        row = values.pop("row")
        raw = {name: value for name, value in values.items() if value is not None}
        if isinstance(raw.get("attrs"), dict):  # a struct's null fields are attributes the row lacks
            raw["attrs"] = {key: value for key, value in raw["attrs"].items() if value is not None}
        elif "attrs" in raw:
            try:
                raw["attrs"] = json.loads(raw["attrs"])
            except (ValueError, RecursionError) as err:
                raw["attrs"] = f"not JSON ({err})"
        found = problems_of(raw, file, row + 1)
        if not found:
            kept[row] = True
            continue
        place = where(counts, row)
        at = f"row {row + 1:,}" + (f" (row group {place[0]}, row {place[1] + 1:,} of it)" if place else "")
        problems.extend(Problem(p.file, p.line, p.col, f"{at}: {p.message}") for p in found)
    return frame.filter(pl.Series(kept)), problems


def _finished(file: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Checked rows as a frame of `SCHEMA`: days worked out, defaults filled, tags and attrs as JSON text."""
    made: dict[str, pl.Expr] = {
        "day": days_of(pl.col("date")),
        "intensity": pl.col("intensity").fill_null(1.0),
        "confidence": pl.col("confidence").fill_null(1.0),
        "tags": _tags_text(frame),
        "attrs": _attrs_text(frame),
        "file": pl.lit(file),
        "line": pl.int_range(1, pl.len() + 1, dtype=pl.Int32),
        "col": pl.lit(1, pl.Int32),
    }
    return frame.select(
        (made[name] if name in made else pl.col(name) if name in frame.columns else pl.lit(None)).alias(name)
        for name in SCHEMA
    ).cast(SCHEMA)  # type: ignore[arg-type]


def _tags_text(frame: pl.DataFrame) -> pl.Expr:
    """Tags as the JSON text other readers keep (`json.dumps` of the list), made once per distinct list."""
    if "tags" not in frame.columns or frame["tags"].null_count() == frame.height:
        return pl.lit(None, pl.String)
    # A list as one text (its tags hold no NUL: the checks refuse control characters), "\x01" when empty.
    tags = pl.col("tags")
    key = pl.when(tags.list.len() == 0).then(pl.lit("\x01")).otherwise(tags.list.join("\x00"))
    distinct = frame.select(key.unique().drop_nulls()).to_series().to_list()
    texts = {text: json.dumps([] if text == "\x01" else text.split("\x00")) for text in distinct}
    return key.replace_strict(texts, return_dtype=pl.String)


def _attrs_text(frame: pl.DataFrame) -> pl.Expr:
    """Attributes as JSON text of an object (a struct's null fields left out)."""
    if "attrs" not in frame.columns:
        return pl.lit(None, pl.String)
    kind = frame.schema["attrs"]
    if not isinstance(kind, pl.Struct):
        return pl.col("attrs").cast(pl.String)
    items = []
    for field in sorted(kind.fields, key=lambda f: f.name):
        value = pl.col("attrs").struct.field(field.name)
        if isinstance(field.dtype, (pl.Categorical, pl.Enum)):
            value = value.cast(pl.String)
        # One field as a struct of its own, in JSON: `{"name":value}`; its inside is the item.
        item = pl.struct(value.alias(field.name)).struct.json_encode().str.slice(1).str.head(-1)
        items.append(pl.when(value.is_not_null()).then(item))
    if not items:
        return pl.when(pl.col("attrs").is_not_null()).then(pl.lit("{}"))
    joined = pl.lit("{") + pl.concat_str(items, separator=",", ignore_nulls=True) + pl.lit("}")
    return pl.when(pl.col("attrs").is_not_null()).then(joined)
