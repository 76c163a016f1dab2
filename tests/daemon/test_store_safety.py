"""Schema safety and backups: a database from a newer release is refused with one line; read-only
commands never write; `backup` makes a verified online copy; scheduled backups rotate."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import pipeline
import settings
import store
from pipeline import maintenance
from tests.daemon.helpers import OFFLINE_CONFIG as CONFIG
from tests.daemon.helpers import cli


def made_db(tmp_path: Path, then: str = "") -> Path:
    """A database made by this release (one user), then changed by the SQL *then*."""
    out = cli(tmp_path, "users", "add", "wang", "--role", "editor", stdin="a-long-password-123\n")
    assert out.returncode == 0, out.stderr
    conn = sqlite3.connect(tmp_path / "h.db")
    conn.execute(then or "SELECT 1")
    conn.commit()
    conn.close()
    return tmp_path / "h.db"


def test_a_database_from_a_newer_release_is_refused_with_one_line(tmp_path: Path) -> None:
    made_db(tmp_path, "UPDATE schema_versions SET version = version + 5 WHERE owner = 'publisher'")
    for args in (["items"], ["daemon", "--port", "0"], ["collect"], ["users", "list"]):
        out = cli(tmp_path, *args)
        assert out.returncode == 1, (args, out.stdout, out.stderr)
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and "数据库来自更新的汇聚版本（publisher 结构第 " in lines[0]


def test_read_only_commands_never_write_the_database(tmp_path: Path) -> None:
    db = made_db(tmp_path, "PRAGMA wal_checkpoint(TRUNCATE)")
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    db.chmod(0o444)
    try:
        for args in (["items", "--json"], ["queue", "--json"], ["users", "list", "--json"], ["sources", "--json"]):
            out = cli(tmp_path, *args)
            assert out.returncode == 0, (args, out.stderr)
            json.loads(out.stdout)
    finally:
        db.chmod(0o644)
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    ro = store.open_db(db, readonly=True)
    with pytest.raises(sqlite3.OperationalError):
        ro.execute("DELETE FROM users")


def test_read_only_commands_ask_for_an_upgrade_instead_of_writing(tmp_path: Path) -> None:
    made_db(tmp_path, "UPDATE schema_versions SET version = version - 1 WHERE owner = 'collectors'")
    out = cli(tmp_path, "items")
    assert out.returncode == 1 and "数据库需要升级（collectors 结构" in out.stderr


def test_backup_is_online_consistent_and_verified(tmp_path: Path) -> None:
    db_path = tmp_path / "h.db"
    db = store.open_db(db_path)
    pipeline.init_all(db)
    db.execute("CREATE TABLE filler (n INTEGER, body TEXT)")
    db.conn.executemany("INSERT INTO filler VALUES (?, ?)", [(n, "政务" * 200) for n in range(3000)])
    stop = threading.Event()

    def writer() -> None:  # the daemon keeps writing while the backup runs
        w = store.open_db(db_path)
        n = 3000
        while not stop.is_set():
            with store.transaction(w):
                w.execute("INSERT INTO filler VALUES (?, ?)", [n, "政务" * 200])
            n += 1
        w.conn.close()

    t = threading.Thread(target=writer)
    t.start()
    try:
        out = cli(tmp_path, "backup", str(tmp_path / "b" / "copy.db"), "--json")
    finally:
        stop.set()
        t.join()
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["integrity"] == "ok" and result["bytes"] > 1_000_000
    copy = sqlite3.connect(tmp_path / "b" / "copy.db")
    rows = copy.execute("SELECT count(*), max(n) FROM filler").fetchone()
    assert rows[0] == rows[1] + 1 >= 3000  # a consistent snapshot: no gap, no torn row
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert not list((tmp_path / "b").glob(".*part"))
    # a folder given as DEST is one line
    bad = cli(tmp_path, "backup", str(tmp_path))
    assert bad.returncode == 1 and bad.stderr.startswith("error: ") and "这是文件夹" in bad.stderr


def test_scheduled_backups_rotate(tmp_path: Path) -> None:
    db = store.open_db(tmp_path / "h.db")
    pipeline.init_all(db)
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    for day in range(5):
        result, removed = maintenance.scheduled_backup(db, tmp_path / "backups", keep=3, now=t0 + timedelta(days=day))
        assert Path(result.path).exists()
    names = sorted(p.name for p in (tmp_path / "backups").iterdir())
    assert names == ["huiju-20260103-080000.db", "huiju-20260104-080000.db", "huiju-20260105-080000.db"]
    assert len(removed) == 1


def test_impossible_cron_is_refused_at_load() -> None:
    with pytest.raises(settings.ConfigError) as info:
        settings.loads(CONFIG.replace('every = "10m"', 'cron = "0 0 30 2 *"'))
    assert "never fires" in str(info.value) and "\n" not in str(info.value)
