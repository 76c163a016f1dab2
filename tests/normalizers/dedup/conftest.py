"""Fixtures for the dedup half: a fresh database, sources of each kind, a collected-item factory."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest

import normalizers
import store
from collectors.model import CollectedItem
from settings.model import Column, Config, RoutingRule, Source

SOURCES = {
    "harbin": Source(id="harbin", name="哈尔滨市人民政府", kind="city", type="html",
                     url="https://www.harbin.gov.cn/", column="city-news", rank=10),
    "fgw": Source(id="fgw", name="黑龙江省发展和改革委员会", kind="department", type="html",
                  url="https://drc.hlj.gov.cn/", column="department-news", rank=10),
    "portal": Source(id="portal", name="黑龙江省人民政府", kind="portal", type="html",
                     url="https://www.hlj.gov.cn/", column="longjiang-news", rank=30),
    "xinhua": Source(id="xinhua", name="新华网", kind="partner", type="html",
                     url="https://www.news.cn/", column="gov-affairs", rank=40),
}
COLUMNS = {
    "longjiang-news": Column("longjiang-news", "龙江动态", "news", 14),
    "gov-affairs": Column("gov-affairs", "政务动态", "news", 14),
    "department-news": Column("department-news", "厅局动态", "news", 14),
    "city-news": Column("city-news", "地市动态", "news", 14),
    "topic-old-industrial-base": Column("topic-old-industrial-base", "老工业基地建设", "topic"),
}
RULES = (RoutingRule(column="topic-old-industrial-base", action="topic", body_any=("老工业基地",), min_hits=1),)
CONFIG = Config(path="test", columns=COLUMNS, sources=tuple(SOURCES.values()), rules=RULES)


@pytest.fixture
def db(tmp_path):
    d = store.open_db(tmp_path / "huiju.db")
    normalizers.init(d)
    yield d
    d.conn.close()


def make_item(source: str = "harbin", *, identity: str | None = None, title: str = "", html: str = "",
              url: str | None = None, published: str | None = "2025-01-13 09:30") -> CollectedItem:
    ident = identity or f"{source}-{title}-{len(html)}"
    return CollectedItem(
        source_id=source, identity=ident, identity_rule="link",
        url=url or f"{SOURCES[source].url}art/{abs(len(ident))}/{ident.encode().hex()[:24]}.shtml",
        title=title, html=html, published=published, fetched_at="2025-01-13T12:00:00+00:00",
    )


@pytest.fixture
def ingest(db) -> Callable[..., normalizers.IngestResult]:
    """Ingest an item from a named source with the next collected id, as the pipeline does."""
    counter = itertools.count(1)

    def _ingest(item: CollectedItem, collected_id: int | None = None) -> normalizers.IngestResult:
        cid = collected_id if collected_id is not None else next(counter)
        with store.transaction(db):
            return normalizers.ingest(db, cid, item, SOURCES[item.source_id], CONFIG)

    return _ingest
