"""Checking stored items: at ingest, after a reviewer's edit, after a link pass; and what blocks.

The findings of an item always describe the text a reviewer would approve: the collected
version at ingest, the edited title/text after an edit. A fixed item (edited, or corrected at
its source, which makes a new version) is checked again and what is gone closes by itself.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlite_utils

import normalizers
import store
from checks.checker import Checker, ItemText, checker
from checks.findings import Finding, open_findings, replace_findings
from checks.links import LinkPass, body_links, dead_links, record_links, run_link_pass, stored_links
from settings import Config

__all__ = ["blocking", "check_ingested", "check_item", "counts", "link_pass"]

CHECKED_KINDS = ("new", "version")  # ingest results whose text is new


def check_item(db: sqlite_utils.Database, item: dict[str, Any], *, config: Config | None = None,
               title: str | None = None, text: str | None = None, html: str | None = None,
               column: str | None = None, now: datetime | None = None, note: str = "fixed",
               rules: Checker | None = None) -> list[Finding]:
    """Check *item* (a normalizers item) with the given replacements applied and store the result.

    *html* is the body whose links are checked (the raw collected body at ingest, a reviewer's
    edited body after an edit); None keeps the links recorded before. *rules* replaces the
    configuration's checker (benchmarks, tests). Returns the open findings.
    """
    item_id = int(item["id"])
    base = item.get("url") or ""
    with store.transaction(db):
        if html is not None:
            links = body_links(html, base)
            record_links(db, item_id, links)
        else:
            links = stored_links(db, item_id)
        found = (rules or checker(config)).run(ItemText(
            title=item.get("title", "") if title is None else title,
            text=item.get("text", "") if text is None else text,
            links=links,
            published_at=item.get("published_at"),
            collected_at=item.get("created_at"),
            source_line=item.get("source_line"),
            column=column if column is not None else item.get("column"),
        ), dead=dead_links(db, links))
        replace_findings(db, item_id, item.get("version"), found, now=now, note=note)
        return open_findings(db, [item_id]).get(item_id, [])


def check_ingested(db: sqlite_utils.Database, result: Any, raw_html: str, *, config: Config,
                   now: datetime | None = None) -> list[Finding]:
    """Check an item just ingested (result: normalizers.IngestResult) if its text is new."""
    if getattr(result, "kind", None) not in CHECKED_KINDS:
        return []
    item = normalizers.get_item(db, int(result.item_id))
    if item is None:
        return []
    return check_item(db, item, config=config, html=raw_html or item.get("html") or "", now=now,
                      note=f"fixed in version {item.get('version')}")


def blocking(db: sqlite_utils.Database, item_id: int) -> list[Finding]:
    """The open ``block`` findings of *item_id* that no editor has overridden."""
    return [f for f in open_findings(db, [item_id]).get(int(item_id), [])
            if f.severity == "block" and not f.overridden_by]


def counts(db: sqlite_utils.Database, item_ids: Iterable[int] | None = None) -> Counter[str]:
    """Open findings by code (of the given items, or of all)."""
    return Counter(f.code for fs in open_findings(db, item_ids).values() for f in fs)


def link_pass(db: sqlite_utils.Database, config: Config, *, now: datetime | None = None, fetch: Any = None,
              budget_seconds: float | None = 60.0) -> LinkPass:
    """Check the links that are due and open or close LINK-DEAD findings of the items linking there."""
    s = config.checks
    stats = run_link_pass(db, limit=s.links_per_pass, timeout=s.link_timeout, recheck_days=s.link_recheck_days,
                          user_agent=config.collector.user_agent, now=now, fetch=fetch,
                          budget_seconds=budget_seconds)
    chk = checker(config)
    for item_id in sorted(stats.items):
        item = normalizers.get_item(db, item_id)
        if item is None:
            continue
        links = stored_links(db, item_id)
        found = chk.run(ItemText(title="", text="", links=links), dead=dead_links(db, links), families=["links"])
        with store.transaction(db):
            replace_findings(db, item_id, item.get("version"), found, families=["links"], now=now,
                             note="the link answers again")
    return stats
