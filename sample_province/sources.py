"""Huiju source definitions for every list of the province, as schedules.toml would declare them.

The selectors are the ones an operator would write after looking at each template's pages; the
collector reads detail meta tags (ArticleTitle, PubDate, ColumnName, ContentSource) first.
"""

from __future__ import annotations

import json
from typing import Any

from sample_province.catalog import Channel, Site
from sample_province.urls import list_url
from sample_province.world import source_id

UCAP_DETAIL = {"title": "div.article_title h1", "date": "div.article_info span.pubdate",
               "body": "div.article_content_body", "source": "div.article_info span.source"}
GZK_DETAIL = {"title": "div.gzk_title h1", "date": "table.gzk_info tr:nth-of-type(2) td:nth-of-type(4)",
              "body": "div.gzk_detail"}
DETAILS = {
    "trs": {"title": "h1.article-title", "date": "div.article-info span.time", "body": "div.TRS_Editor",
            "source": "div.article-info span.source"},
    "hanweb": {"title": "td.title", "date": "td.article-attr span.time", "body": "#zoom",
               "source": "td.article-attr span.from"},
    "simple": {"title": "h2.title", "date": "div.info span.date", "body": "div.content",
               "source": "div.info span.from"},
    "xinhua": {"title": "div.head-line span.title", "body": "#detail", "source": "div.source"},
    "cms": {"title": "div.detail-title", "date": "div.detail-meta span.pub-time", "body": "#content",
            "source": "div.detail-meta span.origin"},
}
LISTS = {
    "ucap": {"items": "div.common_list ul.list li", "link": "a", "title": "a", "date": "span.date", "next": "ucap"},
    "trs": {"items": "ul.list_ul li", "link": "a", "title": "a", "date": "span.date", "next": "trs"},
    "hanweb": {"items": "div.default_pgContainer li", "link": "a", "title": "a", "date": "span.bt-data-time",
               "next": "hanweb"},
    "simple": {"items": "div.news-list li", "link": "a", "title": "a", "date": "span", "next": "div.pager a.next"},
}
JSONS = {
    "portal-json": {"items": "data.results", "id": "manuscriptId", "title": "title", "url": "url",
                    "date": "publishedTimeStr", "body": "content", "source": "source", "page_param": "page"},
    "json": {"items": "data.list", "id": "id", "title": "title", "url": "linkUrl", "date": "pubDate",
             "body": "content", "source": "source", "page_param": "pageNo"},
}


def source_for(site: Site, channel: Channel, base: str) -> dict[str, Any]:
    """One source definition (schedules.toml form) for one list of one site."""
    t = channel.template
    name = site.name if len(site.channels) == 1 else f"{site.name}·{channel.name}"
    typ = "rss" if t in ("rss", "atom", "xinhua") else "json" if t in ("json", "portal-json") else "html"
    src: dict[str, Any] = {
        "id": source_id(site, channel), "name": name, "kind": site.kind, "type": typ,
        "url": base + list_url(site, channel), "column": channel.column, "every": site.every,
        "review": channel.review, "site": site.id,  # every site is on one host: say which lists are one site
    }
    if typ == "html":
        lst = dict(LISTS[t])
        if not site.list_date:
            lst.pop("date")
        src["list"] = lst
        src["max_pages"] = 3
        if channel.key in ("zfwj", "gz"):
            src["detail"] = dict(GZK_DETAIL)
        else:
            src["detail"] = dict(UCAP_DETAIL if t == "ucap" else DETAILS[t])
    elif typ == "json":
        src["json"] = dict(JSONS[t])
        src["max_pages"] = 2
        src["detail"] = dict(UCAP_DETAIL)
    else:
        src["detail"] = dict(DETAILS["xinhua" if t == "xinhua" else "cms"])
    if "detail" in src and not site.detail_date:
        src["detail"].pop("date", None)
    if site.referer:
        src["referer"] = f"{base}/{site.id}/"
    if site.cookie:
        src["cookie_bootstrap"] = f"{base}/{site.id}/"
    if site.encoding == "undeclared-gbk":
        src["encoding"] = "gbk"
    return src


def all_sources(sites: list[Site], base: str) -> list[dict[str, Any]]:
    return [source_for(s, ch, base) for s in sites for ch in s.channels]


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return str(v)
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items()) + " }"
    return json.dumps(str(v), ensure_ascii=False)


def to_toml(sources: list[dict[str, Any]]) -> str:
    """``[[sources]]`` tables, one per source, in the order given."""
    out = ["# Sources of the sample province (python -m sample_province --emit-sources).",
           "# ${province} is the province's base URL, e.g. http://127.0.0.1:8090", ""]
    for s in sources:
        out.append("[[sources]]")
        out.extend(f"{k} = {_toml_value(v)}" for k, v in s.items())
        out.append("")
    return "\n".join(out)
