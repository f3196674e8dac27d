"""Where one field of an event stands in its file: for warnings that point at the value, not the event.

Events keep where they start (file, line, column); a warning about their
type or partner is better placed on that value. The file is read again, once,
only when something in it is warned about. Standard input, machine-coded
exports, YAML files of more than LOCATE_YAML_BYTES and files that changed
since are named at the event's start.
"""

from __future__ import annotations

import csv
import io
import json
from functools import cached_property
from typing import Any

from scorer.io.files import file_size, read_text
from scorer.io.formats import format_for
from scorer.io.yaml import Located, load_yaml
from scorer.problems import InputError

# YAML costs about a second a megabyte to parse: larger files are named at the event's start.
LOCATE_YAML_BYTES = 2 << 20


class FileFields:
    """One hand-coded event file, read again to find where fields of its events stand."""

    def __init__(self, path: str) -> None:
        """The file at `path`, its format told by its name (None for standard input and machine-coded files)."""
        self.path = path
        try:
            self.format: str | None = format_for(path, None) if path != "-" else None
        except InputError:
            self.format = None
        if self.format == "yaml" and file_size(path) > LOCATE_YAML_BYTES:
            self.format = None  # parsing it again would cost as much as reading it did

    @cached_property
    def _text(self) -> str:
        """The file's text, read once."""
        return read_text(self.path)

    @cached_property
    def _yaml(self) -> tuple[Located, dict[tuple[int, int], tuple[Any, ...]]]:
        """The file as located YAML, and each event's path in it by where the event starts."""
        doc = load_yaml(self._text, self.path)
        starts = {}
        for path, spot in doc.values.items():
            if (len(path) == 2 and path[0] == "events") or (len(path) == 1 and isinstance(path[0], int)):
                starts[spot] = path
        return doc, starts

    @cached_property
    def _lines(self) -> list[str]:
        """The file's lines (split at newlines alone, as the JSON readers do)."""
        return self._text.split("\n")

    @cached_property
    def _header(self) -> list[str]:
        """A CSV file's field names."""
        reader = csv.reader(io.StringIO(self._text, newline=""), delimiter="\t" if self.format == "tsv" else ",")
        return [name.strip() for name in next(reader, [])]

    def spot(self, line: int, col: int, name: str) -> tuple[int, int]:
        """Where field `name` of the event that starts at (line, col) stands; (line, col) when that cannot be told."""
        try:
            found = self._find(line, col, name)
        except (InputError, OSError, ValueError, IndexError):
            return line, col
        return found or (line, col)

    def _find(self, line: int, col: int, name: str) -> tuple[int, int] | None:
        """Where the field stands by the file's format, or None."""
        if self.format == "yaml":
            doc, starts = self._yaml
            path = starts.get((line, col))
            if path is None:
                return None
            if path + (name,) in doc.values:
                return doc.where(path + (name,))
            return doc.where(("defaults", name)) if ("defaults", name) in doc.values else None
        if self.format in ("jsonl", "json"):
            key = json.dumps(name)
            for number in range(line, min(line + 1000, len(self._lines) + 1)):
                text = self._lines[number - 1]
                at = text.find(key, col - 1 if number == line else 0)
                if at >= 0:
                    return number, at + 1
                if self.format == "jsonl":
                    return None
            return None
        if self.format in ("csv", "tsv") and name in self._header:
            return line, self._header.index(name) + 1
        return None
