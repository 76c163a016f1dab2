"""What the desk shows of the workflow, in the reader's language: state badges, role and action
names, and the workflow's errors.

Each workflow error carries a stable code and its facts (:mod:`review_queue.errors`; its str() is
the one-line English operators, logs and tests read). The desk shows the catalog message of the
code (:data:`ERRORS`: a Chinese id, English its translation) filled with the facts; an error of
an unknown code is still shown, its English after a Chinese "not done", so nothing is lost.

History notes are stored as the pipeline wrote them (English lines); :func:`history_note` reads
the pipeline's own notes back into catalog messages.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from pages.times import SHANGHAI
from review_queue import workflow as wf
from review_queue.catalogs import gettext as _
from review_queue.catalogs import pgettext
from review_queue.errors import lock_time


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


def _n_(msgid: str) -> str:
    """Marks a catalog message whose translation is looked up later (when it is shown)."""
    return msgid


# code (review_queue.errors.ENGLISH) -> the catalog message shown for it; %(name)s are its params,
# made readable by _desk_params (states, roles and actions by their labels, times in Beijing time)
ERRORS: dict[str, str] = {
    "item-not-in-review": _n_("#%(id)s 不在审核中"),
    "not-an-item-id": _n_("“%(value)s”不是稿件编号"),
    "wrong-state": _n_("#%(id)s 当前为“%(state)s”，不能%(action)s"),
    "action-not-in-review": _n_("#%(id)s 不在审核中，不能%(action)s"),
    "no-such-step": _n_("#%(id)s 当前为“%(state)s”，不能%(action)s为“%(target)s”"),
    "not-a-step": _n_("“%(source)s”到“%(target)s”不是%(action)s的步骤"),
    "needs-role": _n_("#%(id)s：%(action)s需要%(need)s角色"),
    "unknown-role": _n_("没有角色 %(role)s（可选：%(roles)s）"),
    "signer-already-approved": _n_("#%(id)s：%(user)s 已审核过，签发须由另一人完成"),
    "move-out-needs-editor": _n_("#%(id)s：移出签发更严格的栏目 %(column)s 需要编辑"),
    "move-out-needs-reason": _n_("#%(id)s：移出签发更严格的栏目 %(column)s 须填写理由"),
    "unknown-column": _n_("没有栏目 %(column)s"),
    "no-title": _n_("#%(id)s 没有标题：请先编辑标题再通过"),
    "no-http-address": _n_("#%(id)s 的原文没有 http(s) 地址，不能发布"),
    "checks-blocked": _n_("#%(id)s：发布前检查发现 %(what)s，不能通过：请修改正文，或由编辑填写理由后放行"),
    "empty-title": _n_("#%(id)s：标题不能为空"),
    "retract-needs-reason": _n_("#%(id)s：撤稿须填写理由"),
    "unreject-needs-reason": _n_("#%(id)s：撤销退回须填写理由"),
    "correction-needs-reason": _n_("#%(id)s：更正须填写理由"),
    "undo-approval-not-yours": _n_("#%(id)s：只有 %(user)s 或编辑可以撤销这次通过"),
    "nothing-to-keep": _n_("#%(id)s：来源网站并未撤下原文，无需保留"),
    "locked-by-other": _n_("#%(id)s 正由 %(user)s 编辑（锁定至北京时间 %(until)s）"),
    "lock-not-yours": _n_("#%(id)s 正由 %(user)s 编辑（锁定至北京时间 %(until)s）：只有持锁人或管理员可以解锁"),
    "take-over-needs-editor": _n_("#%(id)s：接管编辑锁需要编辑角色"),
    "split-needs-editor": _n_("#%(id)s：拆分报道需要%(need)s角色"),
    "merge-needs-editor": _n_("#%(id)s：合并报道需要%(need)s角色"),
    "split-needs-reason": _n_("#%(id)s：拆分报道须填写理由"),
    "merge-needs-reason": _n_("#%(id)s：合并报道须填写理由"),
    "in-no-story": _n_("#%(id)s 不属于任何报道"),
    "alone-in-story": _n_("#%(id)s 的报道只有它自己，无可拆分"),
    "same-story": _n_("#%(id)s 与 #%(other)s 已在同一报道中"),
    "story-edit-refused": _n_("#%(id)s：报道未能修改（%(reason)s）"),
    "invalid-user-name": _n_("用户名 %(user)s 无效：须为 1–64 个字母、数字或 . _ - @"),
    "reserved-user-name": _n_("用户名 %(user)s 由系统保留"),
    "user-exists": _n_("用户 %(user)s 已存在"),
    "no-such-user": _n_("没有用户 %(user)s"),
    "user-disabled": _n_("用户 %(user)s 已停用"),
    "bad-credentials": _n_("用户名或密码错误"),
    "password-too-short": _n_("密码太短：至少 %(n)s 个字符"),
    "password-too-common": _n_("密码太常见：请换一个"),
    "password-contains-name": _n_("密码包含用户名：请换一个"),
    "password-repeated": _n_("密码只是重复一两个字符：请换一个"),
    "own-role": _n_("不能修改自己的角色"),
    "disable-self": _n_("不能停用自己"),
}


def _desk_params(params: dict[str, object]) -> dict[str, object]:
    """An error's params as the desk shows them: states, roles and actions by their labels,
    stored times in Beijing time, lists joined with 、."""
    labels = {"state": state_label, "source": state_label, "target": state_label, "role": role_label,
              "need": role_label, "action": action_label, "until": lock_time}
    out: dict[str, object] = {}
    for key, value in params.items():
        if key == "chain" or key == "roles":
            value = "、".join(role_label(str(v)) for v in value)  # type: ignore[union-attr]
        elif isinstance(value, (list, tuple)):
            value = "、".join(map(str, value))
        elif key in labels:
            value = labels[key](value)  # type: ignore[arg-type]
        out[key] = "" if value is None else value
    return out


def error_message(exc: BaseException | str) -> str:
    """A workflow error for the desk: the catalog message of its code, filled with its params;
    an error without a known code is shown whole after 未完成 (nothing a reviewer needs is lost)."""
    code = getattr(exc, "code", None)
    if isinstance(code, str) and code in ERRORS:
        return _(ERRORS[code], **_desk_params(dict(getattr(exc, "params", {}))))
    return _("未完成：%(cause)s", cause=str(exc))


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
