"""Lists that are in the page but not in its HTML: read as the page's own data.

Many government CMSs send the list's rows in the page and let a script draw them:

- Hanweb (大汉) ``<datastore><recordset><record><![CDATA[<li>…</li>]]></record>…`` records;
- rows kept in an HTML comment, or in a ``<script type="text/template">`` block;
- a JSON or JavaScript array in a script (``var list = [{"title": …, "url": …, "pubDate": …}]``).

Each is read with the same rules as a list in the HTML (``lists._guess_list``; field names as
``jsonapi.guess_json_spec`` knows them). Items that carry an id but no address get it from the
address pattern the page's own script builds (``"/art/" + item.id + ".html"``), or from
``list.item_url`` set once per template (``"/content/{id}.html"``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin

import lxml.etree

from collectors.errors import NotAList, ParseError
from collectors.parsers.common import Entry, _html_root
from collectors.parsers.jsonapi import guess_json_spec, parse_json
from collectors.parsers.list_confidence import ListFinding, judge, portal_home

_RECORD_RE = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
_TEMPLATE_TYPES = ("text/template", "text/html", "text/x-template", "text/x-jquery-tmpl", "text/x-handlebars-template")
_ASSIGN_RE = re.compile(r"(?:\b(?:var|let|const)\s+)?[\w$][\w$.]*\s*=\s*(?=[\[{])|JSON\.parse\(\s*(?=['\"])")
_JS_KEY_RE = re.compile(r"([{,]\s*)([A-Za-z_$][\w$]*)\s*:")
_JS_SQ_RE = re.compile(r"'((?:[^'\\]|\\.)*)'")
_CONCAT_RE = re.compile(  # "/art/" + item.id + ".html", '/c/' + d["docId"] + '.shtml'
    r"""["']([^"'\s<>]*)["']\s*\+\s*[\w$]+(?:\[\w+\])?(?:\.(\w+)|\[\s*["'](\w+)["']\s*\])\s*\+\s*["']([^"'\s<>]*)["']""")
_TEMPLATE_LITERAL_RE = re.compile(r"`([^`$\s]*)\$\{\s*[\w$]+\.(\w+)\s*\}([^`\s]*)`")
MAX_LITERAL = 2_000_000  # characters of one JSON literal read at most
MAX_JS_LITERAL = 200_000  # …of one JavaScript (not JSON) literal: scanned character by character
MAX_TRIES = 50  # assignments, comments and templates read at most per page: a hostile page costs no more
MIN_ROWS = 3

Guess = Callable[[Any], tuple[list[Entry], Any]]


def _fragment(html: str, base_url: str) -> Any | None:
    if "<a" not in html.lower():
        return None
    try:
        return _html_root(f"<html><body>{html}</body></html>", base_url)
    except ParseError:
        return None


def _from_html(html: str, base_url: str, guess: Guess, origin: str) -> ListFinding | None:
    frag = _fragment(html, base_url)
    if frag is None:
        return None
    entries, container = guess(frag)
    if len(entries) < MIN_ROWS:
        return None
    # the fragment's own wrapper is no evidence of navigation: only its classes and ids count
    return judge(entries, container if container is not None and container.tag != "body" else None, origin)


def _js_to_json(literal: str) -> str:
    """A JavaScript object literal as JSON, for the usual cases (unquoted keys, single quotes)."""
    s = _JS_SQ_RE.sub(lambda m: json.dumps(m.group(1).replace("\\'", "'")), literal)
    return _JS_KEY_RE.sub(r'\1"\2":', s)


def _literals(script: str) -> list[Any]:
    """The arrays and objects assigned (or JSON.parse'd) in one script, decoded."""
    out: list[Any] = []
    dec = json.JSONDecoder()
    for n, m in enumerate(_ASSIGN_RE.finditer(script)):
        if n >= MAX_TRIES:
            break
        start = m.end()
        if script[start] in "'\"":  # JSON.parse('[…]')
            q = script[start]
            end = script.find(q + ")", start + 1)
            if end < 0 or end - start > MAX_LITERAL:
                continue
            candidates = [script[start + 1:end].replace("\\" + q, q)]
        else:
            candidates = [script[start:start + MAX_LITERAL]]
        for text in candidates:
            try:
                out.append(dec.raw_decode(text)[0])
                continue
            except ValueError:
                pass
            end = _balanced_end(text)
            if end is None:
                continue
            try:
                out.append(json.loads(_js_to_json(text[:end])))
            except ValueError:
                continue
    return out


def _balanced_end(text: str) -> int | None:
    """Where the bracketed literal at the start of *text* ends (strings skipped), or None."""
    depth, quote, i = 0, "", 0
    limit = min(len(text), MAX_JS_LITERAL)
    while i < limit:
        c = text[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = ""
        elif c in "'\"`":
            quote = c
        elif c in "[{":
            depth += 1
        elif c in "]}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return None


def _address_pattern(scripts: str, key: str) -> tuple[str, str] | None:
    """The prefix and suffix the page's script puts around an item's *key* to make its address."""
    for m in _CONCAT_RE.finditer(scripts):
        if (m.group(2) or m.group(3)) == key and (m.group(1) or m.group(4)):
            return m.group(1), m.group(4)
    for m in _TEMPLATE_LITERAL_RE.finditer(scripts):
        if m.group(2) == key:
            return m.group(1), m.group(3)
    return None


def _from_json(obj: Any, scripts: str, base_url: str, item_url: str | None) -> ListFinding | None:
    try:
        spec = guess_json_spec(obj)
        entries = parse_json(obj, base_url, spec)
    except NotAList:
        return None
    notes: list[str] = []
    if entries and not any(e.url for e in entries) and spec.get("id"):
        pattern = None
        if item_url and "{id}" in item_url:
            pattern = tuple(item_url.split("{id}", 1))
        else:
            pattern = _address_pattern(scripts, spec["id"])
        if pattern is None:
            return ListFinding([], 0.0, [("script-ids-no-addresses", {"n": len(entries), "id": spec["id"]})], "script")
        for e in entries:
            if e.guid:
                e.url = urljoin(base_url, f"{pattern[0]}{e.guid}{pattern[1]}")
        notes.append(f"list: addresses made from the page's pattern {pattern[0]}{{{spec['id']}}}{pattern[1]}")
    entries = [e for e in entries if e.url and e.title]
    for e in entries:  # the date shown in the list, as an HTML list's is
        e.list_date, e.published = e.published, None
        e.has_body = bool(e.html)
    if len(entries) < MIN_ROWS:
        return None
    found = judge(entries, None, "script")
    found.notes = notes
    if not any(e.list_date for e in entries) and (home := portal_home(
            len(entries), _other_records(obj, spec, {e.title for e in entries}), "undated", "in-script-data")):
        found.confidence = round(found.confidence * 0.45, 3)  # a portal's data: a dozen boxes, none its list
        found.parts.append(home)
    return found


def _other_records(obj: Any, spec: dict[str, Any], titles: set[str], depth: int = 0) -> list[int]:
    """Sizes of the data's other arrays of records shaped like the list's (its title and address
    fields), holding none of its titles: the boxes of a page that carries all its boxes as data."""
    out: list[int] = []
    if depth > 8:
        return out
    if isinstance(obj, list):
        recs = [r for r in obj if isinstance(r, dict) and r.get(spec["title"]) and r.get(spec.get("url", ""))]
        if len(recs) >= MIN_ROWS and not any(str(r[spec["title"]]).strip() in titles for r in recs):
            out.append(len(recs))
        items = obj
    elif isinstance(obj, dict):
        items = list(obj.values())
    else:
        return out
    for v in items:
        if isinstance(v, (list, dict)):
            out.extend(_other_records(v, spec, titles, depth + 1))
    return out


def data_lists(root: Any, page: str, base_url: str, guess: Guess, spec: dict[str, Any] | None = None) -> list[ListFinding]:
    """Every list the page carries as data, each judged like an HTML list."""
    out: list[ListFinding] = []
    records = _RECORD_RE.findall(page)
    if records:
        found = _from_html("".join(records), base_url, guess, "datastore")
        if found:
            out.append(found)
    tries = 0
    for c in root.iter(lxml.etree.Comment):
        text = c.text or ""
        if "href" in text and len(text) > 100 and tries < MAX_TRIES:
            tries += 1
            found = _from_html(text, base_url, guess, "comment")
            if found:
                out.append(found)
    scripts: list[str] = []
    for s in root.iter("script"):
        body = s.text or ""
        kind = (s.get("type") or "").strip().lower()
        if kind in _TEMPLATE_TYPES and tries < MAX_TRIES:
            tries += 1
            found = _from_html(body, base_url, guess, "template")
            if found:
                out.append(found)
        elif not s.get("src") and kind in ("", "text/javascript", "application/javascript", "application/json",
                                            "module", "application/ld+json"):
            scripts.append(body)
    joined = "\n".join(scripts)
    item_url = (spec or {}).get("item_url")
    for script in scripts:
        if "[" not in script:
            continue
        for obj in _literals(script):
            found = _from_json(obj, joined, base_url, item_url)
            if found:
                out.append(found)
    return out
