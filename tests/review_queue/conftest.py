"""A small stand-in for the normalizers' read/tombstone API, and helpers to submit items."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher

import normalizers
import review_queue
import store
from review_queue import users as users_mod
from settings import Column, Config, Source

T0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


@dataclass
class FakeResult:
    """The fields of normalizers.IngestResult that review_queue reads."""

    item_id: int
    kind: str = "new"
    version: int = 1
    cluster_id: int | None = None
    representative_id: int | None = None
    is_representative: bool = True
    column: str = "city-news"
    topics: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    title: str | None = None
    text: str | None = None
    url: str | None = None
    withdrawn: str | None = None


class FakeNormalizers:
    """Items, clusters (representative first) and tombstones, kept in memory."""

    def __init__(self) -> None:
        self.items: dict[int, dict[str, Any]] = {}
        self.clusters: dict[int, list[int]] = {}
        self.tombstones: dict[int, str] = {}

    def add(self, item_id: int, *, source: str = "harbin", title: str | None = None, text: str = "第一段。\n第二段。",
            cluster: int | None = None, representative: bool = False, column: str = "city-news",
            flags: tuple[str, ...] = (), published_at: str | None = "2026-05-01T09:30:00+08:00") -> dict:
        item = {
            "id": item_id, "source": source, "title": title or f"新闻 {item_id}", "text": text,
            "html": "".join(f"<p>{p}</p>" for p in text.split("\n")), "url": f"https://{source}.example.cn/{item_id}.html",
            "published_at": published_at, "source_line": None, "column": column, "topics": [],
            "cluster": cluster, "flags": list(flags), "version": 1,
        }
        self.items[item_id] = item
        if cluster is not None:
            members = self.clusters.setdefault(cluster, [])
            if representative:
                members.insert(0, item_id)
            else:
                members.append(item_id)
        return item

    def get_item(self, db, item_id):
        return self.items.get(int(item_id))

    def possible_matches(self, db, item_id, *, limit=5):
        """None: the fake keeps no matching index (tests/review_queue/test_stories.py uses the real one)."""
        return []

    def cluster_members(self, db, cluster_id):
        """Summaries, as the real normalizers.cluster_members returns them."""
        keys = ("source", "title", "url", "published_at")
        return [{"item_id": i, **{k: self.items[i][k] for k in keys}} for i in self.clusters.get(cluster_id, [])]

    def list_items(self, db, ids=None, bodies=True):
        """As the real one: ``bodies=False`` leaves out text and html."""
        rows = [self.items[i] for i in (ids or self.items) if i in self.items]
        return rows if bodies else [{k: v for k, v in r.items() if k not in ("text", "html")} for r in rows]

    def tombstone(self, db, item_id, reason):
        self.tombstones[int(item_id)] = reason

    def lift_tombstone(self, db, item_id, now=None):
        return self.tombstones.pop(int(item_id), None) is not None

    def _move_to(self, item_id: int, cluster: int) -> None:
        old = self.items[item_id]["cluster"]
        if old is not None:
            self.clusters[old].remove(item_id)
        self.items[item_id]["cluster"] = cluster
        self.clusters.setdefault(cluster, []).append(item_id)

    def split_item(self, db, item_id, *, actor, reason, now=None):
        old = self.items[int(item_id)]["cluster"]
        others = tuple(i for i in self.clusters.get(old, []) if i != item_id)
        if not others:
            raise normalizers.ClusterEditRefused(f"item {item_id} is alone in its story; there is nothing to split")
        new = max(self.clusters) + 1
        self._move_to(int(item_id), new)
        return normalizers.ClusterEdit(new, (int(item_id),), others)

    def merge_clusters(self, db, a, b, *, actor, reason, now=None):
        if a == b:
            raise normalizers.ClusterEditRefused(f"cluster {a}: a story cannot be merged with itself")
        moved, others = tuple(self.clusters.get(b, [])), tuple(self.clusters.get(a, []))
        for i in moved:
            self._move_to(i, a)
        return normalizers.ClusterEdit(a, moved, others)

    def result(self, item_id: int, kind: str = "new", version: int = 1) -> FakeResult:
        item = self.items[item_id]
        cluster = item["cluster"]
        rep = self.clusters[cluster][0] if cluster is not None else item_id
        return FakeResult(item_id=item_id, kind=kind, version=version, cluster_id=cluster,
                          representative_id=rep, is_representative=rep == item_id, column=item["column"],
                          topics=list(item["topics"]), flags=list(item["flags"]), title=item["title"],
                          text=item["text"], url=item["url"], withdrawn=item.get("withdrawn"))


@pytest.fixture
def fake_norm(monkeypatch: pytest.MonkeyPatch) -> FakeNormalizers:
    fake = FakeNormalizers()
    for name in ("get_item", "cluster_members", "list_items", "tombstone", "lift_tombstone", "split_item",
                 "merge_clusters", "possible_matches"):
        monkeypatch.setattr(normalizers, name, getattr(fake, name), raising=False)
    return fake


@pytest.fixture
def fast_hash(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap argon2 parameters so that tests creating many users stay fast."""
    monkeypatch.setattr(users_mod, "HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    monkeypatch.setattr(users_mod, "_DUMMY_HASH", None)


@pytest.fixture
def db(tmp_path, fake_norm, fast_hash):
    conn = store.open_db(tmp_path / "huiju.db")
    review_queue.init(conn)
    for name, role in (("rita", "reviewer"), ("ron", "reviewer"), ("eddie", "editor"),
                       ("erin", "editor"), ("ada", "admin")):
        review_queue.add_user(conn, name, role, "correct horse battery")
    yield conn
    conn.close()


CITY = Source(id="harbin", name="哈尔滨市人民政府", kind="city", type="rss", url="https://harbin.example.cn/",
              column="city-news")
PARTNER = Source(id="xinhua", name="新华网", kind="partner", type="html", url="https://xinhua.example.cn/",
                 column="city-news", rank=40)
TRUSTED = Source(id="gov-docs", name="省政府办公厅", kind="department", type="rss", url="https://docs.example.cn/",
                 column="gov-documents", review="auto")


def make_config(**signoff: tuple[str, ...]) -> Config:
    cols = {
        "city-news": Column("city-news", "地市动态", "news", 14),
        "gov-affairs": Column("gov-affairs", "政务动态", "news", 14),
        "gov-documents": Column("gov-documents", "政府文件", "policy", 183),
        "topic-e-government": Column("topic-e-government", "电子政务建设", "topic"),
    }
    for col_id, roles in signoff.items():
        c = cols[col_id.replace("_", "-")]
        cols[c.id] = Column(c.id, c.name, c.kind, c.freshness_days, tuple(roles))
    return Config(path="test.toml", columns=cols, sources=(CITY, PARTNER, TRUSTED))


def submit_new(db, fake: FakeNormalizers, item_id: int, *, source: Source = CITY, now=None, **kw) -> str:
    if item_id not in fake.items:
        fake.add(item_id, source=source.id, **kw)
    return review_queue.submit(db, fake.result(item_id), source, now=now or at(item_id))


@pytest.fixture(autouse=True)
def chinese_outside_requests():
    """Messages outside a web request follow the process's language, which a command line test
    run in this process may have set to English: every test here starts from the default."""
    from review_queue import catalogs

    catalogs.use(catalogs.DEFAULT)
    yield
    catalogs.use(catalogs.DEFAULT)
