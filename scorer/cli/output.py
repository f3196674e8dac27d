"""Writing a command's output to standard output as it is made."""

from __future__ import annotations

import sys
from collections.abc import Iterable


def emit(parts: Iterable[bytes]) -> None:
    """UTF-8 output written as it is made (decoded only where standard output takes text alone)."""
    sys.stdout.flush()
    binary = getattr(sys.stdout, "buffer", None)
    for part in parts:
        if binary is None:
            sys.stdout.write(part.decode("utf-8"))
        else:
            binary.write(part)
    (binary or sys.stdout).flush()
