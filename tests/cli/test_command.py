"""The command's entry point: the allocators' options set before polars loads, the user's own kept."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Run

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"

PROBE = """
import sys
import scorer
assert "polars" not in sys.modules and "numpy" not in sys.modules, "importing scorer loaded polars"
from scorer.cli import launch as main
sys.argv = ["scorer", "--version"]
main()
import gc, os
print(gc.isenabled(), gc.get_freeze_count() > 0)
print(os.environ.get("OPENBLAS_THREAD_TIMEOUT"))
print(os.environ.get("_RJEM_MALLOC_CONF"))
"""


def _glibc() -> bool:
    try:
        return os.confstr("CS_GNU_LIBC_VERSION") is not None
    except (ValueError, OSError):
        return False


def _probe(**env: str) -> list[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("_RJEM_MALLOC_CONF", "OPENBLAS_THREAD_TIMEOUT")}
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=clean | env, capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout.splitlines()


def test_the_command_sets_the_allocator_before_polars_loads() -> None:
    version, collector, spin, option = _probe()
    assert spin == "16"  # OpenBLAS's idle threads spin 2**16 cycles, not 2**28, unless the user says
    assert _probe(OPENBLAS_THREAD_TIMEOUT="20")[2] == "20"
    assert version.startswith("scorer ")
    assert collector == "True True"  # off while the modules load, on again for the run, what is loaded frozen
    # polars adds our options after its own defaults; the later ones win.
    assert option.endswith(",dirty_decay_ms:100,muzzy_decay_ms:0,narenas:1")


def test_an_option_the_user_set_is_kept() -> None:
    option = _probe(_RJEM_MALLOC_CONF="narenas:2")[-1]
    assert option.endswith(",narenas:2")
    assert "dirty_decay_ms:100" not in option


ARENAS = """
import ctypes, sys, tempfile, threading
from scorer.cli import launch
sys.argv = ["scorer", "--version"]
launch()
ready = threading.Barrier(4)
def hold():
    kept = bytearray(1 << 20)  # (glibc's malloc: an arena of its own for each thread, unless told otherwise)
    ready.wait()
threads = [threading.Thread(target=hold) for _ in range(4)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
libc = ctypes.CDLL(None)
libc.fopen.restype = ctypes.c_void_p
libc.fclose.argtypes = [ctypes.c_void_p]
libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
with tempfile.NamedTemporaryFile("r") as report:
    stream = libc.fopen(report.name.encode(), b"w")
    libc.malloc_info(0, stream)
    libc.fclose(stream)
    print(report.read().count("<heap nr="))
"""


def _arenas(**env: str) -> int:
    clean = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    done = subprocess.run(
        [sys.executable, "-c", ARENAS], env=clean | env, capture_output=True, text=True, check=True, timeout=60
    )
    return int(done.stdout.splitlines()[-1])


@pytest.mark.skipif(not _glibc(), reason="glibc's allocator only")
def test_the_command_asks_glibc_for_one_arena_unless_the_user_set_a_number() -> None:
    assert _arenas() == 1
    assert _arenas(MALLOC_ARENA_MAX="4") > 1


MAPPED = """
import ctypes, sys
from scorer.cli import launch
sys.argv = ["scorer", "--version"]
launch()
class Info(ctypes.Structure):  # glibc's struct mallinfo2
    _fields_ = [(name, ctypes.c_size_t) for name in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]
libc = ctypes.CDLL(None)
libc.mallinfo2.restype = Info
held = bytearray(4 << 20)  # a buffer of a block's size: from the heap, or a mapping of its own
print(libc.mallinfo2().hblkhd >= 4 << 20)
"""


def _mapped(**env: str) -> bool:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_") and k != "GLIBC_TUNABLES"}
    done = subprocess.run(
        [sys.executable, "-c", MAPPED], env=clean | env, capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout.splitlines()[-1] == "True"


@pytest.mark.skipif(not _glibc(), reason="glibc's allocator only")
def test_the_command_keeps_buffers_of_a_few_megabytes_in_glibcs_heap_unless_the_user_said_otherwise() -> None:
    assert not _mapped()
    assert _mapped(MALLOC_MMAP_THRESHOLD_="131072")
    assert _mapped(GLIBC_TUNABLES="glibc.malloc.mmap_threshold=131072")


def test_the_library_api_loads_on_first_use() -> None:
    import scorer

    assert scorer.read_events.__module__ == "scorer.api"
    assert scorer.score.__module__ == "scorer.api"
    assert sorted(set(scorer.__all__) - {"__version__"}) == sorted(name for name in scorer._EXPORTS)


def _command(*argv: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "scorer", *argv], capture_output=True, timeout=120, check=False)


def test_the_command_ends_with_all_its_output_written_and_its_exit_status(cli: Callable[..., Run]) -> None:
    fixture = str(FIXTURES / "kazakhstan-2009.yaml")
    done = _command("score", fixture, "--format", "json")
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode() == cli("score", fixture, "--format", "json").out
    bad = _command("score", str(FIXTURES / "no such file.yaml"))
    assert bad.returncode == 2
    assert bad.stderr.decode().endswith("no such file.yaml:1:1: no such file or folder\n")
    assert bad.stdout == b""


def test_scoring_a_large_file_by_columns_does_not_load_pydantic(tmp_path: Path) -> None:
    """pydantic and the event model cost about 60 ms of every start; the column reader does without them."""
    line = '{"id": "e%d", "date": "2009-04-21", "actor": "KAZ", "type": "exercise.join", "partner": "NATO"}\n'
    events = tmp_path / "events.jsonl"
    events.write_text("".join(line % i for i in range(15_000)))
    probe = f"""
import sys
from scorer.cli import main
assert main(["score", {str(events)!r}, "--format", "json"]) == 0
assert "pydantic" not in sys.modules, "pydantic was loaded"
"""
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]


def test_a_score_written_as_json_loads_no_analysis_and_no_other_format(tmp_path: Path) -> None:
    """The analyses and the reports of other formats make about 45 dataclasses (40-60 ms of start-up):
    loaded when first used, a score written as JSON loads none of them; a score as text loads its own."""
    probe = f"""
import sys
from scorer.cli import main
assert main(["score", {str(FIXTURES / "kazakhstan-2009.yaml")!r}, "--format", "json"]) == 0
lazy = ["scorer.analysis." + name for name in ("calibrate", "compare", "explain", "indices", "sensitivity", "uncertain", "validation")]
lazy += ["scorer.report." + name for name in ("bands", "calibrate", "compare", "csv", "markdown", "sensitivity", "sobol", "text")]
assert not [name for name in lazy if name in sys.modules], [name for name in lazy if name in sys.modules]
assert main(["score", {str(FIXTURES / "kazakhstan-2009.yaml")!r}]) == 0
assert "scorer.report.text" in sys.modules and "scorer.analysis.calibrate" not in sys.modules
"""
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]


def test_a_run_collects_young_objects_seldom_and_puts_the_collector_back() -> None:
    probe = f"""
import gc
from scorer.cli import commands, shell
seen = []
commands.run = lambda args: seen.append((gc.get_threshold(), gc.get_freeze_count() > 0)) or 0
before = gc.get_threshold()
assert shell.main(["score", {str(FIXTURES / "kazakhstan-2009.yaml")!r}]) == 0
assert seen == [((50_000, *before[1:]), True)], (seen, before)
assert gc.get_threshold() == before and gc.get_freeze_count() == 0
"""
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
