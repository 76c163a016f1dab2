"""Run ``run.py`` with a memory sample every simulated day, under tracemalloc from a given day on.

``python -m bench.reliability.traced DIR DAY_SECONDS FROM_DAY SNAP_DAYS run.py-arguments…``:
DIR/samples.jsonl gets one line a day (VmRSS; what tracemalloc traces; SQLite's own allocations,
which tracemalloc cannot see; glibc's heap in use and free, i.e. fragmentation). Tracing starts at
the end of day FROM_DAY, so it traces only what is allocated after the warm-up: what is still alive
in a later snapshot (DIR/snap-N.pickle, on the comma-separated SNAP_DAYS) is the growth, by the line
that allocated it (:func:`growth`). Diagnosis only: tracing makes the daemon slower.
"""

from __future__ import annotations

import ctypes
import gc
import itertools
import json
import linecache
import runpy
import sys
import threading
import time
import tracemalloc
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
FRAMES = 12


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks",
                 "keepcost")]


def _native() -> dict[str, float]:
    """SQLite's allocations and glibc's heap, in MB (0 where the library is not there)."""
    out: dict[str, float] = {}
    try:
        lib = ctypes.CDLL("libsqlite3.so.0")  # the copy _sqlite3 already loaded: the same counters
        lib.sqlite3_memory_used.restype = ctypes.c_int64
        out["sqlite_mb"] = lib.sqlite3_memory_used() / 2**20
    except OSError:
        pass
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallinfo2.restype = _MallInfo2
        m = libc.mallinfo2()
        out.update(heap_in_use_mb=(m.uordblks + m.hblkhd) / 2**20, heap_free_mb=m.fordblks / 2**20,
                   heap_arena_mb=m.arena / 2**20)
    except (OSError, AttributeError):
        pass
    return out


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def sample(folder: Path, n: int, started: float, *, snapshot: bool) -> dict[str, Any]:
    """One sample: the figures as a dict (also appended to samples.jsonl), and snap-N.pickle."""
    if snapshot and tracemalloc.is_tracing():
        snap = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)])
        snap.dump(str(folder / f"snap-{n}.pickle"))
    current, _peak = tracemalloc.get_traced_memory()
    row = {"n": n, "t": round(time.monotonic() - started, 1), "rss_mb": round(_rss_mb(), 1),
           "traced_mb": round(current / 2**20, 1), "threads": threading.active_count(),
           "gc_objects": len(gc.get_objects()), **{k: round(v, 1) for k, v in _native().items()}}
    with open(folder / "samples.jsonl", "a", encoding="utf-8") as f:
        f.write(json.dumps(row) + "\n")
    return row


def growth(folder: Path, day: int, top: int = 15) -> list[dict[str, Any]]:
    """What was allocated after tracing began and is still alive on *day*, by allocating traceback."""
    snap = tracemalloc.Snapshot.load(str(folder / f"snap-{day}.pickle"))
    out = []
    for stat in snap.statistics("traceback")[:top]:
        frames = [f for f in stat.traceback if "/lib/python3" not in f.filename or "site-packages" in f.filename]
        where = [f"{Path(f.filename).name}:{f.lineno} {linecache.getline(f.filename, f.lineno).strip()[:70]}"
                 for f in (frames or list(stat.traceback))[-4:]]
        out.append({"kb": round(stat.size / 1024, 1), "count": stat.count, "where": where})
    return out


def main(argv: list[str]) -> None:
    folder, every, from_day = Path(argv[0]), float(argv[1]), int(argv[2])
    snap_days, rest = {int(d) for d in argv[3].split(",") if d}, argv[4:]
    folder.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()

    def loop() -> None:
        for n in itertools.count(1):
            time.sleep(max(0.0, started + n * every - time.monotonic()))
            sample(folder, n, started, snapshot=n in snap_days)
            if n == from_day:
                tracemalloc.start(FRAMES)

    threading.Thread(target=loop, name="trace", daemon=True).start()
    sys.argv = [str(REPO / "run.py"), *rest]
    sys.path.insert(0, str(REPO))
    runpy.run_path(str(REPO / "run.py"), run_name="__main__")


if __name__ == "__main__":
    main(sys.argv[1:])
