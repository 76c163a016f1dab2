"""The site's own names, so that a title tag's "-站名" suffix or "站名_" prefix can be cut by
comparison rather than by a fixed list: the names a page states (SiteName, og:site_name, the
logo's alt text, the copyright and sponsor lines, the breadcrumb's columns), the names the caller
knows (the source's name, its list page's title), and the parts every page of one site repeats.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

# 标题_栏目_站点, 标题 | 站点, 标题 - 站点, 标题--栏目--站点 (a "——" inside a title is no separator)
SEPARATOR_RE = re.compile(r"\s*(?:[_|｜]+|\s[-–—]+\s|-{2,})\s*")
_NAME_META = ("SiteName", "og:site_name", "application-name", "apple-mobile-web-app-title", "Copyright")
_OWNER_RE = re.compile(r"(?:版权所有|主办单位|主办|Copyright\s*©?|©)\s*[:：]?\s*(?:\d{4}\s*[-–]?\s*\d{0,4}\s*)?"
                       r"(?P<name>[\u4e00-\u9fffA-Za-z0-9.（）()·]{2,30})")
_CRUMB_RE = re.compile(r"(?:当前位置|您的位置|您现在的位置|所在位置)\s*[:：]?\s*(?P<trail>[^\n]{2,120})")
_CRUMB_SEP_RE = re.compile(r"\s*(?:>|＞|»|›|/|→|-)\s*")
_WS_RE = re.compile(r"\s+")


def _squeeze(s: str) -> str:
    return _WS_RE.sub("", s or "")


def page_names(root: Any, url: str) -> set[str]:
    """Names the page itself gives its site and column."""
    names: set[str] = set()
    wanted = {n.lower() for n in _NAME_META}
    for m in root.iter("meta"):
        key = (m.get("name") or m.get("property") or "").strip().lower()
        if key in wanted and (m.get("content") or "").strip():
            names.add(m.get("content").strip())
    host = urlsplit(url).netloc.lower()
    for a in root.iter("a"):
        parts = urlsplit(a.get("href") or "")
        if parts.netloc.lower() == host and parts.path in ("", "/", "/index.html", "/index.shtml", "/index.htm"):
            for img in a.iter("img"):
                for attr in ("alt", "title"):
                    if (img.get(attr) or "").strip():
                        names.add(img.get(attr).strip())
            if (a.get("title") or "").strip():
                names.add(a.get("title").strip())
    body = root.find("body")
    if body is not None:
        text = " ".join(body.itertext())
        for m in _OWNER_RE.finditer(text):
            names.add(m.group("name"))
        m = _CRUMB_RE.search(text)
        if m:
            names.update(p for p in _CRUMB_SEP_RE.split(m.group("trail")) if 2 <= len(p) <= 12)
    return {n for n in (_squeeze(x) for x in names) if len(n) >= 2}


def common_parts(titles: Iterable[str]) -> set[str]:
    """Title parts that two or more pages of one site share: the site's and columns' names."""
    counts: Counter[str] = Counter()
    for t in titles:
        parts = {p for p in SEPARATOR_RE.split(t or "") if p}
        m = re.match(r"^(?P<head>.{4,}?)-(?P<tail>[^-]{2,30})$", t or "")
        if m:
            parts.add(m.group("tail"))
        counts.update(_squeeze(p) for p in parts)
    return {p for p, n in counts.items() if n >= 2 and len(p) >= 2}


def name_like(part: str, names: set[str]) -> bool:
    """A title part that is one of the site's names, or holds one, or is held by one."""
    p = _squeeze(part)
    if len(p) < 2:
        return False
    return any(p == n or (len(n) >= 3 and n in p and len(p) - len(n) <= 6) or p in n
               for n in names)


def cut_shared(titles: list[str]) -> list[str]:
    """Each title without the parts the other pages of its site repeat ("…-某某网" on every page):
    what one page cannot tell about its own title tag, several together can."""
    common = common_parts(titles)
    if not common:
        return list(titles)
    out = []
    for t in titles:
        parts = [p for p in SEPARATOR_RE.split(t) if p]
        kept = [p for p in parts if _squeeze(p) not in common] if len(parts) > 1 else parts
        title = kept[0] if kept else t
        m = re.match(r"^(?P<head>.{4,}?)-(?P<tail>[^-]{2,30})$", title)
        if m and _squeeze(m.group("tail")) in common:
            title = m.group("head")
        out.append(title.strip() if len(title.strip()) >= 4 else t)
    return out
