"""Bodies of every kind, and a body that is navigation refused.

trafilatura reads most articles well; what it misses on government pages is checked here:

- a body that is clearly navigation (a run of short links: "为您推荐 推荐 娱乐 体育 …") is refused,
  and the page's main text block is taken instead;
- a short official document (a notice of three lines) that the extractor thought too short;
- a body that is a table (an administrative penalty notice): the table is kept as HTML, merged
  cells (rowspan/colspan) and all, instead of a side bar;
- a page whose content is its attachment (附件：…pdf): the attachment, named, is the body;
- a page that is an image (a scanned notice, a poster): the images are the body.
"""

from __future__ import annotations

import re
from collections import Counter
from html import escape
from html import escape as html_lib_escape
from typing import Any

import lxml.html

from collectors.parsers.list_confidence import in_navigation

_SENTENCE_END_RE = re.compile(r"[。！？；!?;]")
_WS_RE = re.compile(r"\s+")
_ICON_RE = re.compile(r"(?:logo|icon|ico|btn|button|banner|qrcode|ewm|erweima|share|arrow|dot|bg|line|blank|spacer)",
                      re.I)
MIN_TEXT = 20


_UNSEEN = frozenset({"script", "style", "noscript", "template", "textarea", "select", "option"})


def _text(el: Any) -> str:
    """The text a reader sees in *el*: scripts, styles and form options left out."""
    parts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node.tag, str) and node.tag not in _UNSEEN:
            if node.text:
                parts.append(node.text)
            for child in node:
                walk(child)
        if node is not el and node.tail:
            parts.append(node.tail)

    walk(el)
    return _WS_RE.sub(" ", "".join(parts)).strip()


def _link_text(el: Any) -> int:
    return sum(len(_text(a)) for a in el.iter("a"))


def _fragment(html: str) -> Any | None:
    if not html or not html.strip():
        return None
    try:
        return lxml.html.fragment_fromstring(html, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return None


def text_of(html: str) -> str:
    frag = _fragment(html)
    return _text(frag) if frag is not None else ""


def is_navigation(html: str) -> bool:
    """A body that is a run of short links or menu words, not sentences."""
    frag = _fragment(html)
    if frag is None:
        return False
    text = _text(frag)
    if len(text) < MIN_TEXT:
        return False
    links = _link_text(frag)
    if links > 0.5 * len(text):
        return True
    sentences = len(_SENTENCE_END_RE.findall(text))
    blocks = [b for b in (_text(e) for e in frag.iter("p", "li", "div", "span", "td")) if b]
    short = sum(1 for b in blocks if len(b) <= 8)
    return sentences * 80 < len(text) and blocks and short > 0.6 * len(blocks)


def _score(el: Any) -> int:
    """Text a block holds in paragraphs of some length, less its link text."""
    if in_navigation(el, levels=3):
        return 0
    prose = 0
    for p in el.iter("p"):
        t = _text(p)
        if len(t) >= MIN_TEXT:
            prose += len(t)
    if not prose:  # text set with <br> in one block (common in TRS/old CMS bodies)
        own = _text(el)
        prose = len(own) if len(_SENTENCE_END_RE.findall(own)) >= 2 and len(el) <= 40 else 0
    return prose - 2 * _link_text(el)


def main_block(root: Any) -> Any | None:
    """The page's main text block: the element holding most prose and fewest links."""
    body = root.find("body")
    if body is None:
        return None
    best, best_score = None, MIN_TEXT
    for el in body.iter("div", "td", "article", "section", "main"):
        s = _score(el)
        if s > best_score:
            best, best_score = el, s
    return best


def _content_table(root: Any) -> Any | None:
    """A table that is content (rows of text, not a layout grid of nested tables or links)."""
    best, best_len = None, 100
    for t in root.iter("table"):
        if t.find(".//table") is not None or in_navigation(t, levels=4):
            continue
        rows = t.findall(".//tr")
        text = _text(t)
        if len(rows) < 2 or len(text) <= best_len or _link_text(t) > 0.3 * len(text):
            continue
        best, best_len = t, len(text)
    return best


def _images(scope: Any) -> list[Any]:
    out = []
    for img in scope.iter("img"):
        src = (img.get("src") or "").strip()
        w, h = img.get("width") or "", img.get("height") or ""
        if not src or src.startswith("data:") or _ICON_RE.search(src) or (w.isdigit() and int(w) < 100) or \
                (h.isdigit() and int(h) < 100):
            continue
        out.append(img)
    return out


def _html(el: Any) -> str:
    return lxml.html.tostring(el, encoding="unicode", method="html")


def _squeezed(el: Any) -> str:
    return _WS_RE.sub("", _text(el))


def _page_table(originals: list[tuple[Counter, Any]], chars: Counter) -> tuple[Counter, Any] | None:
    """The page's table an extracted one was read from: it holds every character the extracted
    one does (in whatever order), and the extracted one at least half of its own."""
    total = sum(chars.values())
    best = None
    for have, t in originals:
        size = sum(have.values())
        if total and total >= size / 2 and not chars - have and (best is None or size < sum(best[0].values())):
            best = (have, t)
    return best


def keep_tables(root: Any, extracted: str) -> tuple[str, bool]:
    """The extracted body with each table it flattened put back as the page has it (rowspan and
    colspan kept: a merged cell read as one cell per column misplaces every value after it; the
    paragraphs of a cell kept in it: the extractor moves a cell's second paragraph out of its row,
    to after the table, which is then left out where it landed)."""
    if "<table" not in extracted:
        return extracted, False
    originals = [(Counter(_squeezed(t)), t) for t in root.iter("table")
                 if t.find(".//table") is None and (t.find(".//*[@rowspan]") is not None
                                                    or t.find(".//*[@colspan]") is not None
                                                    or t.find(".//td//p") is not None or t.find(".//td//br") is not None)]
    if not originals:
        return extracted, False
    frag = _fragment(extracted)
    if frag is None:
        return extracted, False
    changed = False
    for t in list(frag.iter("table")):
        if t.getparent() is None:
            continue
        chars = Counter(_squeezed(t))
        found = _page_table(originals, chars)
        if found is None:
            continue
        have, orig = found
        merged = orig.find(".//*[@rowspan]") is not None or orig.find(".//*[@colspan]") is not None
        if not merged and _squeezed(orig) == _squeezed(t):
            continue  # read whole and in order: the extractor's clean copy is kept
        copy = lxml.html.fragment_fromstring(_html(orig))
        for el in list(copy.iter()):  # the page's layout classes would tell the story reader it is the page
            if el.tag in _UNSEEN or el.tag == "script":
                el.drop_tree()
                continue
            if el.tag == "form":
                el.drop_tag()
                continue
            for attr in ("class", "id", "style"):
                el.attrib.pop(attr, None)
        copy.tail = t.tail
        t.getparent().replace(t, copy)
        changed = True
        missing, whole = have - chars, _squeezed(orig)
        for sib in list(copy.itersiblings()):  # the cells' paragraphs the extractor moved out
            moved = _squeezed(sib)
            if not moved or moved not in whole or Counter(moved) - missing or (sib.tail or "").strip():
                break
            missing -= Counter(moved)
            sib.getparent().remove(sib)
    if not changed:
        return extracted, False
    return "".join(_html(c) for c in frag) if frag.text is None else _html(frag), True


# page furniture that trails a story's text: report lines, copyright, the site's other links
_FURNITURE_RE = re.compile(r"举报电话|举报邮箱|版权所有|Copyright|ICP备|ICP证|公网安备|免责声明|推荐新闻|相关新闻|新媒体实验室|"
                           r"返回首页|扫描二维码|扫一扫|关注公众号|责任编辑|扫描.{0,6}二维码|二维码关注|关注.{0,12}微信")
# the heading of what a page prints after a story: its comment stream, boxes of other stories,
# its disclaimer ("网友评论", "0条评论|0人参与", "热门推荐", "相关新闻", "版权与免责声明")
_TRAILER_RE = re.compile(r"^[【\[]?\s*(?:网友评论|最新评论|最热评论|热门评论|全部评论|精彩评论|我要评论|发表评论|评论区|"
                         r"\d+\s*条评论|已有\s*\d+\s*(?:条评论|人参与)|文明上网|热门推荐|热点推荐|精彩推荐|为您推荐|"
                         r"推荐阅读|猜你喜欢|大家都在看|相关新闻|相关阅读|相关文章|热门文章|推荐新闻|文章关键词|"
                         r"版权与免责声明|版权声明|免责声明)")
_DISCLAIMER_RE = re.compile(r"^[【\[]?\s*(?:版权与免责声明|版权声明|免责声明)")
TRAILER_MAX = 30  # a heading is a short line


def _furniture(el: Any) -> bool:
    text = _text(el)
    if not text:
        return True
    if len(text) <= 60 and _FURNITURE_RE.search(text) and "责任编辑" not in text:
        return True
    return len(text) <= 40 and _link_text(el) >= 0.6 * len(text)


_EDITOR_RE = re.compile(r"^[（(【\[]?\s*(?:责任编辑|责编)\s*[:：]")
_SENTENCE_RE = re.compile(r"[。！？!?]")


def ends_story(text: str) -> bool:
    """Whether a line the page prints after a story's text says the story has ended: its
    责任编辑 line, a comment stream's or another box's heading, page furniture."""
    text = text.strip()
    return bool(len(text) <= 40 and _EDITOR_RE.match(text) or len(text) <= TRAILER_MAX and _TRAILER_RE.match(text)
                or len(text) <= 60 and _FURNITURE_RE.search(text))


def _told_before(frag: Any, el: Any) -> bool:
    """Whether the story has begun before *el*: sentences of prose come first (an info line above
    a story names its editor too, and a page's trailers follow the story they trail)."""
    before = "".join(_texts_before(frag, el))
    return len(before) >= 60 and len(_SENTENCE_RE.findall(before)) >= 2


def _cut_from(frag: Any, el: Any, keep: bool) -> bool:
    """Everything after *el* in *frag* removed (and *el* too unless *keep*); whether anything was."""
    cut = False
    node = el
    while node is not None and node is not frag:
        if node.tail and node.tail.strip():
            node.tail, cut = None, True
        for sib in list(node.itersiblings()):
            node.getparent().remove(sib)
            cut = True
        node = node.getparent()
    if not keep and el.getparent() is not None:
        el.getparent().remove(el)
        cut = True
    return cut


def _cut_at_trailer(frag: Any) -> bool:
    """The story cut where the first trailer heading after its text starts (a comment stream,
    related stories, the disclaimer)."""
    for el in frag.iter("p", "div", "span", "td", "li", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "b"):
        text = _text(el)
        if len(text) > TRAILER_MAX or not _TRAILER_RE.match(text):
            continue
        if not (_told_before(frag, el) or _DISCLAIMER_RE.match(text) and "".join(_texts_before(frag, el))):
            continue  # (a disclaimer's heading ends whatever came before it)
        return _cut_from(frag, el, keep=False)
    return False


def _cut_after_editor(frag: Any) -> bool:
    """Everything after the story's 责任编辑 line cut: the line closes a Chinese story, and what a
    page prints after it (热门推荐, its app's news, the account to follow) is the page's, not the
    story's. Only a line in the body's second half counts (an info line above the story names
    its editor too: the story's sentences must come first, or half its text)."""
    total = len(_text(frag))
    for el in frag.iter("p", "div", "span", "td", "li"):
        text = _text(el)
        if len(text) > 40 or not _EDITOR_RE.match(text):
            continue
        before = sum(len(t) for t in _texts_before(frag, el))
        if before < total / 2 and not _told_before(frag, el):
            continue
        return _cut_from(frag, el, keep=True)
    return False


def _texts_before(frag: Any, el: Any) -> list[str]:
    """The text of *frag* that comes before *el*, in document order."""
    out: list[str] = []
    for node in frag.iter():
        if node is el:
            break
        if node.text and isinstance(node.tag, str) and node.tag not in _UNSEEN:
            out.append(node.text.strip())
        if node.tail and node is not frag and el not in node.iterdescendants():
            out.append(node.tail.strip())
    return out


def trim_tail(html: str) -> tuple[str, bool]:
    """The body without the furniture blocks that trail it (a report line, a row of links), and
    without what follows its 责任编辑 line."""
    frag = _fragment(html)
    if frag is None:
        return html, False
    edited = _cut_after_editor(frag)
    edited = _cut_at_trailer(frag) or edited
    blocks = [c for c in frag.iter("p", "div", "li", "ul", "h2", "h3", "h4") if c.getparent() is not None and
              not any(isinstance(x.tag, str) for x in c.iterchildren("p", "div", "li", "ul"))]
    cut = 0
    for b in reversed(blocks):
        if cut >= 8 or not _furniture(b):
            break
        b.getparent().remove(b)
        cut += 1
    if not (cut or edited) or not _text(frag):
        return html, False
    return (html_lib_escape(frag.text) if frag.text else "") + "".join(_html(c) for c in frag), True


def _lost_table(table: Any, text: str) -> bool:
    """A content table the extracted text does not hold, where that text tells nothing (no two
    sentences: an info block, a notice's header): the table is the page's content."""
    return len(_SENTENCE_RE.findall(text)) < 2 and _squeezed(table) not in _WS_RE.sub("", text)


def better_body(root: Any, extracted: str, attachments: list[dict[str, str]]) -> tuple[str, list[str]]:
    """The body to keep given the extractor's (*extracted*), and notes on what was done."""
    notes: list[str] = []
    body = extracted or ""
    body, restored = keep_tables(root, body)
    if restored:
        notes.append("body: tables kept as the page has them (merged cells)")
    body, trimmed = trim_tail(body)
    if trimmed:
        notes.append("body: page furniture after the text left out")
    if body and _FURNITURE_RE.match(text_of(body).lstrip("【[ ")) and len(text_of(body)) < 200:
        notes.append("body: the extracted text was a disclaimer, refused")
        body = ""
    text = text_of(body)
    if body and is_navigation(body):
        notes.append("body: the extracted text was navigation, refused")
        body, text = "", ""
    table = _content_table(root)
    if table is not None and (len(_text(table)) > 2 * len(text) or _lost_table(table, text)):
        notes.append("body: the page's content is a table, kept as HTML")
        return _html(table), notes
    if len(text) < 60:  # nothing, navigation, or a line: a short document the extractor passed over
        block = main_block(root)
        if block is not None:
            block_text = _text(block)
            if len(block_text) > len(text) + MIN_TEXT and not is_navigation(_html(block)):
                if not body:
                    notes.append("body: read from the page's main text block")
                return _html(block), notes
    if len(text) >= MIN_TEXT:
        return body, notes
    if attachments:
        items = "".join(f'<li><a href="{escape(a["url"])}">{escape(a["name"])}</a></li>' for a in attachments)
        notes.append("body: the page's content is its attachment")
        return f"<p>附件：</p><ul>{items}</ul>", notes
    block = main_block(root) or root.find("body")
    imgs = _images(block) if block is not None else []
    if imgs:
        notes.append("body: the page's content is an image")
        return "".join(f'<p><img src="{escape(i.get("src"))}" alt="{escape(i.get("alt") or "")}"></p>'
                       for i in imgs[:20]), notes
    return body, notes
