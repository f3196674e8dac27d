"""YAML read through pyyaml's node tree, so every value keeps its line and column.

The tree is built into plain Python data by hand rather than by pyyaml's
constructor: that lets us refuse duplicate keys (which `safe_load` silently
collapses), cap alias expansion and nesting (a "billion laughs" document is
refused, not expanded), and resolve scalars by the YAML 1.2 core schema, so
`NO` stays a string and `2009-04-21` stays the text the analyst wrote.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from scorer.model.fields import fits_float, too_large, unprintable
from scorer.problems import InputError, Problem, printable

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
        """A problem at `path` of the document (at its key, with `key`)."""
        line, col = self.where(path, key=key)
        # Messages quote keys and values from the file, which must not carry control characters to a terminal.
        return Problem(self.file, line, col, printable(message))


def load_yaml(text: str, file: str) -> Located:
    """Parse one YAML document; syntax and structure problems raise InputError."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = err.problem or err.context or "not valid YAML"
        if mark and text[mark.index : mark.index + 1] == "\t":
            message = "a tab cannot indent YAML (use spaces)"
        raise InputError([Problem(file, line, col, f"YAML syntax error: {message}")]) from None
    except yaml.reader.ReaderError as err:
        # A character YAML does not allow (NUL, ESC, ...): named by its place, on one line.
        # libyaml counts that place in bytes of UTF-8, pyyaml's own reader in characters.
        index = err.position
        if _BaseLoader is not yaml.SafeLoader:
            index = len(text.encode("utf-8", "surrogatepass")[:index].decode("utf-8", "ignore"))
        line, col = _line_col(text, index)
        code = err.character if isinstance(err.character, int) else ord(str(err.character)[:1] or "\0")
        raise InputError([Problem(file, line, col, f"YAML does not allow the character U+{code:04X}")]) from None
    except yaml.YAMLError as err:
        raise InputError([Problem(file, 1, 1, f"YAML error: {printable(str(err))}")]) from None
    except RecursionError:
        # Only pyyaml's pure-Python parser recurses; libyaml stops at 1,000 levels itself.
        raise InputError([Problem(file, 1, 1, "document nested too deeply")]) from None
    located = Located(None, file)
    if node is None:
        return located
    builder = _Builder(located)
    # Sized before it is built: aliases let a few lines stand for billions of values
    # ("billion laughs"), which must be refused before any of them is made.
    builder.size(node)
    located.data = builder.build(node, (), 0)
    if builder.problems:
        raise InputError(builder.problems)
    return located


def _line_col(text: str, index: int) -> tuple[int, int]:
    """The 1-based line and column of a character index."""
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


class _Builder:
    """Builds plain data from a node tree, recording where each value stands."""
    def __init__(self, located: Located) -> None:
        self.located = located
        self.problems: list[Problem] = []

    def _at(self, node: yaml.Node) -> tuple[int, int]:
        """A node's 1-based line and column."""
        return (node.start_mark.line + 1, node.start_mark.column + 1)

    def _fail(self, node: yaml.Node, message: str) -> InputError:
        """An InputError at a node."""
        line, col = self._at(node)
        return InputError([Problem(self.located.file, line, col, message)])

    def size(self, root: yaml.Node) -> None:
        """Refuse a document that would build into more than MAX_NODES values, without building it.

        Each distinct node is sized once (an alias reuses its anchor's node), so
        this takes time in proportion to the text, however far aliases expand.
        The walk keeps its own stack: the tree can be as deep as libyaml allows.
        """
        sizes: dict[int, int] = {}
        inside: set[int] = set()  # nodes whose children are still being sized
        stack: list[tuple[yaml.Node, bool]] = [(root, False)]
        while stack:
            node, children_done = stack.pop()
            if isinstance(node, yaml.MappingNode):
                children = [part for pair in node.value for part in pair]
            else:
                children = node.value if isinstance(node, yaml.SequenceNode) else []
            if not children_done:
                if id(node) in sizes:
                    continue
                inside.add(id(node))
                stack.append((node, True))
                for child in children:
                    if id(child) in inside:
                        raise self._fail(child, "an alias refers to a node that contains it")
                    stack.append((child, False))
                continue
            inside.discard(id(node))
            total = 1 + sum(sizes[id(child)] for child in children)
            if total > MAX_NODES:
                if len(sizes) + 1 < total:  # fewer nodes than values: aliases repeat some
                    message = f"aliases here expand to more than {MAX_NODES:,} values: refused (a 'billion laughs' document?)"
                else:
                    message = f"this document holds more than {MAX_NODES:,} values: refused"
                raise self._fail(node, message)
            sizes[id(node)] = total

    def build(self, node: yaml.Node, path: Path, depth: int) -> Any:
        """The plain data of a node, its place and span recorded under `path`."""
        if depth > MAX_DEPTH:
            raise self._fail(node, f"document nested more than {MAX_DEPTH} levels deep")
        self.located.values[path] = self._at(node)
        self.located.spans[path] = (node.start_mark.index, node.end_mark.index)
        if isinstance(node, yaml.MappingNode):
            if node.tag != _MAP:
                raise self._fail(node, _tag_message(node.tag))
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
                        Problem(
                            self.located.file,
                            *self._at(key_node),
                            f"duplicate key '{printable(key)}' (first at line {line})",
                        )
                    )
                    continue
                self.located.keys[path + (key,)] = self._at(key_node)
                result[key] = self.build(value_node, path + (key,), depth + 1)
            return result
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                raise self._fail(node, _tag_message(node.tag))
            return [self.build(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        return self._scalar(node)

    def _scalar(self, node: yaml.Node) -> Any:
        """A scalar node's value by its resolved tag; a tag we do not read is refused."""
        tag, value = node.tag, node.value
        if tag == _STR:
            bad = unprintable(value)
            if bad is not None:
                raise self._fail(node, f"text holds the control character U+{ord(bad):04X}")
            return value
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return value.lower() == "true"
        if tag == _INT:
            try:
                number = int(value)
            except ValueError:
                # Python refuses to read more than 4,300 digits: such a number is too large anyway.
                wrong = too_large(value) if value.lstrip("+-").isdigit() else f"not a whole number: {value!r}"
                raise self._fail(node, wrong) from None
            if not fits_float(number):
                raise self._fail(node, too_large(value))
            return number
        if tag == _FLOAT:
            lowered = value.lower()
            if lowered.endswith(".inf"):
                return float("-inf") if lowered.startswith("-") else float("inf")
            if lowered == ".nan":
                return float("nan")
            try:
                real = float(value)
            except ValueError:
                raise self._fail(node, f"not a number: {value!r}") from None
            if math.isinf(real):  # written as digits (.inf is above): more than a float holds
                raise self._fail(node, too_large(value))
            return real
        raise self._fail(node, _tag_message(tag))


def _tag_message(tag: str) -> str:
    # Only plain data is ever built: `!!python/object` and friends are named and refused.
    """Why a YAML tag is refused."""
    short = tag.replace("tag:yaml.org,2002:", "!!")
    return f"YAML tag {printable(short)!r} is not allowed: only mappings, lists, text, numbers, true/false and null are read"
