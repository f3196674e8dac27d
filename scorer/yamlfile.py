"""YAML read through pyyaml's node tree, so every value keeps its line and column.

The tree is built into plain Python data by hand rather than by pyyaml's
constructor: that lets us refuse duplicate keys (which `safe_load` silently
collapses), cap alias expansion and nesting (a "billion laughs" document is
refused, not expanded), and resolve scalars by the YAML 1.2 core schema, so
`NO` stays a string and `2009-04-21` stays the text the analyst wrote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from scorer.problems import InputError, Problem

try:
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - pyyaml built without libyaml
    _BaseLoader = yaml.SafeLoader

Path = tuple[str | int, ...]

MAX_DEPTH = 200
MAX_NODES = 2_000_000

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


class _Loader(_BaseLoader):  # type: ignore[misc]
    """Resolves plain scalars by the YAML 1.2 core schema (no timestamps, no yes/no)."""

    yaml_implicit_resolvers: dict[str | None, list[tuple[str, re.Pattern[str]]]] = {}


for _tag, _pattern, _first in [
    (_BOOL, r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    (_NULL, r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    # Leading zeros stay text: event codes such as CAMEO `012` are not numbers.
    (_INT, r"^[-+]?(?:0|[1-9][0-9]*)$", "-+0123456789"),
    (
        _FLOAT,
        r"^(?:[-+]?(?:\.[0-9]+|(?:0|[1-9][0-9]*)(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+0123456789.",
    ),
]:
    _Loader.add_implicit_resolver(_tag, re.compile(_pattern), list(_first))


@dataclass
class Located:
    """Data built from one YAML document, with the position of every node in it."""

    data: Any
    file: str
    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)
    spans: dict[Path, tuple[int, int]] = field(default_factory=dict)

    def where(self, path: Path, *, key: bool = False) -> tuple[int, int]:
        """1-based (line, col) of the value at `path`, or of its key, or of the nearest parent."""
        while True:
            table = self.keys if key else self.values
            if path in table:
                return table[path]
            if key and path in self.values:
                return self.values[path]
            if not path:
                return (1, 1)
            path = path[:-1]
            key = False

    def problem(self, path: Path, message: str, *, key: bool = False) -> Problem:
        line, col = self.where(path, key=key)
        return Problem(self.file, line, col, message)


def describe(value: Any) -> str:
    """A type name an analyst understands."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def load_yaml(text: str, file: str) -> Located:
    """Parse one YAML document; syntax and structure problems raise InputError."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = err.problem or err.context or "not valid YAML"
        raise InputError([Problem(file, line, col, f"YAML syntax error: {message}")]) from None
    except yaml.YAMLError as err:
        raise InputError([Problem(file, 1, 1, f"YAML error: {err}")]) from None
    located = Located(None, file)
    if node is None:
        return located
    builder = _Builder(located)
    located.data = builder.build(node, (), 0)
    if builder.problems:
        raise InputError(builder.problems)
    return located


class _Builder:
    def __init__(self, located: Located) -> None:
        self.located = located
        self.problems: list[Problem] = []
        self.count = 0

    def _at(self, node: yaml.Node) -> tuple[int, int]:
        return (node.start_mark.line + 1, node.start_mark.column + 1)

    def _fail(self, node: yaml.Node, message: str) -> InputError:
        line, col = self._at(node)
        return InputError([Problem(self.located.file, line, col, message)])

    def build(self, node: yaml.Node, path: Path, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise self._fail(node, f"document too large: more than {MAX_NODES:,} values (alias expansion?)")
        if depth > MAX_DEPTH:
            raise self._fail(node, f"document nested more than {MAX_DEPTH} levels deep")
        self.located.values[path] = self._at(node)
        self.located.spans[path] = (node.start_mark.index, node.end_mark.index)
        if isinstance(node, yaml.MappingNode):
            if node.tag != _MAP:
                raise self._fail(node, f"unsupported YAML tag {node.tag}")
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                    raise self._fail(key_node, "keys must be plain names")
                key = self._scalar(key_node)
                if not isinstance(key, str):
                    key = str(key).lower() if isinstance(key, bool) else str(key)
                if key in result:
                    line, _ = self.located.keys[path + (key,)]
                    self.problems.append(
                        Problem(self.located.file, *self._at(key_node), f"duplicate key '{key}' (first at line {line})")
                    )
                    continue
                self.located.keys[path + (key,)] = self._at(key_node)
                result[key] = self.build(value_node, path + (key,), depth + 1)
            return result
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                raise self._fail(node, f"unsupported YAML tag {node.tag}")
            return [self.build(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        return self._scalar(node)

    def _scalar(self, node: yaml.Node) -> Any:
        tag, value = node.tag, node.value
        if tag == _STR:
            return value
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return value.lower() == "true"
        if tag == _INT:
            try:
                return int(value)
            except ValueError:
                raise self._fail(node, f"not a whole number: {value!r}") from None
        if tag == _FLOAT:
            lowered = value.lower()
            if lowered.endswith(".inf"):
                return float("-inf") if lowered.startswith("-") else float("inf")
            if lowered == ".nan":
                return float("nan")
            try:
                return float(value)
            except ValueError:
                raise self._fail(node, f"not a number: {value!r}") from None
        raise self._fail(node, f"unsupported YAML tag {tag}")
