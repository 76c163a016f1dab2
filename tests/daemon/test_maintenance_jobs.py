"""The daemon schedules the retention prune and the backups itself, and runs them without failing."""

from __future__ import annotations

import logging
from pathlib import Path

import settings
from pipeline.daemon import Daemon
from pipeline.logs import message_of


def test_daemon_schedules_and_runs_prune_and_backup(tmp_path: Path, caplog) -> None:
    config = settings.loads(f'[daemon]\nbackup_dir = "{tmp_path / "backups"}"\nbackup_every = "6h"\nbackup_keep = 2\n'
                            '[retention]\nevery = "1d"\n', name=str(tmp_path / "c.toml"))
    d = Daemon(config, str(tmp_path / "h.db"), port=0)
    try:
        d._schedule_maintenance()
        jobs = {j.id: j for j in d.scheduler.get_jobs()}
        assert jobs["prune"].trigger.interval.total_seconds() == 86400
        assert jobs["backup"].trigger.interval.total_seconds() == 6 * 3600
        with caplog.at_level(logging.INFO, logger="huiju.daemon"):
            for _ in range(3):
                d.backup()
            d.prune()
        assert len(list((tmp_path / "backups").glob("huiju-*.db"))) <= 2
        messages = [message_of(r, "en") for r in caplog.records]  # as --lang en writes them
        assert any(m.startswith("backup: ") and "integrity ok" in m for m in messages), messages
        assert any(m.startswith("retention: pruned 0 row(s)") for m in messages), messages
    finally:
        d.server.close()
        d.dispatcher.shutdown()


def test_the_daemon_loads_jiebas_dictionaries_before_it_is_ready(tmp_path: Path, monkeypatch) -> None:
    """The dictionaries (the daemon's largest holdings, ~70 MB each) are loaded at start, so that
    memory after the first day stays flat and the first pass and publish do not pay for them."""
    import jieba

    from normalizers import routing

    monkeypatch.setattr(routing, "_tokenizer", None)
    monkeypatch.setattr(jieba.dt, "initialized", False)
    d = Daemon(settings.loads("", name=str(tmp_path / "c.toml")), str(tmp_path / "h.db"), port=0)
    try:
        assert routing._tokenizer is not None and jieba.dt.initialized
        assert routing.tokens("哈尔滨市政府召开常务会议") == ["哈尔滨市", "政府", "召开", "常务会议"]
    finally:
        d.server.close()
        d.dispatcher.shutdown()
