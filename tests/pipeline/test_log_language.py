"""The log lines follow the operator's language: every log call of the product logs a Chinese
catalog id with named params, has its English in the catalog domain ``log`` (same placeholders),
and renders in both languages with its facts. A log line added without its English fails here."""

from __future__ import annotations

import ast
import logging
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import run
from pipeline import logs, wording

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "review_queue/translations/en/LC_MESSAGES/log.po"
PACKAGES = ("pipeline", "collectors", "normalizers", "review_queue", "publisher", "checks", "evaluation", "store",
            "settings", "pages", "sample_province")
LEVELS = {"info", "warning", "error", "exception", "critical"}  # debug is for developers: not translated
PLACEHOLDER = re.compile(r"%\((\w+)\)([-#0 +]*\d*(?:\.\d+)?[sdfgr])")
POSITIONAL = re.compile(r"%[-#0 +]*\d*(?:\.\d+)?[sdfgrx]")
CJK = re.compile(r"[\u4e00-\u9fff]")


def log_calls() -> list[tuple[str, str | None]]:
    """(file:line, message id) of every log call an operator can see: ``log.info/warning/error/
    exception/critical(msg, …)``, ``log.log(level, msg, …)``, the daemon's stop phases
    (``clock.phase(msg)``) and what it writes without logging (``logs.say(msg)``); a message
    that is not a string literal gives None (the catalog
    cannot see it). Both arms of ``a if c else b`` count."""
    found: list[tuple[str, str | None]] = []
    for path in [ROOT / "run.py", *(p for pkg in PACKAGES for p in sorted((ROOT / pkg).rglob("*.py")))]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        forwarding = {id(call) for fn in ast.walk(tree) if isinstance(fn, ast.FunctionDef) and fn.name == "phase"
                      for call in ast.walk(fn)}  # phase() logs the id it is given: its callers' ids count
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)) or id(node) in forwarding:
                continue
            owner = node.func.value.id if isinstance(node.func.value, ast.Name) else ""
            name = node.func.attr
            if owner == "log" and name in LEVELS or name == "phase" or owner == "logs" and name == "say":
                index = 0
            elif owner == "log" and name == "log":
                index = 1
            else:
                continue
            if len(node.args) <= index:
                continue
            arg = node.args[index]
            for one in (arg.body, arg.orelse) if isinstance(arg, ast.IfExp) else (arg,):
                text = one.value if isinstance(one, ast.Constant) and isinstance(one.value, str) else None
                found.append((f"{path.relative_to(ROOT)}:{node.lineno}", text))
    return found


CALLS = log_calls()
with PO.open("rb") as _fh:
    CATALOG = read_po(_fh)


def sample(msgid: str) -> dict[str, object]:
    """A value for each placeholder of *msgid*, of its type."""
    return {name: 7 if spec[-1] in "dfg" else f"<{name}>" for name, spec in PLACEHOLDER.findall(msgid)}


def record(msgid: str, args: object = None, **extra: object) -> logging.LogRecord:
    rec = logging.LogRecord("huiju.test", logging.WARNING, __file__, 1, msgid, (args,) if args else None, None)
    rec.__dict__.update(extra)
    return rec


def test_the_log_calls_are_found() -> None:
    """The finder sees the daemon's, the collectors' and the demo's lines (it cannot pass empty)."""
    ids = {msgid for _, msgid in CALLS}
    assert len(CALLS) > 70
    assert {"网页服务在 %(url)s（审核界面 %(url)s/review/，订阅源 %(url)s/feeds/all.rss）", "已停止，用时 %(t).1fs",
            "停止：调度器已停止，不再启动任务 +%(t).2fs", "来源 %(source)s：可能漏采（%(kind)s）：%(detail)s",
            "示例省份：没有找到语料；使用生成的政务新闻文本"} <= ids


@pytest.mark.parametrize(("where", "msgid"), CALLS, ids=[where for where, _ in CALLS])
def test_every_log_line_is_a_chinese_id_with_its_english(where: str, msgid: str | None) -> None:
    assert msgid is not None, f"{where}: the message is not a string literal: the catalog cannot see it"
    assert CJK.search(msgid), f"{where}: {msgid!r} is not a Chinese catalog id"
    assert not POSITIONAL.search(PLACEHOLDER.sub("", msgid)), f"{where}: {msgid!r}: name the params (%(name)s)"
    entry = CATALOG.get(msgid)
    assert entry is not None and entry.string, f"{where}: no English in log.po for {msgid!r}"
    assert dict(PLACEHOLDER.findall(entry.string)) == dict(PLACEHOLDER.findall(msgid)), (
        f"{where}: {entry.string!r} does not name the placeholders of {msgid!r}")
    facts = sample(msgid)
    chinese = logs.message_of(record(msgid, facts), "zh")
    english = logs.message_of(record(msgid, facts), "en")
    assert chinese == msgid % facts if facts else chinese == msgid
    assert english == entry.string % facts if facts else english == entry.string
    assert not CJK.search(english), f"{where}: the English of {msgid!r} has Chinese in it: {english!r}"
    for value in facts.values():  # every fact is kept, in both languages
        assert str(value) in chinese and str(value) in english


def test_the_catalog_holds_no_line_the_product_no_longer_logs() -> None:
    used = {msgid for _, msgid in CALLS}
    stale = [m.id for m in CATALOG if m.id and m.id not in used]
    assert not stale, stale


def test_a_routine_failure_keeps_the_library_text_as_its_detail() -> None:
    rec = record("备份失败", detail="database or disk is full")
    assert logs.message_of(rec, "zh") == "备份失败：database or disk is full"
    assert logs.message_of(rec, "en") == "backup failed: database or disk is full"


CODED = [  # (message id, its facts, the param's code: table, code, params) -> Chinese, English
    ("来源 %(source)s 失败（连续 %(n)d 次，%(delay).0f 秒后再试）：%(error)s",
     {"source": "harbin", "n": 2, "delay": 120.0, "error": "HTTP 503 at http://h.example/list"},
     {"error": ("collect", "http-status", {"status": 503, "url": "http://h.example/list"})},
     "来源 harbin 失败（连续 2 次，120 秒后再试）：网站回答 HTTP 503：http://h.example/list",
     "source harbin failed (2 in a row, next try in 120s): HTTP 503 at http://h.example/list"),
    ("来源 %(source)s：可能漏采（%(kind)s）：%(detail)s",
     {"source": "harbin", "kind": "burst", "detail": "every item on the 3 list page(s) read was new: older ones may "
      "have been missed (check more often or raise max_pages)"},
     {"detail": ("miss", "burst", {"pages": 3})},
     "来源 harbin：可能漏采（burst）：读到的 3 页列表上每一条都是新的：更早的可能漏掉了（检查得更勤些，或调高 max_pages）",
     "source harbin: possible miss (burst): every item on the 3 list page(s) read was new: older ones may have been "
     "missed (check more often or raise max_pages)"),
    ("评估：%(warning)s", {"warning": "report.pdf not written: chromium failed: boom"},
     {"warning": ("report", "pdf-chromium-failed", {"error": "boom"})},
     "评估：未写出 report.pdf：chromium 运行失败：boom", "evaluation: report.pdf not written: chromium failed: boom"),
    ("发布：新的数据流纪元 %(epoch)s（%(reason)s）：门户须从 since=0 重新同步",
     {"epoch": "e2", "reason": "highest seq 3 is below the 9 already served (restored from a backup)"},
     {"reason": ("epoch", "seq-below", {"seq": 3, "seen": 9})},
     "发布：新的数据流纪元 e2（最高序号 3 低于已提供的 9（从备份恢复））：门户须从 since=0 重新同步",
     "publisher: new stream epoch e2 (highest seq 3 is below the 9 already served (restored from a backup)): portals "
     "must resync from since=0"),
    ("拒绝重新加载，继续使用正在运行的配置：%(error)s",
     {"error": "c.toml: source \"harbin\": bad cron expression '61 * * * *': out of range"},
     {"error": ("config", "bad-cron", {"file": "c.toml", "where": {"kind": "source", "id": "harbin"},
                                       "value": "61 * * * *", "detail": "out of range"})},
     "拒绝重新加载，继续使用正在运行的配置：c.toml：来源 \"harbin\"：cron 表达式 '61 * * * *' 无效（APScheduler 的说明："
     "“out of range”）",
     "reload refused, keeping the running configuration: c.toml: source \"harbin\": bad cron expression '61 * * * *': "
     "out of range"),
]


@pytest.mark.parametrize(("msgid", "facts", "coded", "chinese", "english"), CODED, ids=[c[2][next(iter(c[2]))][0]
                                                                                        for c in CODED])
def test_a_coded_condition_in_a_line_is_worded_in_the_operator_language(msgid: str, facts: dict, coded: dict,
                                                                        chinese: str, english: str) -> None:
    """A collector's failure, a possible miss, a configuration error inside a log line: its code and
    facts worded by run.py in the line's language; without its code, the English as given stays."""
    rec = record(msgid, facts, words=coded)
    try:
        wording.LANGUAGE = "zh"  # the words follow the command line's choice, as in the daemon
        assert logs.message_of(rec, "zh", wording.log_words) == chinese
        wording.LANGUAGE = "en"
        assert logs.message_of(rec, "en", wording.log_words) == english
        uncoded = record(msgid, facts, words={k: (t, None, None) for k, (t, _, _) in coded.items()})
        assert logs.message_of(uncoded, "zh", wording.log_words) == msgid % facts
    finally:
        wording.LANGUAGE = None
        run.use_language()


def test_params_that_do_not_fit_lose_nothing() -> None:
    """A call whose params do not fit its message (a mistake) still writes the message and its facts."""
    rec = record("备份：无法删除旧备份 %(path)s：%(error)s", {"path": "/b/1.db"})  # "error" missing
    assert logs.message_of(rec, "en") == "备份：无法删除旧备份 %(path)s：%(error)s {'path': '/b/1.db'}"


def test_a_message_the_catalog_does_not_know_is_written_as_it_is() -> None:
    assert logs.message_of(record("third-party line %s", "x"), "en") == "third-party line x"


def test_the_last_resort_handler_writes_warnings_in_the_chosen_language(capsys: pytest.CaptureFixture[str]) -> None:
    handler = logs.last_resort("en")
    handler.handle(record("来源 %(source)s 在 %(n)d 次失败后恢复", {"source": "harbin", "n": 3}))
    assert capsys.readouterr().err == "source harbin recovered after 3 failures\n"


def _worded_tables() -> list[tuple[str, str, str, str]]:
    """(table, code, Chinese id in run.py, the package's English) of every coded condition a log
    line or a command words: possible misses, epoch reasons."""
    from collectors import misses
    from publisher import epoch

    return [(name, code, chinese.get(code, ""), english[code])
            for name, chinese, english in (("miss", wording.MISS_DETAILS, misses.DETAILS),
                                           ("epoch", wording.EPOCH_REASONS, epoch.REASONS))
            for code in english]


@pytest.mark.parametrize(("table", "code", "chinese", "english"), _worded_tables(),
                         ids=[f"{t}-{c}" for t, c, _, _ in _worded_tables()])
def test_every_worded_code_has_chinese_and_the_package_english(table: str, code: str, chinese: str,
                                                               english: str) -> None:
    """A code added to collectors.misses.DETAILS or publisher.epoch.REASONS without its Chinese in
    run.py, or whose catalog English is not the package's own, fails here."""
    assert CJK.search(chinese), f"{table} {code}: no Chinese in run.py"
    with (ROOT / "review_queue/translations/en/LC_MESSAGES/cli.po").open("rb") as fh:
        entry = read_po(fh).get(chinese)
    assert entry is not None and entry.string == english, (table, code)
    facts = sample(english)
    try:
        wording.LANGUAGE = "zh"
        said = wording.log_words(table, code, facts, english % facts)
        assert CJK.search(said) and all(str(v) in said for v in facts.values()), said
        wording.LANGUAGE = "en"
        from collectors.misses import grouped

        assert wording.log_words(table, code, facts, english % facts) == english % (grouped(facts) if table == "miss"
                                                                                  else facts)
    finally:
        wording.LANGUAGE = None
        run.use_language()
