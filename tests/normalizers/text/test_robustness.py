"""Hostile and broken input never raises and never lets active content through."""

from __future__ import annotations

import random
import re

from collectors.model import CollectedItem
from normalizers.bylines import clean_title
from normalizers.dates import parse_date
from normalizers.document import Document, clean_item
from normalizers.text import sanitize_html
from normalizers.urls import canonical_url
from settings.model import Source

PIECES = [
    "<div>",
    "</div>",
    "<p>",
    "</p>",
    "<br>",
    "<script>",
    "</script>",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    "&nbsp;",
    "&#0;",
    "&#xD800;",
    "&#1114112;",
    "\x00",
    "\x07",
    "\ufeff",
    "\u2028",
    "\ud800",
    "来源：",
    "记者 ",
    "【",
    "】",
    "<a href='javascript:alert(1)'>",
    "<a href='java\tscript:alert(2)'>",
    "<a href='http://[::1'>",
    "<img src=x onerror=alert(3)>",
    "<img src='data:image/png;base64,AA'>",
    "<table>",
    "<td>",
    "<?xml version='1.0' encoding='gbk'?>",
    "<html>",
    "<body>",
    "<meta name=PubDate content='2024-13-45'>",
    "中文正文，",
    "abc",
    "Ã©",
    "ÕþÎñ",
    "<iframe src=//evil.example>",
    "<svg onload=alert(4)>",
    "<math>",
    "<style>",
    "<embed src=x>",
    "<form>",
    "<input>",
    "</",
    "<",
    ">",
    '"',
    "'",
    "<div>" * 60,
]
SOURCE = Source(id="s", name="测试", kind="city", type="html", url="https://x.gov.cn/", column="city-news")
ACTIVE = re.compile(
    r"<\s*(script|style|iframe|svg|math|form|input|embed|object)\b|\son\w+\s*=|javascript:|data:",
    re.IGNORECASE,
)


def test_random_hostile_input() -> None:
    rng = random.Random(20261126)
    for _ in range(400):
        s = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 50)))
        item = CollectedItem(
            source_id="s",
            identity="x",
            identity_rule="link",
            url=rng.choice(["", "http://x.gov.cn/a", "http://[::1/", "ftp://x", "http://x:99999/"]),
            title=s[:30],
            html=s,
            published=s[:20],
            list_date=s[-10:],
            meta={"PubDate": s[:15]},
            attachments=[{"url": s[:10]}],
            fetched_at=rng.choice(["", "garbage", "2024-05-01T00:00:00Z"]),
        )
        doc = clean_item(item, SOURCE)
        assert isinstance(doc, Document)
        assert not ACTIVE.search(doc.html), doc.html
        assert "\x00" not in doc.text and "\ufeff" not in doc.text
        assert doc.published_at is None or re.fullmatch(
            r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", doc.published_at
        )
        assert not ACTIVE.search(sanitize_html(s, "http://x.gov.cn/")), s
        parse_date(s)
        canonical_url(s)
        clean_title(s)
