"""Every command has --help and is documented in the README; errors are one line, no traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

import run

REPO = Path(__file__).resolve().parents[2]


def all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    for name, cmd in group.commands.items():
        path = prefix + (name,)
        if isinstance(cmd, click.Group):
            out.extend(all_commands(cmd, path))
        else:
            out.append(path)
    return out


COMMANDS = all_commands(run.cli)


def test_the_design_contract_commands_exist() -> None:
    names = {" ".join(c) for c in COMMANDS}
    for required in ["daemon", "demo", "collect", "probe", "sources", "queue", "review approve",
                     "review reject", "publish", "items", "users add"]:
        assert required in names


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
def test_every_command_has_help_and_is_in_the_readme(command: tuple[str, ...]) -> None:
    result = subprocess.run([sys.executable, "run.py", "--lang", "en", *command, "--help"], cwd=REPO,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Usage:" in result.stdout  # click's own strings in English here (Chinese: test_cli_language)
    assert len(result.stdout.strip().splitlines()) >= 3
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"`{' '.join(command)}" in readme, f"`{' '.join(command)}` is not documented in README.md"


def run_cli(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(REPO / "run.py"), *args], cwd=tmp_path, capture_output=True,
                          text=True, input=stdin, timeout=120)


def test_invalid_config_is_one_line_and_nothing_starts(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text('[[sources]]\nid = "harbin"\nname = "x"\nkind = "city"\n'
                                       'type = "rss"\nurl = "https://a.b/"\ncolumn = "nope"\nevery = "1m"\n')
    result = run_cli(tmp_path, "--lang", "zh", "--config", "bad.toml", "--db", "x.db", "sources")
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0
    assert 'bad.toml：来源 "harbin"：没有栏目 \'nope\'' in result.stderr
    assert "Traceback" not in result.stderr


def test_a_file_that_is_not_a_database_is_one_line_and_unchanged(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.db"
    bogus.write_bytes(b"this is not sqlite" * 100)
    before = bogus.read_bytes()
    result = run_cli(tmp_path, "--config", str(REPO / "schedules.toml"), "--db", str(bogus), "items")
    assert result.returncode != 0
    assert result.stderr == f"error: {bogus}：该文件不是 SQLite 数据库\n"  # Chinese first (store error codes)
    english = run_cli(tmp_path, "--lang", "en", "--config", str(REPO / "schedules.toml"), "--db", str(bogus), "items")
    assert english.stderr == f"error: {bogus}: file is not a SQLite database\n"
    assert bogus.read_bytes() == before


def en_cli(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return run_cli(tmp_path, "--lang", "en", *args, stdin=stdin)


def test_review_commands_speak_chinese_by_default_and_english_when_asked(tmp_path: Path) -> None:
    """Chinese first: LC_ALL, LC_MESSAGES, LANG as gettext reads them (en… is English, anything
    else Chinese), --lang above them all; the `error: ` prefix is the same in every language."""
    import os

    cfg = str(REPO / "schedules.toml")

    def with_env(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        clean = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")}
        return subprocess.run([sys.executable, str(REPO / "run.py"), "--config", cfg, "--db", "h.db", *args],
                              cwd=tmp_path, capture_output=True, text=True, input=stdin, timeout=120,
                              env={**clean, **env})

    added = with_env({}, "users", "add", "ada", "--role", "admin", stdin="correct horse battery\n")
    assert added.stdout == "已添加用户 ada，角色管理员\n"
    english = with_env({"LANG": "en_US.UTF-8"}, "users", "role", "ada", "editor")
    assert english.stdout == "user ada: role editor\n"
    assert with_env({"LANG": "en_US.UTF-8", "LC_ALL": "zh_CN.UTF-8"}, "users", "list").stdout.splitlines()[1] \
        .split() == ["ada", "编辑"]
    assert with_env({"LANG": "C.UTF-8"}, "history", "9").stderr == "error: #9 不在审核中\n"
    assert with_env({"LC_ALL": "en_GB.UTF-8"}, "history", "9").stderr == "error: item 9 is not in review\n"
    assert with_env({"LC_ALL": "en_GB.UTF-8"}, "--lang", "zh", "unlock", "9", "--user", "ada",
                    stdin="correct horse battery\n").stderr == "error: #9 不在审核中\n"
    assert with_env({}, "queue").stdout == "0 组待审\n"
    assert with_env({"LANG": "en"}, "queue").stdout == "0 stories waiting\n"
    weak = with_env({}, "users", "passwd", "ada", stdin="password123\n")
    assert weak.returncode == 1 and weak.stderr == "error: 密码太常见：请换一个\n"


def test_unknown_user_and_unknown_item(tmp_path: Path) -> None:
    cfg = str(REPO / "schedules.toml")
    result = run_cli(tmp_path, "--lang", "zh", "--config", cfg, "--db", "h.db", "review", "approve", "1",
                     "--user", "ghost", stdin="whatever-password\n")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    # the CLI authenticates like the web UI: it does not tell which of name or password was wrong
    assert result.stderr == "error: 用户名或密码错误\n"
    added = run_cli(tmp_path, "--config", cfg, "--db", "h.db", "users", "add", "li", "--role", "reviewer",
                    stdin="correct-horse-battery\n")
    assert added.returncode == 0, added.stderr
    wrong = run_cli(tmp_path, "--config", cfg, "--db", "h.db", "review", "approve", "1", "--user", "li",
                    stdin="wrong-password\n")
    assert wrong.returncode != 0 and wrong.stderr.strip().count("\n") == 0
    missing = run_cli(tmp_path, "--lang", "zh", "--config", cfg, "--db", "h.db", "review", "approve", "424242",
                      "--user", "li", stdin="correct-horse-battery\n")
    assert missing.returncode != 0 and missing.stderr == "error: #424242 不在审核中\n"


def test_wrong_role_is_refused(tmp_path: Path) -> None:
    cfg = str(REPO / "schedules.toml")
    result = run_cli(tmp_path, "--config", cfg, "--db", "h.db", "users", "add", "li", "--role", "boss",
                     stdin="correct-horse-battery\n")
    assert result.returncode != 0
    assert "boss" in result.stderr and "Traceback" not in result.stderr


def test_a_locked_database_is_one_line_and_nothing_changes(tmp_path: Path) -> None:
    import os
    import sqlite3

    cfg = str(REPO / "schedules.toml")
    assert run_cli(tmp_path, "--config", cfg, "--db", "h.db", "sources").returncode == 0  # creates it
    holder = sqlite3.connect(tmp_path / "h.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        env = {**os.environ, "HUIJU_BUSY_TIMEOUT_MS": "300"}
        result = subprocess.run([sys.executable, str(REPO / "run.py"), "--config", cfg, "--db", "h.db", "users",
                                 "add", "li", "--role", "reviewer"], cwd=tmp_path, capture_output=True, text=True,
                                input="correct-horse-battery\n", timeout=120, env=env)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.returncode != 0
    assert "数据库被另一个进程锁定" in result.stderr and result.stderr.strip().count("\n") == 0
    assert "Traceback" not in result.stderr
    listed = run_cli(tmp_path, "--config", cfg, "--db", "h.db", "users", "list", "--json")
    assert "li" not in [u["name"] for u in json.loads(listed.stdout or "[]")]


def test_read_only_commands_never_create_a_database(tmp_path: Path) -> None:
    for command in (["items"], ["queue"], ["users", "list"]):
        result = run_cli(tmp_path, "--config", str(REPO / "schedules.toml"), "--db", "typo/h.db", *command)
        assert result.returncode == 1
        assert "这里没有数据库（请检查 --db" in result.stderr and result.stderr.strip().count("\n") == 0
    assert not (tmp_path / "typo").exists()


@pytest.mark.parametrize("args, expect", [
    (["frobnicate"], "No such command"),
    (["items", "--limit", "0"], "--limit"),
    (["items", "--state", "bogus"], "unknown state 'bogus'"),
    (["items", "--column", "sports"], "unknown column 'sports'"),
    (["users", "add", "zhao", "--role", "boss"], "'boss' is not one of"),
])
def test_a_wrong_command_line_is_one_line(tmp_path: Path, args: list[str], expect: str) -> None:
    run_cli(tmp_path, "--config", str(REPO / "schedules.toml"), "--db", "h.db", "sources")
    result = run_cli(tmp_path, "--lang", "en", "--config", str(REPO / "schedules.toml"), "--db", "h.db", *args)
    assert result.returncode in (1, 2)
    assert expect in result.stderr
    assert result.stderr.strip().count("\n") == 0, result.stderr


def test_sources_alert_after_the_configured_number_of_failures(tmp_path: Path) -> None:
    (tmp_path / "dead.toml").write_text(
        '[collector]\nalert_failures = 1\nconnect_timeout = 1.0\n\n[[sources]]\nid = "dead"\nname = "停机的网站"\n'
        'kind = "county"\ntype = "html"\nurl = "http://127.0.0.1:9/list.html"\ncolumn = "city-news"\n'
        'every = "1h"\n', encoding="utf-8")
    collect = run_cli(tmp_path, "--config", "dead.toml", "--db", "h.db", "collect")
    assert collect.returncode == 1 and "Traceback" not in collect.stderr
    listed = run_cli(tmp_path, "--config", "dead.toml", "--db", "h.db", "sources", "--json")
    [dead] = json.loads(listed.stdout)
    assert dead["alert"] is True and dead["error_count"] == 1
    assert "127.0.0.1" in dead["last_error"] and "\n" not in dead["last_error"]


def test_probe_onboards_a_site_that_demands_a_referer(tmp_path: Path) -> None:
    import os

    import sample_province

    with sample_province.start(port=0, seed=3, speed=0) as province:
        province.advance(days=1)
        hegang = next(s for s in province.sources() if s["id"] == "hegang")
        env = {**os.environ, "province": province.url}

        def probe(*extra: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run([sys.executable, str(REPO / "run.py"), "--config", str(REPO / "demo.toml"),
                                   "probe", hegang["url"], "--json", *extra], cwd=tmp_path, capture_output=True,
                                  text=True, timeout=120, env=env)

        bare = probe()
        assert bare.returncode == 1 and "HTTP 403" in bare.stderr and bare.stderr.count("\n") == 1
        with_referer = probe("--referer", hegang["referer"])
        configured = probe("--source", "hegang")
        truth = {t["url"] for t in province.truth()["items"] if t["site"] == "hegang"}
    for result in (with_referer, configured):
        assert result.returncode == 0, result.stderr
        found = json.loads(result.stdout)
        assert found and {f["url"] for f in found} <= truth
        assert all(f["title"] and f["published_at"] for f in found)
    assert not (tmp_path / "data").exists()  # probe stores nothing


def test_sources_shows_a_list_checked_less_often_while_it_is_sent_whole_and_unchanged(tmp_path: Path) -> None:
    from tests.collectors.fakeweb import FakeWeb

    web = FakeWeb()
    try:
        web.route("/feed.xml", '<rss version="2.0"><channel><title>t</title><item><title>伊春市新闻</title>'
                  f'<link>{web.url}/a.html</link><guid>a</guid></item></channel></rss>',
                  headers={"Content-Type": "application/rss+xml"})  # no ETag, no Last-Modified
        (tmp_path / "c.toml").write_text(
            f'[[sources]]\nid = "yichun"\nname = "伊春市人民政府"\nkind = "city"\ntype = "rss"\n'
            f'url = "{web.url}/feed.xml"\ncolumn = "city-news"\nevery = "15m"\n', encoding="utf-8")
        for _ in range(2):
            assert run_cli(tmp_path, "--config", "c.toml", "--db", "h.db", "collect").returncode == 0
    finally:
        web.stop()
    listed = run_cli(tmp_path, "--lang", "zh", "--config", "c.toml", "--db", "h.db", "sources")
    [row] = [line for line in listed.stdout.splitlines() if line.startswith("yichun")]
    assert " 30m* " in row  # nothing new in a list downloaded whole: twice the interval
    assert "* 检查得更少：" in listed.stdout and " 正常 " in row  # the state in the chosen language
    english = run_cli(tmp_path, "--lang", "en", "--config", "c.toml", "--db", "h.db", "sources").stdout
    assert "* checked less often" in english and " 30m* " in english
    [data] = json.loads(run_cli(tmp_path, "--config", "c.toml", "--db", "h.db", "sources", "--json").stdout)
    assert data["check_every"] == 1800 and data["relaxed"] is True and data["idle_checks"] == 1


def test_collect_recheck_picks_up_a_corrected_detail_page_at_once(tmp_path: Path) -> None:
    from tests.collectors.fakeweb import FakeWeb

    web = FakeWeb()

    def page(text: str) -> str:
        return ("<html><head><meta name='ArticleTitle' content='黑河市召开边境贸易工作会议'></head><body>"
                f"<div class='body'><p>{text}</p></div></body></html>")

    try:
        web.route("/list.html", '<html><body><ul class="l"><li><a href="/a/1.html">黑河市召开边境贸易工作会议</a>'
                  "<span>2024-05-01</span></li></ul></body></html>")
        web.route("/a/1.html", page("会议研究部署边境贸易发展工作，出席会议的有市直各部门负责人。"))
        (tmp_path / "c.toml").write_text(
            f'[[sources]]\nid = "heihe"\nname = "黑河市人民政府"\nkind = "city"\ntype = "html"\n'
            f'url = "{web.url}/list.html"\ncolumn = "city-news"\nevery = "15m"\n'
            'list = { items = "ul.l li", date = "span" }\ndetail = { body = "div.body" }\n', encoding="utf-8")

        def collect(*extra: str) -> dict:
            out = run_cli(tmp_path, "--config", "c.toml", "--db", "h.db", "collect", "--json", *extra)
            assert out.returncode == 0, out.stderr
            return json.loads(out.stdout)["sources"][0]

        assert collect()["new"] == 1
        web.route("/a/1.html", page("更正：会议研究部署边境贸易发展工作，出席会议的有市直各部门主要负责人。"))
        assert collect()["versions"] == 0  # its first re-check is 3 h away
        assert web.count("/a/1.html") == 1
        assert collect("--recheck")["versions"] == 1
    finally:
        web.stop()


def test_a_disabled_source_named_on_the_command_line_is_collected_and_the_operator_told(tmp_path: Path) -> None:
    from tests.collectors.fakeweb import FakeWeb

    web = FakeWeb()
    try:
        web.route("/rss.xml", '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
                  '<item><title>伊春市召开林下经济发展推进会</title><link>/a/1.html</link>'
                  "<pubDate>Thu, 01 May 2025 09:00:00 +0800</pubDate><description>正文。</description></item>"
                  "</channel></rss>", headers={"Content-Type": "application/rss+xml"})
        (tmp_path / "c.toml").write_text(f'[[sources]]\nid = "yichun"\nname = "伊春"\nkind = "city"\ntype = "rss"\n'
                                         f'url = "{web.url}/rss.xml"\ncolumn = "city-news"\nevery = "1h"\n'
                                         "enabled = false\n", encoding="utf-8")
        result = run_cli(tmp_path, "--lang", "zh", "--config", "c.toml", "--db", "x.db", "collect", "--source", "yichun")
    finally:
        web.stop()
    assert result.returncode == 0, result.stderr
    assert "note: 来源 'yichun' 设置了 enabled = false；因为点名了它，仍然采集" in result.stderr
    assert "新    1" in result.stdout


def test_review_approve_cannot_move_an_item_out_of_its_signoff(tmp_path: Path) -> None:
    import normalizers
    import review_queue
    import settings
    import store
    from collectors.model import CollectedItem

    cfg = str(REPO / "schedules.toml")
    config = settings.load(cfg)
    source = next(s for s in config.sources if s.column == "gov-affairs")
    db = store.open_db(tmp_path / "h.db")
    normalizers.init(db)
    review_queue.init(db)
    review_queue.add_user(db, "rita", "reviewer", "correct horse battery")
    item = CollectedItem(source_id=source.id, identity="a1", identity_rule="link", url=f"{source.url}a1.html",
                         title="省政府常务会议研究部署冬季安全生产工作", html="<p>会议研究部署冬季安全生产工作。</p>" * 3,
                         published="2026-01-13 09:30", fetched_at="2026-01-13T02:00:00+00:00")
    with store.transaction(db):
        result = normalizers.ingest(db, 1, item, source, config)
        assert review_queue.submit(db, result, source) == "pending"
    db.close()
    result = run_cli(tmp_path, "--lang", "en", "--config", cfg, "--db", "h.db", "review", "approve",
                     str(result.item_id), "--column", "city-news", "--user", "rita", stdin="correct horse battery\n")
    assert result.returncode == 1 and result.stderr.strip().count("\n") == 0
    assert "moving it out of gov-affairs (sign-off: editor) needs an editor" in result.stderr


def test_admin_commands_reset_passwords_end_sessions_and_show_history(tmp_path: Path) -> None:
    import review_queue
    import store

    cfg = str(REPO / "schedules.toml")
    run_cli = en_cli  # this test reads the English locale; the next one the Chinese default
    assert run_cli(tmp_path, "--config", cfg, "--db", "h.db", "users", "add", "ada", "--role", "admin",
                   stdin="correct horse battery\n").returncode == 0
    weak = run_cli(tmp_path, "--config", cfg, "--db", "h.db", "users", "add", "bob", "--role", "reviewer",
                   stdin="password123\n")
    assert weak.returncode == 1 and weak.stderr.startswith("error: password too common")
    db = store.open_db(tmp_path / "h.db")
    token = review_queue.sessions.start(db, "ada")
    db.close()
    r = run_cli(tmp_path, "--config", cfg, "--db", "h.db", "users", "passwd", "ada", stdin="another long secret\n")
    assert r.returncode == 0 and "every session of ada ended" in r.stdout
    db = store.open_db(tmp_path / "h.db")
    assert review_queue.sessions.check(db, token) is None
    assert review_queue.authenticate(db, "ada", "another long secret").role == "admin"
    db.close()
    assert "role editor" in run_cli(tmp_path, "--config", cfg, "--db", "h.db", "users", "role", "ada", "editor").stdout
    assert run_cli(tmp_path, "--config", cfg, "--db", "h.db", "users", "disable", "ada").returncode == 0
    listed = run_cli(tmp_path, "--config", cfg, "--db", "h.db", "users", "list").stdout
    assert "ada" in listed and "(disabled)" in listed
    assert run_cli(tmp_path, "--config", cfg, "--db", "h.db", "users", "enable", "ada").returncode == 0
    missing = run_cli(tmp_path, "--config", cfg, "--db", "h.db", "history", "7")
    assert missing.returncode == 1 and missing.stderr.strip() == "error: item 7 is not in review"


def test_history_shows_the_pipelines_notes_in_the_chosen_language_and_json_keeps_their_codes(tmp_path: Path) -> None:
    import pipeline
    import store
    from review_queue.history import record
    from review_queue.notes import note

    cfg = str(REPO / "schedules.toml")
    db = store.open_db(tmp_path / "h.db")
    pipeline.init_all(db)
    db.execute("INSERT INTO reviews (item_id, state, submitted_at, updated_at) VALUES (5, 'published', 't', 't')")
    record(db, 5, at="2026-01-13T02:10:00+00:00", actor="publisher", action="publish", from_state="approved",
           to_state="published", note=note("published", seq=12, correction=True))
    record(db, 5, at="2026-01-13T02:11:00+00:00", actor="rita", action="retract", from_state="published",
           to_state="retracted", note="数字有误")
    db.close()
    chinese = run_cli(tmp_path, "--config", cfg, "--db", "h.db", "history", "5").stdout.splitlines()
    assert "发布" in chinese[0] and chinese[0].endswith("发布序号 12（更正）") and chinese[1].endswith("数字有误")
    english = en_cli(tmp_path, "--config", cfg, "--db", "h.db", "history", "5").stdout.splitlines()
    assert english[0].endswith("published as seq 12 (correction)") and english[1].endswith("数字有误")
    entries = json.loads(run_cli(tmp_path, "--config", cfg, "--db", "h.db", "history", "5", "--json").stdout)
    assert [(e["note_code"], e["note_params"], e["note"], e["note_text"]) for e in entries] == [
        ("published", {"seq": 12, "correction": True}, "seq 12 (correction)", "发布序号 12（更正）"),
        (None, {}, "数字有误", "数字有误")]
    assert entries[1]["action_name"] == "撤稿"
