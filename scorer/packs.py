"""Packs shipped with scorer besides the default one, chosen by name: `--rules cameo`.

A named pack is a folder under the bundled `rules/` (the default pack is the
YAML files at its top level; a subfolder is never merged into it). A file or
folder of the same name in the working directory wins over the bundled pack,
so `--rules cameo` still means `./cameo` where that exists.
"""

from __future__ import annotations

import os
from pathlib import Path

from scorer.rules import bundled_rules

NAMED: tuple[str, ...] = ("cameo",)


def resolve(path: str | None) -> str | None:
    """The path that `--rules PATH` stands for: a named pack's folder, or PATH as given."""
    if path not in NAMED or Path(path).exists():
        return path
    folder = bundled_rules() / path
    # Reports name rule files; inside the working directory a relative path reads better.
    relative = os.path.relpath(folder)
    return relative if not relative.startswith("..") else str(folder)
