"""The workflow's errors carry a code and named facts; the desk shows the catalog message of the
code (Chinese first, English as a locale) and never reads the English line."""

from __future__ import annotations

import ast
import functools
import re
import string
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import review_queue
from review_queue import catalogs, errors, messages

REPO = Path(review_queue.__file__).resolve().parent.parent
CLASSES = {name for name in errors.__all__ if isinstance(getattr(errors, name), type)
           and issubclass(getattr(errors, name), errors.ReviewError)}


def _product_sources() -> list[Path]:
    """run.py and every top-level package of the product (not the tests, benchmarks, the venv)."""
    packages = [d for d in sorted(REPO.iterdir()) if (d / "__init__.py").is_file() and d.name != "tests"]
    return [REPO / "run.py", *(p for d in packages for p in d.rglob("*.py") if "node_modules" not in p.parts)]


@functools.cache
def _raised() -> dict[str, set[str]]:
    """Every code a ReviewError is built with anywhere in the product, with the params given."""
    found: dict[str, set[str]] = {}
    for path in _product_sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        ours = {a.asname or a.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                and node.module in ("review_queue", "review_queue.errors") for a in node.names} & CLASSES
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if not ((isinstance(func, ast.Name) and func.id in ours) or (
                    isinstance(func, ast.Attribute) and func.attr in CLASSES and isinstance(func.value, ast.Name)
                    and func.value.id in ("review_queue", "errors"))):
                continue
            name = func.id if isinstance(func, ast.Name) else func.attr
            where = f"{path.relative_to(REPO)}:{node.lineno}"
            assert node.args, f"{where}: {name} built without a code"
            first = node.args[0]
            options = [first.body, first.orelse] if isinstance(first, ast.IfExp) else [first]
            for option in options:
                assert isinstance(option, ast.Constant) and isinstance(option.value, str), (
                    f"{where}: the code must be written out, so that this test can see it")
                found.setdefault(option.value, set()).update(k.arg for k in node.keywords if k.arg)
    return found


def _placeholders(template: object) -> set[str]:
    if callable(template):
        return set()
    return {name for _, name, _, _ in string.Formatter().parse(str(template)) if name}


def test_every_code_raised_anywhere_has_english_and_a_catalog_message_in_both_locales() -> None:
    raised = _raised()
    assert len(raised) > 35, sorted(raised)
    assert not set(raised) - set(errors.ENGLISH), "codes without an English line in errors.ENGLISH"
    assert not set(raised) - set(messages.ERRORS), "codes without a desk message in messages.ERRORS"
    assert not set(messages.ERRORS) - set(raised), "desk messages of codes nothing raises"
    with (REPO / "review_queue/translations/en/LC_MESSAGES/messages.po").open("rb") as fh:
        english = read_po(fh)
    for code, params in raised.items():
        msgid = messages.ERRORS[code]
        assert re.search(r"[\u4e00-\u9fff]", msgid), f"{code}: the message id is the Chinese text"
        entry = english.get(msgid)
        assert entry is not None and entry.string, f"{code}: no English for {msgid!r}"
        for text in (msgid, entry.string):
            missing = set(re.findall(r"%\((\w+)\)s", text)) - params
            assert not missing, f"{code}: {text!r} names {missing}, which the raise does not give"
        assert _placeholders(errors.ENGLISH[code]) <= params, code


def _sample(name: str) -> object:
    return {"until": "2026-05-01T08:11:00+00:00", "chain": ["editor", "admin"], "roles": ["reviewer", "editor"],
            "columns": ["gov-affairs", "city-news"], "state": "rejected", "source": None, "target": "approved",
            "role": "reviewer", "need": "editor", "action": "approve", "id": 7, "other": 8}.get(name, "x1")


@pytest.mark.parametrize("code", sorted(messages.ERRORS))
def test_each_error_is_one_line_in_english_and_has_its_own_message_in_chinese_and_english(code: str) -> None:
    params = {name: _sample(name) for name in _raised()[code]}
    exc = errors.ReviewError(code, **params)
    assert exc.code == code and exc.params == params
    assert str(exc) and "\n" not in str(exc) and str(exc).replace("→", "").isascii(), str(exc)
    try:
        catalogs.use("zh")
        chinese = messages.error_message(exc)
        catalogs.use("en")
        english = messages.error_message(exc)
    finally:
        catalogs.use("zh")
    assert re.search(r"[\u4e00-\u9fff]", chinese) and not chinese.startswith("未完成"), chinese
    assert "%(" not in chinese and "%(" not in english
    assert not re.search(r"[\u4e00-\u9fff]", english.replace("—", "")), english


def test_the_desk_message_follows_the_code_not_the_english_wording(monkeypatch) -> None:
    """Rewording the English line changes nothing a reviewer reads (no text is parsed)."""
    catalogs.use("zh")
    exc = review_queue.LockedByOther("locked-by-other", id=1, user="rita", until="2026-05-01T08:11:00+00:00")
    assert str(exc) == "item 1 is being edited by rita (locked until 2026-05-01 16:11 Beijing time)"
    monkeypatch.setitem(errors.ENGLISH, "locked-by-other", "{user} holds the edit lock of {id} until {until}")
    reworded = review_queue.LockedByOther("locked-by-other", id=1, user="rita", until="2026-05-01T08:11:00+00:00")
    assert str(reworded) == "rita holds the edit lock of 1 until 2026-05-01 16:11"
    assert messages.error_message(reworded) == messages.error_message(exc) == "#1 正由 rita 编辑（锁定至北京时间 2026-05-01 16:11）"


def test_states_roles_and_actions_are_named_by_their_labels_in_each_language() -> None:
    exc = review_queue.InvalidTransition("wrong-state", id=12, state="rejected", action="approve")
    denied = review_queue.PermissionDenied("needs-role", id=3, action="retract", need="editor", user="rita",
                                           role="reviewer")
    moved = review_queue.PermissionDenied("move-out-needs-editor", id=4, column="gov-affairs", chain=["editor"])
    assert str(exc) == "item 12 is rejected; cannot approve"
    assert str(denied) == "item 3: retract needs the editor role; rita (reviewer) may not"
    assert str(moved) == "item 4: moving it out of gov-affairs (sign-off: editor) needs an editor"
    try:
        catalogs.use("zh")
        assert messages.error_message(exc) == "#12 当前为“已退回”，不能通过"
        assert messages.error_message(denied) == "#3：撤稿需要编辑角色"
        catalogs.use("en")
        assert messages.error_message(exc) == "item 12 is rejected; cannot approve"
        assert messages.error_message(denied) == "item 3: retract needs the editor role"
    finally:
        catalogs.use("zh")


def test_an_unknown_code_or_a_foreign_error_is_shown_whole_after_a_chinese_prefix() -> None:
    catalogs.use("zh")
    new = errors.ReviewError("brand-new-refusal", id=5)
    assert str(new) == "brand-new-refusal (id=5)"
    assert messages.error_message(new) == "未完成：brand-new-refusal (id=5)"
    assert messages.error_message(ValueError("disk full")) == "未完成：disk full"


def test_raised_errors_keep_their_code_through_the_workflow(db) -> None:
    """What the workflow raises is what the desk maps: a real refusal, end to end."""
    with pytest.raises(review_queue.UnknownItem) as info:
        review_queue.approve(db, [404], user="rita", now=datetime(2026, 5, 1, tzinfo=UTC))
    assert (info.value.code, info.value.params) == ("item-not-in-review", {"id": 404})
    catalogs.use("zh")
    assert messages.error_message(info.value) == "#404 不在审核中"
    with pytest.raises(review_queue.WeakPassword) as weak:
        review_queue.add_user(db, "olga", "editor", "olgaolga")
    assert weak.value.code in ("password-too-common", "password-contains-name", "password-repeated")
    assert messages.error_message(weak.value).endswith("请换一个")
