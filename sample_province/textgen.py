"""Government-news text of our own, for when the real corpus is absent (a fresh clone).

Templates and vocabulary are written here from scratch: meetings, inspections, policy releases,
statistics, signings, daily price bulletins (hard negatives for dedup: they share most words),
plus the portal's normative documents and rules. Deterministic for a given random generator.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from sample_province.catalog import CITIES, COUNTIES, DEPARTMENTS


@dataclass(frozen=True)
class Story:
    """One story: the text every item that carries it is derived from."""

    id: str
    title: str
    paragraphs: tuple[str, ...]
    origin: str = "generated"  # "corpus" | "generated"
    kind: str = "news"  # news | policy | law | notice | bulletin | meeting
    doc_no: str | None = None  # 文号 of a policy document


SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "建国志强海涛丽娟永刚晓明春华玉兰红梅文博宏伟雪峰立新国庆秀英德胜树林长青振华立军淑珍桂芝"

TOPICS = [
    "黑土地保护利用", "冰雪经济高质量发展", "优化营商环境", "粮食安全", "春耕生产", "森林草原防灭火",
    "对俄经贸合作", "乡村振兴", "现代化产业体系建设", "安全生产", "民生实事", "招商引资",
    "数字经济发展", "生态环境保护", "城市更新", "稳就业", "文旅融合", "农产品精深加工",
]
OLD_BASE = ["老工业基地振兴", "老工业基地全面振兴", "东北老工业基地调整改造"]
EGOV = ["电子政务建设", "数字政府建设", "“一网通办”", "政务服务“好办事”"]
MEETINGS = ["专题会议", "工作推进会", "调度会", "现场会", "动员部署会议", "座谈会", "工作会议"]
VERBS = ["强调", "指出", "要求"]
INDUSTRY = ["装备制造", "石油化工", "食品加工", "生物医药", "新材料", "绿色农业", "冰雪旅游", "现代物流"]
PRODUCTS = [("大米", "元/公斤"), ("玉米", "元/公斤"), ("大豆", "元/公斤"), ("猪肉", "元/公斤"),
            ("鸡蛋", "元/公斤"), ("白菜", "元/公斤"), ("土豆", "元/公斤"), ("豆油", "元/升")]


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))


def _place(rng: random.Random) -> str:
    if rng.random() < 0.6:
        return rng.choice(CITIES)[2] + "市"
    return rng.choice(COUNTIES)[1].replace("人民政府", "")


def _dept(rng: random.Random) -> str:
    return rng.choice(DEPARTMENTS)[1].replace("黑龙江省", "省")


def _topic(rng: random.Random, topics: tuple[str, ...] = ()) -> str:
    r = rng.random()
    if r < 0.06:
        return rng.choice(OLD_BASE)
    if r < 0.12:
        return rng.choice(EGOV)
    return rng.choice(TOPICS)


def _para_work(rng: random.Random, topic: str) -> str:
    a, b = rng.sample(["坚持问题导向", "压实工作责任", "强化统筹调度", "加强部门协同", "细化工作举措",
                       "狠抓工作落实", "完善长效机制", "加大督查力度"], 2)
    return (f"会议{rng.choice(VERBS)}，要{a}，{b}，把{topic}作为当前一项重要工作抓紧抓实，"
            f"确保各项任务按时间节点推进，以实际成效推动全省{rng.choice(['经济社会', '高质量', '全面振兴'])}发展。")


def _para_stat(rng: random.Random, place: str) -> str:
    q = rng.choice(["一季度", "上半年", "前三季度", "1至4月", "1至7月", "今年以来"])
    g = round(rng.uniform(2.5, 9.8), 1)
    v = round(rng.uniform(80, 3200), 1)
    inv = round(rng.uniform(-3, 15), 1)
    inv_text = f"增长{inv}%" if inv >= 0 else f"下降{-inv}%"
    return (f"{q}，{place}实现地区生产总值{v}亿元，同比增长{g}%；规模以上工业增加值同比增长"
            f"{round(rng.uniform(1, 12), 1)}%，固定资产投资同比{inv_text}，"
            f"社会消费品零售总额{round(v * rng.uniform(0.3, 0.5), 1)}亿元。")


def _para_detail(rng: random.Random, topic: str, place: str) -> str:
    n = rng.randint(3, 60)
    return rng.choice([
        f"据了解，{place}已累计谋划{topic}相关项目{n}个，总投资{rng.randint(5, 300)}亿元，其中{rng.randint(1, n)}个项目已开工建设。",
        f"近年来，{place}围绕{rng.choice(INDUSTRY)}产业，引进培育龙头企业{n}家，带动就业{rng.randint(500, 20000)}人。",
        f"下一步，{place}将聚焦{topic}，进一步完善政策体系，加强要素保障，推动更多项目落地见效。",
        f"活动现场共发放宣传材料{rng.randint(200, 5000)}余份，解答群众咨询{rng.randint(30, 800)}人次。",
        f"截至目前，已完成年度任务的{rng.randint(30, 95)}%，{rng.randint(2, 12)}项重点指标位居全省前列。",
    ])


def generate_news(rng: random.Random, sid: str, *, org: str | None = None, place: str | None = None,
                  month: int | None = None, day: int | None = None) -> Story:
    """One news story: meeting, inspection, policy release, statistics, signing or campaign.

    ``org`` is who acts (the originating city, county or department, e.g. "依兰县", "省教育厅") and
    ``place`` where (a city or county); both are drawn at random when not given. ``month``/``day``
    put the event on the release day.
    """
    place = place or _place(rng)
    org = org or rng.choice([place, _dept(rng)])
    topic, who = _topic(rng), _person(rng)
    month = month or rng.randint(1, 12)
    day = day or rng.randint(1, 28)
    when = f"{month}月{day}日"
    kind = rng.choice(["meeting", "inspection", "policy", "stats", "signing", "event"])
    if kind == "meeting":
        m = rng.choice(MEETINGS)
        title = rng.choice([f"{org}召开{topic}{m}", f"全省{topic}{m}在{place}召开",
                            f"{org}召开{topic}{m}（第{rng.randint(2, 12)}次）", f"{who}主持召开{org}{topic}{m}"])
        paras = [f"{when}，{org}召开{topic}{m}，{who}出席会议并讲话。会议传达学习了省委、省政府有关会议精神，"
                 "听取了相关单位工作情况汇报。", _para_work(rng, topic), _para_detail(rng, topic, place)]
    elif kind == "inspection":
        title = f"{who}到{place}调研{topic}工作"
        paras = [f"{when}，{who}深入{place}{rng.choice(['企业', '乡镇', '项目现场', '社区', '园区'])}，"
                 f"实地调研{topic}工作推进情况，与基层干部群众面对面交流。",
                 f"{who}指出，{topic}事关全省发展大局，要坚持目标导向，抓好重点任务落实，"
                 f"切实把各项部署转化为推动发展的实际成效。",
                 _para_detail(rng, topic, place), _para_detail(rng, topic, place)]
    elif kind == "policy":
        n = rng.randint(10, 30)
        title = f"{org}出台{n}条措施推动{topic}"
        paras = [f"为深入推进{topic}，{org}日前印发《关于进一步推动{topic}的若干措施》，"
                 f"从{rng.randint(3, 8)}个方面提出{n}条具体举措。",
                 f"《措施》明确，到{rng.choice([2025, 2026, 2027])}年，{topic}取得明显成效，"
                 f"重点领域改革取得突破，政策体系更加完善。",
                 _para_detail(rng, topic, place), f"《措施》自印发之日起施行，有效期{rng.randint(2, 5)}年。"]
    elif kind == "stats":
        stat = _para_stat(rng, place)
        q, g = stat.split("，", 1)[0], stat.split("同比增长", 1)[1].split("%", 1)[0]
        title = rng.choice([f"{place}{q}经济运行稳中向好", f"{q}{place}地区生产总值同比增长{g}%",
                            f"{place}{q}主要经济指标实现“{rng.choice(['开门红', '双过半', '稳中有进'])}”"])
        paras = [stat, _para_detail(rng, topic, place),
                 f"{place}统计部门有关负责人表示，经济运行总体平稳，{topic}持续发力，发展质效稳步提升。"]
    elif kind == "signing":
        n = rng.randint(5, 60)
        title = f"{place}与{rng.randint(3, 30)}家企业集中签约{n}个项目"
        paras = [f"{when}，{place}举行重点项目集中签约仪式，{n}个项目现场签约，"
                 f"签约总额{rng.randint(20, 600)}亿元，涉及{rng.choice(INDUSTRY)}、{rng.choice(INDUSTRY)}等领域。",
                 _para_detail(rng, topic, place), _para_work(rng, topic)]
    else:
        what = rng.choice(["主题宣传活动", "专项行动", "集中宣传月活动", "业务培训班", "现场观摩活动",
                           "志愿服务活动", "专题讲座", "“百日攻坚”行动"])
        title = rng.choice([f"{org}开展{topic}{what}", f"{org}举办{topic}{what}",
                            f"{org}{rng.choice(['扎实', '全面', '持续'])}开展{topic}{what}"])
        paras = [f"为进一步推动{topic}，{org}近日组织开展{what}，{rng.randint(5, 40)}个部门单位参加。",
                 _para_detail(rng, topic, place), _para_detail(rng, topic, place)]
    return Story(sid, title, tuple(paras), "generated", "news")


def generate_bulletin(rng: random.Random, sid: str, date_cn: str, place: str) -> Story:
    """A daily price bulletin: same words every day, different numbers (a dedup hard negative)."""
    rows = [f"{name}{round(rng.uniform(2, 40), 2)}{unit}，环比{rng.choice(['上涨', '下降', '持平'])}"
            f"{round(rng.uniform(0, 3), 1)}%" for name, unit in PRODUCTS]
    title = f"{place}主要农副产品价格监测日报（{date_cn}）"
    paras = (f"{date_cn}，{place}发展改革部门对全市主要农副产品价格进行监测。监测结果如下：",
             "；".join(rows[:4]) + "。", "；".join(rows[4:]) + "。",
             "总体看，全市农副产品市场供应充足，价格运行基本平稳。")
    return Story(sid, title, paras, "generated", "bulletin")


def generate_document(rng: random.Random, sid: str, year: int, seq: int, law: bool) -> Story:
    """A normative document (规范性文件) or a government rule (政府规章) of the portal."""
    topic = _topic(rng)
    if law:
        title = f"黑龙江省{topic}管理办法"
        doc_no = f"黑龙江省人民政府令第{seq}号"
        paras = [f"《黑龙江省{topic}管理办法》已经{year}年第{rng.randint(1, 40)}次省政府常务会议审议通过，现予公布，"
                 f"自{year}年{rng.randint(1, 12)}月1日起施行。", f"第一条 为了规范{topic}工作，根据有关法律、"
                 f"行政法规，结合本省实际，制定本办法。", f"第二条 本省行政区域内的{topic}及其监督管理活动，适用本办法。",
                 f"第三条 县级以上人民政府应当加强对{topic}工作的领导，将其纳入国民经济和社会发展规划。",
                 "第四条 本办法自公布之日起施行。"]
        return Story(sid, title, tuple(paras), "generated", "law", doc_no)
    office = rng.choice(["黑龙江省人民政府", "黑龙江省人民政府办公厅"])
    prefix = "黑政规" if office == "黑龙江省人民政府" else "黑政办规"
    doc_no = f"{prefix}〔{year}〕{seq}号"
    title = f"{office}关于印发《黑龙江省{topic}实施方案》的通知"
    paras = ["各市（地）、县（市）人民政府（行署），省政府各直属单位：",
             f"现将《黑龙江省{topic}实施方案》印发给你们，请认真贯彻执行。",
             f"一、总体要求。以{topic}为牵引，坚持系统观念，统筹推进各项工作，到{year + 2}年取得明显成效。",
             f"二、重点任务。（一）完善{topic}政策体系。（二）强化要素保障。（三）加强督导考核。",
             "三、保障措施。各地各部门要加强组织领导，明确责任分工，确保各项任务落到实处。",
             f"{office}", f"{year}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日"]
    return Story(sid, title, tuple(paras), "generated", "policy", doc_no)


def generate_notice(rng: random.Random, sid: str, year: int) -> Story:
    """A 通知公告 of the portal (public consultations, recruitment, holiday arrangements)."""
    topic = _topic(rng)
    title = rng.choice([f"关于公开征求《黑龙江省{topic}条例（草案）》意见的公告",
                        f"关于{year}年度{topic}专项资金项目申报的通知",
                        f"关于开展{topic}情况调查的公告"])
    paras = [f"为做好{topic}相关工作，现将有关事项公告如下。",
             f"一、时间安排：自发布之日起至{year}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日。",
             f"二、联系方式：0451-{rng.randint(82000000, 88999999)}。", "特此公告。"]
    return Story(sid, title, tuple(paras), "generated", "notice")


def generate_executive_meeting(rng: random.Random, sid: str, seq: int, month: int, day: int) -> Story:
    """The weekly 省政府常务会议 report: the same frame every week, a different agenda (a hard
    negative for dedup: consecutive reports share most of their words and are different items)."""
    topics = rng.sample(TOPICS + OLD_BASE[:1] + EGOV[:1], 3)
    who = _person(rng)
    paras = [f"{month}月{day}日，省长{who}主持召开省政府第{seq}次常务会议，研究{topics[0]}、{topics[1]}等工作。",
             f"会议听取了关于{topics[0]}工作情况的汇报。会议指出，要深入贯彻落实党中央、国务院决策部署，"
             f"统筹推进{topics[0]}各项任务，确保取得实效。",
             f"会议审议并原则通过了《黑龙江省{topics[1]}实施方案》，要求各地各部门抓好贯彻落实。",
             f"会议还研究了{topics[2]}等事项。"]
    return Story(sid, f"省政府召开第{seq}次常务会议", tuple(paras), "generated", "meeting")
