"""A real `run.py daemon` writes its start and stop lines in the operator's language: Chinese by
default (whatever the environment says short of English), English with --lang en or LANG=en_…."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest

from tests.daemon.helpers import OFFLINE_CONFIG, DaemonProcess

NOT_ENGLISH = {"LC_ALL": "", "LC_MESSAGES": "", "LANG": "C.UTF-8"}
ENGLISH = {"LC_ALL": "", "LC_MESSAGES": "", "LANG": "en_US.UTF-8"}


@pytest.mark.parametrize(("lang", "env", "chinese"), [(None, NOT_ENGLISH, True), ("en", NOT_ENGLISH, False),
                                                       (None, ENGLISH, False)],
                         ids=["default-chinese", "lang-en", "LANG-en"])
def test_start_and_stop_lines_follow_the_operator_language(tmp_path: Path, lang: str | None, env: dict[str, str],
                                                           chinese: bool) -> None:
    (tmp_path / "c.toml").write_text(OFFLINE_CONFIG + '\n[daemon]\nstop_timeout = 3\nlog_format = "json"\n',
                                     encoding="utf-8")
    d = DaemonProcess(tmp_path / "c.toml", tmp_path / "h.db", env=env, lang=lang)
    try:
        started = json.loads(d.wait_for("网页服务在 http://127.0.0.1:" if chinese else "web server on http://127.0.0.1:"))
        d.exit_after(signal.SIGTERM, 15)
    finally:
        d.stop()
    assert d.proc.returncode == 0, "\n".join(d.lines[-20:])
    msgs = [json.loads(ln)["msg"] for ln in d.lines if ln.startswith("{")]
    assert started["msg"].endswith(f"{d.url}/feeds/all.rss）" if chinese else f"{d.url}/feeds/all.rss)"), started
    [done] = [m for m in msgs if m.startswith("已停止，用时 " if chinese else "stopped in ")]
    assert float(done.split()[-1].rstrip("s")) <= 3, done  # the fact (seconds) kept in either language
    phases = [m for m in msgs if m.startswith(("停止：", "stop: "))]
    assert len(phases) >= 3, msgs  # scheduler, runs, web server (and the exit)
    assert all(p.startswith("停止：" if chinese else "stop: ") for p in phases), phases
    said = next(m for m in msgs if "SIGTERM" in m)  # when it will have stopped by, in Beijing time
    assert ("秒内停止，最迟北京时间" in said) == chinese and "+08:00" in said, said
