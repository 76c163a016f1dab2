"""URL shapes of each template: where list pages, feeds and detail pages live under ``/{site}/``.

These are the real platforms' shapes: UCAP ``/{abbr}/c{col}/common_list.shtml`` with
``/{abbr}/c{col}/{YYYYMM}/c00_{id}.shtml`` details; TRS ``/{section}/index.html``, ``index_1.html``…
with ``./{YYYYMM}/t{YYYYMMDD}_{id}.html``; Hanweb ``/col/col{N}/index.html?uid=…&pageNum=N`` with
``/art/{Y}/{M}/{D}/art_{N}_{id}.html``; hlj.gov.cn's JSON ``/common/search/{channel}``; feeds.
"""

from __future__ import annotations

import re
from datetime import datetime

from sample_province.catalog import Channel, Site


def _abbr(site: Site) -> str:
    return "hlj" if site.kind == "portal" else site.id


def hanweb_uid(channel: Channel) -> str:
    return f"{int(channel.code) * 7 % 99991:05d}"


def list_url(site: Site, channel: Channel, page: int = 1) -> str:
    """Path (with query) of list page ``page`` (1-based) of a channel, or its feed/endpoint."""
    base = f"/{site.id}"
    t = channel.template
    if t == "ucap":
        name = "common_list.shtml" if page == 1 else f"common_list_{page}.shtml"
        return f"{base}/{_abbr(site)}/{channel.code}/{name}"
    if t == "trs":
        name = "index.html" if page == 1 else f"index_{page - 1}.html"
        return f"{base}/{channel.code}/{name}"
    if t == "hanweb":
        return f"{base}/col/col{channel.code}/index.html?uid={hanweb_uid(channel)}&pageNum={page}"
    if t == "portal-json":
        return f"{base}/common/search/{channel.code}?page={page}&_pageSize=20&_isJson=true"
    if t == "json":
        return f"{base}/interface/getArticleList.json?channelId={channel.code}&pageNo={page}&pageSize=20"
    if t == "rss":
        return f"{base}/rss/news.xml"
    if t == "atom":
        return f"{base}/feed/atom.xml"
    if t == "xinhua":
        return f"{base}/rss/hlj.xml"
    if t == "simple":
        name = "list.html" if page == 1 else f"list_{page}.html"
        return f"{base}/news/{name}"
    raise ValueError(t)


def match_list(site: Site, path: str, query: dict[str, str]) -> tuple[Channel, int] | None:
    """Which channel and page a request path is, or None when it is no list page of this site."""
    for ch in site.channels:
        t = ch.template
        if t == "ucap":
            m = re.fullmatch(rf"/{site.id}/{_abbr(site)}/{ch.code}/common_list(?:_(\d+))?\.shtml", path)
            if m:
                return ch, int(m.group(1) or 1)
        elif t == "trs":
            m = re.fullmatch(rf"/{site.id}/{re.escape(ch.code)}/(?:index(?:_(\d+))?\.html)?", path)
            if m:
                return ch, int(m.group(1) or 0) + 1
        elif t == "hanweb":
            if path == f"/{site.id}/col/col{ch.code}/index.html":
                return ch, _int(query.get("pageNum"), 1)
        elif t == "portal-json":
            if path == f"/{site.id}/common/search/{ch.code}":
                return ch, _int(query.get("page"), 1)
        elif t == "json":
            if path == f"/{site.id}/interface/getArticleList.json" and query.get("channelId", ch.code) == ch.code:
                return ch, _int(query.get("pageNo"), 1)
        elif t == "simple":
            m = re.fullmatch(rf"/{site.id}/news/list(?:_(\d+))?\.html", path)
            if m:
                return ch, int(m.group(1) or 1)
        elif path == list_url(site, ch):
            return ch, 1
    return None


def page_size(site: Site, channel: Channel, query: dict[str, str]) -> int:
    if channel.template == "portal-json":
        return max(1, min(100, _int(query.get("_pageSize"), 20)))
    if channel.template == "json":
        return max(1, min(100, _int(query.get("pageSize"), 20)))
    if channel.template in ("rss", "atom", "xinhua"):
        return 30
    return 20


def _int(v: str | None, default: int) -> int:
    try:
        return max(1, int(v)) if v is not None else default
    except ValueError:
        return default


def detail_url(site: Site, channel: Channel, no: int, when: datetime) -> str:
    """Path of the detail page of item ``no`` published at ``when``."""
    base = f"/{site.id}"
    t = channel.template
    if t in ("ucap", "portal-json"):
        code = channel.code if t == "ucap" else {"ljdt": "c107855", "dsdt": "c107860"}.get(channel.key, "c107858")
        return f"{base}/{_abbr(site)}/{code}/{when:%Y%m}/c00_{no}.shtml"
    if t == "trs":
        return f"{base}/{channel.code}/{when:%Y%m}/t{when:%Y%m%d}_{no}.html"
    if t == "hanweb":
        return f"{base}/art/{when.year}/{when.month}/{when.day}/art_{channel.code}_{no}.html"
    if t == "xinhua":
        return f"{base}/{when:%Y%m%d}/{no:x}{no * 2654435761 % 2**32:08x}/c.html"
    if t == "simple":
        return f"{base}/news/{when:%Y}/{when:%m%d}/{no}.html"
    return f"{base}/content/{when:%Y-%m}/{when:%d}/content_{no}.html"


def attachment_url(detail_path: str, when: datetime, no: int) -> str:
    """Where a policy document's PDF attachment lives: beside its detail page, ``P0{date}{id}.pdf``."""
    return detail_path.rsplit("/", 1)[0] + f"/P0{when:%Y%m%d}{no}.pdf"
