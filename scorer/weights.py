"""`weights set`: change one number in the rule file that defines it, and nothing else.

The new text is spliced into the span the YAML parser reports for that
scalar, so comments, order, quoting and spacing survive. The write is atomic
(temporary file in the same folder, fsync, rename) and edits of one folder
are serialised by a lock on the folder, so two edits at once both land.

A process killed mid-edit leaves the rule file whole, old or new. Where the
system allows it, the new text is written to a file without a name (Linux
O_TMPFILE) that gets one only just before the rename, so a kill leaves no
temporary file behind except between those two calls; elsewhere the
temporary file has a name from the start. Either way its name is ours alone
(`.NAME.XXXXXXXX.scorer-tmp`, never read as a rule file), and every edit
first removes such leftovers from the folder, under the lock: whoever made
them held the lock, so they are stale.
"""

from __future__ import annotations

import contextlib
import fcntl
import math
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from scorer.problems import InputError, Problem
from scorer.rules import MAX_WEIGHT, bundled_rules, load_rules, weight_too_large
from scorer.yamlfile import Located, load_yaml

_BOM = "\ufeff"


@dataclass(frozen=True)
class Edit:
    file: str
    line: int
    rule: str
    axis: str
    old: float | None
    new: float


def parse_weight(text: str) -> float:
    """A weight as given on the command line; ValueError for text that is not a number."""
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"weight must be a number, not {text!r}") from None


def format_weight(weight: float, like: str = "") -> str:
    """The weight as YAML text, whole numbers kept whole where the file wrote them so."""
    if re.fullmatch(r"[-+]?[0-9]+", like.strip()) and weight.is_integer():
        return str(int(weight))
    return repr(weight)


def set_weight(pack_path: str | Path | None, rule_id: str, axis: str, weight: float) -> Edit:
    """Change one weight in place; refuses (InputError) and leaves every file untouched on any problem."""
    pack = load_rules(pack_path)
    try:
        rule = pack.rule(rule_id)
    except KeyError:
        where = str(pack_path) if pack_path is not None else str(bundled_rules())
        raise InputError([Problem(where, 1, 1, f"unknown rule '{rule_id}': nothing changed")]) from None
    if axis not in pack.scoring.axes:
        message = (
            f"unknown axis '{axis}' for rule '{rule_id}': axes are {', '.join(pack.scoring.axes)}; nothing changed"
        )
        raise InputError([Problem(rule.file, rule.line, 1, message)])
    if not math.isfinite(weight):
        message = f"weight of '{rule_id}' on '{axis}' must be finite, not {weight}; nothing changed"
        raise InputError([Problem(rule.file, rule.line, 1, message)])
    if abs(weight) > MAX_WEIGHT:
        message = f"{weight_too_large(f'{rule_id!r} on {axis!r}', weight)}; nothing changed"
        raise InputError([Problem(rule.file, rule.line, 1, message)])
    folder = Path(rule.file).resolve().parent
    try:
        lock = os.open(folder, os.O_RDONLY)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            _remove_leftovers(folder)
            return _edit(Path(rule.file), rule_id, axis, weight)
        finally:
            os.close(lock)
    except OSError as err:
        # A folder or file we may not write: say so as the other refusals do, not as a crash.
        message = f"cannot write {err.filename or rule.file}: {err.strerror or err}; nothing changed"
        raise InputError([Problem(rule.file, rule.line, 1, message)]) from None


# Temporary files of edits: `.NAME.` + 8 characters of tempfile's alphabet + `.scorer-tmp`.
_LEFTOVER = re.compile(r"\..+\.[a-z0-9_]{8}\.scorer-tmp")


def _remove_leftovers(folder: Path) -> None:
    """Remove temporary files that edits killed mid-way left in `folder` (call with the folder locked)."""
    with os.scandir(folder) as entries:
        for entry in entries:
            if _LEFTOVER.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)


def _edit(path: Path, rule_id: str, axis: str, weight: float) -> Edit:
    raw = path.read_bytes()
    text = raw.decode("utf-8")
    bom = text.startswith(_BOM)
    body = text[1:] if bom else text
    doc = load_yaml(body, str(path))
    index = _rule_index(doc, rule_id, path)
    signals_path = ("rules", index, "signals")
    value_path = signals_path + (axis,)
    if value_path in doc.spans:
        start, end = doc.spans[value_path]
        old_text = body[start:end]
        old = doc.data["rules"][index]["signals"][axis]
        new_body = body[:start] + format_weight(weight, old_text) + body[end:]
    else:
        old = None
        new_body = _add_signal(body, doc, signals_path, axis, format_weight(weight))
    target = value_path if value_path in doc.spans else signals_path
    if any(span == doc.spans[target] for where, span in doc.spans.items() if where != target):
        # A YAML alias (*name) shares this node with another place: the splice would change both.
        message = f"the weights of rule '{rule_id}' are shared with another place through a YAML alias; nothing changed"
        raise InputError([doc.problem(target, message)])
    check = load_yaml(new_body, str(path))
    if check.data["rules"][index]["signals"].get(axis) != weight:  # pragma: no cover - a bug of ours
        raise InputError(
            [Problem(str(path), 1, 1, "internal error: the edit did not give the new weight; file left as it was")]
        )
    _write_atomic(path, ((_BOM if bom else "") + new_body).encode("utf-8"))
    line, _ = check.where(value_path)
    return Edit(str(path), line, rule_id, axis, old, weight)


def _rule_index(doc: Located, rule_id: str, path: Path) -> int:
    for index, rule in enumerate(doc.data.get("rules", [])):
        if isinstance(rule, dict) and rule.get("id") == rule_id:
            return index
    raise InputError([Problem(str(path), 1, 1, f"rule '{rule_id}' not found in this file")])  # pragma: no cover


def _add_signal(body: str, doc: Located, signals_path: tuple[str | int, ...], axis: str, value: str) -> str:
    """A signal the rule does not have yet, added in the style of its neighbours."""
    start, end = doc.spans[signals_path]
    if body[start] == "{":
        close = body.rindex("}", start, end)
        inner = body[start + 1 : close].rstrip()
        separator = ", " if inner.strip() else ""
        return body[: start + 1] + inner + f"{separator}{axis}: {value}" + body[close:]
    axes = list(doc.data["rules"][signals_path[1]]["signals"])
    _, col = doc.where(signals_path + (axes[0],), key=True)
    last_start, last_end = doc.spans[signals_path + (axes[-1],)]
    line_end = body.find("\n", last_end)
    if line_end < 0:
        line_end = len(body)
    newline = "\r\n" if body[line_end - 1 : line_end] == "\r" else "\n"
    if newline == "\r\n":
        line_end -= 1
    return body[:line_end] + newline + " " * (col - 1) + f"{axis}: {value}" + body[line_end:]


def _write_atomic(path: Path, data: bytes) -> None:
    mode = path.stat().st_mode & 0o7777
    temp = _unnamed_then_named(path, data, mode) or _named(path, data, mode)
    try:
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def _temp_name(path: Path) -> str:
    return str(path.parent / f".{path.name}.{''.join(secrets.choice(_ALPHABET) for _ in range(8))}.scorer-tmp")


_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789_"


def _unnamed_then_named(path: Path, data: bytes, mode: int) -> str | None:
    """The new text written and synced in a file with no name, then linked under a temporary name.

    None where the system cannot do that (no O_TMPFILE, or no linking a file
    from /proc/self/fd, as in some sandboxes): the caller falls back to _named.
    """
    flag = getattr(os, "O_TMPFILE", 0)
    if not flag:
        return None
    try:
        fd = os.open(path.parent, flag | os.O_WRONLY, mode)
    except OSError:
        return None
    try:
        _write_all(fd, data, mode)
        temp = _temp_name(path)
        try:
            os.link(f"/proc/self/fd/{fd}", temp, follow_symlinks=True)
        except OSError:
            return None
        return temp
    finally:
        os.close(fd)


def _named(path: Path, data: bytes, mode: int) -> str:
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".scorer-tmp", dir=path.parent)
    try:
        _write_all(fd, data, mode)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    os.close(fd)
    return temp


def _write_all(fd: int, data: bytes, mode: int) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    os.fchmod(fd, mode)
    os.fsync(fd)
