"""How a page that was taken down upstream shows itself when it is re-checked.

Government sites withdraw stories (a notice replaced, a document repealed) by deleting the page.
Few answer 404 or 410: many redirect to the home page or to an error page, or answer 200 with a
"页面不存在" page in the site's own frame. Each test below is only asked about a page that had a
story when it was first collected, and a page is reported withdrawn only after two re-checks in
a row say so (see ``collection``), so a site's passing hiccup is not an editor's alarm.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import lxml.html

GONE_STATUSES = frozenset({404, 410})

_THING = r"(?:页面|网页|文章|信息|内容|稿件|文件|新闻|该页)"
_GONE = r"(?:不存在|已被?删除|已被?撤[销下回]|已下线|未找到|找不到|无法找到|已过期|已失效)"
_NOT_FOUND_TEXT = re.compile(
    rf"{_THING}\s*{_GONE}"
    rf"|(?:找不到|无法找到|未找到)(?:该|此|您要的|您所访问的|您访问的|您请求的)?{_THING}"
    rf"|(?:您|你)所?要?(?:访问|查看|浏览|请求)的{_THING}\s*{_GONE}"
    r"|404\s*not\s*found|page\s+not\s+found|HTTP\s*(?:错误\s*)?40[14]|错误\s*(?:代码\s*)?[:：]?\s*404",
    re.I,
)
_NOT_FOUND_TITLE = re.compile(
    rf"^\W*(?:(?:404|410)\b|not\s+found|error\s*40\d|错误|出错了?|提示信息|系统提示)(?:\W|$)|{_NOT_FOUND_TEXT.pattern}",
    re.I,
)
_ERROR_PATH = re.compile(r"(?:^|[/_.-])(?:404|410|error|errors|notfound|not[-_]found|nopage|err)(?:[/_.-]|$)",
                         re.I)
_HOME_PATHS = frozenset({"", "/", "/index.html", "/index.htm", "/index.shtml", "/index.jsp", "/index.php",
                         "/index.aspx", "/default.htm", "/default.html", "/default.aspx", "/portal/index.html"})
# A story's body is longer than this; a "page not found" notice in the site's frame is not.
SHORT_BODY_CHARS = 300


def gone_status(status: int | None) -> str | None:
    """``HTTP 404`` / ``HTTP 410`` for an answer that says the page does not exist, else None."""
    return f"HTTP {status}" if status in GONE_STATUSES else None


def redirected_away(requested: str, final: str) -> str | None:
    """A re-check sent elsewhere: to the site's home page or an error page (how many sites delete)."""
    a, b = urlsplit(requested), urlsplit(final)
    if (a.netloc.lower(), a.path, a.query) == (b.netloc.lower(), b.path, b.query):
        return None
    if b.path.lower() in _HOME_PATHS or _ERROR_PATH.search(b.path):
        return f"redirected to {final}"
    return None


def not_found_page(page: str, title: str | None, body_html: str) -> str | None:
    """A 200 answer that is a "page not found" notice, not the story: by its title, or by its
    text when the page's main text is too short to be a story."""
    if title and _NOT_FOUND_TITLE.search(title.strip()):
        return f"the page now says {_quote(title)}"
    body = _visible_text(body_html) if body_html else ""
    if len(body) >= SHORT_BODY_CHARS:
        return None
    m = _NOT_FOUND_TEXT.search(body) or _NOT_FOUND_TEXT.search(_visible_text(page))
    return f"the page now says {_quote(m.group(0))}" if m else None


def _visible_text(html: str) -> str:
    try:
        root = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return ""
    for bad in root.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    return " ".join(root.text_content().split())


def _quote(s: str) -> str:
    s = " ".join(s.split())
    return f"“{s[:60]}{'…' if len(s) > 60 else ''}”"
