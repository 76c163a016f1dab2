"""The simulated sites: who they are, which template, charset, date style and HTTP habits each has.

The default province mirrors Heilongjiang's government web as counted in the 2006 portal report
(13 city, 51 county and 48 department sites) plus the provincial portal and Xinhua's channel.
``build_sites(n)`` adds department-like and county-like sites to reach ``n`` for scale tests.
Everything here is deterministic: the same count gives the same sites.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from sample_province.errors import BadOptionError

DEFAULT_SITE_COUNT = 2 + 13 + 48 + 51  # portal + xinhua + cities + departments + counties = 114

# Templates (page shapes). Each has list pages (or a feed / JSON list) and detail pages.
TEMPLATES = ("ucap", "trs", "hanweb", "json", "rss", "atom", "simple", "portal-json", "xinhua")

# Charset behaviour of a site: (bytes actually sent, charset in the page's meta / XML prolog,
# charset in the HTTP Content-Type header); None = not declared there.
ENCODINGS = {
    "utf-8": ("utf-8", "utf-8", "utf-8"),
    "gbk": ("gbk", "gbk", "gbk"),
    "gb2312-lie": ("utf-8", "gb2312", "gb2312"),  # header and meta say gb2312, the bytes are UTF-8
    "meta-lie": ("utf-8", "gb2312", "utf-8"),  # the header is right, the meta tag says gb2312
    "undeclared-utf-8": ("utf-8", None, None),
    "undeclared-gbk": ("gbk", None, None),
}

# Date styles shown on list and detail pages (DESIGN §2), and the precision each one carries.
DATE_STYLES = {
    "ymd": "day",  # 2025-03-01
    "ymd-hm": "minute",  # 2025-03-01 09:30
    "ymd-hms": "second",  # 2025-03-01 09:30:00
    "ymd-hms-dash": "second",  # 2025-03-01-09:30:00
    "cn": "minute",  # 2025年03月01日09:30
    "cn-date": "day",  # 2025年03月01日
    "slash": "day",  # 2025/3/1
    "md-bracket": "day-no-year",  # [03-01]
    "rfc822": "second",  # Sat, 01 Mar 2025 09:30:00 +0800
    "rfc822-cst": "second",  # Sat, 01 Mar 2025 09:30:00 CST (ambiguous zone, really +08:00)
    "rfc822-naive": "second",  # 2025-03-01 09:30:00 inside <pubDate> (not RFC 822 at all)
    "iso": "second",  # 2025-03-01T09:30:00+08:00
}

CITIES = [
    ("harbin", "哈尔滨市人民政府", "哈尔滨"),
    ("qiqihar", "齐齐哈尔市人民政府", "齐齐哈尔"),
    ("mudanjiang", "牡丹江市人民政府", "牡丹江"),
    ("jiamusi", "佳木斯市人民政府", "佳木斯"),
    ("daqing", "大庆市人民政府", "大庆"),
    ("jixi", "鸡西市人民政府", "鸡西"),
    ("shuangyashan", "双鸭山市人民政府", "双鸭山"),
    ("yichun", "伊春市人民政府", "伊春"),
    ("qitaihe", "七台河市人民政府", "七台河"),
    ("hegang", "鹤岗市人民政府", "鹤岗"),
    ("heihe", "黑河市人民政府", "黑河"),
    ("suihua", "绥化市人民政府", "绥化"),
    ("daxinganling", "大兴安岭地区行政公署", "大兴安岭"),
]

# Department sites of the hlj.gov.cn cluster: (abbreviation, name).
DEPARTMENTS = [
    ("fgw", "黑龙江省发展和改革委员会"),
    ("jyt", "黑龙江省教育厅"),
    ("kjt", "黑龙江省科学技术厅"),
    ("gxt", "黑龙江省工业和信息化厅"),
    ("mzw", "黑龙江省民族宗教事务委员会"),
    ("gat", "黑龙江省公安厅"),
    ("mzt", "黑龙江省民政厅"),
    ("sft", "黑龙江省司法厅"),
    ("czt", "黑龙江省财政厅"),
    ("hrss", "黑龙江省人力资源和社会保障厅"),
    ("zrzyt", "黑龙江省自然资源厅"),
    ("sthjt", "黑龙江省生态环境厅"),
    ("zfcxjst", "黑龙江省住房和城乡建设厅"),
    ("jtyst", "黑龙江省交通运输厅"),
    ("slt", "黑龙江省水利厅"),
    ("nynct", "黑龙江省农业农村厅"),
    ("swt", "黑龙江省商务厅"),
    ("whhlyt", "黑龙江省文化和旅游厅"),
    ("wsjkw", "黑龙江省卫生健康委员会"),
    ("tyjrswt", "黑龙江省退役军人事务厅"),
    ("yjglt", "黑龙江省应急管理厅"),
    ("sjt", "黑龙江省审计厅"),
    ("wsb", "黑龙江省人民政府外事办公室"),
    ("gzw", "黑龙江省人民政府国有资产监督管理委员会"),
    ("amr", "黑龙江省市场监督管理局"),
    ("gbdsj", "黑龙江省广播电视局"),
    ("tyj", "黑龙江省体育局"),
    ("tjj", "黑龙江省统计局"),
    ("lycyj", "黑龙江省林业和草原局"),
    ("ybj", "黑龙江省医疗保障局"),
    ("jgswglj", "黑龙江省机关事务管理局"),
    ("xfj", "黑龙江省信访局"),
    ("rfb", "黑龙江省人民防空办公室"),
    ("ysj", "黑龙江省营商环境建设监督局"),
    ("zwfwj", "黑龙江省政务服务管理局"),
    ("lsj", "黑龙江省粮食局"),
    ("nyj", "黑龙江省能源局"),
    ("jyj", "黑龙江省监狱管理局"),
    ("xzspj", "黑龙江省行政审批局"),
    ("dzj", "黑龙江省地震局"),
    ("qxj", "黑龙江省气象局"),
    ("yjj", "黑龙江省药品监督管理局"),
    ("zscqj", "黑龙江省知识产权局"),
    ("kjglj", "黑龙江省口岸管理局"),
    ("hzgl", "黑龙江省农垦总局"),
    ("sljt", "黑龙江省森林工业总局"),
    ("dkj", "黑龙江省地质矿产局"),
    ("zjj", "黑龙江省质量技术监督局"),
]

# County-level sites: (id suffix, name, parent city id). 51 of them.
COUNTIES = [
    ("hulan", "哈尔滨市呼兰区人民政府", "harbin"),
    ("yilan", "依兰县人民政府", "harbin"),
    ("fangzheng", "方正县人民政府", "harbin"),
    ("binxian", "宾县人民政府", "harbin"),
    ("bayan", "巴彦县人民政府", "harbin"),
    ("mulan", "木兰县人民政府", "harbin"),
    ("tonghe", "通河县人民政府", "harbin"),
    ("yanshou", "延寿县人民政府", "harbin"),
    ("shangzhi", "尚志市人民政府", "harbin"),
    ("wuchang", "五常市人民政府", "harbin"),
    ("longjiang", "龙江县人民政府", "qiqihar"),
    ("yian", "依安县人民政府", "qiqihar"),
    ("tailai", "泰来县人民政府", "qiqihar"),
    ("gannan", "甘南县人民政府", "qiqihar"),
    ("fuyu", "富裕县人民政府", "qiqihar"),
    ("keshan", "克山县人民政府", "qiqihar"),
    ("kedong", "克东县人民政府", "qiqihar"),
    ("baiquan", "拜泉县人民政府", "qiqihar"),
    ("nehe", "讷河市人民政府", "qiqihar"),
    ("jidong", "鸡东县人民政府", "jixi"),
    ("hulin", "虎林市人民政府", "jixi"),
    ("mishan", "密山市人民政府", "jixi"),
    ("luobei", "萝北县人民政府", "hegang"),
    ("suibin", "绥滨县人民政府", "hegang"),
    ("jixian", "集贤县人民政府", "shuangyashan"),
    ("youyi", "友谊县人民政府", "shuangyashan"),
    ("baoqing", "宝清县人民政府", "shuangyashan"),
    ("raohe", "饶河县人民政府", "shuangyashan"),
    ("zhaozhou", "肇州县人民政府", "daqing"),
    ("zhaoyuan", "肇源县人民政府", "daqing"),
    ("lindian", "林甸县人民政府", "daqing"),
    ("jiayin", "嘉荫县人民政府", "yichun"),
    ("tieli", "铁力市人民政府", "yichun"),
    ("huanan", "桦南县人民政府", "jiamusi"),
    ("huachuan", "桦川县人民政府", "jiamusi"),
    ("tangyuan", "汤原县人民政府", "jiamusi"),
    ("tongjiang", "同江市人民政府", "jiamusi"),
    ("fujin", "富锦市人民政府", "jiamusi"),
    ("boli", "勃利县人民政府", "qitaihe"),
    ("linkou", "林口县人民政府", "mudanjiang"),
    ("suifenhe", "绥芬河市人民政府", "mudanjiang"),
    ("hailin", "海林市人民政府", "mudanjiang"),
    ("ningan", "宁安市人民政府", "mudanjiang"),
    ("dongning", "东宁市人民政府", "mudanjiang"),
    ("nenjiang", "嫩江市人民政府", "heihe"),
    ("beian", "北安市人民政府", "heihe"),
    ("wudalianchi", "五大连池市人民政府", "heihe"),
    ("anda", "安达市人民政府", "suihua"),
    ("zhaodong", "肇东市人民政府", "suihua"),
    ("hailun", "海伦市人民政府", "suihua"),
    ("mohe", "漠河市人民政府", "daxinganling"),
]


@dataclass(frozen=True)
class Channel:
    """One list (栏目) of a site: where its list lives and which catalog column it feeds."""

    key: str  # short id, unique within the site (becomes part of the source id on the portal)
    name: str  # 栏目 name shown on the page
    column: str  # DESIGN §3 column id
    code: str  # template-specific code: UCAP c-number, TRS section path, Hanweb col id, JSON channel
    template: str  # template of this list (the portal mixes UCAP HTML and its JSON endpoint)
    review: str = "required"


@dataclass(frozen=True)
class Site:
    """One simulated website, served under ``/{id}/``."""

    id: str
    name: str
    kind: str  # city | county | department | portal | partner
    template: str
    encoding: str  # key of ENCODINGS
    list_date: str | None  # date style on list pages; None = the list shows no dates
    detail_date: str | None  # date style on detail pages / feed entries; None = none shown
    validators: bool = False  # ETag + Last-Modified + 304
    cookie: bool = False  # needs a cookie bootstrap
    referer: bool = False  # needs a Referer from the site itself
    city: str | None = None  # parent city for counties
    channels: tuple[Channel, ...] = field(default_factory=tuple)
    every: str = "15m"

    @property
    def default_column(self) -> str:
        return self.channels[0].column

    @property
    def charset(self) -> str:
        """Charset of the bytes actually sent."""
        return ENCODINGS[self.encoding][0]

    @property
    def declared(self) -> str | None:
        """Charset the page declares (meta / XML prolog), possibly wrong, possibly none."""
        return ENCODINGS[self.encoding][1]

    @property
    def header_charset(self) -> str | None:
        """Charset in the HTTP Content-Type header, possibly wrong, possibly none."""
        return ENCODINGS[self.encoding][2]

    @property
    def short(self) -> str:
        """The name without the 人民政府 suffix, as it appears in 来源 lines."""
        return self.name.replace("人民政府", "") or self.name


def _num(text: str, lo: int, span: int) -> int:
    """A stable number derived from text (column codes look real and never change)."""
    return lo + int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:8], 16) % span


PORTAL_CHANNELS = (
    Channel("ljdt", "龙江动态", "longjiang-news", "a8f3c2d1e5b74f0e9d6c3b2a1f0e9d8c", "portal-json"),
    Channel("zwdt", "政务动态", "gov-affairs", "c107856", "ucap"),
    Channel("tjdt", "厅局动态", "department-news", "c107857", "ucap"),
    Channel("dsdt", "地市动态", "city-news", "5e6d7c8b9a0f1e2d3c4b5a6978877665", "portal-json"),
    Channel("zfwj", "规范性文件", "gov-documents", "c108371", "ucap", review="auto"),
    Channel("gz", "政府规章", "laws", "c108372", "ucap", review="auto"),
    Channel("tzgg", "通知公告", "notices", "c107859", "ucap"),
)

# Template, charset, list date, detail date, validators, cookie, referer for the 13 cities: every
# shape and quirk appears at least once at city level, where the demo notices it.
_CITY_STYLE = {
    "harbin": ("trs", "utf-8", "ymd", "ymd-hm", True, False, False),
    "qiqihar": ("hanweb", "gbk", "ymd", "ymd-hms", True, False, False),
    "mudanjiang": ("trs", "meta-lie", "cn-date", "cn", False, False, False),
    "jiamusi": ("rss", "utf-8", None, "rfc822", True, False, False),
    "daqing": ("trs", "utf-8", "ymd", "ymd-hms-dash", False, True, False),
    "jixi": ("simple", "undeclared-gbk", "md-bracket", "ymd-hm", False, False, False),
    "shuangyashan": ("hanweb", "undeclared-utf-8", "slash", "ymd-hm", False, False, False),
    "yichun": ("atom", "utf-8", None, "iso", True, False, False),
    "qitaihe": ("trs", "gbk", None, "ymd-hm", True, False, False),
    "hegang": ("hanweb", "utf-8", "ymd", "ymd-hm", False, False, True),
    "heihe": ("json", "utf-8", None, "ymd-hms", True, False, False),
    "suihua": ("simple", "utf-8", "md-bracket", "cn", False, False, False),
    "daxinganling": ("rss", "gbk", None, "rfc822-cst", False, False, False),
}

# County sites cycle through these styles (deterministic by position).
_COUNTY_STYLES = [
    ("hanweb", "utf-8", "ymd", "ymd-hm", False),
    ("trs", "gbk", "ymd", "ymd-hms", True),
    ("simple", "utf-8", "md-bracket", "ymd", False),
    ("hanweb", "gb2312-lie", "slash", "cn", False),
    ("trs", "utf-8", None, "ymd-hm", True),
    ("json", "utf-8", None, "ymd-hms", False),
    ("simple", "undeclared-utf-8", "cn-date", "cn", False),
    ("hanweb", "gbk", "ymd-hms-dash", "ymd-hms-dash", True),
    ("rss", "utf-8", None, "rfc822-naive", False),
    ("trs", "utf-8", "ymd", "ymd", False),
    ("atom", "utf-8", None, "iso", True),
    ("simple", "gbk", None, None, False),  # no publish date anywhere (an inspection failure)
]


def _city_site(cid: str, name: str) -> Site:
    tpl, enc, ld, dd, val, cookie, ref = _CITY_STYLE[cid]
    code = _channel_code(tpl, cid)
    ch = Channel("news", "政务要闻" if tpl != "rss" else "要闻动态", "city-news", code, tpl)
    return Site(cid, name, "city", tpl, enc, ld, dd, val, cookie, ref, None, (ch,), "10m")


def _channel_code(template: str, key: str) -> str:
    if template == "ucap":
        return f"c{_num(key, 100000, 900000)}"
    if template == "trs":
        return ("xwzx/zwyw", "zwdt", "xxgk/gzdt", "news/bdyw")[_num(key, 0, 4)]
    if template == "hanweb":
        return str(_num(key, 1000, 90000))
    if template == "json":
        return str(_num(key, 100, 9000))
    return "news"


def _department_site(abbr: str, name: str, i: int) -> Site:
    code = _channel_code("ucap", abbr)
    ch = Channel("gzdt", "工作动态", "department-news", code, "ucap")
    # The cluster shares one platform: UTF-8, validators on, detail dates down to the second;
    # list dates vary by how each department's editor set up the column.
    ld = ("ymd", "ymd", "ymd-hm", None)[i % 4]
    return Site(abbr, name, "department", "ucap", "utf-8", ld, "ymd-hms", True, False, False, None, (ch,), "30m")


def _county_site(sid: str, name: str, city: str, i: int) -> Site:
    tpl, enc, ld, dd, val = _COUNTY_STYLES[i % len(_COUNTY_STYLES)]
    ch = Channel("news", "本地要闻", "city-news", _channel_code(tpl, sid), tpl)
    return Site(sid, name, "county", tpl, enc, ld, dd, val, False, False, city, (ch,), "1h")


def build_sites(n: int | None = None) -> list[Site]:
    """The province's sites: the real-shaped 114, plus extra county/department-like ones up to n."""
    if n is None:
        n = DEFAULT_SITE_COUNT
    if n < DEFAULT_SITE_COUNT:
        raise BadOptionError(f"--sites must be at least {DEFAULT_SITE_COUNT} (the real province), got {n}")
    sites: list[Site] = [
        Site("portal", "黑龙江省人民政府", "portal", "ucap", "utf-8", "ymd", "ymd-hms", True, False, False,
             None, PORTAL_CHANNELS, "10m"),
        Site("xinhua", "新华网黑龙江频道", "partner", "xinhua", "utf-8", None, "rfc822", True, False, False,
             None, (Channel("hlj", "黑龙江要闻", "longjiang-news", "rss", "xinhua"),), "10m"),
    ]
    for cid, name, _short in CITIES:
        sites.append(_city_site(cid, name))
    for i, (abbr, name) in enumerate(DEPARTMENTS):
        sites.append(_department_site(abbr, name, i))
    for i, (suffix, name, city) in enumerate(COUNTIES):
        sites.append(_county_site(f"county-{suffix}", name, city, i))
    extra = n - len(sites)
    city_ids = [c[0] for c in CITIES]
    for k in range(extra):
        if k % 2 == 0:
            abbr = f"dept{k // 2 + 1:04d}"
            sites.append(_department_site(abbr, f"黑龙江省第{k // 2 + 1}模拟厅局", k // 2))
        else:
            city = city_ids[(k // 2) % len(city_ids)]
            sid = f"county-x{k // 2 + 1:04d}"
            sites.append(_county_site(sid, f"模拟县{k // 2 + 1}人民政府", city, k // 2))
    return sites


CITY_SHORT = {cid: short for cid, _name, short in CITIES}
