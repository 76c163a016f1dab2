"""The reviewer's desk benchmark.

    python -m bench.desk [--waiting 1000] [--day-stories 200] [--runs 100] [--no-browser] [--json]

1. Server time of the queue page with ``--waiting`` items waiting (real corpus stories and their
   re-posts, ingested by the normalizers and submitted to review as the pipeline does): the full
   app (pipeline.create_app) in process, logged in, timed per request — the first page, a later
   page, a text search, and one approval from the queue (POST /act with its redirect target).
2. A scripted reviewer in Chromium (Playwright driving /usr/bin/chromium, never a downloaded
   browser) works through one simulated day (``--day-stories`` stories with their re-posts, about
   three items each) on a real HTTP server: log in, then approve every unit of the queue with the
   keyboard. Reported: page loads and keystrokes per routine approval, and the wall time.

The corpus is ../shared/corpus or $HUIJU_CORPUS (the dedup benchmark's data set).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

PASSWORD = "bench reviewer password"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]


def build_db(path: Path, n_stories: int, seed: int) -> tuple[Any, int]:
    """A database with *n_stories* corpus stories and their re-posts waiting for review."""
    import normalizers
    import pipeline
    import review_queue
    import store
    from bench.dedup import dataset

    config = dataset.bench_config()
    items = dataset.build(dataset.load_stories(dataset.find_corpus()), n_stories=n_stories, seed=seed,
                          variants_per_story=(1, 3), hard_limit=0)
    db = store.open_db(path)
    pipeline.init_all(db)
    review_queue.add_user(db, "zhou", "editor", PASSWORD)
    sources = {s.id: s for s in config.sources}
    for cid, li in enumerate(items, start=1):
        with store.transaction(db):
            result = normalizers.ingest(db, cid, li.item, sources[li.item.source_id], config)
            review_queue.submit(db, result, sources[li.item.source_id])
    waiting = db.execute("SELECT count(*) FROM reviews WHERE state = 'pending'").fetchone()[0]
    db.close()
    return config, waiting


def login(client: Any) -> None:
    page = client.get("/review/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    resp = client.post("/review/login", data={"name": "zhou", "password": PASSWORD, "csrf_token": token})
    assert resp.status_code == 302, resp.status_code


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def time_requests(client: Any, path: str, runs: int) -> dict[str, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        resp = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert resp.status_code == 200, (path, resp.status_code)
    return {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(percentile(times, 95), 1),
            "max_ms": round(max(times), 1), "bytes": len(resp.data)}


def server_times(db_path: Path, config: Any, runs: int) -> dict[str, Any]:
    import pipeline

    app = pipeline.create_app(str(db_path), config)
    app.config["HUIJU_AFTER_REVIEW"] = None  # time the desk, not the publisher
    client = app.test_client()
    login(client)
    # the first view after a start builds the queue snapshot and folds the texts: timed apart
    cold = {}
    for name, path in (("first view after start", "/review/"), ("first search after start", "/review/?q=%E6%96%B0")):
        started = time.perf_counter()
        client.get(path)
        cold[name] = round((time.perf_counter() - started) * 1000, 1)
    out: dict[str, Any] = {
        "queue page 1": time_requests(client, "/review/", runs),
        "queue page 5": time_requests(client, "/review/?page=5", runs),
        "search 会议": time_requests(client, "/review/?q=%E4%BC%9A%E8%AE%AE", max(10, runs // 5)),
    }
    page = client.get("/review/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    ids = re.findall(r'data-id="(\d+)"', page)
    approve = []
    for item_id in ids[:min(len(ids), max(10, runs // 5))]:
        started = time.perf_counter()
        resp = client.post("/review/act", data={"act": f"approve:{item_id}", "back": "/review/", "csrf_token": token})
        client.get(resp.headers["Location"])
        approve.append((time.perf_counter() - started) * 1000)
    out["cold"] = cold
    out["approve + reload"] = {"p50_ms": round(statistics.median(approve), 1),
                               "p95_ms": round(percentile(approve, 95), 1), "max_ms": round(max(approve), 1)}
    return out


def serve(app: Any) -> tuple[Any, str]:
    import waitress

    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    return server, f"http://127.0.0.1:{server.effective_port}"


def scripted_reviewer(db_path: Path, config: Any) -> dict[str, Any]:
    """Approve the whole queue in Chromium with the keyboard, counting loads and keys."""
    from playwright.sync_api import sync_playwright

    import pipeline

    server, base = serve(pipeline.create_app(str(db_path), config))
    loads = keys = approvals = 0
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            page = browser.new_page()
            page.goto(f"{base}/review/login")
            page.fill("input[name=name]", "zhou")
            page.fill("input[name=password]", PASSWORD)
            with page.expect_navigation():
                page.click("button[type=submit]")

            def count_load(_: Any) -> None:
                nonlocal loads
                loads += 1

            page.on("load", count_load)
            started = time.perf_counter()
            while page.query_selector("tr.unit"):
                first = page.get_attribute("tr.unit", "data-id")
                with page.expect_navigation():
                    page.keyboard.press("a")
                    keys += 1
                approvals += 1
                row = page.query_selector("tr.unit")
                if row is not None and row.get_attribute("data-id") == first:
                    raise SystemExit(f"approving item {first} did not take it off the queue")
            wall = time.perf_counter() - started
            browser.close()
    finally:
        server.close()
    return {"approvals": approvals, "page_loads": loads, "keystrokes": keys,
            "loads_per_approval": round(loads / approvals, 2), "keys_per_approval": round(keys / approvals, 2),
            "wall_s": round(wall, 1), "s_per_approval": round(wall / approvals, 3)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.desk", description=__doc__.split("\n")[0])
    ap.add_argument("--waiting", type=int, default=1000, help="items waiting for the server-time part")
    ap.add_argument("--day-stories", type=int, default=200, help="stories of the simulated day (browser part)")
    ap.add_argument("--runs", type=int, default=100, help="requests timed per page")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-browser", action="store_true", help="skip the scripted reviewer")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    report: dict[str, Any] = {}
    tmp = Path(tempfile.mkdtemp(prefix="bench-desk-"))
    try:
        # about 2.5 items per story with re-posts: enough stories for --waiting items
        n = max(1, int(args.waiting / 2.4))
        started = time.perf_counter()
        config, waiting = build_db(tmp / "queue.db", n, args.seed)
        while waiting < args.waiting:
            n = int(n * args.waiting / max(1, waiting)) + 5
            shutil.rmtree(tmp)
            tmp.mkdir()
            config, waiting = build_db(tmp / "queue.db", n, args.seed)
        report["waiting_items"] = waiting
        report["build_s"] = round(time.perf_counter() - started, 1)
        report["server"] = server_times(tmp / "queue.db", config, args.runs)
        if not args.no_browser:
            if not Path(CHROMIUM).exists():
                raise SystemExit(f"{CHROMIUM} not found: apt-get install chromium (or pass --no-browser)")
            _, day_items = build_db(tmp / "day.db", args.day_stories, args.seed + 1)
            report["day_items"] = day_items
            report["reviewer"] = scripted_reviewer(tmp / "day.db", config)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(f"{report['waiting_items']} items waiting (built in {report['build_s']} s)")
        for name, ms in report["server"].pop("cold").items():
            print(f"  {name}: {ms} ms")
        for name, t in report["server"].items():
            print(f"  {name:18} p50 {t['p50_ms']:7.1f} ms  p95 {t['p95_ms']:7.1f} ms  max {t['max_ms']:7.1f} ms"
                  + (f"  {t['bytes'] // 1024} KB" if "bytes" in t else ""))
        if "reviewer" in report:
            r = report["reviewer"]
            print(f"scripted reviewer, one simulated day of {report['day_items']} items: {r['approvals']} approvals, "
                  f"{r['loads_per_approval']} page loads and {r['keys_per_approval']} keys per approval, "
                  f"{r['wall_s']} s ({r['s_per_approval']} s each)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
