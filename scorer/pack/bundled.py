"""The packs shipped with the scorer: the default pack, and others chosen by name (`--rules cameo`).

In the repository they are the top-level `rules/` folder (the default pack is
its YAML files; each subfolder is a named pack, never merged into the
default); the wheel carries that folder as `scorer/bundled`, and the example
events (`fixtures/`) as `scorer/examples`. `--rules default` names the
default pack. A file or folder of a named pack's name in the working
directory wins over the bundled pack, so `--rules cameo` still means `./cameo`
where that exists.

The bundled packs are read, never edited: `weights set` refuses them
(`editable`), and `scorer init` copies them to a folder of the analyst's.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from scorer.problems import printable

NAMED: tuple[str, ...] = ("default", "cameo")
DEFAULT = "default"
EXAMPLE = "kazakhstan-2009.yaml"

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
        return printable(str(path))
    if len(inside.parts) == 1:
        return f"rules/{inside}"
    return f"{inside.parts[0]}:{PurePosixPath(*inside.parts[1:])}"


def pack_name(path: str | Path | None) -> str:
    """How reports name a pack: `the bundled pack`, a named pack by its name (`cameo`), any other as given."""
    inside = PurePosixPath(".") if path is None else _inside(path)
    if inside is None:
        return printable(str(path))
    if inside == PurePosixPath("."):
        return "the bundled pack"
    if len(inside.parts) == 1 and path is not None and Path(path).is_dir():
        return f"{inside} (bundled)"
    return label(str(path))
def example_events() -> Path:
    """The example event file: inside the installed package, or the checkout's fixture."""
    inside = _PACKAGE / "examples" / EXAMPLE
    return inside if inside.is_file() else _PACKAGE.parent / "fixtures" / EXAMPLE


def resolve(path: str | None) -> str | None:
    """The path that `--rules PATH` stands for: a named pack's folder, or PATH as given."""
    if path not in NAMED or Path(path).exists():
        return path
    folder = bundled_rules() if path == DEFAULT else bundled_rules() / path
    # Reports name rule files; inside the working directory a relative path reads better.
    relative = os.path.relpath(folder)
    return relative if not relative.startswith("..") else str(folder)


def installed(path: str | Path) -> bool:
    """Whether `path` lies inside the installed package (its bundled packs): files not to be edited in place."""
    inside = (_PACKAGE / "bundled").resolve()
    target = Path(path).resolve()
    return target == inside or inside in target.parents


def editable(path: str | None) -> str | None:
    """Why `weights set` must not edit the pack `--rules PATH` names (None: it may).

    The bundled packs are part of the scorer: an edit would change every later
    run of everyone using this installation, with no history to diff. Reached
    without `--rules` or by name, they are refused from a checkout too; inside
    an installed package, by any path.
    """
    if path == "-":
        return "standard input cannot be edited"
    if path is None or (path in NAMED and not Path(path).exists()):
        return f"the bundled pack ({resolve(path) or bundled_rules()}) is part of the scorer"
    if installed(path):
        return f"{path} is inside the installed scorer"
    return None
