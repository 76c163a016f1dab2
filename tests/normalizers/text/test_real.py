"""Real pages and real story text: extraction amid navigation, punctuation kept as published."""

from __future__ import annotations

import re
import time
from pathlib import Path

import lxml.html
import pytest

from collectors.model import CollectedItem
from normalizers.document import clean_item
from settings.model import Source

PAGE_URL = "https://www.chinanews.com/gn/2020/07-04/9229287.shtml"
NAV_WORDS = ("滚动", "国际", "军事", "房产", "证券", "English", "侨网")
PUNCT = re.compile(r"[，。“”：；！？、（）《》]")


def _source(**kw: str) -> Source:
    base = dict(
        id="chinanews",
        name="中新网",
        kind="partner",
        type="html",
        url="https://www.chinanews.com/",
        column="gov-affairs",
    )
    base.update(kw)
    return Source(**base)


def _item(html: str, title: str, url: str = PAGE_URL, **kw: object) -> CollectedItem:
    return CollectedItem(
        source_id="s", identity=url, identity_rule="link", url=url, title=title, html=html, **kw
    )


def _page(real_pages_dir: Path) -> str:
    return (real_pages_dir / "china_news1.html").read_text(encoding="utf-8")


def _check_story(doc) -> None:  # type: ignore[no-untyped-def]
    lines = doc.text.split("\n")
    assert lines[0].startswith("编者按：突如其来的新冠肺炎疫情")
    assert lines[-1].endswith("行稳致远！")
    assert len(lines) >= 8 and len(doc.text) > 3000
    for w in NAV_WORDS:
        assert all(w not in line for line in lines if len(line) < 20), w
    assert "<script" not in doc.html and "cpro.baidustatic" not in doc.html
    assert "作者" not in doc.text and "编辑" not in lines[-1]


def test_china_news_whole_page(real_pages_dir: Path) -> None:
    page = _page(real_pages_dir)
    doc = clean_item(_item(page, "【中国稳健前行】坚定实施扩大内需战略 -中新网"), _source())
    _check_story(doc)
    assert doc.title == "坚定实施扩大内需战略"
    assert doc.author == "方敏北京大学经济学院教授"
    assert doc.editor == "陈海峰"
    assert doc.keywords[:2] == ["扩大内需", "供应链风险"]
    # the time printed above the body (and in the page's spider block), not the comment's 12:29
    assert doc.published_at == "2020-07-04T12:10:24+08:00" and doc.date_origin == "detail"
    assert doc.source_line == "求是网"
    assert doc.flags == []


def test_china_news_density_fallback(real_pages_dir: Path) -> None:
    """Without the CMS class the densest container is still the story, not the navigation."""
    page = _page(real_pages_dir).replace('class="left_zw"', 'class="unknown_cms"')
    doc = clean_item(_item(page, "坚定实施扩大内需战略"), _source())
    _check_story(doc)


def test_china_news_title_from_page_when_missing(real_pages_dir: Path) -> None:
    doc = clean_item(_item(_page(real_pages_dir), ""), _source())
    assert doc.title == "坚定实施扩大内需战略"
    assert "title-missing" not in doc.flags


def _corpus_stories(corpus_dir: Path, n_days: int = 6) -> list[tuple[str, str]]:
    days = sorted((corpus_dir / "xinwen-lianbo").glob("*.md"))
    step = max(1, len(days) // n_days)
    stories = []
    for day in days[::step][:n_days]:
        text = day.read_text(encoding="utf-8")
        _, _, detail = text.partition("## 详细新闻")
        for chunk in detail.split("\n### ")[1:]:
            title, _, body = chunk.partition("\n")
            if body.strip():
                stories.append((title.strip(), body))
    return stories


def _visible(html: str) -> str:
    return lxml.html.fragment_fromstring(html, create_parent="div").text_content()


def test_corpus_punctuation_as_published(corpus_dir: Path) -> None:
    stories = _corpus_stories(corpus_dir)
    assert len(stories) > 40
    for title, body in stories:
        doc = clean_item(
            _item(body, title, url="https://tv.cctv.com/x.shtml", published="2025-01-01"), _source()
        )
        assert doc.title == title.strip() or "【" in title
        # every full-width mark of the source survives, in order, and no ASCII stand-in appears
        assert PUNCT.findall(doc.text) == PUNCT.findall(_visible(body)), title
        assert doc.text.count(",") == _visible(body).count(",")
        assert doc.flags == [] or set(doc.flags) <= {"tiny-body", "mixed-script"}, (title, doc.flags)


def test_corpus_clean_item_is_cheap(corpus_dir: Path) -> None:
    """clean_item on ~2,000-character stories: well under 5 ms each on an idle core."""
    stories = [s for s in _corpus_stories(corpus_dir, 12) if 1500 <= len(s[1]) <= 3000][:30]
    assert stories
    items = [_item(b, t, url="https://tv.cctv.com/x.shtml", published="2025-01-01") for t, b in stories]
    src = _source()
    for it in items[:3]:
        clean_item(it, src)
    best = []
    for it in items:
        runs = []
        for _ in range(3):
            t0 = time.perf_counter()
            clean_item(it, src)
            runs.append(time.perf_counter() - t0)
        best.append(min(runs))
    best.sort()
    median_ms = best[len(best) // 2] * 1000
    # generous bound for a shared 2-core machine; the measured figure is in the report
    assert median_ms < 15, f"median {median_ms:.2f} ms"


@pytest.mark.parametrize("n", [0, 1, 5])
def test_never_raises_on_truncated_pages(real_pages_dir: Path, n: int) -> None:
    """Pages cut anywhere (a dropped connection) still give a document, never an exception."""
    page = _page(real_pages_dir)
    cut = page[: len(page) * n // 7 + 17]
    doc = clean_item(_item(cut, "标题"), _source())
    assert doc.title == "标题"
