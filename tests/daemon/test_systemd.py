"""The shipped unit file parses and says what the daemon does; the daemon speaks sd_notify
(READY=1, WATCHDOG=1, RELOADING=1, STOPPING=1) to the NOTIFY_SOCKET it is given."""

from __future__ import annotations

import configparser
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

import sample_province
from tests.daemon.helpers import REPO, DaemonProcess, write_config

UNIT = REPO / "deploy" / "huiju.service"


def parse_unit() -> configparser.ConfigParser:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # systemd keys are case-sensitive
    unit.read(UNIT, encoding="utf-8")
    return unit


def test_unit_file_is_type_notify_with_watchdog_reload_and_hardening() -> None:
    unit = parse_unit()
    svc = unit["Service"]
    assert svc["Type"] == "notify" and svc["NotifyAccess"] == "main"
    assert svc["ExecReload"] == "/bin/kill -HUP $MAINPID"
    assert "run.py" in svc["ExecStart"] and svc["ExecStart"].endswith(" daemon")
    assert int(svc["WatchdogSec"]) >= 30
    assert int(svc["TimeoutStopSec"]) > 10  # longer than the daemon's own stop_timeout
    assert svc["Restart"] == "on-failure"
    for key, value in {"NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes",
                       "PrivateTmp": "yes", "CapabilityBoundingSet": "", "SystemCallFilter": "@system-service"}.items():
        assert svc[key] == value, key
    assert "/var/lib/huiju" in svc["ReadWritePaths"] and "--db /var/lib/huiju/" in svc["ExecStart"]
    assert unit["Install"]["WantedBy"] == "multi-user.target"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")
def test_systemd_analyze_verify_accepts_the_unit(tmp_path: Path) -> None:
    text = UNIT.read_text(encoding="utf-8").replace("/opt/huiju/.venv/bin/python", str(Path(sys.executable).resolve()))
    unit = tmp_path / "huiju.service"
    unit.write_text(text, encoding="utf-8")
    out = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60)
    problems = [ln for ln in (out.stdout + out.stderr).splitlines() if "huiju.service" in ln]
    assert out.returncode == 0 and not problems, out.stdout + out.stderr


def test_daemon_notifies_ready_watchdog_reloading_and_stopping(tmp_path: Path) -> None:
    path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(0.5)
    got: list[str] = []

    def receive_until(state: str, timeout: float = 30) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                got.extend(sock.recv(4096).decode().splitlines())
            except TimeoutError:
                pass
            if state in got:
                return
        raise AssertionError(f"no {state} within {timeout}s; got {got}")

    with sample_province.start(port=0, seed=6) as province:
        province.advance(days=1)
        write_config(tmp_path / "c.toml", province, ["harbin"])
        d = DaemonProcess(tmp_path / "c.toml", tmp_path / "h.db",
                          env={"NOTIFY_SOCKET": str(path), "WATCHDOG_USEC": "2000000"})
        try:
            receive_until("READY=1")
            assert d.get("/healthz/live")[0] == 200  # ready means serving
            got.clear()
            receive_until("WATCHDOG=1", timeout=10)  # every WatchdogSec/2 = 1 s
            d.signal(signal.SIGHUP)
            receive_until("RELOADING=1")
            assert any(s.startswith("MONOTONIC_USEC=") for s in got)
            got.clear()
            receive_until("READY=1")
            d.signal(signal.SIGTERM)
            receive_until("STOPPING=1")
            d.proc.wait(timeout=20)
        finally:
            d.stop()
            sock.close()
    assert d.proc.returncode == 0
