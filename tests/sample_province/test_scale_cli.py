"""Scale (1,000 sites, bursts of requests) and the command line as a new user meets it."""

from __future__ import annotations

import dataclasses
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

import sample_province
from settings.model import Source

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _burst(urls: list[str], workers: int) -> tuple[list[int], float]:
    local = threading.local()

    def get(u: str) -> int:
        s = getattr(local, "s", None) or requests.Session()
        local.s = s
        return s.get(u, timeout=30).status_code

    t = time.monotonic()
    with ThreadPoolExecutor(workers) as ex:
        out = list(ex.map(get, urls))
    return out, time.monotonic() - t


def test_thousand_sites_and_a_burst() -> None:
    with sample_province.start(sites=1000, seed=1) as p:
        p.advance(days=1)
        truth = p.truth()
        assert len(truth["sites"]) == 1000
        assert len({s["id"] for s in truth["sites"]}) == 1000
        sources = p.sources()
        assert len(sources) == 1000 + 6  # the portal has seven lists
        index = requests.get(p.url + "/").text
        assert index.count('<li><a href="/') == 1000
        plain = [s["url"] for s in sources if "referer" not in s and "cookie_bootstrap" not in s]
        urls = (plain * 2)[:600]
        statuses, secs = _burst(urls, 16)
        assert statuses == [200] * len(urls)
        assert len(urls) / secs >= 100, f"{len(urls) / secs:.0f} requests/s"


def test_latency_does_not_serialise_requests() -> None:
    with sample_province.start(sites=1000, seed=1, latency_ms=200) as p:
        urls = [s["url"] for s in p.sources() if s["kind"] == "county"][:60]
        statuses, secs = _burst(urls, 60)
        assert statuses == [200] * 60
        assert 0.2 <= secs < 3.0  # 60 × 200 ms in parallel, not 12 s in a row


def _run(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sample_province", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **(env or {})})


def test_help_documents_every_option() -> None:
    r = _run("--help")
    assert r.returncode == 0
    for opt in ("--port", "--seed", "--speed", "--faults", "--sites", "--latency-ms", "--corpus",
                "--stories-per-day", "--start-day", "--days", "--history", "--emit-sources"):
        assert opt in r.stdout
    assert "503-retry-after" in r.stdout and "flaky" in r.stdout


def test_wrong_options_give_one_line() -> None:
    for args, word in [(["--bogus"], "--bogus"), (["--port", "abc"], "--port"), (["--sites", "3"], "114"),
                       (["--faults", "harbin=explode"], "explode"), (["--faults", "atlantis=500"], "atlantis"),
                       (["--speed", "-2"], "speed"), (["--start-day", "2025-13-01"], "2025-13-01")]:
        r = _run(*args, "--emit-sources", "--corpus", "/nonexistent")  # no corpus line before the error
        assert r.returncode == 2, args
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and word in lines[0] and "Traceback" not in r.stderr, (args, r.stderr)


def test_port_in_use_is_one_line() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = _run("--port", str(port), "--speed", "0")
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and f"127.0.0.1:{port}" in lines[0] and "Traceback" not in r.stderr


def test_emit_sources_is_loadable_toml() -> None:
    r = _run("--emit-sources")
    assert r.returncode == 0, r.stderr
    data = tomllib.loads(r.stdout)
    sources = data["sources"]
    assert len(sources) == 120  # 114 sites, the portal with seven lists
    fields = {f.name for f in dataclasses.fields(Source)}
    for s in sources:
        assert s["url"].startswith("${province}/")
        assert set(s) <= fields, set(s) - fields
        assert s["type"] in ("rss", "html", "json") and s["review"] in ("required", "auto")
    assert {s["id"] for s in sources if s["review"] == "auto"} == {"portal-zfwj", "portal-gz"}
    assert [s for s in sources if s["id"] == "hegang"][0]["referer"] == "${province}/hegang/"


def test_serves_until_interrupted_and_announces_missing_corpus(tmp_path: Path) -> None:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "sample_province", "--port", str(port), "--speed", "0",
                             "--history", "1", "--corpus", str(tmp_path / "none")], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "LC_ALL": "", "LC_MESSAGES": "", "LANG": "en_US.UTF-8"})
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                r = requests.get(base + "/", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        else:
            raise AssertionError("the province did not start")
        assert r.status_code == 200 and "模拟黑龙江省政府网站群" in r.text
        truth = requests.get(base + "/_truth.json", timeout=5).json()
        assert truth["text"] == "generated" and truth["items"]
        assert requests.get(base + "/harbin/", timeout=5).status_code == 200
    finally:
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0
    lines = err.strip().splitlines()
    corpus_lines = [ln for ln in lines if "corpus" in ln]
    assert len(corpus_lines) == 1 and "generated" in corpus_lines[0]
    assert "Traceback" not in err
