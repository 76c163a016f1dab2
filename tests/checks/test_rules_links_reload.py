"""Dates, source lines, the link pass against a real local server, and term lists reloaded from disk."""

from __future__ import annotations

import http.server
import logging
import os
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

import checks
import pipeline
import settings
import store
from settings import CheckSettings

T0 = datetime(2026, 5, 2, 1, 0, tzinfo=UTC)


def codes(found) -> list[str]:
    return [f.code for f in found]


def test_a_publish_time_in_the_future_or_long_before_collection_is_a_finding() -> None:
    c = checks.Checker()
    collected = "2026-05-02T01:00:00+00:00"  # 09:00 Beijing time
    item = checks.ItemText(title="t", text="", collected_at=collected)
    item.published_at = "2026-05-02T09:00:00+08:00"
    assert codes(c.run(item)) == []
    item.published_at = "2026-05-03T00:00:00+08:00"  # tomorrow, Beijing time
    assert codes(c.run(item)) == ["DATE-FUTURE"]
    item.published_at = "2025-09-01T00:00:00+08:00"  # eight months before collection
    assert codes(c.run(item)) == ["DATE-FAR"]
    # an unknown date is not invented into a finding, and date_far_days = 0 turns the check off
    item.published_at = None
    assert codes(c.run(item)) == []
    item.published_at = "2025-09-01T00:00:00+08:00"
    assert codes(checks.Checker(CheckSettings(date_far_days=0)).run(item)) == []


def test_a_column_that_requires_a_source_line_and_severities_from_the_config(tmp_path) -> None:
    cfg = tmp_path / "s.toml"
    cfg.write_text('[checks]\nseverity = { "PII-MOBILE" = "block" }\n[[columns]]\nid = "a"\nname = "甲"\n'
                   'source_required = true\n[[columns]]\nid = "b"\nname = "乙"\n', encoding="utf-8")
    config = settings.load(cfg)
    c = checks.checker(config)
    found = c.run(checks.ItemText(title="", text="联系电话13945012345", column="a"))
    assert [(f.code, f.severity) for f in found] == [("PII-MOBILE", "block"), ("SOURCE-MISSING", "warn")]
    assert codes(c.run(checks.ItemText(title="", text="", column="a", source_line="黑龙江日报"))) == []
    assert codes(c.run(checks.ItemText(title="", text="", column="b"))) == []


@pytest.mark.parametrize("toml, words", [
    ('[checks]\nterms = "x.txt"\n', "terms must be a list"),
    ('[checks]\nseverity = { "PII-ID" = "fatal" }\n', "severity must map"),
    ('[checks]\nlink_timeout = "ten"\n', "wrong type"),
    ('[checks]\nspeed = 1\n', "unknown key 'speed'"),
    ('[[columns]]\nid = "a"\nname = "甲"\nsource_required = "yes"\n', "source_required must be true or false"),
])
def test_bad_checks_settings_are_one_line_errors(toml: str, words: str) -> None:
    with pytest.raises(settings.ConfigError) as info:
        settings.loads(toml)
    assert words in str(info.value) and "\n" not in str(info.value)


class _Site(http.server.BaseHTTPRequestHandler):
    gone = {"/gone.html"}
    seen: list[tuple[str, str, str]] = []

    def _answer(self) -> None:
        self.seen.append((self.command, self.path, self.headers.get("User-Agent", "")))
        self.send_response(404 if self.path in self.gone else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_HEAD = do_GET = _answer

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def site():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Site.seen.clear()
    _Site.gone = {"/gone.html"}
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_link_pass_opens_and_closes_dead_link_findings(site, tmp_path) -> None:
    config = settings.loads('[[sources]]\nid = "a"\nname = "A"\nkind = "city"\ntype = "rss"\n'
                            'url = "https://a.example.cn/rss"\ncolumn = "city-news"\nevery = "15m"\n')
    db = store.open_db(tmp_path / "h.db")
    pipeline.init_all(db)
    from collectors.model import CollectedItem
    from collectors.state import StateStore

    html = (f'<p>附件见<a href="{site}/gone.html">这里</a>，说明见<a href="{site}/ok.html">那里</a>，'
            f'<a href="/gone.html">相对地址</a>。</p>')
    StateStore(db).store_item(CollectedItem(source_id="a", identity="1", identity_rule="link", url=f"{site}/art/1.html",
                                            title="通知", html=html, published="2026-05-02", fetched_at=T0.isoformat()), T0)
    pipeline.process(db, config, now=T0)
    item_id = db.execute("SELECT id FROM items").fetchone()[0]
    assert checks.open_findings(db, [item_id]) == {}  # nothing known yet: the ingest made no request
    assert _Site.seen == []

    stats = checks.link_pass(db, config, now=T0)
    assert (stats.checked, stats.dead) == (2, 1)  # the relative link resolves to the same address
    assert all(ua == config.collector.user_agent for _, _, ua in _Site.seen)
    found = checks.open_findings(db, [item_id])[item_id]
    assert [(f.code, f.text) for f in found] == [("LINK-DEAD", f"{site}/gone.html")]
    assert checks.link_pass(db, config, now=T0 + timedelta(hours=1)).checked == 0  # answers are kept

    _Site.gone = set()  # the page is back
    checks.link_pass(db, config, now=T0 + timedelta(days=8))
    assert checks.open_findings(db, [item_id]) == {}
    db.conn.close()


def test_a_timeout_is_no_evidence_and_keeps_the_last_answer(tmp_path) -> None:
    db = store.open_db(":memory:")
    pipeline.init_all(db)
    config = settings.loads("")
    db.execute("INSERT INTO check_item_links (item_id, url) VALUES (1, 'http://x.example.cn/a')")
    answers = iter([(404, None), (None, "ReadTimeout: timed out")])
    checks.link_pass(db, config, now=T0, fetch=lambda url, timeout, ua: next(answers))
    checks.link_pass(db, config, now=T0 + timedelta(days=8), fetch=lambda url, timeout, ua: next(answers))
    assert db.execute("SELECT status, error FROM check_links").fetchone() == (404, "ReadTimeout: timed out")


def test_term_lists_reload_when_changed_and_a_broken_file_keeps_the_previous(tmp_path, caplog) -> None:
    terms = tmp_path / "local.txt"
    terms.write_text("[banned]\n甲词\n", encoding="utf-8")
    cfg = tmp_path / "s.toml"
    cfg.write_text('[checks]\nterms = ["local.txt"]\ndefault_terms = false\n', encoding="utf-8")
    config = settings.load(cfg)
    item = checks.ItemText(title="", text="甲词和乙词")
    assert codes(checks.checker(config, force=True).run(item)) == ["TERM-BANNED"]

    def rewrite(text: str) -> None:
        terms.write_text(text, encoding="utf-8")
        stamp = time.time() + 5
        os.utime(terms, (stamp, stamp))
        time.sleep(1.05)  # the files are looked at once a second at most

    rewrite("[banned]\n甲词\n乙词\n[oops]\n")
    with caplog.at_level(logging.ERROR, logger="huiju.checks"):
        kept = checks.checker(config)
    assert [f.text for f in kept.run(item)] == ["甲词"]  # the previous list stays in force
    assert f"{terms}:4: unknown section" in caplog.text
    assert checks.last_error().startswith(f"{terms}:4:")

    rewrite("[banned]\n甲词\n乙词\n")
    assert [f.text for f in checks.checker(config).run(item)] == ["甲词", "乙词"]
    assert checks.last_error() is None


def test_a_broken_term_file_at_start_is_refused_in_one_line(tmp_path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("[variant]\n对 错\n", encoding="utf-8")
    cfg = tmp_path / "s.toml"
    cfg.write_text('[checks]\nterms = ["bad.txt"]\n', encoding="utf-8")
    config = settings.load(cfg)
    with pytest.raises(checks.TermError) as info:
        checks.checker(config, force=True)
    assert str(info.value).startswith(f"{bad}:2: ")



def test_run_py_checks_names_a_broken_term_file_in_one_line(tmp_path) -> None:
    from click.testing import CliRunner

    import run

    (tmp_path / "bad.txt").write_text("[banned]\n甲 | 乙\n", encoding="utf-8")
    cfg = tmp_path / "s.toml"
    cfg.write_text('[checks]\nterms = ["bad.txt"]\n', encoding="utf-8")
    db = tmp_path / "h.db"
    store.open_db(db).conn.close()
    result = CliRunner().invoke(run.cli, ["--config", str(cfg), "--db", str(db), "checks"])
    assert result.exit_code == 1
    assert result.output.strip() == (f"error: {tmp_path / 'bad.txt'}:2: a [banned] line holds one word, "
                                     "without '=' or '|'")
