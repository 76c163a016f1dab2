"""Pruning the collector's tables (retention policy in ``[retention]``), so years of collection
do not keep every raw body.

What goes, once older than the policy's days:
- superseded versions in ``collected`` (the outbox) that the pipeline has already ingested;
- the raw body (``html``) of the latest version of such an item: its content hash stays in its
  column, so an unchanged page is still recognised as unchanged, and its metadata stays;
- check observations: links on lists (``seen_links``) neither first seen nor checked for
  ``observations_days`` (a link seen again is fetched once more and found unchanged), dead-link
  counts, HTTP validators and recorded misses as old.
Rows not yet ingested, or set aside by the pipeline (``keep``), are never touched.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlite_utils

from collectors import misses
from collectors.state import _lock_for, init, iso
from settings.model import RetentionSettings
from store import transaction

__all__ = ["prune"]


def prune(db: sqlite_utils.Database, policy: RetentionSettings, *, ingested_upto: int, keep: set[int] | None = None,
          now: datetime, dry_run: bool = False) -> dict[str, int]:
    """Apply *policy*; returns rows affected per kind (what would be, with *dry_run*)."""
    init(db)
    raw_cut = iso(now - timedelta(days=policy.raw_days))
    obs_cut = iso(now - timedelta(days=policy.observations_days))
    keep_list = sorted(keep or ())
    keep_sql = f" AND id NOT IN ({','.join('?' for _ in keep_list)})" if keep_list else ""
    old = f"id <= ? AND collected_at < ?{keep_sql}"
    params = [ingested_upto, raw_cut, *keep_list]
    latest = ("(SELECT max(c2.version) FROM collected c2 "
              "WHERE c2.source_id = collected.source_id AND c2.identity = collected.identity)")
    superseded = f"{old} AND version < {latest}"
    bodies = f"{old} AND version = {latest} AND json_extract(payload, '$.html') != ''"
    work = [
        ("collected_versions", f"DELETE FROM collected WHERE {superseded}", params),
        ("collected_bodies", f"UPDATE collected SET payload = json_set(payload, '$.html', '') WHERE {bodies}", params),
        ("seen_links", "DELETE FROM seen_links WHERE checked_at < ? AND first_seen < ?", [obs_cut, obs_cut]),
        ("dead_links", "DELETE FROM dead_links WHERE last_at < ?", [obs_cut]),
        ("http_cache", "DELETE FROM http_cache WHERE checked_at < ?", [obs_cut]),
    ]
    out: dict[str, int] = {}
    with _lock_for(db):
        if dry_run:
            for name, sql, args in work:
                table, where = _count_form(sql)
                out[name] = int(db.execute(f"SELECT count(*) FROM {table} WHERE {where}", args).fetchone()[0])
        else:
            for name, sql, args in work:
                with transaction(db):
                    out[name] = db.execute(sql, args).rowcount
        out["misses"] = misses.prune(db, now - timedelta(days=policy.observations_days), dry_run=dry_run)
    return out


def _count_form(sql: str) -> tuple[str, str]:
    """The table and WHERE clause of a DELETE or UPDATE statement above."""
    head, where = sql.split(" WHERE ", 1)
    table = head.split()[2] if head.startswith("DELETE") else head.split()[1]
    return table, where
