"""report.html: one self-contained page (inline CSS, SVG charts drawn here, no script, no external
file) in Chinese, printable as the PDF the province sends out."""

from __future__ import annotations

from html import escape
from typing import Any

__all__ = ["render_html", "site_chart", "site_columns_table"]

KIND_NAMES = {"city": "市（地）政府网站", "county": "县（市、区）政府网站", "department": "省直部门网站",
              "portal": "省政府门户", "partner": "合作媒体"}

CSS = """
body{font-family:"Noto Sans CJK SC","Noto Serif CJK SC","Source Han Sans SC","Microsoft YaHei",sans-serif;
margin:24px;color:#222;font-size:13px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;border-bottom:2px solid #a40000;padding-bottom:3px;
margin-top:28px}h3{font-size:14px;margin:16px 0 4px}
table{border-collapse:collapse;width:100%;margin:6px 0}th,td{border:1px solid #ccc;padding:3px 5px;
text-align:right}th{background:#f3eded}td.l,th.l{text-align:left}.veto{color:#a40000;font-weight:bold}
.muted{color:#888}.site{page-break-inside:avoid;border-top:1px solid #ddd;padding-top:6px}
.note{font-size:12px;color:#555}svg text{font-family:inherit}
@page{size:A4 landscape;margin:10mm}@media print{body{margin:0}h2{page-break-after:avoid}}
"""


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v * 100:.1f}%"


def _num(v: Any) -> str:
    return "—" if v is None else escape(str(v))


def rank_chart(sites: list[dict[str, Any]]) -> str:
    """Horizontal bars of the scores of one kind, in rank order; a vetoed site's bar is red."""
    ranked = [s for s in sites if s["rank"] is not None]
    if not ranked:
        return '<p class="muted">本类网站均无足够监测数据，不予排名。</p>'
    row, left, width = 18, 250, 420
    h = row * len(ranked) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 60}" height="{h}" role="img" '
             f'aria-label="得分排名">']
    for n, s in enumerate(ranked):
        y = 5 + n * row
        w = max(1, int(width * (s["score"] or 0) / 100))
        color = "#c0392b" if s["vetoes"] else "#2e7d32"
        parts.append(f'<text x="{left - 6}" y="{y + 12}" text-anchor="end" font-size="11">'
                     f'{s["rank"]}. {escape(s["name"][:18])}</text>'
                     f'<rect x="{left}" y="{y + 2}" width="{w}" height="{row - 5}" fill="{color}"/>'
                     f'<text x="{left + w + 4}" y="{y + 12}" font-size="11">{s["score"]:.1f}</text>')
    parts.append("</svg>")
    return "".join(parts)


def site_chart(days: list[dict[str, Any]], first: str, n_days: int) -> str:
    """Availability per day (line, 0-100 %) over bars of new items per day, for one site."""
    from datetime import date, timedelta

    w, h, pad = 520, 110, 30
    by_day = {d["day"]: d for d in days}
    start = date.fromisoformat(first)
    labels = [(start + timedelta(days=i)).isoformat() for i in range(max(1, n_days))]
    step = (w - 2 * pad) / max(1, len(labels))
    most = max([by_day[d]["new_items"] for d in labels if d in by_day] + [1])
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" role="img" '
           f'aria-label="每日可用率与新增信息">',
           f'<line x1="{pad}" y1="{h - 20}" x2="{w - pad}" y2="{h - 20}" stroke="#999"/>',
           f'<text x="2" y="14" font-size="9" fill="#2e5fa8">可用率</text>'
           f'<text x="{w - pad + 2}" y="14" font-size="9" fill="#b07d00">新增</text>',
           f'<line x1="{pad}" y1="10" x2="{w - pad}" y2="10" stroke="#eee"/>']
    points = []
    for i, day in enumerate(labels):
        x = pad + i * step
        d = by_day.get(day)
        if d and d["new_items"]:
            bh = (h - 40) * d["new_items"] / most
            out.append(f'<rect x="{x + 1:.1f}" y="{h - 20 - bh:.1f}" width="{max(1.0, step - 2):.1f}" '
                       f'height="{bh:.1f}" fill="#f2c14e"/>')
        if d and d["available_share"] is not None:
            points.append(f"{x + step / 2:.1f},{10 + (h - 30) * (1 - d['available_share']):.1f}")
        if i in (0, len(labels) - 1) or (len(labels) > 10 and i % 7 == 0):
            out.append(f'<text x="{x:.1f}" y="{h - 6}" font-size="9">{day[5:]}</text>')
    if points:
        out.append(f'<polyline fill="none" stroke="#2e5fa8" stroke-width="1.5" points="{" ".join(points)}"/>')
    else:
        out.append(f'<text x="{w / 2}" y="{h / 2}" text-anchor="middle" font-size="11" fill="#888">本期无监测记录</text>')
    out.append("</svg>")
    return "".join(out)


def site_columns_table(report: dict[str, Any], s: dict[str, Any]) -> str:
    """Section 四: each website's columns as Huiju reads them, stale and empty counted (栏目不更新)."""
    out = ['<h2>四、网站栏目更新</h2><p class="note">同一网站的各采集栏目（列表页/订阅源）：动态类栏目按 '
           f'{s["news_stale_days"]} 天、通知公告/政策文件类栏目按 {s.get("policy_stale_months", 6)} 个自然月'
           '（或栏目自身的时限）判断是否超期未更新；从未采集到任何信息的栏目为空白栏目。超期未更新栏目超过 '
           f'{s.get("max_stale_columns", 5)} 个，或空白栏目超过 {s.get("max_empty_columns", 5)} 个，为“栏目不更新”。'
           '仅统计汇聚采集的栏目；期间内未能读取的栏目记为“无法判断”。</p>',
           '<table><tr><th class="l">网站</th><th>栏目数</th><th>超期未更新</th><th>空白栏目</th><th>无法判断</th>'
           '<th class="l">超期或空白的栏目</th><th class="l">状态</th></tr>']
    for w in report.get("websites", []):
        watched = [c for c in w["columns"] if c["enabled"]]
        if not watched:
            continue
        bad = [f'{c["name"]}（{"空白" if c["empty"] else "最新 " + (c["newest_item_at"] or "?")[:10]}）'
               for c in watched if c["stale"] or c["empty"]]
        state = (f'<span class="veto">{escape(w["veto_reasons"]["stale-columns"])}</span>' if w["vetoes"]
                 else "正常")
        out.append(f'<tr><td class="l">{escape(w["name"])}</td><td>{len(watched)}</td><td>{w["stale_columns"]}</td>'
                   f'<td>{w["empty_columns"]}</td><td>{w["unknown_columns"]}</td>'
                   f'<td class="l">{escape("、".join(bad)) or "—"}</td><td class="l">{state}</td></tr>')
    out.append("</table>")
    return "".join(out)


def render_html(report: dict[str, Any]) -> str:
    """The whole report as one HTML document."""
    sites = report["sites"]
    s = report["settings"]
    vetoed = [x for x in sites if x["vetoes"]]
    head = (f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
            f'<title>政府网站监测评测报告 {report["from"]} 至 {report["to"]}</title><style>{CSS}</style></head><body>'
            f'<h1>政府网站监测评测报告</h1><p>评测期间：{report["from"]} 至 {report["to"]}（北京时间），'
            f'统计截至 {escape(report["as_of"][:16].replace("T", " "))}；共 {len(sites)} 个采集来源'
            f'（{len({x.get("site", x["source"]) for x in sites})} 个网站），{len(vetoed)} 个来源'
            f'（{len({x.get("site", x["source"]) for x in vetoed})} 个网站）触发单项否决。</p>'
            f'<p class="note">依据《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号）：访问超过 '
            f'{s["open_within_seconds"]:g} 秒未打开计为失败，失败率超过 {s["max_failure_share"]:.0%}'
            f'（每天不少于 {s["min_checks_per_day"]} 次、不少于 {s["min_days"]} 天的监测）为“站点无法访问”；'
            f'首页/动态栏目 {s["news_stale_days"]} 天未更新为“长期未更新”；一个网站超过 '
            f'{s.get("max_stale_columns", 5)} 个栏目超期未更新或超过 {s.get("max_empty_columns", 5)} 个空白栏目为“栏目不更新”。监测不足的网站标注“数据不足”，不评分、不排名。</p>')
    body = [head, "<h2>一、单项否决</h2>"]
    websites = {w["site"]: w for w in report.get("websites", [])}
    if vetoed:
        body.append('<table><tr><th class="l">网站</th><th class="l">类别</th><th class="l">否决项</th>'
                    '<th class="l">原因</th></tr>')
        shown: set[tuple[str, str]] = set()
        for x in vetoed:
            for code in x["vetoes"]:
                name = x["name"]
                if code == "stale-columns":  # the whole site's veto: once, under the site's name
                    if (x["site"], code) in shown:
                        continue
                    shown.add((x["site"], code))
                    name = websites.get(x["site"], {}).get("name", name)
                body.append(f'<tr><td class="l">{escape(name)}</td><td class="l">'
                            f'{KIND_NAMES.get(x["kind"], x["kind"])}</td><td class="l veto">'
                            f'{escape(report["vetoes"].get(code, code))}</td><td class="l">'
                            f'{escape(x["veto_reasons"].get(code, ""))}</td></tr>')
        body.append("</table>")
    else:
        body.append("<p>本期无网站触发单项否决。</p>")
    body.append("<h2>二、分类排名</h2>")
    for kind, name in KIND_NAMES.items():
        group = [x for x in sites if x["kind"] == kind]
        if not group:
            continue
        body.append(f"<h3>{name}（{len(group)} 个）</h3>{rank_chart(group)}")
        body.append('<table><tr><th>名次</th><th class="l">网站</th><th>得分</th><th>监测次数</th><th>可用率</th>'
                    '<th>慢速</th><th>新增信息</th><th>最新信息</th><th>未更新天数</th><th>死链率</th>'
                    '<th>采用</th><th>退回</th><th>重复</th><th>首发率</th><th>采集延迟中位(分)</th>'
                    '<th>上线延迟中位(分)</th><th class="l">备注</th></tr>')
        for x in group:
            note = []
            if not x["enabled"]:
                note.append("已停用")
            elif x["insufficient_data"]:
                note.append(f"数据不足（{x['monitored_days']} 天达标）")
            note += [report["vetoes"].get(c, c) for c in x["vetoes"]]
            body.append(
                f'<tr><td>{_num(x["rank"])}</td><td class="l">{escape(x["name"])}</td><td>{_num(x["score"])}</td>'
                f'<td>{x["checks"]}</td><td>{_pct(x["available_share"])}</td><td>{_pct(x["slow_share"])}</td>'
                f'<td>{x["new_items"]}</td><td>{_num((x["newest_item_at"] or "")[:10] or None)}</td>'
                f'<td>{_num(x["days_since_update"])}</td><td>{_pct(x["dead_link_share"])}</td>'
                f'<td>{x["approved"]}</td><td>{x["rejected"]}</td><td>{x["duplicates"]}</td>'
                f'<td>{_pct(x["original_share"])}</td><td>{_num(x["median_delay_minutes"])}</td>'
                f'<td>{_num(x["median_publish_delay_minutes"])}</td>'
                f'<td class="l{" veto" if x["vetoes"] else ""}">{escape("；".join(note))}</td></tr>')
        body.append("</table>")
    body.append("<h2>三、栏目更新</h2><table><tr><th class=\"l\">栏目</th><th>类型</th><th>来源数</th>"
                "<th>最新信息</th><th>未更新天数</th><th>时限</th><th>超期来源</th><th>状态</th></tr>")
    for c in report["columns"]:
        state = "—" if c["stale"] is None else ('<span class="veto">超期未更新</span>' if c["stale"] else "正常")
        body.append(f'<tr><td class="l">{escape(c["name"])}</td><td>{escape(c["kind"])}</td><td>{c["sources"]}</td>'
                    f'<td>{_num((c["newest_item_at"] or "")[:10] or None)}</td><td>{_num(c["days_since_update"])}</td>'
                    f'<td>{_num(c["limit"])}</td><td>{c["stale_sources"]}</td><td>{state}</td></tr>')
    body.append("</table>")
    body.append(site_columns_table(report, s))
    body.append("<h2>五、各网站每日可用率与新增信息</h2>"
                '<p class="note">蓝线：每日在时限内打开的访问占比；黄柱：每日新增信息数。</p>')
    for x in sites:
        body.append(f'<div class="site"><h3>{escape(x["name"])} <span class="muted">{escape(x["source"])}</span></h3>'
                    f'{site_chart(x["days"], report["from"], report["measured_days"])}</div>')
    body.append("</body></html>")
    return "".join(body)
