"""Keeping a database healthy over years: the retention policy applied by each owning package,
online backups with rotation. The daemon runs both on a schedule; ``run.py prune`` and
``run.py backup`` run them by hand."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlite_utils

import collectors
import normalizers
import publisher
import store
from settings import Config

__all__ = ["PruneReport", "prune", "backup", "scheduled_backup", "BACKUP_PREFIX"]

log = logging.getLogger("huiju.maintenance")
SHANGHAI = ZoneInfo("Asia/Shanghai")
BACKUP_PREFIX = "huiju-"


@dataclass
class PruneReport:
    """Rows pruned (or, with dry_run, that would be) per package and kind, and the file's size."""

    dry_run: bool
    collectors: dict[str, int] = field(default_factory=dict)
    normalizers: dict[str, int] = field(default_factory=dict)
    db_bytes: int = 0
    free_bytes: int = 0  # pages now free inside the file, reused before it grows again

    @property
    def total(self) -> int:
        return sum(self.collectors.values()) + sum(self.normalizers.values())


def prune(db: sqlite_utils.Database, config: Config, *, now: datetime | None = None,
          dry_run: bool = False) -> PruneReport:
    """Apply ``[retention]``: each package prunes its own tables; published items are never pruned."""
    now = now or datetime.now(UTC)
    policy = config.retention
    keep = {int(f["collected_id"]) for f in normalizers.failed_ingests(db, quarantined_only=False)}
    report = PruneReport(dry_run)
    report.collectors = collectors.prune(db, policy, ingested_upto=normalizers.last_ingested(db), keep=keep,
                                         now=now, dry_run=dry_run)
    report.normalizers = normalizers.prune(db, policy, now=now, dry_run=dry_run)
    pages, free, size = (db.execute(f"PRAGMA {p}").fetchone()[0] for p in ("page_count", "freelist_count", "page_size"))
    report.db_bytes, report.free_bytes = pages * size, free * size
    if not dry_run and report.total:
        db.execute("PRAGMA wal_checkpoint(PASSIVE)")
    return report


def _mark_copy(copy: sqlite_utils.Database) -> None:
    """The copy gets its own stream epoch (publisher.mark_backup), so a portal notices a restore
    even when the watermark file beside the database was lost with it."""
    publisher.init(copy)
    publisher.mark_backup(copy)


def backup(db: sqlite_utils.Database, dest: str | Path) -> store.BackupResult:
    """An online, verified copy of *db* at *dest* (see store.backup)."""
    return store.backup(db, dest, prepare=_mark_copy)


def scheduled_backup(db: sqlite_utils.Database, folder: str | Path, keep: int,
                     now: datetime | None = None) -> tuple[store.BackupResult, list[str]]:
    """A backup named by its Beijing time in *folder*; only the newest *keep* are kept.
    Returns the backup and the files removed."""
    now = now or datetime.now(UTC)
    folder = Path(folder)
    name = f"{BACKUP_PREFIX}{now.astimezone(SHANGHAI):%Y%m%d-%H%M%S}.db"
    result = backup(db, folder / name)
    ours = sorted(p for p in folder.glob(f"{BACKUP_PREFIX}*.db") if p.is_file())
    removed = []
    for old in ours[:-keep] if keep > 0 else []:
        try:
            os.unlink(old)
            removed.append(str(old))
        except OSError as exc:
            log.warning("备份：无法删除旧备份 %(path)s：%(error)s", {"path": old, "error": exc.strerror})
    return result, removed
