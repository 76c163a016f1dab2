"""The flow between stages: collected rows → normalizers → review_queue → publisher.

Each hand-over is one transaction. The cursor (which collected rows are done) lives with the
normalizers (their ingest log), so a crash between stages replays at most the unfinished row.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

import sqlite_utils

import checks
import collectors
import normalizers
import publisher
import review_queue
import store
from settings import Config, Source

log = logging.getLogger("huiju.pipeline")


@dataclass
class PassStats:
    ingested: int = 0
    new: int = 0
    versions: int = 0
    withdrawn: int = 0  # items whose source took the page down (flagged for a person, never retracted here)
    queued: int = 0
    joined: int = 0  # items that joined a story already known (another source's report of it)
    auto_approved: int = 0
    duplicates: int = 0
    published: int = 0
    retracted: int = 0
    quarantined: int = 0  # collected rows set aside after repeated ingest failures
    errors: list[str] = field(default_factory=list)


def init_all(db: sqlite_utils.Database) -> None:
    """Create or migrate every package's tables (idempotent; run at every start)."""
    collectors.init(db)
    normalizers.init(db)
    checks.init(db)
    review_queue.init(db)
    publisher.init(db)


def orphan_source(source_id: str, config: Config) -> Source:
    """A stand-in for a source that was removed from the config after its items were collected.

    Its items are still processed (never silently dropped) and always go to human review.
    """
    column = next((c.id for c in config.columns.values() if c.kind == "news"), next(iter(config.columns)))
    return Source(id=source_id, name=source_id, kind="partner", type="html", url="", column=column,
                  every=3600, review="required", enabled=False, rank=99,
                  note="removed from the configuration")


def process(db: sqlite_utils.Database, config: Config, *, now: datetime | None = None,
            batch: int = 200, stats: PassStats | None = None) -> PassStats:
    """Ingest every collected row not yet ingested and place it in the review workflow."""
    stats = stats or PassStats()
    sources = {s.id: s for s in config.sources}
    checks.checker(config)  # term lists that cannot be read stop the pass here, before any row
    while True:
        cursor = normalizers.last_ingested(db)
        rows = collectors.pending(db, cursor, batch)
        if not rows:
            return stats
        for collected_id, item in rows:
            source = sources.get(item.source_id) or orphan_source(item.source_id, config)
            try:
                with store.transaction(db):
                    result = normalizers.ingest(db, collected_id, item, source, config, now=now)
                    checks.check_ingested(db, result, item.html, config=config, now=now)
                    state = review_queue.submit(db, result, source, now=now)
            except Exception as exc:
                # Keep the row and retry it on the next pass; a row that keeps failing is set aside
                # (quarantined, listed in /healthz) so that it cannot hold up every row behind it.
                msg = f"collected #{collected_id} from {item.source_id}: {type(exc).__name__}: {exc}"
                facts = {"row": collected_id, "source": item.source_id, "error": f"{type(exc).__name__}: {exc}"}
                with store.transaction(db):
                    quarantined = normalizers.record_failure(db, collected_id, item.source_id, msg, now=now)
                stats.errors.append(msg)
                if quarantined:
                    log.error("来自 %(source)s 的采集行 #%(row)s 接收再次失败，已搁置（见 /healthz）：%(error)s", facts)
                    stats.quarantined += 1
                    continue
                log.error("来自 %(source)s 的采集行 #%(row)s 接收失败，将重试：%(error)s", facts)
                return stats
            stats.ingested += 1
            stats.new += result.kind == "new"
            stats.versions += result.kind == "version"
            stats.withdrawn += result.kind == "withdrawn"
            stats.joined += result.kind == "new" and not result.is_representative
            stats.queued += state in ("pending", "corrected", "awaiting-signoff")
            stats.auto_approved += state == "approved"
            stats.duplicates += state == "duplicate"


def compose_entry(db: sqlite_utils.Database, config: Config, item_id: int) -> publisher.Entry:
    """What the portal receives for one item: the stored item plus the reviewer's edits."""
    item = review_queue.published_item(db, item_id)
    if item is None:
        raise normalizers.UnknownItem(f"item {item_id} does not exist")
    view = review_queue.publish_view(db, item_id)
    try:
        source = config.source(item["source"])
        site_name = source.name
    except KeyError:
        site_name = item["source"]
    column = item["column"]
    columns = [column] + [t for t in item["topics"] if t != column]
    members = normalizers.cluster_members(db, item["cluster"]) if item.get("cluster") else []
    also = []
    for m in members:
        if m["item_id"] == item_id:
            continue
        try:
            name = config.source(m["source"]).name
        except KeyError:
            name = m["source"]
        also.append({"source_name": name, "url": m["url"]})
    return publisher.Entry(
        item_id=item_id,
        version=item["version"],
        columns=columns,
        title=item["title"],
        html=item["html"],
        text=item["text"],
        url=item["url"],
        source_id=item["source"],
        source_name=item.get("source_line") or site_name,
        published_at=item["published_at"],
        also_reported_by=also,
        approved_by=view.get("approved_by"),
        approved_at=view.get("approved_at"),
        action="correct" if publisher.latest(db, item_id) else "publish",
    )


def publish_due(db: sqlite_utils.Database, config: Config, *, now: datetime | None = None,
                stats: PassStats | None = None) -> PassStats:
    """Publish every approved item (and emit every retraction) not yet in the published stream."""
    stats = stats or PassStats()
    hold = config.web.approval_hold
    for item_id in review_queue.due_for_publishing(db, now=now, hold=hold):
        try:
            with store.transaction(db):
                if not review_queue.due_for_publishing(db, now=now, hold=hold, item_id=item_id):
                    continue  # undone (or undone and approved again) since the list was read
                entry = compose_entry(db, config, item_id)
                seq = publisher.publish(db, entry)
                review_queue.mark_published(db, item_id, seq, now=now)
        except Exception as exc:
            msg = f"publishing item {item_id}: {type(exc).__name__}: {exc}"
            log.error("发布条目 %(item)s 失败：%(error)s", {"item": item_id, "error": f"{type(exc).__name__}: {exc}"})
            stats.errors.append(msg)
            continue
        stats.published += 1
    for item_id in review_queue.retracted_due(db):
        try:
            with store.transaction(db):
                reason = review_queue.retract_reason(db, item_id) or "retracted by an editor"
                seq = publisher.retract(db, item_id, reason=reason, now=now)
                review_queue.mark_retraction_emitted(db, item_id, seq)
        except Exception as exc:  # like a failed publish: said once per pass, retried on the next
            msg = f"retracting item {item_id}: {type(exc).__name__}: {exc}"
            log.error("撤稿条目 %(item)s 失败：%(error)s", {"item": item_id, "error": f"{type(exc).__name__}: {exc}"})
            stats.errors.append(msg)
            continue
        stats.retracted += 1
    return stats


def run_once(db: sqlite_utils.Database, config: Config, *, now: datetime | None = None) -> PassStats:
    """Ingest what was collected, then publish what is due: one pipeline pass."""
    stats = process(db, config, now=now)
    publish_due(db, config, now=now, stats=stats)
    return stats
