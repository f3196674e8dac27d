"""The `scorer` command's entry point: the allocator set up, then the CLI.

polars allocates with jemalloc, which by default keeps memory it has freed for
ten seconds before giving it back. A scoring run frees most of what it
allocates within a second (each block of a large file is parsed, checked and
dropped), so kept memory adds up: on the million-event benchmark the peak was
about 50 MB higher. Giving freed pages back after 200 ms costs no measurable
time. The setting must be in the environment before polars loads, and a value
the user has set is kept. Only the command does this; importing `scorer` as a
library leaves the allocator alone.
"""

from __future__ import annotations

import os
import sys

_ALLOCATOR = "_RJEM_MALLOC_CONF"  # how polars' jemalloc reads its options
_RETURN_FREED_MEMORY = "dirty_decay_ms:200,muzzy_decay_ms:0"


def main() -> int:
    if "polars" not in sys.modules:
        os.environ.setdefault(_ALLOCATOR, _RETURN_FREED_MEMORY)
    from scorer.cli import main as cli

    return cli()
