"""The packs shipped with the scorer: the default pack, and others chosen by name (`--rules cameo`).

In the repository they are the top-level `rules/` folder (the default pack is
its YAML files; each subfolder is a named pack, never merged into the
default); the wheel carries that folder as `scorer/bundled`. A file or folder
of a named pack's name in the working directory wins over the bundled pack,
so `--rules cameo` still means `./cameo` where that exists.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

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


def _inside(path: str | Path) -> PurePosixPath | None:
    """Where `path` is within the bundled packs' folder, or None for a path outside it."""
    try:
        return PurePosixPath(Path(path).resolve().relative_to(bundled_rules().resolve()).as_posix())
    except ValueError:
        return None


def label(path: str | Path) -> str:
    """How reports name a rule file: by its place in its pack, never by where the scorer is installed.

    A file of the default pack is `rules/military.yaml`, one of a named pack
    `cameo:conflict.yaml`; any other file is named as it was given. Only
    reports use this name: editing a weight writes to the real file.
    """
    inside = _inside(path)
    if inside is None:
        return str(path)
    if len(inside.parts) == 1:
        return f"rules/{inside}"
    return f"{inside.parts[0]}:{PurePosixPath(*inside.parts[1:])}"


def pack_name(path: str | Path | None) -> str:
    """How reports name a pack: `the bundled pack`, a named pack by its name (`cameo`), any other as given."""
    inside = PurePosixPath(".") if path is None else _inside(path)
    if inside is None:
        return str(path)
    if inside == PurePosixPath("."):
        return "the bundled pack"
    if len(inside.parts) == 1 and path is not None and Path(path).is_dir():
        return f"{inside} (bundled)"
    return label(str(path))


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
