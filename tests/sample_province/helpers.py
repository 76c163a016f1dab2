"""Small helpers for the sample province tests: find sites by trait, read pages like a collector."""

from __future__ import annotations

from typing import Any

from lxml import html as lxml_html
from lxml.cssselect import CSSSelector

from sample_province import Province


def site_with(p: Province, **want: object) -> str:
    """The id of the first one-list site (the portal has several) whose attributes match ``want``."""
    for s in p.sites:
        if len(s.channels) == 1 and all(getattr(s, k) == v for k, v in want.items()):
            return s.id
    raise LookupError(f"no site with {want}")


def source_of(p: Province, source_id: str) -> dict[str, Any]:
    return next(s for s in p.sources() if s["id"] == source_id)


def items_of(p: Province, site_id: str, source: str | None = None) -> list[dict[str, Any]]:
    """Truth items still online on a site (optionally one source of it), newest first."""
    out = [i for i in p.truth()["items"] if i["site"] == site_id and not i["deleted"]
           and (source is None or i["source"] == source)]
    out.sort(key=lambda i: i["released_at"], reverse=True)
    return out


def select(root: Any, css: str) -> list[Any]:
    return CSSSelector(css)(root)


def text_of(nodes: list[Any]) -> str:
    return "".join(n.text_content() for n in nodes).strip()


def parse_html(data: bytes, charset: str) -> Any:
    return lxml_html.document_fromstring(data.decode(charset))


def list_entries(root: Any, spec: dict[str, str]) -> list[dict[str, str]]:
    """Entries of a list page read with a source's list selectors (title, href, date text)."""
    out = []
    for node in select(root, spec["items"]):
        a = select(node, spec.get("link", "a"))[0]
        date = text_of(select(node, spec["date"])) if spec.get("date") else ""
        out.append({"href": a.get("href"), "title": a.get("title") or a.text_content().strip(), "date": date})
    return out
