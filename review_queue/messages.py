"""What the desk shows of the workflow, in the reader's language: state badges, role and action
names, and the workflow's errors.

Each workflow error carries a stable code and its facts (:mod:`review_queue.errors`; its str() is
the one-line English operators, logs and tests read). The desk shows the catalog message of the
code (:data:`ERRORS`: a Chinese id, English its translation) filled with the facts; an error of
an unknown code is still shown, its English after a Chinese "not done", so nothing is lost.

History notes the pipeline writes are codes with params (:mod:`review_queue.notes`);
:func:`history_note` shows the catalog message of the code (:data:`NOTES`), a person's reason as
they wrote it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import store
from pages.times import SHANGHAI
from review_queue import catalogs
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


# code (store.ENGLISH) -> the message of a database that cannot be used; %(path)s is the file
STORE_ERRORS: dict[str, str] = {
    "no-database": _n_("%(path)s：这里没有数据库（请检查 --db；`collect`、`daemon` 或 `users add` 会创建它）"),
    "cannot-create-folder": _n_("%(path)s：无法创建所在文件夹：%(why)s"),
    "cannot-open": _n_("%(path)s：无法打开数据库：%(why)s"),
    "cannot-open-readonly": _n_("%(path)s：无法以只读方式打开数据库：%(why)s"),
    "not-a-database": _n_("%(path)s：该文件不是 SQLite 数据库"),
    "locked": _n_("%(path)s：数据库被另一个进程锁定"),
    "cannot-use": _n_("%(path)s：数据库无法使用：%(why)s"),
    "no-wal": _n_("%(path)s：无法把数据库切换到 WAL 模式（得到 %(mode)s）"),
    "no-tables": _n_("%(path)s：数据库中还没有汇聚的表（请先运行一次 `run.py collect` 或守护进程来创建）"),
    "newer-release": _n_("%(path)s：数据库来自更新的汇聚版本（%(owner)s 结构第 %(done)s 步，本版本只认识 %(known)s 步）：请运行那个版本，或恢复本版本做的备份"),  # noqa: E501 - one literal: the catalog test reads it
    "needs-upgrade": _n_("%(path)s：数据库需要升级（%(owner)s 结构 %(done)s / %(known)s 步）：请以可写权限运行一次 `run.py collect` 或守护进程"),  # noqa: E501
    "backup-is-folder": _n_("%(path)s：这是文件夹；请给出备份文件名"),
    "backup-failed-check": _n_("%(path)s：备份未通过完整性检查：%(why)s"),
    "backup-not-written": _n_("%(path)s：无法写入备份：%(why)s"),
    "locked-waited": _n_("%(path)s：数据库被另一个进程锁定（已等待 %(seconds)s 秒）"),
    "damaged": _n_("%(path)s：该文件不是 SQLite 数据库或已损坏（%(why)s）"),
    "read-only": _n_("%(path)s：当前用户对数据库只有读权限"),
    "disk-full": _n_("%(path)s：磁盘已满（请清理数据库所在磁盘，或调低 [retention]）"),
    "disk-io": _n_("%(path)s：磁盘读写错误（磁盘已满或出现故障）"),
    "database-error": _n_("%(path)s：数据库错误：%(why)s"),
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
    """A workflow (or database) error for the desk: the catalog message of its code, filled with its params;
    an error without a known code is shown whole after 未完成 (nothing a reviewer needs is lost)."""
    code = getattr(exc, "code", None)
    if isinstance(exc, store.StoreError):
        params = dict(exc.params)
        if isinstance(params.get("seconds"), float):
            params["seconds"] = f"{params['seconds']:g}"
        said = catalogs.message(STORE_ERRORS, code, params)
    else:
        said = catalogs.message(ERRORS, code, _desk_params(dict(getattr(exc, "params", {}))))
    return said or _("未完成：%(cause)s", cause=str(exc))


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


def _ids(ids: object) -> str:
    return ", ".join(f"#{i}" for i in ids)  # type: ignore[attr-defined]


def _with_reason(plain: str, with_reason: str, p: Mapping[str, Any], **facts: object) -> str:
    return _(with_reason, **facts, reason=p["reason"]) if p.get("reason") else _(plain, **facts)


# code (review_queue.notes.ENGLISH) -> the note in the reader's language, from its params
NOTES: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "waiting-for-signoff": lambda p: _("等待%(role)s签发", role=role_label(p["role"])),
    "approval-undone": lambda p: _with_reason("通过已撤销", "通过已撤销：%(reason)s", p),
    "checks-overridden": lambda p: _("放行检查（%(what)s）：%(reason)s", what=p["what"], reason=p["reason"]),
    "moved-out-of-column": lambda p: _("移出栏目 %(column)s（签发：%(chain)s）：%(reason)s", column=p["column"],
                                       chain="、".join(role_label(r) for r in p["chain"]), reason=p["reason"]),
    "story-approved": lambda p: _("报道已以 #%(id)s 通过", id=p["id"]),
    "approval-of-item-undone": lambda p: _("#%(id)s 的通过已撤销", id=p["id"]),
    "story-already-out": lambda p: _("报道已以 #%(id)s 发布", id=p["id"]),
    "new-representative": lambda p: _("更新：已以 #%(id)s 发布的报道的新代表稿", id=p["id"]),
    "split-out-of-story": lambda p: _("从报道 %(story)s（与 %(others)s）拆出：%(reason)s", story=p["story"],
                                      others=_ids(p["others"]), reason=p["reason"]),
    "item-split-out": lambda p: _("#%(id)s 已从报道中拆出", id=p["id"]),
    "story-merged-away": lambda p: _("报道 %(gone)s 并入 #%(id)s 的报道 %(keep)s：%(reason)s", **p),
    "story-merged-here": lambda p: _("报道 %(gone)s（%(moved)s）并入本报道：%(reason)s", gone=p["gone"],
                                     moved=_ids(p["moved"]), reason=p["reason"]),
    "new-version": lambda p: _("来源第 %(v)s 版；审核员对标题和正文的修改已作废", v=p["version"])
    if p.get("edits_dropped") else _("来源第 %(v)s 版", v=p["version"]),
    "page-withdrawn": lambda p: _("来源网站撤下了原文：%(why)s", why=p["why"]) if p.get("why")
    else _("来源网站撤下了原文"),
    "page-restored": lambda p: _("来源网站恢复了原文，内容未变"),
    "page-restored-changed": lambda p: _("来源网站恢复了原文，内容已更新"),
    "kept-although-withdrawn": lambda p: _with_reason("来源已撤下原文（%(why)s），仍保留",
                                                      "来源已撤下原文（%(why)s），仍保留：%(reason)s", p, why=p["why"]),
    "published": lambda p: _("发布序号 %(seq)s（更正）", seq=p["seq"]) if p.get("correction")
    else _("发布序号 %(seq)s", seq=p["seq"]),
    "locked-until": lambda p: _("锁定至北京时间 %(until)s", until=_beijing(p["until"])),
    "lock-taken-over": lambda p: _("接管了 %(user)s 的编辑锁", user=p["user"]),
    "lock-broken": lambda p: _("强制解除了 %(user)s 的编辑锁", user=p["user"]),
}


def history_note(entry: Mapping[str, Any] | str | None | Any) -> str:
    """A history entry's (or a review row's) note in the reader's language: the pipeline's own
    notes (a code and its params) through the catalog, a person's reason as it was written.
    A code this release has no message for is shown in its English (nothing is lost)."""
    if entry is None or isinstance(entry, str):
        return entry or ""  # a person's text

    def get(key: str) -> Any:
        return entry.get(key) if isinstance(entry, Mapping) else getattr(entry, key, None)

    code = get("note_code")
    if code:
        return catalogs.message(NOTES, code, get("note_params"), fallback=str(get("note") or code))
    return str(get("note") or "")
