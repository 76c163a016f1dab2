"""Page bodies in each real template: list pages, feeds, JSON lists and detail pages with chrome.

Detail pages carry what real ones carry around the story — navigation, 您当前的位置 breadcrumbs,
share buttons, 相关链接 with other titles, print/close links, footers with 网站标识码 and ICP
numbers — so that body extraction is not trivial. Text is rendered as ``str``; ``encode`` makes
the bytes in the site's charset, declared (or mis-declared, or not declared) as that site does.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from html import escape
from xml.sax.saxutils import escape as xesc

from sample_province.catalog import Channel, Site
from sample_province.urls import attachment_url, hanweb_uid, list_url
from sample_province.world import Item

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def fmt_date(t: datetime, style: str) -> str:
    """A date as a site in ``style`` writes it (see catalog.DATE_STYLES)."""
    if style == "ymd":
        return f"{t:%Y-%m-%d}"
    if style == "ymd-hm":
        return f"{t:%Y-%m-%d %H:%M}"
    if style == "ymd-hms":
        return f"{t:%Y-%m-%d %H:%M:%S}"
    if style == "ymd-hms-dash":
        return f"{t:%Y-%m-%d-%H:%M:%S}"
    if style == "cn":
        return f"{t:%Y}年{t:%m}月{t:%d}日{t:%H:%M}"
    if style == "cn-date":
        return f"{t:%Y}年{t:%m}月{t:%d}日"
    if style == "slash":
        return f"{t.year}/{t.month}/{t.day}"
    if style == "md-bracket":
        return f"[{t:%m-%d}]"
    if style == "rfc822":
        return f"{WEEKDAYS[t.weekday()]}, {t.day:02d} {MONTHS[t.month - 1]} {t:%Y %H:%M:%S} +0800"
    if style == "rfc822-cst":
        return f"{WEEKDAYS[t.weekday()]}, {t.day:02d} {MONTHS[t.month - 1]} {t:%Y %H:%M:%S} CST"
    if style == "rfc822-naive":
        return f"{t:%Y-%m-%d %H:%M:%S}"
    if style == "iso":
        return t.isoformat()
    raise ValueError(style)


def _meta_charset(site: Site) -> str:
    return f'<meta http-equiv="Content-Type" content="text/html; charset={site.declared}">' if site.declared else ""


def _head(site: Site, title: str, extra: str = "") -> str:
    return (f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n{_meta_charset(site)}\n'
            f'<meta http-equiv="X-UA-Compatible" content="IE=edge">\n'
            f'<meta name="SiteName" content="{escape(site.name)}">\n'
            f'<meta name="SiteDomain" content="{site.id}.hlj.gov.cn">\n{extra}'
            f'<title>{escape(title)}</title>\n'
            f'<link rel="stylesheet" href="/{site.id}/images/common.css">\n'
            "<style>body{font:14px/1.8 'Microsoft YaHei',sans-serif;margin:0;background:#f4f4f4}"
            ".wrap{width:1000px;margin:0 auto;background:#fff;padding:0 20px}"
            ".top{background:#b5121b;color:#fff;padding:18px 20px;font-size:26px}"
            ".nav a{margin-right:18px;color:#fff}.nav{background:#8e0e15;padding:6px 20px}"
            "li{list-style:none;border-bottom:1px dashed #ddd;padding:4px 0}li span{float:right;color:#888}"
            ".footer{text-align:center;color:#666;font-size:12px;padding:20px;background:#eee}"
            ".more{float:right;font-size:12px;font-weight:normal}</style>\n"
            "</head>\n")


def _top(site: Site) -> str:
    links = "".join(f'<a href="{escape(list_url(site, c))}">{escape(c.name)}</a>' for c in site.channels)
    return (f'<div class="top"><div class="logo">{escape(site.name)}</div>'
            '<div class="search"><form action="/search" method="get"><input name="q" placeholder="请输入关键字">'
            '<button>搜索</button></form></div></div>\n'
            f'<div class="nav"><a href="/{site.id}/">首页</a>{links}<a href="/{site.id}/zwgk/">政务公开</a>'
            f'<a href="/{site.id}/zmhd/">政民互动</a><a href="/{site.id}/bsfw/">办事服务</a>'
            '<a href="/">无障碍</a><a href="/">长者模式</a></div>\n')


def _footer(site: Site) -> str:
    code = f"23{int(hashlib.sha1(site.id.encode()).hexdigest()[:8], 16) % 10**8:08d}"
    return ('<div class="footer"><div class="links">相关链接：<a href="/portal/">黑龙江省人民政府</a> '
            '<a href="/xinhua/">新华网黑龙江频道</a> <a href="/">中国政府网</a></div>'
            f'<p>主办单位：{escape(site.name)}办公室 &nbsp; 承办单位：{escape(site.name)}信息中心</p>'
            f'<p>网站标识码：{code} &nbsp; <a href="/">黑ICP备0500{len(site.id):02d}41号-1</a> &nbsp; '
            f'<a href="/">黑公网安备 230103020000{len(site.name):02d}号</a></p>'
            '<p>您是第 <span id="counter">1024576</span> 位访问者 &nbsp; 建议使用1024×768分辨率浏览</p></div>\n')


def _share() -> str:
    return ('<div class="share bdsharebuttonbox"><span>分享到：</span><a class="bds_weixin" title="分享到微信">微信</a>'
            '<a class="bds_tsina" title="分享到新浪微博">微博</a><a class="bds_qzone" title="分享到QQ空间">QQ空间</a>'
            '</div>\n<div class="tools"><a href="javascript:window.print()">【打印本页】</a>'
            '<a href="javascript:window.close()">【关闭窗口】</a><a href="#top">【返回顶部】</a></div>\n')


def _related(related: list[Item]) -> str:
    lis = "".join(f'<li><a href="{escape(r.path)}">{escape(r.title)}</a></li>' for r in related[:5])
    return f'<div class="related"><h3>相关链接</h3><ul>{lis}</ul></div>\n' if lis else ""


def _paras(paragraphs: tuple[str, ...]) -> str:
    return "".join(f'<p style="text-indent:2em;">{escape(p)}</p>\n' for p in paragraphs)


# ----------------------------------------------------------------------------------- lists
def render_list(site: Site, channel: Channel, items: list[Item], page: int, pages: int,
                total: int, size: int, now: datetime) -> tuple[str, str]:
    """The body of list page ``page`` and its kind: "html" | "xml" | "json"."""
    t = channel.template
    if t in ("rss", "xinhua"):
        return _rss(site, channel, items, now), "xml"
    if t == "atom":
        return _atom(site, channel, items, now), "xml"
    if t == "portal-json":
        return _portal_json(site, channel, items, page, total, size, now), "json"
    if t == "json":
        return _city_json(site, channel, items, page, total, size, now), "json"
    return _html_list(site, channel, items, page, pages, total), "html"


def _list_date(site: Site, it: Item) -> str:
    return fmt_date(it.released, site.list_date) if site.list_date else ""


def _html_list(site: Site, channel: Channel, items: list[Item], page: int, pages: int, total: int) -> str:
    t = channel.template
    rows = []
    for it in items:
        d = _list_date(site, it)
        title = escape(it.title)
        if t == "ucap":
            span = f'<span class="date">{d}</span>' if d else ""
            rows.append(f'<li><a href="{escape(it.path)}" target="_blank" title="{title}">{title}</a>{span}</li>')
        elif t == "trs":
            rel = "./" + it.path.split(f"/{channel.code}/", 1)[1]
            span = f'<span class="date">{d}</span>' if d else ""
            rows.append(f'<li><a href="{escape(rel)}" target="_blank" title="{title}">{title}</a>{span}</li>')
        elif t == "hanweb":
            span = f'<span class="bt-data-time">{d}</span>' if d else ""
            rows.append(f'<li><a href="{escape(it.path)}" target="_blank" title="{title}">{title}</a>{span}</li>')
        else:
            span = f"<span>{d}</span>" if d else ""
            rows.append(f'<li><a href="{escape(it.path)}">{title}</a>{span}</li>')
    body = "\n".join(rows)
    crumbs = (f'<div class="position">您当前的位置：<a href="/{site.id}/">首页</a> &gt; '
              f'<a href="{escape(list_url(site, channel))}">{escape(channel.name)}</a></div>\n')
    if t == "ucap":
        links = []
        if page > 1:
            links.append(f'<a href="{escape(list_url(site, channel, page - 1))}" class="prev">上一页</a>')
        if page < pages:
            links.append(f'<a href="{escape(list_url(site, channel, page + 1))}" class="next">下一页</a>')
        pager = (f'<div class="page_box" id="page_div">共{total}条 第{page}/{pages}页 '
                 f'<a href="{escape(list_url(site, channel, 1))}">首页</a>{"".join(links)}'
                 f'<a href="{escape(list_url(site, channel, pages))}">尾页</a></div>')
        main = (f'<div class="common_list"><div class="list_title">{escape(channel.name)}</div>\n'
                f'<ul class="list">\n{body}\n</ul>\n{pager}</div>\n')
    elif t == "trs":
        pager = ('<div class="page"><script type="text/javascript">\n'
                 "function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){\n"
                 " if(_nPageCount == null || _nPageCount<=1){ return; }\n"
                 " var h='';\n"
                 " if(_nCurrIndex > 0){ h += \"<a href='\" + (_nCurrIndex==1 ? _sPageName : _sPageName+'_'+(_nCurrIndex-1)) + '.' + _sPageExt + \"'>上一页</a> \"; }\n"
                 " if(_nCurrIndex < _nPageCount-1){ h += \"<a href='\" + _sPageName+'_'+(_nCurrIndex+1) + '.' + _sPageExt + \"'>下一页</a> \"; }\n"
                 " h += '共' + _nPageCount + '页';\n document.write(h);\n}\n"
                 f'createPageHTML({pages}, {page - 1}, "index", "html");\n</script></div>')
        main = f'<div class="list_box"><ul class="list_ul">\n{body}\n</ul>\n{pager}</div>\n'
    elif t == "hanweb":
        uid = hanweb_uid(channel)
        nxt = (f'<a class="default_pgNext" href="index.html?uid={uid}&amp;pageNum={page + 1}">下一页</a>'
               if page < pages else "")
        prv = (f'<a class="default_pgPrev" href="index.html?uid={uid}&amp;pageNum={page - 1}">上一页</a>'
               if page > 1 else "")
        main = (f'<div id="{uid}"><div class="default_pgContainer"><ul>\n{body}\n</ul></div>\n'
                f'<div class="default_pgToolbar">共{total}条记录 {page}/{pages}页 {prv}{nxt}</div></div>\n')
    else:
        nxt = (f'<a class="next" href="{escape(list_url(site, channel, page + 1))}">下一页</a>'
               if page < pages else "")
        main = (f'<div class="news-list"><ul>\n{body}\n</ul></div>\n'
                f'<div class="pager">第{page}页 共{pages}页 {nxt}</div>\n')
    return (_head(site, f"{channel.name}_{site.name}") + "<body>\n<div class=\"wrap\">\n" + _top(site)
            + crumbs + main + "</div>\n" + _footer(site) + "</body>\n</html>\n")


def _build(items: list[Item], now: datetime) -> datetime:
    """When a feed last changed (not "now": an unchanged feed must keep its ETag)."""
    return max((it.changed_at(now) for it in items), default=now.replace(hour=0, minute=0, second=0))


def _rss(site: Site, channel: Channel, items: list[Item], now: datetime) -> str:
    enc = site.declared or "utf-8"
    style = site.detail_date or "rfc822"
    parts = [f'<?xml version="1.0" encoding="{enc}"?>\n<rss version="2.0">\n<channel>\n'
             f"<title>{xesc(site.name)}</title>\n<link>/{site.id}/</link>\n"
             f"<description>{xesc(site.name)}{xesc(channel.name)}</description>\n<language>zh-cn</language>\n"
             f"<lastBuildDate>{fmt_date(_build(items, now), 'rfc822')}</lastBuildDate>\n"]
    for it in items:
        body = _paras(it.text(now))
        guid = "" if site.detail_date == "rfc822-cst" else xesc(it.path)
        parts.append(f"<item>\n<title>{xesc(it.title)}</title>\n<link>{xesc(it.path)}</link>\n"
                     f"<guid>{guid}</guid>\n<pubDate>{fmt_date(it.released, style)}</pubDate>\n"
                     f"<author>{xesc(it.source_name)}</author>\n"
                     f"<description><![CDATA[{body}]]></description>\n</item>\n")
    parts.append("</channel>\n</rss>\n")
    return "".join(parts)


def _atom(site: Site, channel: Channel, items: list[Item], now: datetime) -> str:
    parts = ['<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">\n'
             f"<title>{xesc(site.name)}</title>\n<id>tag:{site.id}.hlj.gov.cn,2005:news</id>\n"
             f'<link href="/{site.id}/" rel="alternate"/>\n<updated>{_build(items, now).isoformat()}</updated>\n'
             f"<author><name>{xesc(site.name)}</name></author>\n"]
    for it in items:
        upd = it.changed_at(now)
        parts.append(f"<entry>\n<title>{xesc(it.title)}</title>\n<id>tag:{site.id}.hlj.gov.cn,2005:{it.no}</id>\n"
                     f'<link href="{xesc(it.path)}" rel="alternate"/>\n'
                     f"<published>{it.released.isoformat()}</published>\n<updated>{upd.isoformat()}</updated>\n"
                     f'<content type="html">{xesc(_paras(it.text(now)))}</content>\n</entry>\n')
    parts.append("</feed>\n")
    return "".join(parts)


def _portal_json(site: Site, channel: Channel, items: list[Item], page: int, total: int, size: int,
                 now: datetime) -> str:
    results = [{
        "manuscriptId": str(it.no), "title": it.title, "url": it.path,
        "publishedTimeStr": fmt_date(it.released, "ymd-hms"), "channelName": channel.name,
        "source": it.source_name, "content": _paras(it.text(now)),
        "summary": (it.text(now)[0][:80] if it.text(now) else ""),
    } for it in items]
    return json.dumps({"ok": True, "code": "0", "message": "success",
                       "data": {"page": page, "rows": size, "total": total, "results": results}},
                      ensure_ascii=False)


def _city_json(site: Site, channel: Channel, items: list[Item], page: int, total: int, size: int,
               now: datetime) -> str:
    lst = [{"id": it.no, "title": it.title, "linkUrl": it.path, "pubDate": fmt_date(it.released, "ymd-hms"),
            "source": it.source_name, "content": _paras(it.text(now))} for it in items]
    return json.dumps({"code": 200, "msg": "操作成功", "data": {"pageNo": page, "pageSize": size,
                                                            "totalCount": total, "list": lst}},
                      ensure_ascii=False)


# ----------------------------------------------------------------------------------- detail
def render_detail(site: Site, it: Item, related: list[Item], now: datetime) -> str:
    """The detail page of an item, in its site's template."""
    t = it.channel.template
    paras = it.text(now)
    title = escape(it.title)
    d = fmt_date(it.released, site.detail_date) if site.detail_date and site.detail_date in (
        "ymd", "ymd-hm", "ymd-hms", "ymd-hms-dash", "cn", "cn-date", "slash") else (
        fmt_date(it.released, "ymd-hms") if site.detail_date else "")
    src = escape(it.source_name)
    crumbs = (f'<div class="position">您当前的位置：<a href="/{site.id}/">首页</a> &gt; '
              f'<a href="{escape(list_url(site, it.channel))}">{escape(it.channel.name)}</a> &gt; 正文</div>\n')
    meta = ""
    if t in ("ucap", "portal-json", "hanweb"):
        meta = (f'<meta name="ArticleTitle" content="{title}">\n'
                + (f'<meta name="PubDate" content="{fmt_date(it.released, "ymd-hm")}">\n' if site.detail_date else "")
                + f'<meta name="ColumnName" content="{escape(it.channel.name)}">\n'
                f'<meta name="ContentSource" content="{src}">\n'
                f'<meta name="Keywords" content="{escape(it.channel.name)}">\n')
    if t in ("ucap", "portal-json"):
        if it.story.kind in ("policy", "law"):
            info = (f'<table class="gzk_info"><tr><td>索引号：</td><td>11230000001{it.no % 10**6:06d}/'
                    f'{it.released.year}-{it.no % 997:05d}</td><td>发文机关：</td><td>黑龙江省人民政府</td></tr>'
                    f'<tr><td>文号：</td><td>{escape(it.story.doc_no or "")}</td><td>发布日期：</td><td>{d}</td></tr>'
                    f'<tr><td>标题：</td><td colspan="3">{title}</td></tr></table>\n')
            main = (f'<div class="gzk_box">{info}<div class="gzk_title"><h1>{title}</h1></div>\n'
                    f'<div class="gzk_detail">\n{_paras(paras)}</div>\n'
                    f'<div class="gzk_fj">附件：<a href="{escape(attachment_url(it.path, it.released, it.no))}" target="_blank">'
                    f'{title}.pdf</a></div></div>\n')
        else:
            main = (f'<div class="article"><div class="article_title"><h1>{title}</h1></div>\n'
                    f'<div class="article_info"><span class="pubdate">发布时间：{d}</span>'
                    f'<span class="source">来源：{src}</span><span class="views">浏览次数：<i>{it.no % 3000}</i></span>'
                    '<span class="font">字号：<a>大</a> <a>中</a> <a>小</a></span></div>\n'
                    f'<div class="article_content_body">\n{_paras(paras)}</div>\n'
                    f'<div class="article_editor">【责任编辑：{escape(it.editor)}】</div></div>\n')
    elif t == "trs":
        main = (f'<div class="article"><h1 class="article-title">{title}</h1>\n'
                f'<div class="article-info"><span class="time">发布时间：{d}</span> '
                f'<span class="source">来源：{src}</span></div>\n'
                f'<div class="TRS_Editor"><div class="Custom_UnionStyle">\n{_paras(paras)}</div></div>\n'
                f'<div class="editor">责任编辑：{escape(it.editor)}</div></div>\n')
    elif t == "hanweb":
        main = (f'<table class="main-txt" width="100%"><tr><td class="title" align="center">{title}</td></tr>\n'
                f'<tr><td class="article-attr"><span class="time">发布日期：{d}</span> '
                f'<span class="from">信息来源：{src}</span></td></tr>\n'
                f'<tr><td><div id="zoom">\n{_paras(paras)}</div></td></tr></table>\n')
    elif t == "xinhua":
        main = (f'<div class="header"><div class="head-line"><h1><span class="title">{title}</span></h1></div>\n'
                f'<div class="header-time"><span class="year">{it.released:%Y}</span>'
                f'<span class="day">{it.released:%m/%d}</span><span class="time">{it.released:%H:%M:%S}</span></div>\n'
                f'<div class="source">来源：{src}</div></div>\n<div id="detail">\n{_paras(paras)}</div>\n'
                f'<div class="editor">【责任编辑:{escape(it.editor)}】</div>\n')
    elif t == "simple":
        info = f'<span class="date">{d}</span> ' if d else ""
        main = (f'<h2 class="title">{title}</h2>\n<div class="info">{info}<span class="from">{src}</span></div>\n'
                f'<div class="content">\n{_paras(paras)}</div>\n')
    else:
        main = (f'<div class="detail-title">{title}</div>\n<div class="detail-meta">'
                f'<span class="pub-time">{d}</span> <span class="origin">来源：{src}</span></div>\n'
                f'<div id="content">\n{_paras(paras)}</div>\n')
    return (_head(site, f"{it.title}_{site.name}", meta) + "<body>\n<div class=\"wrap\">\n" + _top(site)
            + crumbs + main + _share() + _related(related) + "</div>\n" + _footer(site) + "</body>\n</html>\n")


def render_pdf(it: Item) -> bytes:
    """A small valid one-page PDF standing in for a document's attachment."""
    text = f"Attachment {it.no} {it.released:%Y-%m-%d}"
    stream = f"BT /F1 14 Tf 72 720 Td ({text}) Tj ET".encode("ascii")
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def render_home(site: Site, latest: dict[str, list[Item]]) -> str:
    """A site's home page: its lists with their newest titles (what a person opens first)."""
    blocks = []
    for ch in site.channels:
        lis = "".join(f'<li><a href="{escape(i.path)}">{escape(i.title)}</a></li>' for i in latest.get(ch.key, [])[:8])
        blocks.append(f'<div class="block"><h3><a href="{escape(list_url(site, ch))}">{escape(ch.name)}</a>'
                      f'<a class="more" href="{escape(list_url(site, ch))}">更多&gt;&gt;</a></h3><ul>{lis}</ul></div>')
    return (_head(site, site.name) + "<body>\n<div class=\"wrap\">\n" + _top(site) + "\n".join(blocks)
            + "</div>\n" + _footer(site) + "</body>\n</html>\n")


def _small_meta(site: Site | None) -> str:
    """The charset meta of the site's error/challenge pages (the same declaration as its pages)."""
    if site is None:
        return '<meta charset="utf-8">'
    return f'<meta charset="{site.declared}">' if site.declared else ""


def render_not_found(site: Site | None) -> str:
    name = site.name if site else "黑龙江省人民政府"
    return (f'<!DOCTYPE html><html><head>{_small_meta(site)}<title>404 页面不存在</title></head><body>'
            f'<div class="error"><h1>404</h1><p>抱歉，您访问的页面不存在或已被删除。</p>'
            f'<p><a href="/">返回{escape(name)}首页</a></p></div></body></html>')


def render_challenge(site: Site) -> str:
    return (f'<!DOCTYPE html><html><head>{_small_meta(site)}<meta http-equiv="refresh" content="1">'
            '<title>安全验证</title></head><body><div class="verify"><p>正在进行安全验证，请稍候……</p>'
            "<script>setTimeout(function(){location.reload();},500);</script></div></body></html>")


def render_forbidden(site: Site) -> str:
    return (f'<!DOCTYPE html><html><head>{_small_meta(site)}<title>403 Forbidden</title></head><body>'
            "<h1>403 禁止访问</h1><p>您的访问请求来源不合法（防盗链）。请从本站页面进入。</p></body></html>")


def render_index(sites: list[Site], base: str, now: datetime, counts: dict[str, int]) -> str:
    """The province's own front page: every site, linked, grouped by kind."""
    groups: dict[str, list[str]] = {}
    labels = {"portal": "省政府门户网站", "partner": "合作媒体", "city": "市（地）政府网站",
              "department": "省直部门网站（集约化平台）", "county": "县（市、区）政府网站"}
    for s in sites:
        first = list_url(s, s.channels[0])
        groups.setdefault(s.kind, []).append(
            f'<li><a href="/{s.id}/">{escape(s.name)}</a> <small>({s.id}, {s.template}, {s.encoding}, '
            f'<a href="{escape(first)}">列表</a>, {counts.get(s.id, 0)} 条)</small></li>')
    body = "".join(f"<h2>{labels[k]}（{len(v)}）</h2><ul>{''.join(v)}</ul>"
                   for k, v in groups.items())
    return ('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>模拟黑龙江省政府网站群</title>'
            "<style>body{font:14px/1.7 sans-serif;margin:20px 40px}small{color:#777}li{margin:2px 0}</style>"
            f"</head><body><h1>模拟黑龙江省政府网站群</h1><p>模拟时间：{now:%Y-%m-%d %H:%M:%S} (Asia/Shanghai) · "
            f'站点 {len(sites)} 个 · <a href="/_truth.json">ground truth</a> · '
            f'<a href="/_sources.toml">sources</a></p>{body}</body></html>')


def encode(site: Site | None, text: str, kind: str) -> tuple[bytes, str]:
    """Bytes in the site's real charset and the Content-Type header the site sends."""
    if kind == "json":
        return text.encode("utf-8"), "application/json;charset=UTF-8"
    charset = site.charset if site else "utf-8"
    data = text.encode(charset, errors="xmlcharrefreplace")
    declared = site.header_charset if site else "utf-8"
    mime = "text/xml" if kind == "xml" else "text/html"
    if kind == "xml" and site is not None and site.template == "atom":
        mime = "application/atom+xml"
    elif kind == "xml" and site is not None:
        mime = "application/rss+xml"
    return data, (f"{mime}; charset={declared}" if declared else mime)
