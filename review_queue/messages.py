"""What the desk shows of the workflow, in the reader's language: state badges, role and action
names, and the workflow's errors.

The workflow and the command line speak one-line English (operators, logs, tests read it); the
desk turns each into a catalog message whose id is Chinese (English is its translation), reading
the facts out of the English line. A message no pattern knows is still shown, after a Chinese
"not done", so nothing a reviewer needs to read is ever lost.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from pages.times import SHANGHAI
from review_queue import workflow as wf
from review_queue.catalogs import gettext as _
from review_queue.catalogs import pgettext


def state_label(state: str | None) -> str:
    """The badge of a workflow state (the state's own name if it is a new one)."""
    labels = {
        wf.PENDING: _("待审核"),
        wf.AWAITING_SIGNOFF: _("待签发"),
        wf.APPROVED: _("已通过"),
        wf.PUBLISHED: _("已发布"),
        wf.CORRECTED: _("更正待审"),
        wf.REJECTED: _("已退回"),
        wf.RETRACTED: _("已撤稿"),
        wf.DUPLICATE: _("重复稿"),
    }
    return labels.get(state or "", state or "—")


def role_label(role: str) -> str:
    """A role's name (context "role": 编辑 the person, not 编辑 the verb)."""
    labels = {"reviewer": pgettext("role", "审核员"), "editor": pgettext("role", "编辑"),
              "admin": pgettext("role", "管理员"), "system": pgettext("role", "系统")}
    return labels.get(role, role)


def action_label(action: str) -> str:
    """A workflow action as a verb ("cannot approve" → 不能通过)."""
    verbs = {
        "approve": "通过", "signoff": "签发", "reject": "退回", "edit": "编辑", "retract": "撤稿",
        "keep": "保留", "unreject": "撤销退回", "undo-approve": "撤销通过", "desk-correct": "更正",
        "split": "拆分报道", "merge": "合并报道", "override-checks": "放行检查",
        "emit a retraction": "发出撤稿",
    }
    labels = {a: pgettext("action", v) for a, v in verbs.items()}
    return labels.get(action, action)


_ID = r"item (?P<id>\d+)"
_PATTERNS: tuple[tuple[re.Pattern[str], Callable[[dict[str, str]], str]], ...] = (
    (re.compile(_ID + r" is being edited by (?P<user>\S+) \(locked until (?P<until>[^)]+) Beijing time\)"),
     lambda m: _("#%(id)s 正由 %(user)s 编辑（锁定至北京时间 %(until)s）", **m)),
    (re.compile(_ID + r" is not in review"), lambda m: _("#%(id)s 不在审核中", **m)),
    (re.compile(_ID + r" is (?P<state>[\w-]+); cannot (?P<verb>[\w -]+?)(?: to [\w-]+)?$"),
     lambda m: _("#%(id)s 当前为“%(state)s”，不能%(verb)s", id=m["id"], state=state_label(m["state"]),
                 verb=action_label(m["verb"]))),
    (re.compile(_ID + r": taking over a lock needs the editor role"),
     lambda m: _("#%(id)s：接管编辑锁需要编辑角色", **m)),
    (re.compile(_ID + r": (?P<what>splitting a story|merging stories) needs the (?P<role>\w+) role"),
     lambda m: _("#%(id)s：拆分或合并报道需要%(role)s角色", id=m["id"], role=role_label(m["role"]))),
    (re.compile(_ID + r": (?P<action>[\w-]+) needs the (?P<role>[\w-]+) role"),
     lambda m: _("#%(id)s：%(action)s需要%(role)s角色", id=m["id"], action=action_label(m["action"]),
                 role=role_label(m["role"]))),
    (re.compile(_ID + r": (?P<user>\S+) already approved it; sign-off needs another person"),
     lambda m: _("#%(id)s：%(user)s 已审核过，签发须由另一人完成", **m)),
    (re.compile(_ID + r": only (?P<user>\S+) or an editor may undo this approval"),
     lambda m: _("#%(id)s：只有 %(user)s 或编辑可以撤销这次通过", **m)),
    (re.compile(_ID + r": moving it out of (?P<column>\S+) .*needs an editor"),
     lambda m: _("#%(id)s：移出签发更严格的栏目 %(column)s 需要编辑", **m)),
    (re.compile(_ID + r": moving it out of (?P<column>[^,]+), .*needs a reason"),
     lambda m: _("#%(id)s：移出签发更严格的栏目 %(column)s 须填写理由", **m)),
    (re.compile(_ID + r": the title cannot be empty"), lambda m: _("#%(id)s：标题不能为空", **m)),
    (re.compile(_ID + r": .* needs a reason"), lambda m: _("#%(id)s：请填写理由", **m)),
    (re.compile(_ID + r" has no title"), lambda m: _("#%(id)s 没有标题：请先编辑标题再通过", **m)),
    (re.compile(_ID + r" has no http\(s\) address"),
     lambda m: _("#%(id)s 的原文没有 http(s) 地址，不能发布", **m)),
    (re.compile(_ID + r": 发布前检查发现 (?P<what>.+?)，不能通过"),
     lambda m: _("#%(id)s：发布前检查发现 %(what)s，不能通过：请修改正文，或由编辑填写理由后放行", **m)),
    (re.compile(_ID + r": its source has not taken the page down"),
     lambda m: _("#%(id)s：来源网站并未撤下原文，无需保留", **m)),
    (re.compile(r"(?:" + _ID + r"(?: and item \d+)?: )?.*alone in its story"),
     lambda m: _("这条稿件的报道只有它自己，无可拆分")),
    (re.compile(r".*cannot be merged with itself"), lambda m: _("两条稿件已在同一报道中")),
    (re.compile(_ID + r" is in no story"), lambda m: _("#%(id)s 不属于任何报道", **m)),
    (re.compile(r"unknown column '(?P<column>[^']+)'"), lambda m: _("没有栏目 %(column)s", **m)),
    (re.compile(r"password too short: at least (?P<n>\d+) characters"),
     lambda m: _("密码太短：至少 %(n)s 个字符", **m)),
    (re.compile(r"password too common"), lambda m: _("密码太常见：请换一个")),
    (re.compile(r"password contains the user name"), lambda m: _("密码包含用户名：请换一个")),
    (re.compile(r"password is one or two characters repeated"), lambda m: _("密码只是重复一两个字符：请换一个")),
    (re.compile(r"wrong user name or password"), lambda m: _("用户名或密码错误")),
    (re.compile(r"user '(?P<user>[^']+)' already exists"), lambda m: _("用户 %(user)s 已存在", **m)),
    (re.compile(r"user '(?P<user>[^']+)' is disabled"), lambda m: _("用户 %(user)s 已停用", **m)),
    (re.compile(r"no user '(?P<user>[^']+)'"), lambda m: _("没有用户 %(user)s", **m)),
)


def error_message(exc: BaseException | str) -> str:
    """A workflow error for the desk: the catalog's message for it, or the line after 未完成."""
    line = str(exc)
    found = _first_match(_PATTERNS, line)
    return found if found is not None else _("未完成：%(cause)s", cause=line)


def _first_match(patterns: tuple[tuple[re.Pattern[str], Callable[[dict[str, str]], str]], ...],
                 line: str) -> str | None:
    """The catalog message of the first pattern *line* matches, filled with what it matched."""
    for pattern, render in patterns:
        m = pattern.match(line)
        if m:
            return render({k: v for k, v in m.groupdict().items() if v is not None})
    return None


def history_action(action: str) -> str:
    """What a history entry records, as a name (通过, 自动通过, 发布 …; the action itself if new)."""
    names = {
        "submit": "进入审核", "auto-approve": "自动通过", "duplicate": "重复稿", "approve": "通过",
        "signoff": "签发", "reject": "退回", "unreject": "撤销退回", "undo-approve": "撤销通过",
        "undo-duplicate": "撤销重复稿", "desk-correct": "开始更正", "edit": "编辑", "column": "移栏",
        "split": "拆分报道", "merge": "合并报道", "new-version": "来源新版本", "requeue": "重新待审",
        "correct": "来源更正", "auto-correct": "自动更正", "publish": "发布", "retract": "撤稿",
        "upstream-withdrawn": "来源撤下原文", "upstream-restored": "来源恢复原文",
        "override-checks": "放行检查", "keep": "保留", "lock": "加编辑锁", "unlock": "释放编辑锁",
        "break-lock": "强制解锁", "take-over-lock": "接管编辑锁",
    }
    return pgettext("history", names[action]) if action in names else action


def field_label(field: str) -> str:
    """The name of an edited field in a history entry."""
    names = {"title": "标题", "text": "正文（文本）", "html": "正文（HTML）", "column": "栏目", "topics": "专题"}
    return pgettext("field", names[field]) if field in names else field


def actor_label(actor: str) -> str:
    """Who did it: a person's user name as it is; the pipeline's own actors by name."""
    names = {"system": "系统", "auto": "自动审核", "publisher": "发布程序"}
    return pgettext("actor", names[actor]) if actor in names else actor


def _beijing(value: str) -> str:
    try:
        return datetime.fromisoformat(value).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return value


_ROLE_ARTICLE = r"(?:an? )?(?P<role>[\w-]+)"
_NOTES: tuple[tuple[re.Pattern[str], Callable[[dict[str, str]], str]], ...] = (
    (re.compile(r"waiting for sign-off by " + _ROLE_ARTICLE + r"$"),
     lambda m: _("等待%(role)s签发", role=role_label(m["role"]))),
    (re.compile(r"story approved as item (?P<id>\d+)$"), lambda m: _("报道已以 #%(id)s 通过", **m)),
    (re.compile(r"approval of item (?P<id>\d+) undone$"), lambda m: _("#%(id)s 的通过已撤销", **m)),
    (re.compile(r"approval undone$"), lambda m: _("通过已撤销")),
    (re.compile(r"approval undone: (?P<reason>.+)$", re.S), lambda m: _("通过已撤销：%(reason)s", **m)),
    (re.compile(r"seq (?P<seq>\d+) \(correction\)$"), lambda m: _("发布序号 %(seq)s（更正）", **m)),
    (re.compile(r"seq (?P<seq>\d+)$"), lambda m: _("发布序号 %(seq)s", **m)),
    (re.compile(r"locked until (?P<until>\S+)$"),
     lambda m: _("锁定至北京时间 %(until)s", until=_beijing(m["until"]))),
    (re.compile(r"lock of (?P<user>\S+) taken over$"), lambda m: _("接管了 %(user)s 的编辑锁", **m)),
    (re.compile(r"lock of (?P<user>\S+) broken$"), lambda m: _("强制解除了 %(user)s 的编辑锁", **m)),
    (re.compile(r"checks overridden \((?P<what>[^)]*)\): (?P<reason>.+)$", re.S),
     lambda m: _("放行检查（%(what)s）：%(reason)s", **m)),
    (re.compile(r"kept although the source took the page down \((?P<why>.*?)\)(?:: (?P<reason>.+))?$", re.S),
     lambda m: _("来源已撤下原文（%(why)s），仍保留：%(reason)s", why=m["why"], reason=m["reason"])
     if m.get("reason") else _("来源已撤下原文（%(why)s），仍保留", why=m["why"])),
    (re.compile(r"story already out as item (?P<id>\d+)$"), lambda m: _("报道已以 #%(id)s 发布", **m)),
    (re.compile(r"update: new representative of the story already out as item (?P<id>\d+)$"),
     lambda m: _("更新：已以 #%(id)s 发布的报道的新代表稿", **m)),
    (re.compile(r"new upstream version (?P<v>\d+); reviewer edits of title/text dropped$"),
     lambda m: _("来源第 %(v)s 版；审核员对标题和正文的修改已作废", **m)),
    (re.compile(r"new upstream version (?P<v>\d+)$"), lambda m: _("来源第 %(v)s 版", **m)),
    (re.compile(r"moved out of (?P<column>\S+) \(sign-off: (?P<chain>[^)]*)\): (?P<reason>.+)$", re.S),
     lambda m: _("移出栏目 %(column)s（签发：%(chain)s）：%(reason)s", column=m["column"], reason=m["reason"],
                 chain="、".join(role_label(r.strip()) for r in m["chain"].split(",")))),
    (re.compile(r"split out of story (?P<story>\d+) \(with (?P<others>[^)]*)\): (?P<reason>.+)$", re.S),
     lambda m: _("从报道 %(story)s（与 %(others)s）拆出：%(reason)s", **m)),
    (re.compile(r"story (?P<gone>\d+) merged into story (?P<keep>\d+) \(of #(?P<id>\d+)\): (?P<reason>.+)$", re.S),
     lambda m: _("报道 %(gone)s 并入 #%(id)s 的报道 %(keep)s：%(reason)s", **m)),
    (re.compile(r"story (?P<gone>\d+) \((?P<moved>[^)]*)\) merged into this story: (?P<reason>.+)$", re.S),
     lambda m: _("报道 %(gone)s（%(moved)s）并入本报道：%(reason)s", **m)),
    (re.compile(r"item (?P<id>\d+) was split out of the story$"), lambda m: _("#%(id)s 已从报道中拆出", **m)),
    (re.compile(r"the page is back at the source, unchanged$"), lambda m: _("来源网站恢复了原文，内容未变")),
    (re.compile(r"the source took the page down$"), lambda m: _("来源网站撤下了原文")),
)


def history_note(note: str | None) -> str:
    """A history entry's note in the reader's language: the pipeline's own notes through the
    catalog, a person's reason (already in their words) as it was written."""
    if not note:
        return ""
    found = _first_match(_NOTES, note)
    return found if found is not None else note
