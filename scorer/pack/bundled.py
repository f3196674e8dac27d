"""The packs shipped with the scorer: the default pack, and others chosen by name (`--rules cameo`).

In the repository they are the top-level `rules/` folder (the default pack is
its YAML files; each subfolder is a named pack, never merged into the
default); the wheel carries that folder as `scorer/bundled`. A file or folder
of a named pack's name in the working directory wins over the bundled pack,
so `--rules cameo` still means `./cameo` where that exists.
"""

from __future__ import annotations

import os
from pathlib import Path

NAMED: tuple[str, ...] = ("cameo",)

_PACKAGE = Path(__file__).resolve().parent.parent


def bundled_rules() -> Path:
    """The folder of the bundled packs: inside the installed package, or the checkout's top-level `rules/`."""
    inside = _PACKAGE / "bundled"
    if inside.is_dir():
        return inside
    return _PACKAGE.parent / "rules"


def shown(path: Path) -> Path:
    """A bundled pack's file named as `rules/...` when run from the checkout, not by an absolute path."""
    relative = os.path.relpath(path)
    return Path(relative) if not relative.startswith("..") else path


def resolve(path: str | None) -> str | None:
    """The path that `--rules PATH` stands for: a named pack's folder, or PATH as given."""
    if path not in NAMED or Path(path).exists():
        return path
    folder = bundled_rules() / path
    # Reports name rule files; inside the working directory a relative path reads better.
    relative = os.path.relpath(folder)
    return relative if not relative.startswith("..") else str(folder)


def installed(path: str | Path) -> bool:
    """Whether `path` lies inside the installed package (its bundled packs): files not to be edited in place."""
    inside = (_PACKAGE / "bundled").resolve()
    target = Path(path).resolve()
    return target == inside or inside in target.parents
