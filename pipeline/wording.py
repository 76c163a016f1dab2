"""The operator's words: every package's coded conditions (a collection failure, a charset note, an
item kept without its link, a malformed configuration, a new epoch…) in the chosen language.

The packages record what happened as a code and its facts (collectors.errors, collectors.decoding,
collectors.entry_checks, collectors.identity, collectors.misses, settings, publisher.epoch), and keep
an English line beside them for logs and old rows; the tables here are the codes' Chinese, which are
the message ids of the catalog domain "cli" (English in review_queue/translations/en/LC_MESSAGES/
cli.po). The command line (run.py) and the log (pipeline.logs) word them through this module, so a
package never imports the catalogs, and a code a release does not word falls back to its English.
"""

from __future__ import annotations

import os
from typing import Any

LANGUAGE: str | None = None  # --lang; None: from LC_ALL / LC_MESSAGES / LANG (review_queue.catalogs)


def use_language() -> str:
    """Apply --lang (else the environment's language) to the commands' messages."""
    from review_queue import catalogs

    catalogs.use(LANGUAGE or catalogs.language_from_env(os.environ))
    return catalogs.current_language()


def _(msgid: str, **variables: Any) -> str:
    """A message of any command in the chosen language: Chinese (the message ids), or English from
    the catalog domain "cli" (review_queue/translations/en/LC_MESSAGES/cli.po). Identifiers (ids,
    URLs, codes) are filled in as they are."""
    from review_queue import catalogs

    use_language()
    return catalogs.gettext(msgid, "cli", **variables)


def _n(msgid: str, n: int, **variables: Any) -> str:
    """Like :func:`_`, for a message counting *n* things (English has a singular and a plural)."""
    from review_queue import catalogs

    use_language()
    return catalogs.ngettext(msgid, n, "cli", **variables)


def coded(table: dict[str, Any], code: str | None, params: dict[str, Any] | None, fallback: str = "") -> str:
    """A package's coded condition (code + params) in the chosen language, through *table* (its codes'
    Chinese messages, English in cli.po): review_queue.catalogs.message; *fallback* where it has none."""
    from review_queue import catalogs

    use_language()
    return catalogs.message(table, code, params, domain="cli", fallback=fallback)


def N_(msgid: str) -> str:
    """Marks *msgid* for the catalog where it is written down; :func:`_` translates it where it is used."""
    return msgid


COLLECT_REASONS = {  # collectors.errors.ENGLISH's codes, in Chinese (their English in cli.po is that table's)
    "http-status": N_("网站回答 HTTP %(status)s：%(url)s"),
    "http-unexpected": N_("意外的 HTTP %(status)s：%(url)s"),
    "connect-timeout": N_("连接 %(host)s 超时（%(seconds)g 秒）"),
    "read-timeout": N_("%(host)s 在 %(seconds)g 秒内没有回应"),
    "cannot-connect": N_("无法连接 %(host)s：%(detail)s"),
    "not-http": N_("服务器的回答不是 HTTP：%(url)s"),
    "request-failed": N_("请求 %(url)s 失败：%(detail)s"),
    "body-stalled": N_("正文停顿超过 %(seconds)g 秒：%(url)s"),
    "response-unfinished": N_("%(seconds)g 秒后响应仍未结束：%(url)s"),
    "connection-broken": N_("读取 %(url)s 时连接中断：%(detail)s"),
    "feed-html-page": N_("不是 RSS/Atom 订阅源：服务器发来的是网页（%(title)s）"),
    "feed-unreadable": N_("不是 RSS/Atom 订阅源：%(reason)s"),
    "feed-broken": N_("订阅源的 XML 已损坏，没有恢复出任何条目：%(reason)s"),
    "feed-no-channel": N_("不是 RSS/Atom 订阅源（没有 channel 或 feed 元素）"),
    "binary-content": N_("二进制内容（%(kind)s，%(bytes)s 字节），不是网页"),
    "binary-feed": N_("二进制内容（%(kind)s，%(bytes)s 字节），不是订阅源"),
    "unknown-encoding": N_("配置的编码 %(encoding)r 不是已知的字符集"),
    "undecodable": N_("字节无法用任何已知字符集解码（不是 UTF-8，也不是 GB18030）"),
    "empty-body": N_("正文为空：%(url)s"),
    "empty-page": N_("页面为空"),
    "redirect-loop": N_("重定向循环：%(url)s 在 %(hops)s 次跳转后又回到自身"),
    "redirect-no-location": N_("HTTP %(status)s 重定向没有 Location 头：%(url)s"),
    "too-many-redirects": N_("从 %(url)s 开始的重定向超过 %(limit)s 次"),
    "redirects-at": N_("重定向次数过多：%(url)s"),
    "invalid-redirect": N_("重定向到无效的地址 %(address)s：%(url)s"),
    "unsupported-scheme": N_("不支持的网址协议：%(url)r"),
    "malformed-chunked": N_("分块传输的正文格式错误：%(url)s"),
    "read-error": N_("读取 %(url)s 时出错：%(detail)s"),
    "not-http-url": N_("不是 http(s) 网址：%(url)r"),
    "nothing-found": N_("在 %(url)s 没有找到条目（类型 %(type)s）"),
    "details-failed": N_("全部 %(n)s 个详情页都失败；第一个：详情页 %(page)s：%(first)s"),
    "details-dead": N_("全部 %(n)s 个详情页都失败：列表上每个链接都答复 404/410（页面不存在）；第一个：%(first)s"),
    "details-dead-given-up": N_("全部 %(n)s 个详情页都失败：列表上每个链接都答复 404/410（页面不存在）；"
                                "第一个：%(page)s 答复 404/410 %(times)s 次后已放弃"),
    "probe-details-failed": N_("没有条目：每个详情页都失败；第一个：详情页 %(page)s：%(first)s"),
    "json-html-page": N_("不是有效的 JSON：服务器发来的是网页（%(title)s）"),
    "json-invalid": N_("不是有效的 JSON：%(reason)s"),
    "json-no-list": N_("JSON 正文中没有找到对象列表"),
    "json-no-fields": N_("JSON 路径 %(path)r 的列表没有 title/url 字段"),
    "json-no-path": N_("JSON 路径 %(path)r 处没有列表"),
    "json-no-configured-fields": N_("JSON 列表的条目没有任何配置的 title/url 字段"),
    "feed-not-html-list": N_("这个页面是 RSS/Atom 订阅源，不是 HTML 列表（请用 type rss）"),
    "not-compressed": N_("服务器声明 Content-Encoding: %(coding)s，但正文不是 %(layer)s 压缩的：%(url)s"),
    "compressed-corrupt": N_("%(layer)s 压缩流已损坏：%(url)s"),
    "compressed-truncated": N_("正文不完整：%(layer)s 压缩流提前结束：%(url)s"),
    "undecodable-encoding": N_("服务器声明 Content-Encoding: %(coding)s，但正文无法解压：%(url)s"),
    "too-large": N_("正文超过 %(limit)s 字节的上限：%(url)s"),
    "too-large-declared": N_("正文 %(bytes)s 字节，超过 %(limit)s 字节的上限：%(url)s"),
    "no-confident-list": N_("没有把握的列表：最好的候选是%(candidate)s"),
    "no-selector-match": N_("没有条目匹配列表选择器 %(selector)r"),
    "no-list-found": N_("页面上没有找到带日期的条目链接列表"),
    "no-list-found-titled": N_("标题为“%(page)s”的页面上没有找到带日期的条目链接列表"),
}
COLLECT_CLAUSES = {  # collectors.errors.CLAUSES, in Chinese
    "retry": N_("，%(retry).0f 秒后重试"),
    "challenge": N_("（只有浏览器能通过的脚本验证：请向网站申请访问权限或订阅源）"),
    "page_title": N_("（页面标题：%(page_title)s）"),
    "hint": N_("%(hint)s"),
}
LIST_FINDING = {  # collectors.errors.FINDING: what the HTML list finder says of a candidate, in Chinese
    "list": N_("一个含 %(n)s 条%(dates)s链接的列表%(where)s"),
    "menu": N_("一个含 %(n)s 条%(dates)s链接的菜单%(where)s"),
    "no-candidate": N_("没有候选列表"),
    "rows-matching": N_("%(n)s 行匹配 %(selector)r"),
    "script-ids-no-addresses": N_("脚本中一个含 %(n)s 条、带 id（%(id)r）但没有地址的列表：请设置 list.item_url，"
                                  "如 \"/content/{id}.html\""),
    "story-cards": N_("%(n)s 张新闻卡片"),
    "short-titles": N_("标题长 %(chars)g 个字"),
    "column-addresses": N_("地址是栏目而不是文章"),
    "in-navigation": N_("位于页面导航中"),
    "rows-unread": N_("%(rows)s 行中只读出 %(n)s 行"),
    "few-undated-elsewhere": N_("只有 %(n)s 条无日期链接，全部指向其他网站"),
    "portal-home": N_("（是%(where)s %(lists)s 个%(kind)s列表之一，只占全部 %(total)s 条%(kind)s链接中的 %(n)s 条："
                      "是首页？）"),
    "beside-undated-list": N_("（旁边另有一个含 %(rival)s 条无日期链接的列表：哪个才是本页的？）"),
    "alike-lists": N_("（是 %(k)s 个相似列表之一）"),
    "meta-refresh": N_("（页面通过 meta refresh 跳转到 %(url)s：请改用该地址）"),
    "frames": N_("（页面用框架显示其他页面：试试 %(url)s）"),
    "too-deep": N_("（页面的列表嵌套超过 HTML 解析器能读的 256 层）"),
    "script-links": N_("（%(n)s 个链接由脚本打开页面，其中没有地址：请设置 list.script_link，"
                       "如 openArticle('6') 用 \"/content.jsp?id={0}\"）"),
    "script-challenge": N_("（只有浏览器能通过的脚本验证：请向网站申请访问权限或订阅源）"),
    "script-built": N_("（页面由脚本生成：脚本渲染的列表或反爬虫验证）"),
}
LIST_FINDING_WORDS = {  # collectors.errors.FINDING_WORDS (those that are words: html and selectors say nothing)
    "dated": N_("带日期"), "undated": N_("无日期"), "partly": N_("%(percent)s%% 带日期"),
    "comment": N_("（在 HTML 注释中）"), "template": N_("（在脚本模板中）"), "script": N_("（在页面的脚本数据中）"),
    "datastore": N_("（在页面的 datastore 记录中）"), "on-page": N_("页面上"), "in-script-data": N_("页面脚本数据中"),
}


def list_finding(facts: dict[str, Any]) -> dict[str, Any]:
    """The list finder's parts among a reason's facts (candidate, hint) worded in the chosen language
    (collectors.errors.finding_text puts them together); a part this release does not word, in English."""
    from collectors import errors

    def word(code: str, params: dict[str, Any]) -> str:
        worded = errors.finding_params(params, lambda key, p: coded(LIST_FINDING_WORDS, key, p))
        return coded(LIST_FINDING, code, worded, fallback=errors.english_part(code, params))

    out = dict(facts)
    if isinstance(out.get("candidate"), list):
        out["candidate"] = errors.finding_text(out["candidate"], word, _("，"), _("（%(details)s）"))
    if isinstance(out.get("hint"), (list, tuple)):
        out["hint"] = word(*out["hint"])
    return out


def coded_facts(params: dict[str, Any]) -> dict[str, Any]:
    """*params* with each fact that is itself a collection failure (``first`` with ``first_code`` and
    ``first_params``, ``error`` with ``error_code`` …, see collectors.misses.DETAILS) in the chosen language."""
    out = dict(params)
    for key in [k for k in out if f"{k}_code" in out]:
        out[key] = collect_reason(out[f"{key}_code"], out.get(f"{key}_params"), out[key])
    return out


def collect_reason(code: str | None, params: dict[str, Any] | None, text: str | None) -> str:
    """Why a source could not be collected, in the chosen language: its code worded with its facts;
    a reason without a code (or of a code this release does not word) is its English line as stored."""
    facts = list_finding(coded_facts(params or {}))
    said = coded(COLLECT_REASONS, code, facts)
    if not said:  # no code, a code this release does not word, facts that do not fit: the line as stored
        return text or ""
    given = [k for k in COLLECT_CLAUSES if facts.get(k) is not None and facts.get(k) is not False]
    return said + "".join(coded(COLLECT_CLAUSES, k, facts) for k in given)


MISS_DETAILS = {  # collectors.misses.DETAILS: what a possible miss was, in Chinese (English in cli.po, that table's)
    "burst": N_("读到的 %(pages)s 页列表上每一条都是新的：更早的可能漏掉了（检查得更勤些，或调高 max_pages）"),
    "list-page-failed": N_("第 %(page)s 页列表：%(error)s"),
    "detail-given-up": N_("详情页 %(url)s 已 %(times)s 次答复 %(status)s：放弃（列表链接到一个不存在的页面）"),
    "all-details-dead": N_("列表的全部 %(n)s 个详情链接都答复 404/410；第一个：详情页 %(page)s：%(first)s"),
    "page-cut": N_("%(url)s 的页面有 %(bytes)s 字节：只解析了前 %(parsed)s 字节（[collector] parse_max_bytes）"),
}


LINK_PROBLEMS = {  # collectors.entry_checks.link_problem's codes: why an item's link cannot be fetched
    "javascript-link": N_("是没有地址的 javascript: 链接（list.script_link 可以拼出地址）"),
    "not-web-address": N_("不是网址（%(scheme)s:）"),
    "unreadable-link": N_("无法解析的链接（%(detail)s）"),
    "bad-port": N_("端口错误（%(detail)s）"),
    "no-host": N_("链接没有主机名"),
}
ENTRY_NOTES = {  # collectors.entry_checks' notes: what one item of a list or feed was kept without, or why skipped
    "item-skipped": N_("条目“%(title)s”已跳过：它的链接 %(link)r 无法抓取：%(why)s"),
    "item-kept-without-link": N_("条目“%(title)s”已保留，但没有链接 %(link)r：%(why)s"),
    "item-date-unreadable": N_("条目“%(title)s”：日期 %(date)r 无法读取，保留条目、不用该日期"),
    "item-title-markup": N_("%(url)s 的条目：标题只有标记（%(markup)r），已保留，标题取自正文或页面"),
    "items-kept-or-skipped": N_("%(n)s 个条目缺少无法读取的部分而保留，或被跳过；第一个：%(first)s"),
}


def entry_note(facts: dict[str, Any] | None, text: str | None) -> str:
    """A note on items kept without what could not be read, or skipped, in the chosen language (the
    notes inside it worded too); a note stored without its facts is its English line as stored."""
    if not isinstance(facts, dict) or facts.get("code") not in ENTRY_NOTES:
        return text or ""
    params = dict(facts.get("params") or {})
    if not params.get("title", True):
        params["title"] = _("无标题")
    if isinstance(params.get("why"), dict):
        params["why"] = coded(LINK_PROBLEMS, params["why"].get("code"), params["why"].get("params"),
                              fallback=str(params["why"]))
    if "url" in params and not params["url"]:
        params["url"] = _("没有地址")
    if isinstance(params.get("first"), dict):
        params["first"] = entry_note(params["first"], str(params["first"]))
    return coded(ENTRY_NOTES, facts["code"], params, fallback=text or "")


CHARSET_PLACES = {  # where collectors.decoding found a declaration
    "HTTP": N_("HTTP 头"), "XML declaration": N_("XML 声明"), "meta": N_("meta 标签"),
}
CHARSET_NOTES = {  # collectors.decoding.CharsetNote's codes: how bytes were read against or without a declaration
    "server-default": N_("HTTP 头说是 %(http)s（服务器的默认值），文档在%(where)s中声明 %(declared)s：以文档为准"),
    "unknown-label": N_("%(where)s中的未知字符集名 %(label)r 已忽略"),
    "utf8-invalid-bytes": N_("UTF-8（%(where)s中声明），%(n)s 个无效字节已替换（多余的字节，或在字符中间截断）"),
    "declared-utf8-is-gb18030": N_("%(where)s声明 utf-8，字节是 GB18030"),
    "declared-utf8-invalid": N_("%(where)s声明 utf-8，字节不是有效的 UTF-8"),
    "declared-is-utf8": N_("%(where)s声明 %(declared)s，字节是 UTF-8"),
    "declared-is-utf8-loose": N_("%(where)s声明 %(declared)s，字节是 UTF-8，%(n)s 个无效字节已替换"),
    "declared-is-cjk": N_("%(where)s声明 %(declared)s，字节是 %(family)s"),
    "cjk-flaws": N_("%(where)s声明 %(declared)s，字节是 %(family)s（按 %(declared_family)s 解码，标题中有 %(n)s 个"
                    "私用区或替换字符）"),
    "cjk-invalid": N_("%(where)s声明 %(declared)s，字节是 %(family)s（按 %(declared_family)s 解码有无效字节）"),
    "cjk-score": N_("%(where)s声明 %(declared)s，字节是 %(family)s（读作中文的得分 %(score)s，按 %(declared_family)s "
                    "只有 %(other)s）"),
    "replaced": N_("%(n)s 个无效字节已替换"),
    "invalid-in-declared": N_("字节在%(where)s声明的 %(declared)s 中无效"),
    "utf8-loose": N_("UTF-8，%(n)s 个无效字节已替换（多余的字节，或在字符中间截断）"),
    "undeclared-cjk": N_("没有声明，按字节判断为 %(family)s"),
    "undeclared-gb18030-detector": N_("没有声明，GB18030，%(n)s 个无效字节已替换（检测器判断为 %(detector)s）"),
    "undeclared-detected": N_("没有声明，检测为 %(charset)s"),
    "undeclared-gb18030": N_("没有声明，字节可按 GB18030 解码"),
    "undeclared-gb18030-loose": N_("没有声明，GB18030，%(n)s 个无效字节已替换"),
    "undecodable-replaced": N_("无法解码的字节已替换"),
}


def charset_note(facts: dict[str, Any] | None, text: str | None) -> str:
    """How a page's bytes were read, in the chosen language; a note stored without its facts (before
    this release) is its English line as stored, without the ``charset: `` tag."""
    english = (text or "").removeprefix("charset: ")
    if not facts:
        return english
    params = dict(facts.get("params") or {})
    if "where" in params:
        params["where"] = coded(CHARSET_PLACES, params["where"], None, fallback=str(params["where"]))
    return coded(CHARSET_NOTES, facts.get("code"), params, fallback=english)


IDENTITY_RULES = {  # collectors.identity.RULES, as the operator reads them
    "guid": N_("guid"), "link": N_("链接"), "hash": N_("链接、日期和标题的哈希"),
}
IDENTITY_NOTES = {  # collectors.identity.rule_note's codes: why a source's items moved to another rule
    "empty": N_("%(items)s 条中有 %(empty)s 条的%(rule)s为空，改按%(next)s认定"),
    "repeated": N_("%(items)s 条中有 %(repeated)s 条的%(rule)s重复，改按%(next)s认定"),
    "empty-and-repeated": N_("%(items)s 条中有 %(empty)s 条的%(rule)s为空、%(repeated)s 条重复，改按%(next)s认定"),
}


def identity_note(facts: dict[str, Any] | None, text: str | None) -> str:
    """Why a source's items are identified by a fallback rule, in the chosen language; a note stored
    without its facts (before this release) is its English line as stored."""
    if not facts:
        return text or ""
    params = dict(facts.get("params") or {})
    for key in ("rule", "next"):
        if key in params:
            params[key] = coded(IDENTITY_RULES, params[key], None, fallback=str(params[key]))
    return coded(IDENTITY_NOTES, facts.get("code"), params, fallback=text or "")


def miss_detail(kind: str | None, params: dict[str, Any] | None, text: str) -> str:
    """A possible miss's detail in the chosen language, from its kind and facts; one recorded
    without its facts (before this release) is its English line as stored."""
    from collectors.misses import grouped

    return coded(MISS_DETAILS, kind, grouped(coded_facts(params)), fallback=text) if params else text


CONFIG_ERRORS = {  # settings.ENGLISH's codes, in Chinese (their English in cli.po is that table's, %-style)
    "file-not-found": N_("找不到文件"),
    "not-utf8": N_("不是 UTF-8 文本"),
    "cannot-read": N_("无法读取：%(why)s"),
    "invalid-toml": N_("不是有效的 TOML（解析器的说明：“%(detail)s”）"),
    "unknown-section": N_("没有 %(name)r 这一节（已有：%(known)s）"),
    "not-a-table": N_("必须是一个表"),
    "templates-not-tables": N_("必须是由表组成的表（[templates.名称]）"),
    "sources-not-array": N_("sources 必须是表的数组（[[sources]]）"),
    "columns-not-array": N_("columns 必须是非空的表数组（[[columns]]）"),
    "unknown-key": N_("没有 %(name)r 这个键"),
    "unknown-setting": N_("没有 %(name)r 这个键（已有：%(known)s）"),
    "field-not-table": N_("%(name)s 必须是一个表"),
    "undefined-variable": N_("变量 ${%(name)s} 没有定义"),
    "bad-column-id": N_("id 只能由小写字母、数字和 '-' 组成"),
    "bad-source-id": N_("id 只能由小写字母、数字和 '-' 组成（最多 63 个）"),
    "duplicate-id": N_("id 重复"),
    "duplicate-source": N_("id 重复（与第 %(n)s 个来源相同）"),
    "name-missing": N_("缺少 name"),
    "name-empty": N_("name 为空"),
    "missing-key": N_("缺少键 %(name)r"),
    "bad-choice": N_("%(name)s 必须是 %(choices)s 之一，而不是 %(value)r"),
    "not-bool": N_("%(name)s 必须是 true 或 false"),
    "unknown-template": N_("没有模板 %(name)r"),
    "unknown-column": N_("没有栏目 %(value)r（已有：%(known)s）"),
    "unknown-encoding": N_("未知的编码 %(value)r"),
    "bad-freshness-days": N_("freshness_days 必须是正整数（天）"),
    "bad-freshness-months": N_("freshness_months 必须是正整数（月）"),
    "both-freshness": N_("freshness_days 和 freshness_months 只能给一个"),
    "bad-signoff": N_("signoff 必须是由 %(roles)s 中的角色，或由 {role = …, name = …} 级别组成的列表"),
    "bad-url": N_("网址 %(value)r 无效（须为以 http:// 或 https:// 开头的完整地址）"),
    "url-missing": N_("缺少 url 或 url 为空"),
    "every-and-cron": N_("every 和 cron 只能给一个"),
    "no-schedule": N_("缺少检查时间：every = \"15m\" 或 cron = \"*/15 * * * *\""),
    "interval-not-string": N_("间隔必须是 \"15m\" 这样的字符串，而不是 %(value)r"),
    "bad-interval": N_("间隔 %(value)r 无效（用数字加 s、m、h 或 d，如 \"15m\"）"),
    "interval-too-short": N_("间隔 %(value)r 短于 10 秒"),
    "interval-too-long": N_("间隔 %(value)r 长于 31 天"),
    "cron-not-string": N_("cron 必须是字符串，而不是 %(value)r"),
    "bad-cron": N_("cron 表达式 %(value)r 无效（APScheduler 的说明：“%(detail)s”）"),
    "cron-never-fires": N_("cron 表达式 %(value)r 永远不会触发（没有这一天）"),
    "bad-review": N_("review 必须是 \"required\" 或 \"auto\"，而不是 %(value)r"),
    "bad-rank": N_("rank 必须是整数（越小越权威）"),
    "header-not-string": N_("headers 的值必须是字符串"),
    "bad-max-pages": N_("max_pages 必须是 1 到 100 之间的整数"),
    "bad-site": N_("site 必须是不含空格的名称（列表所属的网站，如其主机名）"),
    "json-needs-items": N_("json 来源需要 json = { items = \"path.to.list\", ... }"),
    "bad-action": N_("action 必须是 \"route\" 或 \"topic\"，而不是 %(value)r"),
    "not-topic-column": N_("栏目 %(value)r 不是专题栏目"),
    "not-string-list": N_("%(name)s 必须是非空字符串的列表"),
    "matches-nothing": N_("什么也匹配不到：请给出 title_any、body_any、sources、kinds 或 url_pattern"),
    "bad-url-pattern": N_("url_pattern 无效（正则表达式库的说明：“%(detail)s”）"),
    "bad-min-hits": N_("min_hits 必须是不小于 1 的整数"),
    "terms-not-files": N_("terms 必须是文件名的列表"),
    "bad-severity": N_("severity 必须把发现代码映射到 \"block\" 或 \"warn\""),
    "bad-stop-timeout": N_("stop_timeout 必须在 0 到 600 秒之间"),
    "bad-backup-keep": N_("backup_keep 至少为 1"),
    "bad-retention-days": N_("%(name)s 必须是整数天数，至少 3 天（48 小时的更正窗口需要这些正文）"),
    "strings-only": N_("%(name)s 必须是字符串的列表"),
    "bad-network": N_("%(name)s：%(value)r 不是地址或网段（如 10.0.0.0/8）"),
    "wrong-type": N_("%(name)s 的类型不对（%(type)s）"),
    "negative": N_("%(name)s 不能为负数"),
    "bad-value": N_("取值无效（说明：“%(detail)s”）"),  # a check that names no code: its English quoted
}
CONFIG_WHERE = {  # settings.WHERE: where in the file, in Chinese
    "source": N_("来源 \"%(id)s\""),
    "source-n": N_("第 %(n)s 个来源"),
    "column": N_("栏目 \"%(id)s\""),
    "column-n": N_("第 %(n)s 个栏目"),
    "template": N_("模板 \"%(id)s\""),
    "rule": N_("第 %(n)s 条规则"),
    "table": N_("[%(name)s] 表"),
}
CONFIG_CLAUSES = {  # how settings.english adds a key before a cause, "off" after it
    "field": N_("%(field)s：%(cause)s"),
    "or_off": N_("%(cause)s（或 \"off\"）"),
    "at": N_("%(file)s：%(where)s：%(cause)s"),
    "file": N_("%(file)s：%(cause)s"),
    "toml-at": N_("第 %(line)s 行第 %(column)s 列不是有效的 TOML（解析器的说明：“%(reason)s”）"),
}


def config_error(exc: Any) -> str:
    """A malformed configuration (settings.ConfigError: a code and its facts) in the chosen language:
    the file, where in it, the cause; a code this release does not word is its English line."""
    p = exc.params
    if exc.code == "invalid-toml" and p.get("line"):
        cause = coded(CONFIG_CLAUSES, "toml-at", p)
    else:
        cause = coded(CONFIG_ERRORS, exc.code, p)
    if not cause:
        return str(exc)
    if p.get("field"):
        cause = coded(CONFIG_CLAUSES, "field", {"field": p["field"], "cause": cause})
    if p.get("or_off"):
        cause = coded(CONFIG_CLAUSES, "or_off", {"cause": cause})
    where = p.get("where") or {}
    place = coded(CONFIG_WHERE, where.get("kind"), where) if where else ""
    if where and not place:
        return str(exc)
    return coded(CONFIG_CLAUSES, "at" if place else "file", {"file": p["file"], "where": place, "cause": cause})


EPOCH_REASONS = {  # publisher.epoch.REASONS: why the portal's stream got a new epoch, in Chinese
    "no-identity": N_("没有记录数据流标识"),
    "other-epoch": N_("数据库的纪元 %(epoch)s 不是上次提供的 %(seen)s（已恢复或替换）"),
    "seq-below": N_("最高序号 %(seq)s 低于已提供的 %(seen)s（从备份恢复）"),
    "other-row": N_("序号 %(seen)s 处不是已提供的那一行（从备份恢复）"),
    "backup-copy": N_("从备份副本恢复"),
}


def log_words(table: str, code: str | None, params: dict[str, Any] | None, text: str) -> str:
    """A coded condition inside a log line, in the chosen language (pipeline.logs calls it as it
    writes the line): a collection failure, a possible miss, a configuration error, a report's
    warning, why the stream got a new epoch; *text*, its
    English as given, where this release does not word it."""
    import settings

    if table == "collect":
        return collect_reason(code, params, text)
    if table == "miss":
        return miss_detail(code, params, text)
    if table == "epoch":
        return coded(EPOCH_REASONS, code, params, fallback=text)
    if table == "identity":
        return identity_note({"code": code, "params": params}, text)
    if table == "report" and code:
        from evaluation.output import ReportWarning

        return report_warning(ReportWarning(code, dict(params or {})))
    if table == "config" and code in settings.ENGLISH:
        try:
            return config_error(settings.ConfigError(code, **dict(params or {})))
        except TypeError:  # params without the file: the line as given
            return text
    return text


def report_warning(w: Any) -> str:
    """A warning of evaluation.write_report (a code and its facts) in the chosen language."""
    if w.code == "pdf-no-chromium":
        return _("未写出 report.pdf：没有安装 chromium（apt-get install chromium fonts-noto-cjk）")
    if w.code == "pdf-chromium-failed":
        return _("未写出 report.pdf：chromium 运行失败：%(error)s", **w.params)
    if w.code == "pdf-chromium-exited":
        return _("未写出 report.pdf：chromium 退出码 %(status)s：%(detail)s", **w.params)
    return str(w)  # a code this release does not word: its English line, nothing lost
