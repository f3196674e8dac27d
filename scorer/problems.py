"""Problems found in user input, printed `file:line:col: message`, and the text that goes into messages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# What an error message must not print as is: every control character (line
# breaks too, so a message stays one line) and the bidirectional overrides
# that make a terminal show text in another order than it is.
_UNSHOWABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one place of one input file (1-based line and column)."""

    file: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{printable(self.file)}:{self.line}:{self.col}: {self.message}"


class InputError(Exception):
    """Bad input: carries every problem found, so the user can fix them all at once."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class UsageError(ValueError):
    """An option or argument that cannot be used as given (the command says so with exit status 2)."""


def _escape(found: re.Match[str]) -> str:
    """One unshowable character as an escape such as \\x1b; a byte of a file name that is not UTF-8
    (which Python holds as U+DC80 to U+DCFF) as that byte, such as \\xff."""
    code = ord(found.group())
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """`text` safe to show on one line of a terminal: control characters as escapes such as \\x1b."""
    return _UNSHOWABLE.sub(_escape, text)


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
