"""`scorer init DIR`: a folder of the analyst's own to work in, with a copy of the bundled packs to edit.

The folder gets `rules/` (the default pack's files, and the CAMEO pack in
`rules/cameo/`), an example event file and a README on the workflow. Nothing
that exists is overwritten; the files appear whole or not at all (each is
made beside its place and renamed into it, the rules folder as one).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from scorer.io.atomic import replace_file
from scorer.pack.bundled import bundled_rules, example_events
from scorer.problems import UsageError

RULES = "rules"
EVENTS = "events.yaml"
README = "README.md"

_README = """\
# Alignment scoring: {name}

Made by `scorer init`. Everything here is yours to edit; keep it under
version control (`git init && git add . && git commit -m start`) so that
every change of a weight can be diffed and undone.

- `rules/`: a copy of the scorer's bundled pack (the YAML files read in
  name order: `00-scoring.yaml` holds the codebook, axes and sets, the others
  the rules). `rules/cameo/` is the CAMEO pack for GDELT and ICEWS exports.
- `{events}`: example events (Kazakhstan, 2009). Add your own files beside it.

## Workflow

    scorer validate {events} --rules rules        # typos, unknown types and partners
    scorer score {events} --rules rules           # the running balance
    scorer explain {events} --rules rules         # which events and rules drive it
    scorer sensitivity {events} --rules rules     # which weights matter
    scorer weights set exercise-join-west.nato 2.0 --rules rules
    scorer compare {events} --rules default --rules rules   # your pack against the bundled one

`weights set` changes one number in the rule file that defines it and keeps
everything else (comments, order, spacing). `--set RULE.AXIS=WEIGHT` tries a
weight for one run without editing anything. Machine-coded events (GDELT,
ICEWS) are scored with `--rules rules/cameo`.
"""


def _fresh(path: Path) -> None:
    """Refuse a path that already exists: init writes only what is not there."""
    if path.exists() or path.is_symlink():
        raise UsageError(f"init: {path} already exists; nothing written (choose a new folder, or move it away)")


def init(folder: str | Path) -> list[Path]:
    """Write the starter folder; the paths written, in order. UsageError when any of them exists already."""
    root = Path(folder)
    if root.exists() and not root.is_dir():
        raise UsageError(f"init: {root} is a file, not a folder")
    targets = [root / RULES, root / EVENTS, root / README]
    for target in targets:
        _fresh(target)
    root.mkdir(parents=True, exist_ok=True)
    _copy_rules(root / RULES)
    replace_file(root / EVENTS, example_events().read_bytes())
    text = _README.format(name=root.resolve().name, events=EVENTS)
    replace_file(root / README, text.encode("utf-8"))
    return targets


def _copy_rules(target: Path) -> None:
    """The bundled packs copied to `target` as one folder, renamed into place once whole."""
    made = Path(tempfile.mkdtemp(prefix=".rules-", dir=target.parent))
    try:
        source = bundled_rules()
        # Plain copies: the installed files' permissions (read-only, perhaps) are not the analyst's.
        shutil.copytree(
            source,
            made,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns("__pycache__", ".*"),
            copy_function=shutil.copyfile,
        )
        # Folders as the analyst's own: writable, whatever the installed ones were.
        for folder in [made, *(path for path in made.rglob("*") if path.is_dir())]:
            os.chmod(folder, 0o777 & ~_umask())
        made.rename(target)
    except BaseException:
        shutil.rmtree(made, ignore_errors=True)
        raise


def _umask() -> int:
    """The process's file-creation mask (read by setting it, then put back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask
