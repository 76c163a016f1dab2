"""`kill -9` in the middle of a collection loses nothing: the next run stores every story once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import sample_province

REPO = Path(__file__).resolve().parents[2]
SOURCES = ["xinhua", "harbin", "qiqihar", "fgw", "portal-ljdt", "county-hulan"]


def run(args: list[str], env: dict[str, str], **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(REPO / "run.py"), *args], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kw)


def test_killed_collection_resumes_without_loss_or_duplicates(tmp_path: Path) -> None:
    with sample_province.start(port=0, seed=2, speed=0, latency_ms=250) as province:
        province.advance(days=1)
        env = {**os.environ, "province": province.url}
        base = ["--config", str(REPO / "demo.toml"), "--db", str(tmp_path / "h.db")]
        selected = [a for s in SOURCES for a in ("--source", s)]
        first = run(base + ["collect", *selected], env)
        time.sleep(2.0)  # start-up takes ~1 s; collection at 250 ms per response takes several more
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        assert first.returncode == -signal.SIGKILL, "the first collection finished before it could be killed"
        second = run(base + ["collect", *selected], env)
        out, err = second.communicate(timeout=300)
        assert second.returncode == 0, err
        items = json.loads(run(base + ["items", "--json"], env).communicate(timeout=120)[0])
        truth = [t for t in province.truth()["items"] if t["site"] in {"xinhua", "harbin", "qiqihar", "fgw",
                                                                          "county-hulan"} or
                 t.get("source") == "portal-ljdt"]
    urls = [i["url"] for i in items]
    assert len(urls) == len(set(urls)), "an item was stored twice"
    live = {t["url"] for t in truth if not t.get("deleted")}
    missing = live - set(urls)
    assert not missing, f"{len(missing)} released stories were lost, e.g. {sorted(missing)[:2]}"
