"""The reliability scenarios; each takes the parsed arguments and returns its figures (and "pass")."""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sample_province

REPO = Path(__file__).resolve().parents[2]
# HTML lists with detail pages, a JSON API, feeds: every kind of collection, one site each
SOURCES = ["harbin", "qiqihar", "daqing", "fgw", "jyt", "xinhua", "portal-ljdt", "portal-zwdt", "county-hulan"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _config(path: Path, province: Any, ids: list[str], *, every: str = "10s", daemon: str = "",
            review: str = "auto") -> None:
    by_id = {s["id"]: s for s in province.sources()}
    chosen = [{**{k: v for k, v in by_id[i].items() if k != "cron"}, "every": every, "review": review} for i in ids]
    path.write_text("[collector]\nper_host = 8\nconnect_timeout = 3.0\nread_timeout = 60.0\ntotal_timeout = 120.0\n"
                    "backoff_base = 10\nbackoff_cap = 60\n\n[web]\npublish_every = 1\n\n"
                    f"[daemon]\n{daemon}\n\n" + sample_province.to_toml(chosen), encoding="utf-8")


def _daemon(config: Path, db: Path, *, launcher: list[str] | None = None, **popen: Any) -> subprocess.Popen:
    """`run.py daemon` on a free port, kept as ``.port`` (*launcher*: what runs run.py instead of plain Python)."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, *(launcher or [str(REPO / "run.py")]), "--config", str(config), "--db",
                             str(db), "daemon", "--port", str(port)], cwd=str(REPO),
                            stdout=subprocess.DEVNULL, stderr=popen.pop("stderr", subprocess.DEVNULL), **popen)
    proc.port = port  # type: ignore[attr-defined]
    return proc


def _wait_live(proc: subprocess.Popen, timeout: float = 120.0) -> float:
    """Seconds until the daemon answers /healthz/live (it has loaded everything and serves)."""
    import urllib.request

    began = time.monotonic()
    while time.monotonic() < began + timeout and proc.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{proc.port}/healthz/live", timeout=2):
                return time.monotonic() - began
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the daemon did not start")


def _cli(config: Path, db: Path, *args: str) -> str:
    out = subprocess.run([sys.executable, str(REPO / "run.py"), "--config", str(config), "--db", str(db), *args],
                         cwd=str(REPO), capture_output=True, text=True, timeout=900)
    if out.returncode:
        raise RuntimeError(f"run.py {' '.join(args)}: {out.stderr.strip()}")
    return out.stdout


def kills(args: Any) -> dict[str, Any]:
    """kill -9 at random moments while the daemon collects and publishes, then one clean run:
    every released story stored once, published once, the stream's seq without gaps."""
    rng = random.Random(12)
    with tempfile.TemporaryDirectory() as tmp, sample_province.start(port=0, seed=9, latency_ms=40) as province:
        province.advance(days=1)
        cfg, db = Path(tmp) / "c.toml", Path(tmp) / "h.db"
        _config(cfg, province, SOURCES)
        moments = []
        for n in range(args.rounds):
            if n:  # new stories between rounds, fewer than a feed shows (what falls off a list unseen is
                province.advance(hours=rng.uniform(0.2, 1.0))  # no kill's doing)
            launched = time.monotonic()
            proc = _daemon(cfg, db)
            # once it serves (its dictionaries loaded), collection and publishing run at once
            moment = _wait_live(proc) + rng.uniform(0.0, 6.5)
            time.sleep(max(0.0, moment - (time.monotonic() - launched)))
            proc.kill()
            proc.wait()
            moments.append(round(moment, 2))
        # one clean pass at the end: collect everything due, ingest, publish
        _cli(cfg, db, "collect")
        _cli(cfg, db, "publish")
        truth = province.truth()["items"]
        # the control: a database never killed, collecting what the lists show now
        control_db = Path(tmp) / "control.db"
        _cli(cfg, control_db, "collect")
        control = sqlite3.connect(control_db)
        try:
            visible = {r[0] for r in control.execute("SELECT url FROM items")}
        finally:
            control.close()
        conn = sqlite3.connect(db)
        try:
            urls = [r[0] for r in conn.execute("SELECT url FROM items")]
            per_item = conn.execute("SELECT item_id, count(*) FROM published WHERE action = 'publish' "
                                    "GROUP BY item_id HAVING count(*) > 1").fetchall()
            seqs = [r[0] for r in conn.execute("SELECT seq FROM published ORDER BY seq")]
            integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
            published = conn.execute("SELECT count(DISTINCT item_id) FROM published").fetchone()[0]
        finally:
            conn.close()
    sites = {"xinhua", "harbin", "qiqihar", "daqing", "fgw", "jyt", "county-hulan"}
    live = {t["url"] for t in truth if not t.get("deleted") and (t["site"] in sites or
                                                                   t.get("source") in ("portal-ljdt", "portal-zwdt"))}
    lost = visible - set(urls)  # on the lists now, collected by the control, missing after the kills
    gaps = [b for a, b in zip(seqs, seqs[1:], strict=False) if b != a + 1]
    return {"rounds": args.rounds, "kill_after_seconds": moments, "stories_released": len(live),
            "items_stored": len(urls), "control_items": len(visible),
            "released_never_seen_by_either": len(live - visible - set(urls)), "lost": len(lost), "lost_examples": sorted(lost)[:3],
            "stored_twice": len(urls) - len(set(urls)), "published_items": published,
            "published_twice": len(per_item), "stream_rows": len(seqs), "seq_gaps": len(gaps),
            "integrity": integrity,
            "pass": not lost and len(urls) == len(set(urls)) and not per_item and not gaps and integrity == "ok"}


@contextlib.contextmanager
def cpu_load(burners: int) -> Iterator[list[subprocess.Popen]]:
    """*burners* processes spinning a Python loop each (a loaded machine on demand), ended on exit."""
    procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(burners)]
    try:
        if procs:
            time.sleep(5.0)  # the burners have the cores before the first trial
        yield procs
    finally:
        for proc in procs:
            proc.kill()
        for proc in procs:
            proc.wait()


PHASE = re.compile(r"^stop: (?P<what>.*) \+(?P<at>\d+\.\d+)s$")


def _stop_phases(log_path: Path) -> tuple[float | None, list[tuple[str, float]]]:
    """From the daemon's JSON log: when its handler ran (wall clock, from the deadline it logged
    less stop_timeout) and its stop phases (what, seconds after the handler); None and [] from a
    daemon that logs neither (an older commit, measured for comparison)."""
    handled, phases = None, []
    for line in log_path.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.startswith("{"):
            continue
        msg = json.loads(line).get("msg", "")
        if " received: stopping within " in msg and "s, by " in msg:  # (a daemon before 2026-12-07 says no "by")
            within, _, by = msg.partition(" received: stopping within ")[2].partition("s, by ")
            handled = datetime.fromisoformat(by).timestamp() - float(within)
        elif m := PHASE.match(msg):
            phases.append((m["what"], float(m["at"])))
    return handled, phases


def stop(args: Any) -> dict[str, Any]:
    """SIGTERM with every site hanging (the default stop_timeout, 10 s), --trials times, with
    --load CPU burners; each trial's daemon log kept in --logs, its stop phases reported."""
    logs = Path(args.logs or tempfile.mkdtemp(prefix="huiju-stop-logs-"))
    logs.mkdir(parents=True, exist_ok=True)
    took = []
    with cpu_load(args.load):
        for trial in range(args.trials):
            with tempfile.TemporaryDirectory() as tmp, sample_province.start(port=0, seed=3, faults="hang") as province:
                province.advance(days=1)
                cfg = Path(tmp) / "c.toml"
                ids = [s["id"] for s in province.sources()][:40]
                _config(cfg, province, ids, daemon=f'stop_timeout = {args.stop_timeout}\nlog_format = "json"')
                log_path = logs / f"stop-trial{trial + 1}.log"
                with open(log_path, "wb") as log_file:
                    proc = _daemon(cfg, Path(tmp) / "h.db", stderr=log_file)
                    end = time.monotonic() + 120
                    while time.monotonic() < end and sum(c["active"] for c in province.counters_snapshot(0).values()) < 8:
                        time.sleep(0.1)
                    time.sleep(1.0)  # every worker blocked on a site that never answers
                    hanging = sum(c["active"] for c in province.counters_snapshot(0).values())
                    load = os.getloadavg()[0]
                    killer = threading.Timer(60, proc.kill)  # a daemon that never stops fails the trial, not the bench
                    killer.start()
                    sent = time.time()
                    proc.send_signal(signal.SIGTERM)
                    proc.wait()  # a blocking waitpid: the exit is seen when it happens
                    exited = time.time()
                    killer.cancel()
                handled, phases = _stop_phases(log_path)
                last = phases[-1][1] if phases else None
                took.append({
                    "hanging_requests": hanging, "load_average_1m": round(load, 1),
                    "exit_seconds": round(exited - sent, 2), "exit_code": proc.returncode,
                    "signal_to_handler_seconds": round(handled - sent, 3) if handled else None,
                    "phases": [f"+{at:.2f}s {what}" for what, at in phases],
                    "last_line_to_exit_seconds": round(exited - handled - last, 2) if handled and last else None,
                    "log": str(log_path)})
            print(json.dumps(took[-1], ensure_ascii=False), flush=True)
    return {"stop_timeout": args.stop_timeout, "cpu_burners": args.load, "trials": took,
            "max_exit_seconds": max(t["exit_seconds"] for t in took), "logs": str(logs),
            "pass": all(t["exit_seconds"] <= args.stop_timeout and t["exit_code"] == 0 for t in took)}


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def month(args: Any) -> dict[str, Any]:
    """A simulated month at high clock speed: the daemon's resident memory per simulated day, then
    the database's size per item before and after the retention policy (run 60 days later)."""
    day_seconds = 86400 / args.speed
    with tempfile.TemporaryDirectory() as tmp, sample_province.start(port=0, seed=11, speed=args.speed) as province:
        cfg, db = Path(tmp) / "c.toml", Path(tmp) / "h.db"
        ids = [s["id"] for s in province.sources()][:30]
        _config(cfg, province, ids, every="10s")
        env = {**os.environ, **({"MALLOC_ARENA_MAX": str(args.arena_max)} if args.arena_max else {})}
        trace_dir = Path(args.trace) if args.trace else None
        snap_days = sorted({d for d in (args.warmup_days + 1, 10, 20, args.days) if args.warmup_days < d <= args.days})
        launcher = (["-m", "bench.reliability.traced", str(trace_dir), str(day_seconds), str(args.warmup_days),
                     ",".join(map(str, snap_days))] if trace_dir else None)
        proc = _daemon(cfg, db, env=env, launcher=launcher, stderr=open(Path(tmp) / "daemon.log", "wb"))
        rss: list[float] = []
        # day 1 begins when the daemon serves (its dictionaries loaded), not when it was launched
        started_in = _wait_live(proc)
        start = time.monotonic()
        try:
            for day in range(1, args.days + 1):
                while time.monotonic() < start + day * day_seconds:
                    time.sleep(0.5)
                if proc.poll() is not None:
                    raise RuntimeError(f"the daemon exited ({proc.returncode}) on simulated day {day}")
                rss.append(round(_rss_mb(proc.pid), 1))
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)
        sizes = _size_per_item(db, cfg)
        if trace_dir:
            shutil.copy(Path(tmp) / "daemon.log", trace_dir / "daemon.log")
    traced = _trace_report(trace_dir, snap_days) if trace_dir else {}
    # The first full round of checks and the first ingest (jieba's dictionary) take longer than a
    # simulated day at this speed: growth is measured from the end of the warm-up days.
    warm = min(args.warmup_days, len(rss)) - 1
    base, peak = rss[warm], max(rss[warm + 1:] or rss[warm:])
    return {"days": args.days, "speed": args.speed, "malloc_arena_max": args.arena_max,
            "start_seconds": round(started_in, 1), "rss_mb_per_day": rss,
            "warmup_days": warm + 1, "rss_after_warmup_mb": base, "rss_max_after_warmup_mb": peak,
            "growth_after_warmup_pct": round(100 * (peak - base) / base, 1),
            "growth_after_day1_pct": round(100 * (max(rss[1:] or rss) - rss[0]) / rss[0], 1),
            **sizes, **traced, "pass": peak <= base * 1.10}


def _trace_report(folder: Path, days: list[int]) -> dict[str, Any]:
    """--trace: the daemon's own samples per day, and what was allocated after the warm-up and is
    still alive on each snapshot day (by allocating line)."""
    from bench.reliability import traced

    samples = [json.loads(line) for line in (folder / "samples.jsonl").read_text().splitlines()]
    taken = [d for d in days if (folder / f"snap-{d}.pickle").exists()]
    return {"trace_samples": samples, "trace_alive_since_warmup": {f"day {d}": traced.growth(folder, d) for d in taken}}


def _size_per_item(db: Path, cfg: Path) -> dict[str, Any]:
    """Bytes per item of the database (VACUUMed copies) now and after the retention policy runs
    60 days later (everything past raw_days / versions_days)."""
    import pipeline
    import settings
    import store
    from pipeline import maintenance

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "c.db"
        shutil.copy(db, copy)
        for ext in ("-wal", "-shm"):
            if Path(str(db) + ext).exists():
                shutil.copy(str(db) + ext, str(copy) + ext)
        conn = store.open_db(copy)
        pipeline.init_all(conn)
        items = conn.execute("SELECT count(*) FROM items").fetchone()[0]
        conn.execute("VACUUM")
        before = copy.stat().st_size
        report = maintenance.prune(conn, settings.load(cfg), now=datetime.now(UTC) + timedelta(days=60))
        conn.execute("VACUUM")
        after = copy.stat().st_size
        conn.conn.close()
    return {"items": items, "db_kb_per_item_before_retention": round(before / max(items, 1) / 1024, 1),
            "db_kb_per_item_after_retention": round(after / max(items, 1) / 1024, 1),
            "rows_pruned": {**report.collectors, **report.normalizers}}


BIG_PAGE = """
import json, resource, sys
from tests.collectors.fakeweb import FakeWeb
from tests.collectors.sources import make_source
import collectors, store
from settings.model import CollectorSettings
size, keep = int(sys.argv[1]), int(sys.argv[2])
w = FakeWeb()
w.route("/l.html", '<html><body><ul class="l"><li><a href="/d/1.html">黑龙江省统计数据公报</a>'
        '<span>2025-05-01</span></li></ul></body></html>')
row = "<tr><td>哈尔滨市</td><td>12345</td><td>道里区</td><td>67.8%</td><td>备注说明文字</td></tr>"
w.route("/d/1.html", "<html><head><title>统计数据</title></head><body><div class='body'><table>"
        + row * (size // len(row.encode())) + "</table></div></body></html>")
src = make_source("big", w.url, "/l.html", list={"items": "ul.l li", "date": "span"}, detail={"body": "div.body"})
db = store.open_db(":memory:")
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
[r] = collectors.collect(db, [src], CollectorSettings(max_body_bytes=size + 2**20, total_timeout=600,
                         read_timeout=120, parse_max_bytes=keep))
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"ok": r.ok, "new": r.new, "worker_mb": round((after - before) / 1024),
                  "misses": [m.kind for m in r.misses]}))
"""


def big_page(page_bytes: int, parse_max: int) -> dict[str, Any]:
    """Peak resident memory a collection adds for one detail page of *page_bytes* (a table)."""
    out = subprocess.run([sys.executable, "-c", BIG_PAGE, str(page_bytes), str(parse_max)], cwd=str(REPO),
                         capture_output=True, text=True, timeout=1200)
    if out.returncode:
        raise RuntimeError(out.stderr.strip().splitlines()[-1])
    return json.loads(out.stdout.strip().splitlines()[-1])


def bigpage(args: Any) -> dict[str, Any]:
    """A page of --page-mb MB with max_body_bytes raised: memory with the default parse bound (and
    without it, --unbounded)."""
    from settings.model import CollectorSettings

    size = args.page_mb * 2**20
    bounded = big_page(size, CollectorSettings().parse_max_bytes)
    result = {"page_mb": args.page_mb, "bounded": bounded}
    if args.unbounded:
        result["unbounded"] = big_page(size, 0)
    result["pass"] = bounded["ok"] and bounded["worker_mb"] < 300 and "page-cut" in bounded["misses"]
    return result


ALL: dict[str, Callable[[Any], dict[str, Any]]] = {"kills": kills, "stop": stop, "month": month,
                                                   "bigpage": bigpage}
