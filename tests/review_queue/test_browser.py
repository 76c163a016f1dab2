"""The desk in a real browser: Playwright driving Debian's Chromium (never a downloaded browser).

Skipped with the reason when /usr/bin/chromium or Playwright is missing, unless
HUIJU_REQUIRE_BROWSER=1 (set by .ci/run, which installs both), where that is a failure.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import flask
import pytest

import normalizers
import review_queue
import store

from .conftest import make_config, submit_new
from .test_with_normalizers import PARAS, feed, story

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
PASSWORD = "correct horse battery"


def _why_not() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is not installed (apt-get install chromium fonts-noto-cjk)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    return None


WHY_NOT = _why_not()
if WHY_NOT and os.environ.get("HUIJU_REQUIRE_BROWSER") == "1":
    raise RuntimeError(f"browser tests required (HUIJU_REQUIRE_BROWSER=1) but {WHY_NOT}")
pytestmark = pytest.mark.skipif(WHY_NOT is not None, reason=WHY_NOT or "")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def site(db, tmp_path):
    """The reviewer UI on a real HTTP server on 127.0.0.1 (waitress, as the daemon serves it)."""
    yield from _serve(tmp_path)


def _serve(tmp_path):
    import waitress

    app = flask.Flask("browser-test")
    app.config.update(SECRET_KEY="browser-secret", HUIJU_DB=str(tmp_path / "huiju.db"),
                      HUIJU_CONFIG=make_config(gov_affairs=("editor",)))
    app.config["published"] = []
    app.config["HUIJU_AFTER_REVIEW"] = lambda conn: app.config["published"].extend(
        review_queue.due_for_publishing(conn))
    review_queue.init_app(app)
    app.register_blueprint(review_queue.create_blueprint(), url_prefix="/review")
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}", app
    finally:
        server.close()


def logged_in(browser, base: str, name: str):
    page = browser.new_context(locale="zh-CN").new_page()
    page.goto(f"{base}/review/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert page.url.endswith("/review/"), page.url
    return page


def queue_ids(page) -> list[int]:
    return [int(x) for x in page.eval_on_selector_all("tr.unit", "rows => rows.map(r => r.dataset.id)")]


def test_log_in_and_approve_by_keyboard_one_key_one_load(browser, site, db, fake_norm) -> None:
    base, app = site
    for i in (1, 2, 3):
        submit_new(db, fake_norm, i)
    page = logged_in(browser, base, "rita")
    assert queue_ids(page) == [1, 2, 3]
    loads = []
    page.on("load", lambda _: loads.append(1))
    with page.expect_navigation():
        page.keyboard.press("a")
    assert review_queue.state(db, 1) == "approved" and app.config["published"] == [1]
    assert queue_ids(page) == [2, 3] and len(loads) == 1
    page.keyboard.press("j")  # the second row, then approve it
    with page.expect_navigation():
        page.keyboard.press("a")
    assert review_queue.states(db, [2, 3]) == {2: "pending", 3: "approved"}


def test_batch_approve_the_checked_rows(browser, site, db, fake_norm) -> None:
    base, _ = site
    for i in (1, 2, 3, 4):
        submit_new(db, fake_norm, i)
    page = logged_in(browser, base, "rita")
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("x")
    with page.expect_navigation():
        page.click("button[name=bulk][value=approve]")
    assert review_queue.states(db, [1, 2, 3, 4]) == {1: "approved", 2: "pending", 3: "approved", 4: "pending"}
    assert "2 条已通过" in page.inner_text(".flash")


def test_reviewer_first_approval_then_editor_final_signoff(browser, site, db, fake_norm) -> None:
    base, app = site
    submit_new(db, fake_norm, 1, column="gov-affairs")
    rita = logged_in(browser, base, "rita")
    with rita.expect_navigation():
        rita.keyboard.press("a")
    assert review_queue.state(db, 1) == "awaiting-signoff" and app.config["published"] == []
    eddie = logged_in(browser, base, "eddie")
    eddie.goto(f"{base}/review/item/1")
    assert "签发流程：初审 → 终审 (编辑)" in eddie.inner_text("#chain")
    with eddie.expect_navigation():
        eddie.keyboard.press("a")
    assert review_queue.state(db, 1) == "approved" and app.config["published"] == [1]


def test_an_editor_takes_over_a_lock(browser, site, db, fake_norm) -> None:
    base, _ = site
    submit_new(db, fake_norm, 1)
    rita = logged_in(browser, base, "rita")
    rita.goto(f"{base}/review/item/1/edit")
    assert "rita 正在编辑" in rita.inner_text("#lock")
    eddie = logged_in(browser, base, "eddie")
    eddie.goto(f"{base}/review/item/1")
    assert eddie.query_selector("#approve-form") is None
    with eddie.expect_navigation():
        eddie.click("#take-over-form button")
    assert eddie.url.endswith("/review/item/1/edit") and eddie.query_selector("input[name=title]")
    eddie.fill("input[name=title]", "编辑接手后的标题")
    with eddie.expect_navigation():
        eddie.click("form.edit button[type=submit]")
    assert review_queue.published_item(db, 1)["title"] == "编辑接手后的标题"
    assert review_queue.current_lock(db, 1) is None
    assert [h["action"] for h in review_queue.history(db, 1)][-2:] == ["take-over-lock", "edit"]


def test_undo_an_approval_with_u(browser, site, db, fake_norm) -> None:
    base, _ = site
    submit_new(db, fake_norm, 1)
    submit_new(db, fake_norm, 2)
    page = logged_in(browser, base, "rita")
    with page.expect_navigation():
        page.keyboard.press("a")
    assert review_queue.state(db, 1) == "approved"
    assert "撤销" in page.inner_text("#undoable")
    with page.expect_navigation():
        page.keyboard.press("u")
    assert review_queue.state(db, 1) == "pending" and queue_ids(page) == [1, 2]


def test_a_revoked_session_is_logged_out_everywhere(browser, site, db) -> None:
    base, _ = site
    rita = logged_in(browser, base, "rita")
    copied = rita.context.cookies()
    thief = browser.new_context()
    thief.add_cookies(copied)
    other = thief.new_page()
    other.goto(f"{base}/review/")
    assert other.url.endswith("/review/")  # the copied cookie works while the session lives
    review_queue.set_password(db, "rita", "a brand new secret")  # e.g. an admin's reset
    other.goto(f"{base}/review/")
    assert "/review/login" in other.url
    rita.goto(f"{base}/review/")
    assert "/review/login" in rita.url


TABLE_BODY = ('<p>第一段。</p><table><tbody><tr><td>项目</td><td>金额（万元）</td></tr><tr><td>道路</td><td>120</td></tr>'
              '</tbody></table><p><img src="https://harbin.example.cn/img/1.jpg" alt="现场"></p>'
              '<p><a href="https://harbin.example.cn/files/1.pdf">附件：项目清单.pdf</a></p>')


@pytest.mark.skipif(not Path(__file__).resolve().parents[2].joinpath(
    "review_queue/editor/node_modules/squire-rte/dist/squire.js").exists(),
    reason="the rich-text editor is not installed (npm ci --prefix review_queue/editor)")
def test_an_edit_in_the_rich_text_editor_keeps_the_table_image_and_attachment(browser, site, db, fake_norm) -> None:
    base, _ = site
    submit_new(db, fake_norm, 1)
    fake_norm.items[1]["html"] = TABLE_BODY
    page = logged_in(browser, base, "rita")
    page.goto(f"{base}/review/item/1/edit")
    page.wait_for_selector("#editor table")
    assert page.is_hidden("#source")  # the HTML source field gives way to the editor
    page.click("#editor p")
    page.keyboard.press("End")
    page.keyboard.type("补充一句。")
    with page.expect_navigation():
        page.click("form.edit button[type=submit]")
    html = review_queue.published_item(db, 1)["html"]
    assert "第一段。补充一句。" in html
    assert "<table>" in html and "<td>120</td>" in html
    assert 'src="https://harbin.example.cn/img/1.jpg"' in html and 'href="https://harbin.example.cn/files/1.pdf"' in html
    [entry] = [h for h in review_queue.history(db, 1) if h["action"] == "edit"]
    diff = next(c["diff"] for c in entry["changes"] if c["field"] == "html")
    assert "-<p>第一段。</p>" in diff and "+<p>第一段。补充一句。</p>" in diff and "<tr>" not in diff.split("@@")[-1][:1]


@pytest.fixture
def story_site(tmp_path, fast_hash):
    """The UI over the real normalizers, whose clusters a split changes."""
    conn = store.open_db(tmp_path / "huiju.db")
    normalizers.init(conn)
    review_queue.init(conn)
    review_queue.add_user(conn, "erin", "editor", PASSWORD)
    served = _serve(tmp_path)
    base, _ = next(served)
    yield conn, base
    served.close()
    conn.close()


def test_an_editor_splits_a_wrongly_merged_member_out_of_its_story(browser, story_site) -> None:
    db, base = story_site
    title = "市政府召开冬季城市运行保障工作推进会议"
    own, _ = feed(db, 1, story("harbin", title, PARAS, "a1"))
    copy, _ = feed(db, 2, story("xinhua", "哈尔滨：" + title, PARAS[:3], "x1"))
    erin = logged_in(browser, base, "erin")
    assert queue_ids(erin) == [own.item_id]  # one unit: the re-post is collapsed under it
    erin.goto(f"{base}/review/item/{own.item_id}")
    member = erin.locator(f"#member-{copy.item_id}")
    member.locator("input[name=reason]").fill("新华网稿件报道的是另一次会议")
    with erin.expect_navigation():
        member.locator("button[type=submit]").click()
    assert erin.url.endswith(f"/review/item/{own.item_id}")
    assert "已拆分为独立报道" in erin.inner_text(".flash")
    assert erin.query_selector("#members") is None  # the story has no other member now
    assert normalizers.get_item(db, copy.item_id)["cluster"] != normalizers.get_item(db, own.item_id)["cluster"]
    erin.goto(f"{base}/review/")
    assert sorted(queue_ids(erin)) == sorted([own.item_id, copy.item_id])
    erin.goto(f"{base}/review/item/{copy.item_id}")
    assert "新华网稿件报道的是另一次会议" in erin.inner_text("table.history")
