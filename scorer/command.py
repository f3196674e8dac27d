"""The `scorer` command's entry point: the allocator set up, then the CLI.

polars allocates with jemalloc and, when it loads, tells it to keep pages it
has freed for half a second and then for another second as "muzzy" pages,
which still count as resident (it reads options to add from
`_RJEM_MALLOC_CONF`). A scoring run frees most of what it allocates within a
second: each block of a large file is parsed, checked and dropped. Kept pages
add up: on the million-event benchmark the peak was about 100 MB higher than
with pages given back after 100 ms and no muzzy stage (the faster the read,
the more blocks' pages are still kept when it ends: 200 ms left ~20 MB more).
Giving pages back at once (0 ms) saves ~35 MB more but costs ~0.15 s. One
arena for all threads (`narenas:1`, rather than four per core) lets a block
parsed on one thread reuse the pages another thread's block freed: ~15 MB
lower peak (253-270 MB against 272-294 MB over eight runs each), no slower.
The option must be in the environment before polars loads, and a value the
user has set is kept. Only the command does this; importing `scorer` as a
library leaves the allocator alone.

The command (`run`) also ends its process without tearing the interpreter
down: once its output is flushed, nothing is left to do but free memory the
system takes back anyway, and after a large run Python spent about 60 ms
doing that object by object.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys

_ALLOCATOR = "_RJEM_MALLOC_CONF"  # how polars' jemalloc reads its options
_RETURN_FREED_MEMORY = "dirty_decay_ms:100,muzzy_decay_ms:0,narenas:1"


def main() -> int:
    if "polars" not in sys.modules:
        os.environ.setdefault(_ALLOCATOR, _RETURN_FREED_MEMORY)
    from scorer.cli import main as cli

    # What is loaded stays for the whole run: the cyclic garbage collector need not
    # walk it again at each full collection (one while a pack loads took ~14 ms).
    gc.freeze()
    return cli()


def run() -> None:
    """The `scorer` command: `main`, then the process ends with its exit status."""
    status = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a reader that went away, a stream closed
            stream.flush()
    os._exit(status)
