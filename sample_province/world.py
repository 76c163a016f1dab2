"""The simulated province's content over time: stories, the items that carry them, the clock.

Each simulated day gets ``stories_per_day`` distinct stories, spread over the sites by kind, each
released at a seeded time; some are re-posted by the portal, a parent city or Xinhua a few hours
later with the edits real re-posters make; a few are corrected upstream (same URL, edited text) or
deleted. Days are generated lazily as the clock reaches them, deterministically from the seed, so
two provinces with the same options serve the same pages.
"""

from __future__ import annotations

import bisect
import logging
import random
import re
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from pages.times import SHANGHAI
from sample_province.catalog import CITY_SHORT, DATE_STYLES, Channel, Site
from sample_province.corpus import CorpusReader
from sample_province.textgen import (
    Story,
    generate_bulletin,
    generate_document,
    generate_executive_meeting,
    generate_news,
    generate_notice,
)
from sample_province.urls import attachment_url, detail_url

log = logging.getLogger("sample_province")
TZ = SHANGHAI

TOPIC_KEYWORDS = {
    "topic-old-industrial-base": ("老工业基地",),
    "topic-e-government": ("电子政务", "数字政府", "一网通办", "互联网+政务服务"),
}
EDITORS = ["王丽", "张宏", "刘晓东", "陈静", "李娜", "赵明", "孙悦", "周洋", "吴昊", "郑雪"]


class Clock:
    """Simulated time: moves ``speed`` simulated seconds per real second, plus manual advances."""

    def __init__(self, start: datetime, speed: float = 0.0) -> None:
        self._lock = threading.Lock()
        self._sim = start
        self._real = time.monotonic()
        self.speed = speed

    def now(self) -> datetime:
        with self._lock:
            if self.speed:
                return self._sim + timedelta(seconds=(time.monotonic() - self._real) * self.speed)
            return self._sim

    def advance(self, seconds: float) -> datetime:
        with self._lock:
            real = time.monotonic()
            self._sim = self._sim + timedelta(seconds=(real - self._real) * self.speed + seconds)
            self._real = real
            return self._sim


@dataclass
class Item:
    """One story as served by one site: its own URL, title, text, time and fate."""

    no: int
    site: Site
    channel: Channel
    story: Story
    title: str
    paragraphs: tuple[str, ...]
    released: datetime
    column: str
    topics: tuple[str, ...]
    repost_of: int | None  # item number of the original, None for the original itself
    transforms: tuple[str, ...] = ()
    source_name: str = ""  # the 来源 the page shows
    editor: str = ""
    correction_at: datetime | None = None
    corrected: tuple[str, ...] | None = None  # paragraphs of version 2
    deleted_at: datetime | None = None
    path: str = ""

    def version(self, now: datetime) -> int:
        return 2 if self.correction_at is not None and now >= self.correction_at else 1

    def text(self, now: datetime) -> tuple[str, ...]:
        return self.corrected if self.version(now) == 2 and self.corrected else self.paragraphs

    def deleted(self, now: datetime) -> bool:
        return self.deleted_at is not None and now >= self.deleted_at

    def changed_at(self, now: datetime) -> datetime:
        """When this page last changed, as seen at ``now`` (Last-Modified)."""
        t = self.released
        if self.version(now) == 2 and self.correction_at is not None:
            t = self.correction_at
        return t


def topics_of(title: str, paragraphs: tuple[str, ...]) -> tuple[str, ...]:
    text = title + "".join(paragraphs)
    return tuple(t for t, words in TOPIC_KEYWORDS.items() if any(w in text for w in words))


_FULL = str.maketrans("，：；（）！？", ",:;()!?")
_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")
_s2t = None


def traditional(text: str) -> str:
    """Simplified → traditional characters (OpenCC), as some re-posters publish."""
    global _s2t
    if _s2t is None:
        import opencc

        _s2t = opencc.OpenCC("s2t")
    return _s2t.convert(text)


class World:
    """All items of the province, generated day by day up to the clock."""

    def __init__(self, sites: list[Site], *, seed: int, start: datetime, stories_per_day: int,
                 corpus: CorpusReader | None, days: int | None) -> None:
        self.sites = sites
        self.site_by_id = {s.id: s for s in sites}
        self.seed = seed
        self.start = start
        self.stories_per_day = stories_per_day
        self.corpus = corpus
        self.days = days
        self._lock = threading.RLock()
        self.generated_days = 0
        self.items: list[Item] = []
        self.by_path: dict[str, Item] = {}
        self.attachments: dict[str, Item] = {}  # PDF path -> the policy document it belongs to
        # (site id, channel key) -> items sorted by release time, and their release times
        self.lists: dict[tuple[str, str], list[Item]] = {}
        self._times: dict[tuple[str, str], list[datetime]] = {}
        self._next_no = 31000000 + (seed % 1000) * 10000
        self._by_kind: dict[str, list[Site]] = {}
        for s in sites:
            self._by_kind.setdefault(s.kind, []).append(s)
        self._doc_seq = {"policy": 0, "law": 0}

    # ----------------------------------------------------------------- generation
    def ensure(self, now: datetime) -> None:
        """Generate every day whose stories could be released by ``now``."""
        need = int((now - self.start).total_seconds() // 86400) + 1
        if self.days is not None:
            need = min(need, self.days)
        if need <= self.generated_days:
            return
        with self._lock:
            while self.generated_days < need:
                self._generate_day(self.generated_days)
                self.generated_days += 1

    def _new_no(self) -> int:
        self._next_no += 1
        return self._next_no

    def _add(self, item: Item) -> Item:
        item.path = detail_url(item.site, item.channel, item.no, item.released)
        self.items.append(item)
        self.by_path[item.path] = item
        if item.story.kind in ("policy", "law"):
            self.attachments[attachment_url(item.path, item.released, item.no)] = item
        key = (item.site.id, item.channel.key)
        lst = self.lists.setdefault(key, [])
        times = self._times.setdefault(key, [])
        i = bisect.bisect_right(times, item.released)
        times.insert(i, item.released)
        lst.insert(i, item)
        return item

    def _generate_day(self, d: int) -> None:
        rng = random.Random(f"{self.seed}:day:{d}")
        day0 = self.start + timedelta(days=d)
        n = self.stories_per_day
        stories: list[tuple[Story, Site, Channel]] = []
        portal = self.site_by_id["portal"]
        pch = {c.key: c for c in portal.channels}
        date_cn = f"{day0.year}年{day0.month}月{day0.day}日"
        # Fixed daily series first: price bulletins (hard negatives), portal documents and notices.
        specials: list[tuple[Story, Site, Channel]] = []
        for cid in ("harbin", "qiqihar", "daqing"):
            if cid in self.site_by_id and len(specials) < n:
                s = self.site_by_id[cid]
                specials.append((generate_bulletin(rng, f"gen-{d}-bulletin-{cid}", date_cn, CITY_SHORT[cid] + "市"),
                                 s, s.channels[0]))
        if rng.random() < 0.5 and len(specials) < n:
            self._doc_seq["policy"] += 1
            specials.append((generate_document(rng, f"gen-{d}-policy", day0.year, self._doc_seq["policy"], False),
                             portal, pch["zfwj"]))
        if rng.random() < 0.15 and len(specials) < n:
            self._doc_seq["law"] += 1
            specials.append((generate_document(rng, f"gen-{d}-law", day0.year, 300 + self._doc_seq["law"], True),
                             portal, pch["gz"]))
        if rng.random() < 0.8 and len(specials) < n:
            specials.append((generate_notice(rng, f"gen-{d}-notice", day0.year), portal, pch["tzgg"]))
        if d % 7 == 2 and len(specials) < n:  # every week, the 常务会议 report on 政务动态
            specials.append((generate_executive_meeting(rng, f"gen-{d}-executive", 40 + d // 7, day0.month,
                                                        day0.day), portal, pch["zwdt"]))
        m = n - len(specials)
        origins = [self._pick_origin(rng) for _ in range(m)]
        if self.corpus is not None:
            texts = self.corpus.take(m)
        else:
            texts = [generate_news(rng, f"gen-{d}-{i:03d}", **self._voice(rng, site), month=day0.month,
                                   day=day0.day) for i, site in enumerate(origins)]
        for story, site in zip(texts, origins, strict=True):
            ch = site.channels[0]
            if site.kind == "portal":
                ch = pch["ljdt"] if rng.random() < 0.5 else pch["zwdt"]
            stories.append((story, site, ch))
        for story, site, ch in specials + stories:
            self._place_story(rng, day0, story, site, ch)

    def _voice(self, rng: random.Random, site: Site) -> dict[str, str]:
        """Who acts and where, in a generated story from ``site`` (a city writes about itself)."""
        cities = [c for c in CITY_SHORT.values()]
        if site.kind == "city":
            name = CITY_SHORT[site.id] + ("地区" if site.id == "daxinganling" else "市")
            return {"org": name, "place": name}
        if site.kind == "county":
            return {"org": site.short, "place": site.short}
        if site.kind == "department":
            return {"org": site.name.replace("黑龙江省", "省"), "place": rng.choice(cities) + "市"}
        if site.kind == "portal":
            return {"org": rng.choice(["省政府", "省委省政府", "黑龙江省"]), "place": rng.choice(cities) + "市"}
        return {"place": rng.choice(cities) + "市"}

    def _pick_origin(self, rng: random.Random) -> Site:
        r = rng.random()
        for kind, upto in (("department", 0.33), ("city", 0.60), ("county", 0.85), ("portal", 0.95),
                           ("partner", 1.01)):
            if r < upto and self._by_kind.get(kind):
                return rng.choice(self._by_kind[kind])
        return rng.choice(self.sites)

    def _release_time(self, rng: random.Random, day0: datetime) -> datetime:
        hour = rng.choice([7, 8, 8, 9, 9, 9, 10, 10, 10, 11, 11, 13, 14, 14, 15, 15, 16, 16, 17, 18, 19, 20, 21])
        return day0 + timedelta(hours=hour, minutes=rng.randrange(60), seconds=rng.randrange(60))

    def _place_story(self, rng: random.Random, day0: datetime, story: Story, site: Site, ch: Channel) -> None:
        released = self._release_time(rng, day0)
        column = ch.column
        topics = topics_of(story.title, story.paragraphs)
        origin = self._add(Item(self._new_no(), site, ch, story, story.title, story.paragraphs, released,
                                column, topics, None, (), site.name, rng.choice(EDITORS)))
        self._fate(rng, origin)
        if story.kind in ("bulletin", "policy", "law", "notice"):
            return
        portal = self.site_by_id["portal"]
        pch = {c.key: c for c in portal.channels}
        xinhua = self.site_by_id["xinhua"]
        reposts: list[tuple[Site, Channel, str]] = []
        if site.kind == "department":
            if rng.random() < 0.35:
                reposts.append((portal, pch["tjdt"], "portal"))
            if rng.random() < 0.10:
                reposts.append((xinhua, xinhua.channels[0], "xinhua"))
        elif site.kind == "city":
            if rng.random() < 0.35:
                reposts.append((portal, pch["dsdt"], "portal"))
            if rng.random() < 0.15:
                reposts.append((xinhua, xinhua.channels[0], "xinhua"))
        elif site.kind == "county":
            parent = self.site_by_id.get(site.city or "")
            if parent is not None and rng.random() < 0.30:
                reposts.append((parent, parent.channels[0], "city"))
            if rng.random() < 0.08:
                reposts.append((portal, pch["dsdt"], "portal"))
        elif site.kind == "portal":
            if rng.random() < 0.25:
                reposts.append((xinhua, xinhua.channels[0], "xinhua"))
            if rng.random() < 0.10 and self._by_kind.get("city"):
                c = rng.choice(self._by_kind["city"])
                reposts.append((c, c.channels[0], "city"))
        elif site.kind == "partner" and rng.random() < 0.30:
            reposts.append((portal, pch["ljdt"], "portal"))
        for rsite, rch, role in reposts:
            when = released + timedelta(minutes=rng.randint(20, 9 * 60))
            title, paras, transforms = self._repost_text(rng, story, site, role)
            item = self._add(Item(self._new_no(), rsite, rch, story, title, paras, when, column, topics,
                                  origin.no, transforms, site.name, rng.choice(EDITORS)))
            self._fate(rng, item)

    def _repost_text(self, rng: random.Random, story: Story, origin: Site, role: str
                     ) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
        """The edits a re-poster makes: prefix, 来源/责任编辑/记者 lines, trims, punctuation, script."""
        title = story.title
        paras = list(story.paragraphs)
        tr: list[str] = []
        short = CITY_SHORT.get(origin.id) or origin.short.replace("黑龙江省", "")
        if role == "portal":
            prefix = rng.choice(["【龙江动态】", f"【{short}】", f"{short}：", ""])
        elif role == "xinhua":
            prefix = rng.choice(["黑龙江", f"{short}：", "", ""])
            if prefix == "黑龙江" and title.startswith("黑龙江"):
                prefix = ""
        else:
            prefix = rng.choice(["【县区动态】", f"{origin.short}：", ""])
        if prefix:
            title = prefix + title
            tr.append("prefix")
        if len(paras) >= 3 and rng.random() < 0.3:
            keep = rng.randint(2, len(paras) - 1)
            paras = paras[:keep]
            tr.append("trimmed")
        r = rng.random()
        if r < 0.35:
            paras.insert(0, f"来源：{origin.name}")
            tr.append("source-line")
        elif r < 0.55:
            paras.insert(0, f"记者 {rng.choice(EDITORS)} 通讯员 {rng.choice(EDITORS)}")
            tr.append("byline")
        if rng.random() < 0.5:
            paras.append(f"（责任编辑：{rng.choice(EDITORS)}）")
            tr.append("editor-line")
        if rng.random() < 0.2:
            title = title.translate(_FULL)
            paras = [p.translate(_FULL) for p in paras]
            tr.append("ascii-punctuation")
        if rng.random() < 0.15:
            paras = [p.translate(_DIGITS) for p in paras]
            tr.append("fullwidth-digits")
        if rng.random() < (0.12 if role == "xinhua" else 0.04):
            title = traditional(title)
            paras = [traditional(p) for p in paras]
            tr.append("traditional")
        return title, tuple(paras), tuple(tr)

    def _fate(self, rng: random.Random, item: Item) -> None:
        """A few items are corrected upstream (same URL, edited text); fewer are deleted."""
        r = rng.random()
        if r < 0.03:
            item.correction_at = item.released + timedelta(hours=rng.uniform(1, 30))
            paras = list(item.paragraphs)
            k = min(len(paras) - 1, 1 if len(paras) > 1 else 0)
            fixed = re.sub(r"\d+", lambda m: str(int(m.group()) + 1), paras[k], count=1)
            if fixed == paras[k]:
                fixed = paras[k] + "（本文有更正）"
            paras[k] = fixed
            item.corrected = tuple(paras)
        elif r < 0.04:
            item.deleted_at = item.released + timedelta(hours=rng.uniform(2, 48))

    # ----------------------------------------------------------------- reading
    def listed(self, site: Site, channel: Channel, now: datetime) -> list[Item]:
        """Items of a list as the site shows them at ``now``: newest first, deleted ones gone."""
        self.ensure(now)
        key = (site.id, channel.key)
        with self._lock:
            times = self._times.get(key, [])
            lst = self.lists.get(key, [])
            k = bisect.bisect_right(times, now)
            out = [it for it in reversed(lst[:k]) if not it.deleted(now)]
        return out

    def find(self, path: str, now: datetime) -> Item | None:
        """The released item served at ``path`` (deleted ones included: the caller answers 404)."""
        self.ensure(now)
        item = self.by_path.get(path)
        if item is None or item.released > now:
            return None
        return item

    def last_change(self, site: Site, channel: Channel, now: datetime) -> datetime:
        """When a list last changed at ``now``: newest release, correction or deletion on it."""
        key = (site.id, channel.key)
        with self._lock:
            times = self._times.get(key, [])
            lst = self.lists.get(key, [])
            k = bisect.bisect_right(times, now)
            best = self.start
            for it in lst[:k]:
                t = it.released
                if it.correction_at and it.correction_at <= now:
                    t = max(t, it.correction_at)
                if it.deleted_at and it.deleted_at <= now:
                    t = max(t, it.deleted_at)
                best = max(best, t)
        return best

    def counts(self, now: datetime) -> dict[str, int]:
        """Items online per site at ``now`` (for the province's index page)."""
        self.ensure(now)
        out: dict[str, int] = {}
        with self._lock:
            for (site_id, _key), times in self._times.items():
                k = bisect.bisect_right(times, now)
                lst = self.lists[(site_id, _key)]
                out[site_id] = out.get(site_id, 0) + sum(1 for it in lst[:k] if not it.deleted(now))
        return out

    def truth(self, now: datetime) -> list[dict]:
        """Ground truth of every item released by ``now`` (deleted ones flagged, not dropped)."""
        self.ensure(now)
        with self._lock:
            released = [it for it in self.items if it.released <= now]
        released.sort(key=lambda it: (it.released, it.no))
        return [self.item_truth(it, now) for it in released]

    def item_truth(self, it: Item, now: datetime) -> dict:
        return {
            "site": it.site.id,
            "source": source_id(it.site, it.channel),
            "url": it.path,
            "story_id": it.story.id,
            "column": it.column,
            "topics": list(it.topics),
            "published_at": shown_time(it),
            "released_at": it.released.isoformat(),
            "repost_group": it.story.id,
            "original": it.repost_of is None,
            "transforms": list(it.transforms),
            "title": it.title,
            "version": it.version(now),
            "deleted": it.deleted(now),
            "text_origin": it.story.origin,
        }


def source_id(site: Site, channel: Channel) -> str:
    """Huiju source id of a site's list: the site id, or ``portal-{key}`` for the portal's lists."""
    return f"{site.id}-{channel.key}" if len(site.channels) > 1 else site.id


def shown_time(it: Item) -> str | None:
    """The publish time the site shows, at the precision it shows (ISO 8601, +08:00), or None."""
    styles = [s for s in (it.site.detail_date, it.site.list_date) if s]
    if it.channel.template in ("portal-json", "json"):
        styles = ["ymd-hms"]
    if not styles:
        return None
    order = {"second": 3, "minute": 2, "day": 1, "day-no-year": 0}
    best = max(styles, key=lambda s: order[DATE_STYLES[s]])
    prec = DATE_STYLES[best]
    t = it.released
    if prec == "minute":
        t = t.replace(second=0)
    elif prec in ("day", "day-no-year"):
        t = t.replace(hour=0, minute=0, second=0)
    return t.isoformat()
