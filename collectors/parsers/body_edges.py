"""The two ends of a story, where extractors go wrong by class.

Before the story: a key-points box (划重点, 核心提示, 本文要点 … a list of points the story goes on to
tell) is not its opening and is left out; a lead paragraph the extractor dropped because it stands
apart from the paragraphs it kept (a ``<div class="introduction">`` above them, a 导语 block) is put
back. After the story: a comment stream or a box of other stories (网友评论, 最热评论, 热门推荐,
相关新闻, 版权与免责声明 …) is cut where its heading starts (bodies.trim_tail); a picture and its
caption that close the story, which the extractor drops with every image, are put back.

The page's own tree is the evidence for what the extractor dropped: the extracted body's first and
last paragraphs are found in it by their text, and only what stands right beside them, inside the
same container, is looked at.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

import lxml.html

from collectors.parsers.bodies import _ICON_RE, _UNSEEN, _WS_RE, _fragment, _html, _text, ends_story

# a key-points box's label, the whole of its line ("划重点：", "【核心提示】", "本文要点")
KEY_POINTS_RE = re.compile(r"^[【\[（(]?\s*(?:划重点|本文要点|文章要点|要点速览|要点提示|核心提示|内容提要|"
                           r"要点|重点速览|速览|看点|一图读懂要点)\s*[】\]）)]?\s*[:：]?$")
# a lead block's class or id (导语, 摘要, 引言) or its label
_LEAD_HINT_RE = re.compile(r"intro|lead|summary|abstract|digest|daoyu|zhaiyao|brief", re.I)
_LEAD_LABEL_RE = re.compile(r"^[【\[]?\s*(?:导语|导读|摘要|内容摘要)\s*[】\]]?\s*[:：]?")
# an info line, not a lead (来源/发布时间/作者/责任编辑 …)
_INFO_RE = re.compile(r"来源|发布时间|发布日期|作者|编辑|浏览|点击|字号|打印")
# a caption's element: figcaption, or a class saying so
_CAPTION_HINT_RE = re.compile(r"caption|descr|desc|pic_?t|img_?t|photo|note|explain|tuzhu|zhu", re.I)
_SENTENCE_RE = re.compile(r"[。！？!?]")
_BLOCKS = ("p", "div", "li", "section", "td", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol",
           "table", "figure", "center")
MAX_LEAD = 600
MAX_CAPTION = 150


def _squeeze(s: str) -> str:
    return _WS_RE.sub("", s)


def _serialize(frag: Any) -> str:
    return (escape(frag.text) if frag.text else "") + "".join(_html(c) for c in frag)


def _top_blocks(frag: Any) -> list[Any]:
    """The body's blocks in reading order, one level down through wrappers (trafilatura's
    ``<html><body>`` or a single ``<div>``)."""
    node = frag
    while True:
        kids = [c for c in node if isinstance(c.tag, str)]
        if len(kids) == 1 and kids[0].tag in ("html", "body", "div", "section", "article") and not \
                (node.text or "").strip():
            node = kids[0]
            continue
        return kids


def drop_key_points(html: str) -> tuple[str, bool]:
    """The body without a key-points box at its start: the label's line and the list of points
    under it (or one block holding both), before the story's first paragraph."""
    frag = _fragment(html)
    if frag is None:
        return html, False
    blocks = [b for b in _top_blocks(frag) if _text(b) and b.tag not in ("h1", "h2")]  # not the title
    for i, b in enumerate(blocks[:3]):
        if KEY_POINTS_RE.match(_text(b)):
            if i + 1 >= len(blocks) or blocks[i + 1].tag not in ("ul", "ol"):
                return html, False  # a label with no list of points under it: not a box we know
            drop = [b, blocks[i + 1]]
        elif b.find(".//li") is not None and len(b) and isinstance(b[0].tag, str) and \
                b[0].tag not in ("ul", "ol") and KEY_POINTS_RE.match(_text(b[0])):
            drop = [b]
        else:
            continue
        for d in drop:
            parent, tail = d.getparent(), d.tail
            prev = d.getprevious()
            parent.remove(d)
            if tail and tail.strip():
                if prev is not None:
                    prev.tail = (prev.tail or "") + tail
                else:
                    parent.text = (parent.text or "") + tail
        return _serialize(frag), True
    return html, False


def _index(root: Any) -> Any:
    body = root.find("body")
    return body if body is not None else root


def _find_in_page(root: Any, text: str) -> Any | None:
    """The page's block element whose text is *text* (a paragraph of the extracted body)."""
    want = _squeeze(text)
    if len(want) < 6:
        return None
    key = want[:8]
    for el in _index(root).iter():
        if not isinstance(el.tag, str) or el.tag in _UNSEEN:
            continue
        own = _squeeze(el.text or "")
        if not own or key not in own and not (len(own) >= 4 and key.startswith(own)):
            continue
        node = el
        while node is not None and node.tag not in _BLOCKS:
            node = node.getparent()
        if node is not None and _squeeze(_text(node)) == want:
            return node
    return None


def _hidden(el: Any) -> bool:
    for node in [el, *el.iterancestors()]:
        style = (node.get("style") or "").replace(" ", "").lower()
        if "display:none" in style or "ng-hide" in (node.get("class") or "").split() or node.get("hidden") is not None:
            return True
    return False


def _prose(text: str) -> bool:
    return len(text) >= 20 and bool(_SENTENCE_RE.search(text))


def _link_share(el: Any, text: str) -> float:
    links = sum(len(_text(a)) for a in el.iter("a"))
    return links / len(text) if text else 1.0


def restore_lead(root: Any, html: str) -> tuple[str, bool]:
    """The body with its lead paragraph first when the extractor dropped it: a block marked as
    the lead (class/id intro…/summary/lead, or a 导语/摘要 label) standing just before the body's
    first paragraph in the page, with sentences in it and text the body does not hold."""
    frag = _fragment(html)
    if frag is None:
        return html, False
    blocks = [b for b in _top_blocks(frag) if _text(b) and b.tag not in ("h1", "h2")]
    if not blocks:
        return html, False
    first = _find_in_page(root, _text(blocks[0]))
    if first is None:
        return html, False
    body_text = _squeeze(_text(frag))
    node, looked = first, 0
    for _ in range(2):  # the first paragraph's own container, then the one around it
        for sib in node.itersiblings(preceding=True):
            if not isinstance(sib.tag, str) or sib.tag in _UNSEEN:
                continue
            text = _text(sib)
            if not text and sib.find(".//img") is None:
                continue
            looked += 1
            if looked > 4 or sib.tag in ("h1", "h2") or sib.find(".//h1") is not None:
                return html, False
            hint = f"{sib.get('class') or ''} {sib.get('id') or ''}"
            if not (_LEAD_HINT_RE.search(hint) or _LEAD_LABEL_RE.match(text)):
                continue
            if not _prose(text) or len(text) > MAX_LEAD or _INFO_RE.search(text[:12]) or \
                    _link_share(sib, text) > 0.2 or sib.find(".//li") is not None or _hidden(sib):
                return html, False
            core = _squeeze(_LEAD_LABEL_RE.sub("", text))
            if core in body_text or core[:30] in body_text[:300]:
                return html, False  # the summary repeats the story's opening: the story has its lead
            lead = lxml.html.fragment_fromstring(f"<p>{escape(text)}</p>")
            blocks[0].addprevious(lead)
            return _serialize(frag), True
        node = node.getparent()
        if node is None or node.tag == "body":
            break
    return html, False


def _caption_of(el: Any) -> tuple[Any, str] | None:
    """(img, caption) when *el* is a picture with its caption and nothing else."""
    imgs = [i for i in el.iter("img") if (i.get("src") or "").strip() and not (i.get("src") or "").startswith("data:")]
    if len(imgs) != 1:
        return None
    img = imgs[0]
    text = _text(el)
    if not 4 <= len(text) <= MAX_CAPTION or el.find(".//a[@href]") is not None and _link_share(el, text) > 0.5:
        return None
    alt = _squeeze(img.get("alt") or img.get("title") or "")
    marked = any(c.tag == "figcaption" or _CAPTION_HINT_RE.search(f"{c.get('class') or ''} {c.get('id') or ''}")
                 for c in el.iter() if isinstance(c.tag, str) and c is not img and _text(c))
    if not (marked or alt and alt in _squeeze(text) or el.tag == "figure"):
        return None
    return img, text


def restore_end_figure(root: Any, html: str, stop: Any) -> tuple[str, bool]:
    """The body with the picture and caption that close the story, when the extractor dropped
    them: the figures standing after the body's last paragraph in the page, up to the end of its
    container or a line *stop* says ends the story (责任编辑, a comment box's heading)."""
    frag = _fragment(html)
    if frag is None:
        return html, False
    blocks = [b for b in _top_blocks(frag) if _text(b)]
    if not blocks:
        return html, False
    last = _find_in_page(root, _text(blocks[-1]))
    if last is None:
        return html, False
    body_text = _squeeze(_text(frag))
    figures: list[tuple[Any, str]] = []
    ended = False
    for sib in last.itersiblings():
        if not isinstance(sib.tag, str) or sib.tag in _UNSEEN:
            continue
        text = _text(sib)
        if not text and sib.find(".//img") is None:
            continue
        fig = _caption_of(sib)
        if fig is not None and not _hidden(sib) and not stop(fig[1]) and not _ICON_RE.search(fig[0].get("src") or ""):
            figures.append(fig)
            continue
        ended = bool(text) and stop(text)
        break
    else:
        ended = True  # the container ends after the figures
    figures = [f for f in figures if _squeeze(f[1]) not in body_text]
    if not (ended and figures):
        return html, False
    end = blocks[-1]
    for img, caption in reversed(figures):
        src, alt = escape(img.get("src") or ""), escape(img.get("alt") or "")
        end.addnext(lxml.html.fragment_fromstring(
            f'<figure><img src="{src}" alt="{alt}"><figcaption>{escape(caption)}</figcaption></figure>'))
    return _serialize(frag), True


def mend_edges(root: Any, html: str) -> tuple[str, list[str]]:
    """The body with both its ends mended against the page (*root*), and notes on what was done."""
    notes: list[str] = []
    html, dropped = drop_key_points(html)
    if dropped:
        notes.append("body: the key-points box before the story left out")
    html, lead = restore_lead(root, html)
    if lead:
        notes.append("body: the lead paragraph the extractor dropped put back")
    html, figure = restore_end_figure(root, html, ends_story)
    if figure:
        notes.append("body: the picture and caption closing the story put back")
    return html, notes
