"""JSON (and JSONP) list endpoints: configured field paths, or guessed ones for ``probe``."""

from __future__ import annotations

import json as jsonlib
import re
from typing import Any

from collectors.errors import NotAList, ParseError
from collectors.parsers.common import Entry, _clean, _clean_body, _html_page_title, _repair_note, join_url
from pages.story import body_attachments, read_story


def looks_like_json(content: bytes, content_type: str) -> bool:
    head = content[:256].lstrip(b"\xef\xbb\xbf \t\r\n")
    return "json" in content_type or head.startswith((b"{", b"[")) or bool(
        _JSONP_RE.match(head.decode("ascii", "ignore")))


def _path(obj: Any, path: str | None) -> Any:
    if not path:
        return obj
    cur = obj
    for part in str(path).split("."):
        if isinstance(cur, dict):
            cur = cur.get(part)
        elif isinstance(cur, list) and part.lstrip("-").isdigit():
            idx = int(part)
            cur = cur[idx] if -len(cur) <= idx < len(cur) else None
        else:
            return None
        if cur is None:
            return None
    return cur


# JSONP as list endpoints write it: cb({...}), /**/ cb({...});, typeof cb === 'function' && cb({...}),
# try{cb({...})}catch(e){}: a call of a script name on one object or array
_JSONP_RE = re.compile(r"^\s*(?:/\*.*?\*/\s*)?(?:try\s*\{\s*)?(?:typeof\s+[\w$.]+\s*={2,3}\s*['\"]function['\"]\s*&&\s*)?"
                       r"[\w$.]+\s*\(\s*[\[{]", re.S)


def _unwrapped(text: str) -> Any:
    """The object or array inside a JSONP call, or before a trailing comment or script."""
    call = _JSONP_RE.match(text)
    start = call.end() - 1 if call else min((i for i in (text.find("{"), text.find("[")) if i >= 0), default=-1)
    end = max(text.rfind("}"), text.rfind("]"))
    if start < 0 or end <= start:
        raise ValueError("no object or array")
    try:
        return jsonlib.loads(text[start:end + 1])
    except ValueError:
        # cb({...});  /* or trailing text with brackets */: the value ends at the call's ")"
        return jsonlib.JSONDecoder().raw_decode(text, start)[0]


def load_json(text: str) -> Any:
    text = text.lstrip("\ufeff")
    try:
        data = jsonlib.loads(text)
    except ValueError as exc:
        try:
            if _JSONP_RE.match(text) or text.lstrip()[:1] in ("{", "["):  # not an HTML page's script
                return _unwrapped(text)
        except ValueError:
            pass
        page = _html_page_title(text[:8192].encode("utf-8", "replace"))
        if page is not None:  # a maintenance, error or login page answered with 200
            raise ParseError(code="json-html-page", params={"title": page or "untitled"}) from None
        raise ParseError(code="json-invalid", params={"reason": str(exc)}) from None
    if isinstance(data, str) and data.lstrip()[:1] in ("{", "["):
        try:  # a JSON document sent as one JSON string (encoded twice)
            return jsonlib.loads(data)
        except ValueError:
            pass
    return data


_GUESS = {"title": ("title", "name", "subject", "headline", "docTitle", "articleTitle"),
          "url": ("url", "link", "linkUrl", "href", "docUrl", "articleUrl", "pageUrl"),
          "date": ("date", "pubDate", "publishTime", "publishedTimeStr", "publishTimeStr", "pubTimeStr", "pubTime", "publishDate", "time", "createTime",
                   "releaseTime", "docPubTime"),
          "id": ("id", "guid", "docId", "articleId", "uuid"),
          "body": ("content", "body", "html", "text", "docContent")}


def _object_lists(obj: Any, prefix: str = "", depth: int = 0) -> list[tuple[str, list[dict[str, Any]]]]:
    """Every non-empty list of objects in *obj* (five levels deep at most), with its path."""
    if isinstance(obj, list):
        return [(prefix, obj)] if obj and all(isinstance(x, dict) for x in obj) else []
    if isinstance(obj, dict) and depth < 5:
        return [found for k, v in obj.items()
                for found in _object_lists(v, f"{prefix}.{k}" if prefix else k, depth + 1)]
    return []


def _largest_list(obj: Any) -> tuple[str, int]:
    """The list of objects most like a news list: its objects have a title and a link or id, then
    a date (a navigation menu has no dates), then the most of them."""
    def score(found: tuple[str, list[dict[str, Any]]]) -> tuple[bool, bool, int]:
        keys = {k.lower() for k in found[1][0]}
        has = {f: any(n.lower() in keys for n in names) for f, names in _GUESS.items()}
        return has["title"] and (has["url"] or has["id"]), has["date"], len(found[1])

    lists = _object_lists(obj)
    if not lists:
        return "", -1
    path, items = max(lists, key=score)
    return path, len(items)


def guess_json_spec(data: Any) -> dict[str, Any]:
    """Field paths for an unknown JSON list (probe): the list most like news (see _largest_list)
    and the usual field names."""
    path, n = _largest_list(data)
    if n <= 0:
        raise NotAList(code="json-no-list")
    first = _path(data, path)[0]
    spec: dict[str, Any] = {"items": path}
    lower = {k.lower(): k for k in first}
    for field_name, names in _GUESS.items():
        for name in names:
            if name.lower() in lower:
                spec[field_name] = lower[name.lower()]
                break
    if "title" not in spec or "url" not in spec and "id" not in spec:
        raise NotAList(code="json-no-fields", params={"path": path or "the root"})
    return spec


def parse_json(data: Any, base_url: str, spec: dict[str, Any]) -> list[Entry]:
    """Entries from a JSON list endpoint following the configured field paths."""
    items = _path(data, spec.get("items"))
    if not isinstance(items, list):
        raise NotAList(code="json-no-path", params={"path": spec.get("items") or "(root)"})
    entries: list[Entry] = []
    for it in items:
        if not isinstance(it, dict):
            continue
        notes: list[str] = []

        def field(name: str, it: dict[str, Any] = it, notes: list[str] = notes) -> Any:
            value = _path(it, spec.get(name)) if spec.get(name) else None
            if isinstance(value, (dict, list)):
                # e.g. WordPress's {"title": {"rendered": "…"}}: the configured path stops too early
                notes.append(f"json: field {spec[name]!r} is an object, not text; configure a deeper path")
                return None
            return value

        title, url, guid = field("title"), field("url"), field("id")
        date, body, src = field("date"), field("body"), field("source")
        if not title and not url:
            continue
        meta = {"ContentSource": _clean(str(src))} if src else {}
        url = str(url).strip() if url not in (None, "") else ""
        url = join_url(base_url, url) if url else ""
        html = _clean_body(str(body)) if body else ""
        story = read_story(html)  # a body that is a whole page: its story
        for k, v in story.meta.items():
            meta.setdefault(k, v)
        entries.append(Entry(url=url, title=_clean(str(title or "")),
                             guid=str(guid).strip() if guid not in (None, "") else None,
                             published=str(date) if date not in (None, "") else None,
                             html=html, has_body=body is not None, meta=meta, bylines=story.bylines,
                             story=story.html if story.html != html else "",
                             attachments=body_attachments(story.html, url),
                             warnings=notes + _repair_note(str(title or ""), str(body or ""))))
    if items and not entries:
        raise NotAList(code="json-no-configured-fields")
    return entries
