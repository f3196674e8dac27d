"""The `scorer` command line: `run` is the installed command's entry point, `main(argv)` the function tests call.

The entry point sets up the allocator, then runs the CLI.

polars allocates with jemalloc and reads options to add from
`_RJEM_MALLOC_CONF` when it loads. A scoring run frees most of what it
allocates within a second (each block of a large file is parsed, checked and
dropped), so the command asks for freed pages to go back to the system after
100 ms with no "muzzy" stage, and for one arena shared by all threads, so that
a block parsed on one thread reuses the pages another's block freed: kept
pages would otherwise add up to the run's peak (benchmarks/README.md has the
figures). The option must be in the environment before polars loads, and a
value the user has set is kept. Where the C library is glibc, its own
allocator (which holds Python's and numpy's large buffers, such as the blocks
of a file as they are read) is likewise asked for one arena for all threads:
with an arena per thread, each kept the pages its blocks freed (50 MB more at
the peak of a million GDELT rows). It is also asked to keep buffers under
8 MB in its heap rather than map each one afresh, and to give the heap's
free top back only past 32 MB: a run allocates and frees buffers of a few
megabytes thousands of times, and each fresh mapping is paid for again in
page faults (10-15% of a million-event run's faults, about 10% of its time). An
option the user set (`MALLOC_ARENA_MAX`, `MALLOC_MMAP_THRESHOLD_`,
`MALLOC_TRIM_THRESHOLD_`, or its name in `GLIBC_TUNABLES`) is kept. Only the
command does this; importing `scorer` as a library leaves the allocators
alone.

OpenBLAS, which numpy loads, starts its worker threads spinning for about
0.1 s of a core (2**28 cycles) before they sleep, just when the command
parses its first blocks on that core (below): the command asks them to
spin 2**16 cycles after a task instead (`OPENBLAS_THREAD_TIMEOUT`, unless
the user set it), which keeps them quick between the matrix products the
analyses ask for. A BLAS that is not OpenBLAS ignores it.

As soon as polars is loaded, a thread parses the first blocks of the large
JSON Lines file a `score` or `explain` command names (`scorer.io.early`):
the rest of the loading runs on one core, and polars parses on the other.
While the command loads its modules, the cyclic garbage collector is off.
The command also ends its process without tearing the interpreter down: once
its output is flushed, nothing is left to do but free memory the system takes
back anyway, object by object.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import importlib
import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scorer.cli.shell import main

__all__ = ["launch", "main", "run"]

_ALLOCATOR = "_RJEM_MALLOC_CONF"  # how polars' jemalloc reads its options
_RETURN_FREED_MEMORY = "dirty_decay_ms:100,muzzy_decay_ms:0,narenas:1"
# OpenBLAS (numpy's and scipy's wheels): how long an idle worker thread spins, as a power of 2 of cycles.
_BLAS_SPIN = ("OPENBLAS_THREAD_TIMEOUT", "16")
# glibc's allocator options the command sets at run time (`mallopt`; malloc.h's numbers), each with its value
# and how the user would have set it before the process started: a variable, or a name in GLIBC_TUNABLES.
_GLIBC_OPTIONS = (
    (-8, 1, "MALLOC_ARENA_MAX", "glibc.malloc.arena_max"),  # M_ARENA_MAX: one arena for all threads
    (-3, 8 << 20, "MALLOC_MMAP_THRESHOLD_", "glibc.malloc.mmap_threshold"),  # M_MMAP_THRESHOLD
    (-1, 32 << 20, "MALLOC_TRIM_THRESHOLD_", "glibc.malloc.trim_threshold"),  # M_TRIM_THRESHOLD
)


def run() -> None:
    """The `scorer` command: `launch`, then the process ends with its exit status once its output is flushed."""
    status = launch()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a reader that went away, a stream closed
            stream.flush()
    os._exit(status)


def launch() -> int:
    """The command line run as the command runs it: the allocator set up before polars loads, then `main`."""
    if "polars" not in sys.modules:
        os.environ.setdefault(_ALLOCATOR, _RETURN_FREED_MEMORY)
    if "numpy" not in sys.modules:
        os.environ.setdefault(*_BLAS_SPIN)
    tune_glibc()
    # Loading makes many objects and no garbage: the cyclic garbage collector would walk them 120 times
    # (40-50 ms) for nothing. What is loaded stays for the whole run: it need not walk it again at each
    # full collection either.
    enabled = gc.isenabled()
    gc.disable()
    try:
        # polars first (after the allocator is set): a large JSON Lines file's first blocks are parsed
        # on the other core while the rest loads (`scorer.io.early`).
        importlib.import_module("scorer.io.early").begin(sys.argv[1:])
        shell = importlib.import_module("scorer.cli.shell")
    finally:
        if enabled:
            gc.enable()
    gc.freeze()
    status: int = shell.main()
    return status


def tune_glibc() -> list[str]:
    """Set glibc's allocator options (`_GLIBC_OPTIONS`) the user has not set; the variables of those set.
    Elsewhere than glibc, nothing is done."""
    try:
        glibc = os.confstr("CS_GNU_LIBC_VERSION") is not None
    except (ValueError, OSError):  # not a name this system knows
        glibc = False
    if not glibc:
        return []
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return []
    tunables = os.environ.get("GLIBC_TUNABLES", "")
    return [
        variable
        for option, value, variable, tunable in _GLIBC_OPTIONS
        if variable not in os.environ and tunable not in tunables and mallopt(option, value)
    ]


def __getattr__(name: str) -> Any:
    """`main`, loaded when first asked for (it loads polars)."""
    if name == "main":
        return importlib.import_module("scorer.cli.shell").main
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
