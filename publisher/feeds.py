"""RSS 2.0, Atom 1.0 (both through feedgen) and JSON Feed 1.1 for one column or all of them.

Each entry: title, link (the original URL), guid ``huiju:item:{id}`` (a correction keeps it and
changes Atom ``updated``), the sanitized HTML, the source name (来源: RSS ``dc:creator`` and
``<source>``, Atom ``author/name``, JSON Feed ``authors``), the original publish time (RSS
``pubDate``, Atom ``published``, JSON Feed ``date_published``) and the columns as categories.

An item whose source gave no publish time has **no** publish date in any feed — never a stand-in
date (a faked release date is a veto item in the national inspection). Atom ``updated`` and JSON
Feed ``date_modified`` always carry the time Huiju last published the item, and JSON Feed marks
the unknown date with ``_huiju.published_at_unknown: true``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlite_utils
from feedgen.feed import FeedGenerator
from lxml import etree

from publisher import epoch as stream_epoch
from publisher.errors import UnknownColumn
from publisher.stream import deleted_entries, feed_entries, latest_seq, parse_time
from settings import Config

__all__ = [
    "render_rss", "render_atom", "render_json_feed", "feed_column", "deletions", "deletion_cutoff",
    "DEFAULT_FEED_LIMIT", "DEFAULT_DELETED_DAYS", "ALL",
]

ALL = "all"
DEFAULT_FEED_LIMIT = 50
DEFAULT_DELETED_DAYS = 30  # how long a retracted / moved-out item stays listed as deleted in a feed
ATOM_NS = "http://www.w3.org/2005/Atom"
TOMBSTONES_NS = "http://purl.org/atompub/tombstones/1.0"  # RFC 6721
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
GENERATOR = "Huiju 汇聚"


def feed_column(config: Config, column: str | None) -> str | None:
    """*column* checked against the catalog: None for all columns; raises :class:`UnknownColumn`."""
    if column is None or column == ALL:
        return None
    if column not in config.columns:
        raise UnknownColumn(f"unknown column {column!r}")
    return column


def _titles(config: Config, column: str | None) -> tuple[str, str]:
    if column is None:
        return "汇聚 · 全部栏目", "All columns of the portal, as published by Huiju"
    col = config.columns[column]
    return f"汇聚 · {col.name}", f"{col.name} ({col.kind}) as published by Huiju"


def _base(base_url: str) -> str:
    return (base_url or "").rstrip("/")


def _updated(db: sqlite_utils.Database, column: str | None) -> datetime:
    _seq, when = latest_seq(db, column)
    return parse_time(when) or datetime(1970, 1, 1, tzinfo=UTC)


def _generator(db: sqlite_utils.Database, config: Config, column: str | None, base_url: str, fmt: str) -> FeedGenerator:
    base = _base(base_url)
    name = column or ALL
    title, description = _titles(config, column)
    fg = FeedGenerator()
    fg.load_extension("dc", atom=False, rss=True)
    fg.id(f"huiju:feed:{name}")
    fg.title(title)
    fg.subtitle(description)
    fg.language("zh-CN")
    fg.generator(GENERATOR)
    fg.link(href=f"{base}/feeds/{name}.{fmt}", rel="self")
    fg.link(href=f"{base}/", rel="alternate")
    updated = _updated(db, column)
    fg.updated(updated)
    if fmt == "rss":
        fg.lastBuildDate(updated)
    return fg


def _categories(config: Config, columns: list[str], *, labels: bool) -> list[dict[str, str]]:
    cats = []
    for c in columns:
        cat = {"term": c}
        if labels and c in config.columns:
            cat["label"] = config.columns[c].name
        cats.append(cat)
    return cats


def deletion_cutoff(deleted_days: int, now: datetime | None = None) -> str:
    """The UTC time from which deletions are listed (``deleted_days`` back from *now*)."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    return (now - timedelta(days=max(0, deleted_days))).isoformat(timespec="seconds")


def deletions(
    db: sqlite_utils.Database, column: str | None, *, deleted_days: int = DEFAULT_DELETED_DAYS,
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """Items retracted (or, for a column, moved out of it) within the last *deleted_days* days."""
    if deleted_days <= 0:
        return []
    return deleted_entries(db, column, after=deletion_cutoff(deleted_days, now))


def render_rss(
    db: sqlite_utils.Database, config: Config, column: str | None, base_url: str, *, limit: int = DEFAULT_FEED_LIMIT,
    deleted_days: int = DEFAULT_DELETED_DAYS, now: datetime | None = None,
) -> bytes:
    """RSS 2.0 for *column* ("all" or None = every column); raises :class:`UnknownColumn`.

    RSS has no way to say an item was deleted: use Atom or JSON Feed for that (*deleted_days*
    and *now* are accepted so that every renderer takes the same arguments).
    """
    col = feed_column(config, column)
    fg = _generator(db, config, col, base_url, "rss")
    for e in feed_entries(db, col, limit):
        fe = fg.add_entry(order="append")
        fe.guid(e["guid"], permalink=False)
        fe.title(e["title"])
        fe.link(href=e["url"])
        fe.description(e["html"] or e["title"])
        fe.dc.dc_creator(e["source_name"])
        fe.source(url=e["url"], title=e["source_name"])
        published = parse_time(e["published_at"])
        if published:
            fe.pubDate(published)
        for cat in _categories(config, e["columns"], labels=False):
            fe.category(cat)
    return fg.rss_str(pretty=False)


def render_atom(
    db: sqlite_utils.Database, config: Config, column: str | None, base_url: str, *, limit: int = DEFAULT_FEED_LIMIT,
    deleted_days: int = DEFAULT_DELETED_DAYS, now: datetime | None = None,
) -> bytes:
    """Atom 1.0 for *column* ("all" or None = every column); raises :class:`UnknownColumn`.

    Items retracted (or moved out of the column) in the last *deleted_days* days follow the
    entries as RFC 6721 ``<at:deleted-entry ref="guid" when="…">`` with the editor's reason
    as ``<at:comment>``, so a feed reader removes them too.
    """
    col = feed_column(config, column)
    fg = _generator(db, config, col, base_url, "atom")
    entries = feed_entries(db, col, limit)
    for e in entries:
        fe = fg.add_entry(order="append")
        fe.id(e["guid"])
        fe.title(e["title"])
        fe.link(href=e["url"], rel="alternate")
        fe.author(name=e["source_name"])
        fe.content(e["html"] or e["title"], type="html")
        published = parse_time(e["published_at"])
        if published:
            fe.published(published)
        fe.updated(parse_time(e["updated_at"]))
        for cat in _categories(config, e["columns"], labels=True):
            fe.category(cat)
    atom = fg.atom_str(pretty=False)
    if any(o.get("url") for e in entries for o in e["also_reported_by"]):
        atom = _with_related_links(atom, entries)
    gone = deletions(db, col, deleted_days=deleted_days, now=now)
    if gone:
        atom = _with_tombstones(atom, gone)
    return atom


def _with_tombstones(atom: bytes, gone: list[dict[str, Any]]) -> bytes:
    """Append one ``at:deleted-entry`` (RFC 6721) per deletion to the feed element."""
    old = etree.fromstring(atom)
    root = etree.Element(old.tag, nsmap={None: ATOM_NS, "at": TOMBSTONES_NS}, attrib=dict(old.attrib))
    root.text = old.text
    root.extend(list(old))
    for d in gone:
        when = parse_time(d["when"])
        node = etree.SubElement(root, f"{{{TOMBSTONES_NS}}}deleted-entry", ref=d["guid"],
                                when=when.isoformat() if when else d["when"])
        etree.SubElement(node, f"{{{TOMBSTONES_NS}}}comment").text = _deletion_comment(d)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _deletion_comment(d: dict[str, Any]) -> str:
    if d["action"] == "moved":
        return "已移出本栏目 (moved to another column)"
    return d["reason"] or "已撤稿 (retracted)"


def _with_related_links(atom: bytes, entries: list[dict[str, Any]]) -> bytes:
    """Add rel="alternate" and the other sources' rel="related" links to each Atom entry.

    feedgen 1.0.0 drops every attribute of an entry link but href (a shadowed variable in
    ``atom_entry``), so a related link would read as a second alternate; they are added here.
    """
    root = etree.fromstring(atom)
    by_id = {e["guid"]: e for e in entries}
    for node in root.iterfind(f"{{{ATOM_NS}}}entry"):
        entry = by_id.get(node.findtext(f"{{{ATOM_NS}}}id"))
        if entry is None:
            continue
        for link in node.iterfind(f"{{{ATOM_NS}}}link"):
            link.set("rel", "alternate")
        for other in entry["also_reported_by"]:
            if other.get("url"):
                link = etree.SubElement(node, f"{{{ATOM_NS}}}link", href=other["url"], rel="related")
                if other.get("source_name"):
                    link.set("title", other["source_name"])
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _rfc3339(value: str | None) -> str | None:
    moment = parse_time(value)
    return moment.isoformat() if moment else None


def json_feed(
    db: sqlite_utils.Database, config: Config, column: str | None, base_url: str, *, limit: int = DEFAULT_FEED_LIMIT,
    deleted_days: int = DEFAULT_DELETED_DAYS, now: datetime | None = None,
) -> dict[str, Any]:
    """JSON Feed 1.1 as a dict, with ``_huiju`` extension fields on the feed and on each item.

    JSON Feed has no deletions; ``_huiju.deleted`` lists, like Atom's ``at:deleted-entry``, the
    items retracted (or moved out of the column) in the last ``_huiju.deleted_days`` days.
    """
    col = feed_column(config, column)
    base = _base(base_url)
    name = col or ALL
    title, description = _titles(config, col)
    seq, _when = latest_seq(db, col)
    items = []
    for e in feed_entries(db, col, limit):
        item: dict[str, Any] = {
            "id": e["guid"],
            "url": e["url"],
            "title": e["title"],
            "content_html": e["html"] or e["title"],
            "content_text": e["text"] or "",
            "date_modified": _rfc3339(e["updated_at"]),
            "authors": [{"name": e["source_name"]}],
            "tags": [config.columns[c].name if c in config.columns else c for c in e["columns"]],
            "language": "zh-CN",
        }
        published = _rfc3339(e["published_at"])
        if published:
            item["date_published"] = published
        item["_huiju"] = {
            "seq": e["seq"],
            "item_id": e["item_id"],
            "version": e["version"],
            "action": e["action"],
            "column": e["column"],
            "columns": e["columns"],
            "source_id": e["source_id"],
            "source_name": e["source_name"],
            "url": e["url"],
            "published_at": e["published_at"],
            "published_at_unknown": e["published_at"] is None,
            "also_reported_by": e["also_reported_by"],
        }
        items.append(item)
    return {
        "version": JSON_FEED_VERSION,
        "title": title,
        "description": description,
        "home_page_url": f"{base}/",
        "feed_url": f"{base}/feeds/{name}.json",
        "language": "zh-CN",
        "_huiju": {
            "column": name,
            "epoch": stream_epoch.current(db),
            "latest_seq": seq,
            "api": f"{base}/api/v1/items" + (f"?column={col}" if col else ""),
            "deleted_days": deleted_days,
            "deleted": [
                {"id": d["guid"], "item_id": d["item_id"], "seq": d["seq"], "deleted_at": _rfc3339(d["when"]),
                 "action": d["action"], "reason": _deletion_comment(d)}
                for d in deletions(db, col, deleted_days=deleted_days, now=now)
            ],
        },
        "items": items,
    }


def render_json_feed(
    db: sqlite_utils.Database, config: Config, column: str | None, base_url: str, *, limit: int = DEFAULT_FEED_LIMIT,
    deleted_days: int = DEFAULT_DELETED_DAYS, now: datetime | None = None,
) -> bytes:
    """JSON Feed 1.1 bytes (UTF-8, Chinese unescaped) for *column*; raises :class:`UnknownColumn`."""
    feed = json_feed(db, config, column, base_url, limit=limit, deleted_days=deleted_days, now=now)
    return json.dumps(feed, ensure_ascii=False).encode("utf-8")
