"""The operator's commands (collect, probe, sources, columns, publish, items, checks, backup, prune,
evaluate, daemon, demo) speak the command line's language: Chinese by default, English with
--lang en or an English locale. Identifiers (source and column ids, states, codes, URLs, paths) are
the same in both; --json is not translated (other tests read it)."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import run
import settings
from pipeline import wording
from review_queue import catalogs
from tests.collectors.fakeweb import FakeWeb

REPO = Path(__file__).resolve().parents[2]
LOCALE_VARS = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
WORD = re.compile(r"[A-Za-z][A-Za-z_-]*[A-Za-z]")
URL_OR_PATH = re.compile(r"https?://\S+|[\w.-]*/[\w./-]+|\b\w+\.\w+\b")  # and dotted names: run.py, a.table
TITLES = ["伊春市召开林下经济发展推进会", "伊春市开展森林防火专项检查"]
# the words that are identifiers, the same in every language: the error/warning/note tags, commands
# and options named in a hint, config keys, codes of states (items), statuses (columns), severities
IDENTIFIERS = {"error", "note", "warning", "queue", "withdrawn", "sources", "approval_hold",
               "idle_max", "enabled", "false", "Ctrl-C", "YYYY-MM-DD", "from", "to", "MB", "ok", "cron",
               "published", "pending", "new", "stale", "warn", "alert", "JSON", "yichun", "nope", "March",
               "bogus", "db", "utf"}


def words_not_chinese(text: str, identifiers: set[str]) -> list[str]:
    """The English words of *text* that are not identifiers: none in Chinese output."""
    text = URL_OR_PATH.sub(" ", text)
    return [w for w in WORD.findall(text) if w not in identifiers and w.lower() not in identifiers]


def assert_in_language(lang: str, text: str, *, data: tuple[str, ...] = (), identifiers: set[str] = frozenset()) -> None:
    """Chinese: every line's words are Chinese or identifiers. English: no Chinese outside *data*
    (titles and names that come from the sites and the configuration)."""
    assert text.strip(), "nothing printed"
    if lang == "zh":
        assert CJK.search(text), text
        stray = words_not_chinese(text, IDENTIFIERS | identifiers)
        assert not stray, f"English words {stray} in the Chinese output:\n{text}"
    else:
        for item in sorted(data, key=len, reverse=True):
            text = text.replace(item, "")
        assert not CJK.search(text), f"Chinese in the English output:\n{text}"


def serve_feed(web: FakeWeb, links: str, *, guids: bool) -> None:
    """/rss.xml on *web*: the two TITLES as items linking under *links*, with guids or without."""
    items = "".join(f"<item><title>{t}</title><link>{links}/{i}.html</link>" + (f"<guid>a{i}</guid>" if guids else "")
                    + f"<pubDate>Thu, 0{i + 1} May 2025 09:00:00 +0800</pubDate>"
                    f"<description>{t}。全市各部门认真落实部署，推动工作取得实效。</description></item>"
                    for i, t in enumerate(TITLES))
    web.route("/rss.xml", f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>伊春</title>'
              f"{items}</channel></rss>", headers={"Content-Type": "application/rss+xml"})


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """A feed of two stories served on 127.0.0.1, a configuration with it, a database."""
    tmp = tmp_path_factory.mktemp("ops-lang")
    web = FakeWeb()
    serve_feed(web, "/a", guids=True)
    for i, t in enumerate(TITLES):
        web.route(f"/a/{i}.html", f"<html><head><title>{t}</title></head><body><h1>{t}</h1>"
                  f"<p>{t}。全市各部门认真落实部署，推动工作取得实效。</p></body></html>")
    cfg = tmp / "c.toml"
    cfg.write_text(f'[web]\napproval_hold = 0\n\n[[sources]]\nid = "yichun"\nname = "伊春市人民政府"\nkind = "city"\n'
                   f'type = "rss"\nurl = "{web.url}/rss.xml"\ncolumn = "city-news"\nevery = "1h"\nreview = "auto"\n',
                   encoding="utf-8")
    config = settings.load(str(cfg))
    columns = set(config.columns)
    names = tuple(c.name for c in config.columns.values())
    try:
        yield {"tmp": tmp, "cfg": str(cfg), "db": str(tmp / "h.db"), "url": web.url, "columns": columns,
               "data": (*TITLES, "伊春市人民政府", "伊春", *names)}
    finally:
        web.stop()
        catalogs.use(catalogs.DEFAULT)


def invoke(site: dict[str, object], lang: str, *args: str) -> Result:
    return CliRunner().invoke(run.cli, ["--lang", lang, "--config", str(site["cfg"]), "--db", str(site["db"]), *args])


BOTH = pytest.mark.parametrize("lang", ["zh", "en"])


@BOTH
def test_collect_prints_each_source_and_the_pipeline_in_the_chosen_language(site: dict, lang: str) -> None:
    result = invoke(site, lang, "collect")
    assert result.exit_code == 0, result.output
    [row, summary] = result.stdout.splitlines()
    assert row.startswith("yichun ") and summary.startswith("流程：入库" if lang == "zh" else "pipeline: ingested")
    assert (" 正常" if lang == "zh" else "  ok") in row
    assert_in_language(lang, result.stdout, data=site["data"])


@BOTH
def test_probe_items_charset_and_count(site: dict, lang: str) -> None:
    result = invoke(site, lang, "probe", f"{site['url']}/rss.xml")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[-1] == ("2 条" if lang == "zh" else "2 items")
    assert (("字符集：utf-8" if lang == "zh" else "charset: utf-8") in lines[-2]), lines
    assert_in_language(lang, result.stdout, data=site["data"])


@BOTH
def test_sources_columns_items_publish_checks_backup_prune(site: dict, lang: str) -> None:
    assert invoke(site, lang, "collect").exit_code == 0
    idents = set(site["columns"]) | {"c", "rss", "atom"}
    outputs = {}
    for args in (["sources"], ["columns"], ["items"], ["publish", "--export", str(site["tmp"] / "out")],
                 ["checks", "--links"], ["backup", str(site["tmp"] / "copy.db")], ["prune", "--dry-run"], ["prune"]):
        result = invoke(site, lang, *args)
        assert result.exit_code in (0, 3), (args, result.output)  # columns: 3 while some column is stale
        assert not result.stderr, result.stderr
        assert_in_language(lang, result.stdout, data=site["data"], identifiers=idents)
        outputs[args[0]] = result.stdout
    zh = lang == "zh"
    assert outputs["sources"].startswith("来源 " if zh else "SOURCE ")
    assert re.search(r"^yichun +  (正常|ok) ", outputs["sources"], re.M), outputs["sources"]
    assert outputs["columns"].startswith("栏目 " if zh else "COLUMN ")
    assert ("栏目「" if zh else "column ") in outputs["columns"].splitlines()[-1]
    assert outputs["items"].splitlines()[-1] == ("2 条" if zh else "2 items")
    assert re.match(r"(已发布|published) \d+", outputs["publish"]), outputs["publish"]
    assert re.search(r"^(已导出 \d+ 个文件到|exported \d+ files to) \S+/out$", outputs["publish"], re.M)
    assert outputs["checks"].splitlines()[0].startswith("已检查链接" if zh else "links checked")
    assert outputs["checks"].splitlines()[-1] == ("0 个未处理的发现，其中 0 个阻止通过" if zh
                                                  else "0 open findings, 0 blocking approval")
    assert re.match(r"(备份|backup) \S+copy\.db(：|: )[\d,]+ (字节|bytes)", outputs["backup"])
    assert outputs["prune"].splitlines()[-1].startswith("共已清理" if zh else "pruned ")


@pytest.mark.parametrize(("args", "zh", "en"), [
    (["collect", "--source", "nope"], "没有来源 'nope'（见 `run.py sources`）", "unknown source 'nope' (see `run.py sources`)"),
    (["probe", "http://127.0.0.1:9/", "--source", "nope"], "没有来源 'nope'", "unknown source 'nope'"),
    (["items", "--state", "bogus"], "没有状态 'bogus'（已有：new, ", "unknown state 'bogus' (known: new, "),
    (["items", "--column", "bogus"], "没有栏目 'bogus'（已有：", "unknown column 'bogus' (known: "),
    (["evaluate", "--from", "March"], "--from 'March' 不是日期（YYYY-MM-DD）", "--from 'March' is not a date (YYYY-MM-DD)"),
    (["evaluate", "--from", "2026-02-01", "--to", "2026-01-01"], "--from 2026-02-01 晚于 --to 2026-01-01",
     "--from 2026-02-01 is after --to 2026-01-01"),
], ids=["collect-source", "probe-source", "items-state", "items-column", "evaluate-date", "evaluate-range"])
def test_the_commands_own_errors_are_one_line_in_the_chosen_language(site: dict, args: list[str], zh: str,
                                                                      en: str) -> None:
    for lang, expected in (("zh", zh), ("en", en)):
        result = invoke(site, lang, *args)
        assert result.exit_code == 1 and not result.stdout, result.output
        assert result.stderr.startswith(f"error: {expected}") and result.stderr.count("\n") == 1, result.stderr
        assert_in_language(lang, result.stderr, identifiers=set(site["columns"]) | {"gov", "affairs"}
                           | {"approved", "corrected", "awaiting-signoff", "rejected", "retracted", "duplicate"})


def test_the_environment_chooses_english_without_lang(site: dict) -> None:
    result = CliRunner().invoke(run.cli, ["--config", str(site["cfg"]), "--db", str(site["db"]), "items"],
                                env={**dict.fromkeys(LOCALE_VARS), "LANG": "en_US.UTF-8"})
    assert result.stdout.splitlines()[-1] == "2 items", result.output
    chinese = CliRunner().invoke(run.cli, ["--config", str(site["cfg"]), "--db", str(site["db"]), "items"],
                                 env={**dict.fromkeys(LOCALE_VARS), "LANG": "C.UTF-8"})
    assert chinese.stdout.splitlines()[-1] == "2 条", chinese.output


@BOTH
def test_the_demo_banner_says_where_everything_is(lang: str) -> None:
    from pipeline.demo import banner

    catalogs.use(lang)
    try:
        lines = banner(province_url="http://127.0.0.1:8081", web_url="http://127.0.0.1:8080", username="demo",
                       password="4f9Q2z7", corpus_dir=None, db_path="data/demo.db", config_path="demo.toml")
    finally:
        catalogs.use(catalogs.DEFAULT)
    text = "\n".join(lines)
    assert ("用户：demo（编辑）   密码：4f9Q2z7" if lang == "zh" else "user: demo (editor)   password: 4f9Q2z7") in text
    for url in ("http://127.0.0.1:8081/", "http://127.0.0.1:8080/review/", "http://127.0.0.1:8080/feeds/all.rss",
                "http://127.0.0.1:8080/api/v1/items", "http://127.0.0.1:8080/healthz", "http://127.0.0.1:8080/metrics"):
        assert url in text
    assert_in_language(lang, text, identifiers={"demo"})


def _daemon(env_lang: dict[str, str], cfg: str, db: str, port: int) -> subprocess.Popen[str]:
    clean = {k: v for k, v in os.environ.items() if k not in LOCALE_VARS}
    return subprocess.Popen([sys.executable, str(REPO / "run.py"), "--config", cfg, "--db", db, "daemon",
                             "--host", "127.0.0.1", "--port", str(port)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**clean, **env_lang})


@pytest.mark.parametrize(("env", "start", "busy"), [
    ({}, "汇聚守护进程：已启用 1 个来源，网页服务 http://127.0.0.1:{port}（Ctrl-C 停止）",
     "error: 端口 {port} 已被占用；用 --port 另选一个\n"),
    ({"LANG": "en_US.UTF-8"}, "Huiju daemon: 1 source enabled, web on http://127.0.0.1:{port} (Ctrl-C stops)",
     "error: port {port} is in use; choose another with --port\n"),
], ids=["zh", "en"])
def test_the_daemon_start_line_and_a_busy_port(tmp_path: Path, env: dict[str, str], start: str, busy: str) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[[sources]]\nid = "harbin"\nname = "哈尔滨市人民政府"\nkind = "city"\ntype = "rss"\n'
                   'url = "http://127.0.0.1:9/rss.xml"\ncolumn = "city-news"\nevery = "10m"\n', encoding="utf-8")
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        refused = _daemon(env, str(cfg), str(tmp_path / "h.db"), port)
        out, err = refused.communicate(timeout=60)
    assert refused.returncode == 1 and err == busy.format(port=port), err
    proc = _daemon(env, str(cfg), str(tmp_path / "h.db"), port)  # the port is free again
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
    assert first == start.format(port=port) + "\n"


@pytest.mark.parametrize("code", ["pdf-no-chromium", "pdf-chromium-failed", "pdf-chromium-exited"])
def test_every_warning_of_the_evaluation_report_is_worded_in_both_languages(code: str,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from evaluation.output import ENGLISH, ReportWarning

    assert set(ENGLISH) == {"pdf-no-chromium", "pdf-chromium-failed", "pdf-chromium-exited"}  # a new one: word it
    warning = ReportWarning(code, {"error": "[Errno 13] Permission denied", "status": 133, "detail": "SIGTRAP"})
    try:
        monkeypatch.setattr(wording, "LANGUAGE", "zh")  # (what --lang sets)
        chinese = wording.report_warning(warning)
        monkeypatch.setattr(wording, "LANGUAGE", "en")
        english = wording.report_warning(warning)
    finally:
        catalogs.use(catalogs.DEFAULT)
    assert english == str(warning) and chinese.startswith("未写出 report.pdf：")
    assert_in_language("zh", chinese, identifiers={"chromium", "apt-get", "install", "fonts-noto-cjk", "Errno",
                                                   "Permission", "denied", "SIGTRAP"})


@pytest.mark.parametrize(("lang", "interrupted", "aborted"), [("zh", "已中断\n", "已取消\n"),
                                                            ("en", "interrupted\n", "aborted\n")])
def test_ctrl_c_and_an_abort_are_said_in_the_chosen_language(site: dict, lang: str, interrupted: str, aborted: str,
                                                             monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    def stopped(exc: BaseException):
        def config(self: object, variables: object = None) -> None:
            raise exc
        return config

    monkeypatch.setattr(run.Ctx, "config", stopped(KeyboardInterrupt()))  # Ctrl-C while a command runs
    result = invoke(site, lang, "sources")
    assert result.exit_code == 130 and result.stderr == interrupted and not result.stdout
    monkeypatch.setattr(run.Ctx, "config", stopped(run.click.Abort()))  # e.g. Ctrl-D at a password prompt
    monkeypatch.setattr(sys, "argv", ["run.py", "--lang", lang, "--config", str(site["cfg"]), "sources"])
    with pytest.raises(SystemExit) as stop:
        run.main()
    assert stop.value.code == 1 and capsys.readouterr().err == aborted


def test_every_coded_collection_reason_is_worded_in_chinese_and_its_english_is_the_collectors_own() -> None:
    from babel.messages.pofile import read_po

    from collectors import errors

    raised = set()
    for path in (REPO / "collectors").rglob("*.py"):
        raised |= set(re.findall(r'\bcode="([a-z0-9-]+)"', path.read_text(encoding="utf-8")))
    assert raised and raised <= set(errors.ENGLISH), f"codes without an English line: {raised - set(errors.ENGLISH)}"
    assert set(wording.COLLECT_REASONS) == set(errors.ENGLISH) and set(wording.COLLECT_CLAUSES) == set(errors.CLAUSES)
    with (REPO / "review_queue/translations/en/LC_MESSAGES/cli.po").open("rb") as fh:
        catalog = read_po(fh)
    for table, english in ((wording.COLLECT_REASONS, errors.ENGLISH), (wording.COLLECT_CLAUSES, errors.CLAUSES)):
        for code, msgid in table.items():
            assert catalog.get(msgid).string == english[code], code  # one English, the collectors'


@pytest.fixture()
def blocked(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A site answering 403 with Retry-After: 120, behind a configured source."""
    web = FakeWeb()
    web.route("/rss.xml", "<html><body>访问受限</body></html>", status=403, headers={"Retry-After": "120"})
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[[sources]]\nid = "yichun"\nname = "伊春市人民政府"\nkind = "city"\ntype = "rss"\n'
                   f'url = "{web.url}/rss.xml"\ncolumn = "city-news"\nevery = "1h"\n', encoding="utf-8")
    try:
        yield {"cfg": str(cfg), "db": str(tmp_path / "h.db"), "url": f"{web.url}/rss.xml"}
    finally:
        web.stop()


def test_a_failing_site_is_explained_in_the_chosen_language(blocked: dict[str, str]) -> None:
    """collect, sources and probe word the collectors' coded reason; --json keeps the English line."""
    url = blocked["url"]
    zh, en = f"网站回答 HTTP 403：{url}，120 秒后重试", f"HTTP 403 at {url}, retry after 120s"
    collected = invoke(blocked, "zh", "collect")
    assert collected.exit_code == 1 and collected.stdout.splitlines()[0].endswith(f"错误 {zh}"), collected.output
    assert invoke(blocked, "en", "collect").stdout.splitlines()[0].endswith(f"ERROR {en}")
    listed = {lang: invoke(blocked, lang, "sources").stdout.splitlines()[1] for lang in ("zh", "en")}
    assert listed["zh"].endswith(zh) and " 退避中 " in listed["zh"], listed
    assert listed["en"].endswith(en) and " backing-off " in listed["en"], listed
    [row] = json.loads(invoke(blocked, "zh", "sources", "--json").stdout)
    assert row["last_error"] == en and row["last_error_code"] == "http-status"
    assert row["last_error_params"] == {"status": 403, "url": url, "retry": 120.0, "challenge": False}
    for lang, line in (("zh", zh), ("en", en)):
        probed = invoke(blocked, lang, "probe", url)
        assert probed.exit_code == 1 and probed.stderr == f"error: {line}\n", probed.stderr
    assert_in_language("zh", collected.stdout + listed["zh"], identifiers={"yichun", "HTTP"})


@pytest.fixture(scope="module")
def guidless(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """A feed whose items carry no guid: its items are identified by their links, and `sources` says why."""
    tmp = tmp_path_factory.mktemp("guidless")
    web = FakeWeb()
    serve_feed(web, f"{web.url}/b", guids=False)
    cfg = tmp / "c.toml"
    cfg.write_text(f'[[sources]]\nid = "yichun"\nname = "伊春市人民政府"\nkind = "city"\ntype = "rss"\n'
                   f'url = "{web.url}/rss.xml"\ncolumn = "city-news"\nevery = "1h"\n', encoding="utf-8")
    try:
        yield {"tmp": tmp, "cfg": str(cfg), "db": str(tmp / "h.db"), "data": (*TITLES, "伊春市人民政府", "伊春")}
    finally:
        web.stop()
        catalogs.use(catalogs.DEFAULT)


@BOTH
def test_sources_says_why_items_are_identified_by_their_links(guidless: dict, lang: str) -> None:
    assert invoke(guidless, lang, "collect").exit_code == 0
    result = invoke(guidless, lang, "sources")
    assert result.exit_code == 0, result.output
    said = ("条目身份：2 条中有 2 条的guid为空，改按链接认定" if lang == "zh"
            else "item identity: guids empty in 2 of 2 items: identity by link")
    assert said in result.stdout, result.stdout
    assert_in_language(lang, result.stdout, data=guidless["data"], identifiers={"guid"})
    [row] = json.loads(invoke(guidless, lang, "sources", "--json").stdout)
    assert row["identity_note_facts"] == {"code": "empty", "params": {"rule": "guid", "next": "link", "items": 2,
                                                                      "empty": 2, "repeated": 0}}


@BOTH
def test_the_log_line_of_a_new_identity_rule_is_in_the_operators_language(lang: str, caplog, monkeypatch) -> None:
    from datetime import UTC, datetime

    from collectors.identity import rule_note
    from collectors.state import SourceState
    from pipeline import logs
    from settings.model import CollectorSettings

    with caplog.at_level("WARNING", logger="huiju.collectors"):
        SourceState("yichun", identity_rule="link").record_success(
            datetime(2026, 5, 1, tzinfo=UTC), CollectorSettings(), new=True, changed=False, list_whole=True,
            backlog=False, warnings=[], identity_rule="hash", identity_note=rule_note("link", "hash", 10, 1, 2))
    [record] = caplog.records
    monkeypatch.setattr(wording, "LANGUAGE", lang)
    assert logs.message_of(record, lang, wording.log_words) == (
        "来源 yichun 的条目身份：10 条中有 1 条的链接为空、2 条重复，改按链接、日期和标题的哈希认定" if lang == "zh" else
        "source yichun, item identity: links empty in 1 and repeated in 2 of 10 items: identity by hash of link, "
        "date and title")
