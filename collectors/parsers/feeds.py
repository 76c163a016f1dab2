"""RSS/Atom feeds: feedparser on bytes whose charset is decided here, a cut-off download said."""

from __future__ import annotations

import re

import feedparser

from collectors.decoding import decode_bytes
from collectors.errors import CollectError, NotAFeed
from collectors.parsers.common import Entry, _clean, _clean_body, _html_page_title, _repair_note, join_url
from pages.story import body_attachments, read_story


def looks_like_feed(content: bytes, content_type: str) -> bool:
    head = content[:1024].lstrip().lower()
    if any(t in content_type for t in ("rss", "atom", "/xml", "+xml")):
        return True
    return head.startswith(b"<?xml") or b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head


_FEED_CHARSET_RE = re.compile(r"""charset\s*=\s*["']?([^;"'\s]+)""", re.I)
_XML_DECL_ENCODING_RE = re.compile(rb"""(<\?xml\s[^>]*?\bencoding\s*=\s*)(["'])[^"']*\2""", re.I)
_FEED_ROOT_RE = re.compile(rb"<((?:[\w.-]+:)?(?:rss|feed|RDF))[\s>]")
_FEED_ENTRY_RE = re.compile(rb"<(?:[\w.-]+:)?(item|entry)(?:\s[^<>]*)?>")


def _feed_as_utf8(content: bytes, headers: dict[str, str],
                  base_url: str) -> tuple[bytes, dict[str, str], list[str], str | None]:
    """The feed re-encoded as UTF-8, with headers and XML declaration saying so, and the charset
    warnings. The charset is decided by decode_bytes (HTTP header → BOM → XML declaration →
    detection; GBK and lying declarations handled): left to guess, feedparser reads a whole UTF-8
    feed as ISO-8859-2 for one invalid byte. Bytes that fit no charset are passed on unchanged."""
    hdrs = dict(headers) if headers else {"content-location": base_url}
    ctype = next((v for k, v in hdrs.items() if k.lower() == "content-type"), "")
    m = _FEED_CHARSET_RE.search(ctype)
    try:
        decoded = decode_bytes(content, http_charset=m.group(1) if m else None)
    except CollectError:
        return content, hdrs, [], None
    data = decoded.text.encode("utf-8", errors="replace")
    data = _XML_DECL_ENCODING_RE.sub(rb"\1\2utf-8\2", data[:2048], count=1) + data[2048:]
    hdrs = {k: v for k, v in hdrs.items() if k.lower() != "content-type"}
    hdrs["content-type"] = "application/xml; charset=utf-8"
    return data, hdrs, decoded.warnings, decoded.charset


def _feed_cut_off(data: bytes, entries: int) -> tuple[bool, bool]:
    """(the document ends before its root element is closed, its last entry is unfinished).

    The last entry counts as unfinished only when every entry start tag became an entry and the
    last one has no end tag (a start tag cut in half made no entry: the one before is whole)."""
    root = _FEED_ROOT_RE.search(data)
    if not root or re.search(rb"</" + re.escape(root.group(1)) + rb"\s*>", data[root.end():]):
        return False, False
    starts = list(_FEED_ENTRY_RE.finditer(data, root.end()))
    if not starts or len(starts) != entries or starts[-1].group(0).endswith(b"/>"):
        return True, False
    last = starts[-1]
    end = re.compile(rb"</(?:[\w.-]+:)?" + last.group(1) + rb"\s*>")
    return True, end.search(data, last.end()) is None


def parse_feed(content: bytes, headers: dict[str, str], base_url: str) -> tuple[list[Entry], list[str]]:
    """RSS/Atom via feedparser, given bytes; the charset is decided here (see _feed_as_utf8)."""
    data, feed_headers, warnings, charset = _feed_as_utf8(content, headers, base_url)
    parsed = feedparser.parse(data, response_headers=feed_headers)
    found = list(parsed.entries)
    version = parsed.get("version") or ""
    if not version and not found:
        page = _html_page_title(content)
        if page is not None:  # an error, login or firewall page answered with 200
            raise NotAFeed(code="feed-html-page", params={"title": page or "untitled"})
    if parsed.bozo:
        exc = parsed.get("bozo_exception")
        reason = " ".join(str(exc).split())[:120] if exc else "malformed"
        # A download cut short: its last entry is a fragment (no link, no date) that would be
        # stored apart from the whole story the next fetch brings.
        cut, unfinished = _feed_cut_off(data, len(found)) if found else (False, False)
        if unfinished:
            found.pop()
        if not version and not found:
            raise NotAFeed(code="feed-unreadable", params={"reason": reason})
        if not found:
            raise NotAFeed(code="feed-broken", params={"reason": reason})
        warnings.append(f"feed: malformed XML, {len(found)} entries recovered ({reason})")
        if cut:
            warnings.append("feed: the document is cut off (its root element is never closed)"
                            + ("; the unfinished last entry was dropped" if unfinished else ""))
    elif not version and not found:
        raise NotAFeed(code="feed-no-channel")
    entries: list[Entry] = []
    skipped = 0
    for e in found:
        link = e.get("link") or ""
        if e.get("guidislink") and "/" not in link:
            link = ""  # a guid standing in for the link that is no address (an id, a urn:)
        if not link:
            for ln in e.get("links", []):
                if ln.get("href") and ln.get("rel", "alternate") == "alternate":
                    link = ln["href"]
                    break
        # only web addresses are links: another one (javascript:, a bad port) is taken away by
        # collectors.entry_checks, which names it; identity falls back to the guid or a hash
        link = join_url(base_url, link.strip()) if link.strip() else ""
        body = ""
        if e.get("content"):
            body = e["content"][0].get("value", "")
        if not body:
            body = e.get("summary", "") or ""
        published = e.get("published") or e.get("updated") or e.get("dc_date") or None
        # an enclosure is named like a linked attachment: its title, else its file name
        attachments = [{"url": join_url(base_url, enc["href"]),
                        "name": _clean(enc.get("title")) or enc["href"].split("?", 1)[0].rsplit("/", 1)[-1]}
                       for enc in e.get("enclosures", []) if enc.get("href")]
        meta: dict[str, str] = {"_charset": charset} if charset else {}  # how the bytes were read
        if e.get("author"):
            meta["Author"] = e["author"]
        if e.get("source", {}).get("title"):
            meta["ContentSource"] = e["source"]["title"]
        tags = [t.get("term") for t in e.get("tags", []) if t.get("term")]
        if tags:
            meta["Keywords"] = ",".join(tags)
        title = _clean(e.get("title", ""))
        if not link and not title:
            skipped += 1
            continue
        html = _clean_body(body)
        story = read_story(html)  # a body that is a whole page: its story
        for k, v in story.meta.items():
            meta.setdefault(k, v)
        entries.append(Entry(url=link, title=title, guid=(e.get("id") or "").strip() or None,
                             published=published, html=html, has_body=True, meta=meta, bylines=story.bylines,
                             story=story.html if story.html != html else "",
                             attachments=attachments + body_attachments(story.html, link),
                             warnings=_repair_note(e.get("title", ""), body)))
    if skipped:  # nothing to identify, show or link them by: said, not silently dropped
        warnings.append(f"feed: {skipped} of {len(found)} entries have neither title nor link, skipped")
    return entries, warnings
