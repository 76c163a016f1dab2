"""Marking findings in the reviewer's preview: each matched text in a <mark> that names the check.

Works on HTML that is already sanitized (publisher.clean_html): only text nodes are changed, so
no attribute and no address is ever touched, and lxml escapes what it writes back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import escape

import lxml.html
from lxml import etree

from checks.findings import CODES, Finding

__all__ = ["highlight", "highlight_text"]


def _pattern(findings: Iterable[Finding], paragraphs: set[int] | None) -> tuple[re.Pattern[str] | None, dict]:
    by_text: dict[str, Finding] = {}
    for f in findings:
        if f.text and f.paragraph is not None and (paragraphs is None or f.paragraph in paragraphs):
            if f.text not in by_text or f.severity == "block":
                by_text[f.text] = f
    if not by_text:
        return None, by_text
    texts = sorted(by_text, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, texts))), by_text


def _mark(f: Finding) -> etree._Element:
    el = etree.Element("mark")
    el.set("class", f"check check-{f.severity}")
    el.set("title", f"{f.code} {CODES[f.code][2]}: {f.message}")
    el.set("data-code", f.code)
    return el


def _pieces(text: str, pattern: re.Pattern[str], by_text: dict) -> list[tuple[str, Finding | None]]:
    out: list[tuple[str, Finding | None]] = []
    pos = 0
    for m in pattern.finditer(text):
        if m.start() > pos:
            out.append((text[pos:m.start()], None))
        out.append((m.group(), by_text[m.group()]))
        pos = m.end()
    if pos < len(text):
        out.append((text[pos:], None))
    return out


def highlight(html: str, findings: Iterable[Finding]) -> str:
    """*html* (sanitized body) with the texts of the body's findings (paragraph ≥ 1) marked."""
    pattern, by_text = _pattern(findings, None)
    if pattern is None or not html or not html.strip():
        return html
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for el in list(root.iter()):
        if not isinstance(el.tag, str) or el.tag in ("mark", "script", "style"):
            continue
        if el.text and pattern.search(el.text):
            pieces = _pieces(el.text, pattern, by_text)
            el.text = ""
            at = 0
            last = None
            for s, f in pieces:
                if f is None:
                    if last is None:
                        el.text += s
                    else:
                        last.tail = (last.tail or "") + s
                    continue
                m = _mark(f)
                m.text = s
                el.insert(at, m)
                at += 1
                last = m
        for child in list(el):
            if child.tail and pattern.search(child.tail) and isinstance(child.tag, str) and child.tag != "mark":
                pieces = _pieces(child.tail, pattern, by_text)
                child.tail = ""
                anchor = child
                for s, f in pieces:
                    if f is None:
                        anchor.tail = (anchor.tail or "") + s
                        continue
                    m = _mark(f)
                    m.text = s
                    anchor.addnext(m)
                    anchor = m
    inner = (escape(root.text) if root.text else "") + "".join(
        lxml.html.tostring(c, encoding="unicode") for c in root)
    return inner


def highlight_text(text: str, findings: Iterable[Finding], paragraph: int = 0) -> str:
    """Plain *text* (the title: paragraph 0) as escaped HTML with its findings marked."""
    pattern, by_text = _pattern(findings, {paragraph})
    if pattern is None:
        return escape(text)
    out = []
    for s, f in _pieces(text, pattern, by_text):
        if f is None:
            out.append(escape(s))
        else:
            out.append(etree.tostring(_with_text(_mark(f), s), encoding="unicode"))
    return "".join(out)


def _with_text(el: etree._Element, text: str) -> etree._Element:
    el.text = text
    return el
