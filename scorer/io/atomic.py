"""Files written whole or not at all: a temporary file beside the target, synced, then renamed over it.

Only a regular file is replaced so: a symbolic link is followed to the file it
leads to (the link stays), and a named pipe or a device is written in place.

A process killed mid-write leaves the target whole, old or new. Where the
system allows it, the new text is written to a file without a name (Linux
O_TMPFILE) that gets one only just before the rename, so a kill leaves no
temporary file behind except between those two calls; elsewhere the
temporary file has a name from the start. Either way its name is ours alone
(`.NAME.XXXXXXXX.scorer-tmp`), and `remove_leftovers` clears such files
from a folder whose lock is held: whoever made them held the lock, so they
are stale.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import secrets
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

# Temporary files of writes: `.NAME.` + 8 characters of tempfile's alphabet + `.scorer-tmp`.
_LEFTOVER = re.compile(r"\..+\.[a-z0-9_]{8}\.scorer-tmp")
_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789_"


def replace_file(path: Path, data: bytes) -> None:
    """Write `data` to `path`: a regular file atomically, through any symbolic links; anything else directly.

    A link stays a link: the file it leads to is the one replaced. A named pipe,
    a device, or a path under /dev or /proc (`/dev/stdout`) is written in place,
    never replaced by a file. An existing file keeps its mode, a new one gets
    the usual one.
    """
    if str(path).startswith(("/dev/", "/proc/")) or _special(path):
        _write_in_place(path, data)
        return
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    _replace_regular(path, data)


def _special(path: Path) -> bool:
    """Whether `path` leads to something that exists and is not a regular file (a pipe, a device, a socket)."""
    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except (FileNotFoundError, NotADirectoryError):
        return False


def _write_in_place(path: Path, data: bytes) -> None:
    """Write `data` into what `path` names as it is (no temporary file, nothing renamed)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    except OSError as err:  # such as a full device: say which file
        raise OSError(err.errno, err.strerror, str(path)) from None
    finally:
        os.close(fd)


def _replace_regular(path: Path, data: bytes) -> None:
    """Write `data` to the regular file `path` (or a new one) whole or not at all."""
    try:
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
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


@contextlib.contextmanager
def locked_folder(folder: Path) -> Iterator[None]:
    """Hold the folder's lock (edits of one folder take turns) and clear what killed writes left there."""
    lock = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        remove_leftovers(folder)
        yield
    finally:
        os.close(lock)


def remove_leftovers(folder: Path) -> None:
    """Remove temporary files that writes killed mid-way left in `folder` (call with the folder locked)."""
    with os.scandir(folder) as entries:
        for entry in entries:
            if _LEFTOVER.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)


def _temp_name(path: Path) -> str:
    """A fresh temporary name beside `path`."""
    return str(path.parent / f".{path.name}.{''.join(secrets.choice(_ALPHABET) for _ in range(8))}.scorer-tmp")


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
    """The new text written and synced in a temporary file that has a name from the start."""
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
    """Write all of `data`, set the mode, and sync."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    os.fchmod(fd, mode)
    os.fsync(fd)
