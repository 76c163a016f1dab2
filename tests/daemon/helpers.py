"""A real `run.py daemon` subprocess against the sample province, with its log lines collected."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import sample_province

REPO = Path(__file__).resolve().parents[2]


# One source on a port nothing answers: for CLI runs that must never reach a site.
OFFLINE_CONFIG = """[[sources]]
id = "harbin"
name = "哈尔滨市人民政府"
kind = "city"
type = "rss"
url = "http://127.0.0.1:9/rss.xml"
column = "city-news"
every = "10m"
"""


def cli(tmp_path: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """`run.py` with OFFLINE_CONFIG (tmp_path/c.toml, written once) on the database tmp_path/h.db."""
    cfg = tmp_path / "c.toml"
    if not cfg.exists():
        cfg.write_text(OFFLINE_CONFIG, encoding="utf-8")
    return subprocess.run([sys.executable, str(REPO / "run.py"), "--config", str(cfg), "--db", str(tmp_path / "h.db"),
                           *args], capture_output=True, text=True, timeout=120, input=stdin)


def write_config(path: Path, province: Any, ids: list[str], *, daemon: str = "", extra: str = "") -> None:
    """A configuration with the province's sources *ids* (every 10 s), quick retries, [daemon] *daemon*."""
    by_id = {s["id"]: s for s in province.sources()}
    text = ("[collector]\nper_host = 8\nconnect_timeout = 3.0\nread_timeout = 60.0\ntotal_timeout = 120.0\n"
            "backoff_base = 10\nbackoff_cap = 60\n\n[web]\npublish_every = 2\n\n"
            f"[daemon]\n{daemon}\n\n{extra}\n")
    chosen = [{**{k: v for k, v in by_id[sid].items() if k != "cron"}, "every": "10s"} for sid in ids]
    path.write_text(text + sample_province.to_toml(chosen), encoding="utf-8")


class DaemonProcess:
    """`run.py daemon` on a free port; ``lines`` collects its stderr as it comes."""

    def __init__(self, config: Path, db: Path, *, env: dict[str, str] | None = None, port: int = 0,
                 launcher: list[str] | None = None, lang: str | None = "en") -> None:
        """*launcher*: what runs run.py instead of plain ``python run.py`` (``-c`` code that patches first);
        *lang*: ``--lang`` (the tests read the English log lines), None for the environment's choice."""
        self.port = port or _free_port()
        self.proc = subprocess.Popen(
            [sys.executable, *(launcher or [str(REPO / "run.py")]), "--config", str(config), "--db", str(db),
             *(["--lang", lang] if lang else []), "daemon", "--port", str(self.port)], env={**os.environ, **(env or {})}, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, cwd=str(REPO))
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_for(self, needle: str, timeout: float = 90.0, after: int = 0) -> str:
        """The first log line (from index *after*) containing *needle*; fails after *timeout*.

        The wait ends as soon as the line is there; the long default is for a machine busy with
        other work (a daemon's first start imports the whole stack, 30 s was exceeded under load)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for line in self.lines[after:]:
                if needle in line:
                    return line
            if self.proc.poll() is not None:
                time.sleep(0.2)
                for line in self.lines[after:]:
                    if needle in line:
                        return line
                raise AssertionError(f"daemon exited ({self.proc.returncode}) before {needle!r}:\n"
                                     + "\n".join(self.lines[-30:]))
            time.sleep(0.05)
        raise AssertionError(f"no {needle!r} within {timeout}s:\n" + "\n".join(self.lines[-30:]))

    def get(self, path: str) -> tuple[int, dict[str, Any]]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as resp:
                return resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read())

    def signal(self, sig: signal.Signals) -> None:
        self.proc.send_signal(sig)

    def exit_after(self, sig: signal.Signals, timeout: float = 20.0) -> float:
        """Send *sig* and wait for the process to end: the seconds from the signal to the exit."""
        sent = time.monotonic()
        self.proc.send_signal(sig)
        self.proc.wait(timeout=timeout)
        return time.monotonic() - sent

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def until(condition: Any, timeout: float, step: float = 0.05) -> bool:
    """Poll *condition* until it holds or *timeout* passes; its last answer."""
    end = time.monotonic() + timeout
    while not condition() and time.monotonic() < end:
        time.sleep(step)
    return bool(condition())


def hanging(province: Any) -> int:
    return sum(c["active"] for c in province.counters_snapshot(0).values())


def total_requests(province: Any) -> int:
    return sum(c["requests"] for c in province.counters_snapshot(settle=0).values())
