"""The reviewer UI through Flask's test client: login, CSRF, roles, escaping, actions."""

from __future__ import annotations

import re

import flask
import pytest

import review_queue
from review_queue import throttle

from .conftest import CITY, PARTNER, make_config, submit_new

PASSWORD = "correct horse battery"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def app(db, tmp_path):
    app = flask.Flask("test-app")
    app.config.update(SECRET_KEY="test-secret", HUIJU_DB=str(tmp_path / "huiju.db"),
                      HUIJU_CONFIG=make_config(gov_affairs=("editor",)), TESTING=True)
    app.config["after_review_calls"] = []
    app.config["HUIJU_AFTER_REVIEW"] = lambda conn: app.config["after_review_calls"].append(
        review_queue.due_for_publishing(conn))
    review_queue.init_app(app)
    app.register_blueprint(review_queue.create_blueprint(), url_prefix="/review")
    return app


def token(client, path: str = "/review/login") -> str:
    page = client.get(path)
    m = TOKEN.search(page.get_data(as_text=True))
    assert m, f"no CSRF token on {path}"
    return m.group(1)


def login(client, name: str) -> None:
    resp = client.post("/review/login", data={"name": name, "password": PASSWORD, "csrf_token": token(client)})
    assert resp.status_code == 302, resp.get_data(as_text=True)


def logged_in(app, name: str):
    """A test client of its own, logged in as *name* (each reviewer has a browser of their own)."""
    client = app.test_client()
    login(client, name)
    return client


@pytest.fixture
def as_rita(app):
    return logged_in(app, "rita")


def test_pages_need_login_and_redirect_there(app) -> None:
    client = app.test_client()
    for path in ("/review/", "/review/item/1", "/review/users", "/review/published"):
        resp = client.get(path)
        assert resp.status_code == 302
        assert resp.headers["Location"].startswith("/review/login?next=")


def test_login_sets_a_hardened_session_cookie_and_refuses_wrong_password(app) -> None:
    client = app.test_client()
    bad = client.post("/review/login", data={"name": "rita", "password": "nope nope", "csrf_token": token(client)})
    assert bad.status_code == 401 and "用户名或密码错误" in bad.get_data(as_text=True)  # the catalog message of its code
    resp = client.post("/review/login?next=/review/published",
                       data={"name": "rita", "password": PASSWORD, "csrf_token": token(client)})
    assert resp.status_code == 302 and resp.headers["Location"] == "/review/published"
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/review/").status_code == 200


def test_a_failed_login_is_logged_without_the_name_typed(app, caplog) -> None:
    """The operator sees where failed logins come from; the name typed (a person's name, or a
    password typed in the wrong box) never reaches the log."""
    from pipeline.logs import message_of

    client = app.test_client()
    with caplog.at_level("WARNING", logger="huiju.review"):
        client.post("/review/login", data={"name": "张三 secret-pw", "password": "nope nope", "csrf_token": token(client)})
    [line] = [r for r in caplog.records if r.name == "huiju.review"]
    assert message_of(line, "zh").startswith("登录失败，来自 ") and message_of(line, "en").startswith("failed login from ")
    assert "张三" not in message_of(line, "zh") and "secret-pw" not in message_of(line, "en")


def test_login_does_not_redirect_off_site(app) -> None:
    client = app.test_client()
    resp = client.post("/review/login?next=https://evil.example/x",
                       data={"name": "rita", "password": PASSWORD, "csrf_token": token(client)})
    assert resp.headers["Location"] == "/review/"


def test_post_without_csrf_token_is_refused(app, as_rita, db, fake_norm) -> None:
    submit_new(db, fake_norm, 1)
    resp = as_rita.post("/review/act", data={"act": "approve:1"})
    assert resp.status_code == 400 and "CSRF" in resp.get_data(as_text=True)
    resp = as_rita.post("/review/act", data={"act": "approve:1", "csrf_token": "forged"})
    assert resp.status_code == 400
    assert review_queue.state(db, 1) == "pending"
    assert app.test_client().post("/review/login", data={"name": "rita", "password": PASSWORD}).status_code == 400


def test_wrong_role_gets_403(app, as_rita, db, fake_norm) -> None:
    assert as_rita.get("/review/users").status_code == 403
    t = token(as_rita, "/review/")
    assert as_rita.post("/review/users", data={"name": "x", "role": "admin", "password": "12345678",
                                               "csrf_token": t}).status_code == 403
    submit_new(db, fake_norm, 1)
    review_queue.approve(db, [1], user="ron")
    review_queue.mark_published(db, 1, 1)
    resp = as_rita.post("/review/item/1/retract", data={"reason": "x", "csrf_token": t})
    assert resp.status_code == 403
    assert review_queue.state(db, 1) == "published"


def test_title_and_body_are_escaped_or_sanitized(as_rita, db, fake_norm) -> None:
    item = fake_norm.add(1, title="<script>alert(1)</script>")
    item["html"] = '<p>正文<img src="x" onerror="alert(2)"></p><script>alert(3)</script><a href="javascript:alert(4)">x</a>'
    item["url"] = "javascript:alert(5)"
    review_queue.submit(db, fake_norm.result(1), CITY)
    for path in ("/review/", "/review/item/1", "/review/item/1/edit"):
        html = as_rita.get(path).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in html, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, path
    page = as_rita.get("/review/item/1").get_data(as_text=True)
    assert "正文" in page
    for bad in ("onerror", "alert(3)", 'href="javascript:'):
        assert bad not in page
    assert "原文：javascript:alert(5)</p>" in page  # shown as text, never as a link


def test_queue_shows_cluster_once_with_member_sources_and_flags(as_rita, db, fake_norm) -> None:
    fake_norm.add(1, source="harbin", cluster=4, representative=True, title="冰雪节开幕", flags=("date-unknown",),
                  published_at=None)
    fake_norm.add(2, source="xinhua", cluster=4, title="新华：冰雪节开幕")
    review_queue.submit(db, fake_norm.result(1), CITY)
    review_queue.submit(db, fake_norm.result(2), PARTNER)
    html = as_rita.get("/review/").get_data(as_text=True)
    assert html.count('class="unit"') == 1
    assert "冰雪节开幕" in html and "新华：冰雪节开幕" not in html
    assert "新华网" in html and "哈尔滨市人民政府" in html and "date-unknown" in html and "日期未知" in html
    assert "1 组 · 2 条" in html  # one story, two items, counted in the heading
    filtered = as_rita.get("/review/?flag=empty-body").get_data(as_text=True)
    assert 'class="unit"' not in filtered


def test_approve_from_the_queue_publishes_and_marks_duplicates(app, as_rita, db, fake_norm) -> None:
    fake_norm.add(1, source="harbin", cluster=4, representative=True)
    fake_norm.add(2, source="xinhua", cluster=4)
    review_queue.submit(db, fake_norm.result(1), CITY)
    review_queue.submit(db, fake_norm.result(2), PARTNER)
    resp = as_rita.post("/review/act", data={"act": "approve:1", "column-1": "city-news",
                                             "csrf_token": token(as_rita, "/review/")})
    assert resp.status_code == 302
    assert review_queue.states(db, [1, 2]) == {1: "approved", 2: "duplicate"}
    assert app.config["after_review_calls"] == [[1]]


def test_bulk_approve_selected_and_reject_whole_unit(as_rita, db, fake_norm) -> None:
    for i in (1, 2, 3):
        submit_new(db, fake_norm, i)
    fake_norm.add(4, cluster=9, representative=True)
    fake_norm.add(5, source="xinhua", cluster=9)
    review_queue.submit(db, fake_norm.result(4), CITY)
    review_queue.submit(db, fake_norm.result(5), PARTNER)
    t = token(as_rita, "/review/")
    as_rita.post("/review/act", data={"bulk": "approve", "ids": ["1", "3"], "csrf_token": t})
    assert review_queue.states(db, [1, 2, 3]) == {1: "approved", 2: "pending", 3: "approved"}
    as_rita.post("/review/act", data={"act": "reject:4", "reason": "非本省信息", "csrf_token": t})
    assert review_queue.states(db, [4, 5]) == {4: "rejected", 5: "rejected"}
    assert fake_norm.tombstones == {4: "非本省信息", 5: "非本省信息"}


def test_signoff_column_via_ui(app, db, fake_norm) -> None:
    submit_new(db, fake_norm, 1, column="gov-affairs")
    rita, eddie = logged_in(app, "rita"), logged_in(app, "eddie")
    rita.post("/review/item/1/approve", data={"column": "gov-affairs", "csrf_token": token(rita, "/review/")})
    assert review_queue.state(db, 1) == "awaiting-signoff"
    assert app.config["after_review_calls"] == []
    assert "终审通过" in eddie.get("/review/item/1").get_data(as_text=True)
    eddie.post("/review/item/1/approve", data={"column": "gov-affairs", "csrf_token": token(eddie, "/review/")})
    assert review_queue.state(db, 1) == "approved"
    assert app.config["after_review_calls"] == [[1]]


def test_viewing_takes_no_lock_editing_does_and_an_editor_takes_it_over(app, db, fake_norm) -> None:
    submit_new(db, fake_norm, 1)
    rita, ron, eddie, ada = (logged_in(app, name) for name in ("rita", "ron", "eddie", "ada"))
    before = len(review_queue.history(db, 1))
    page = ada.get("/review/item/1").get_data(as_text=True)
    assert "正在编辑" not in page and review_queue.current_lock(db, 1) is None
    assert len(review_queue.history(db, 1)) == before  # looking writes no history
    assert "rita 正在编辑" in rita.get("/review/item/1/edit").get_data(as_text=True)
    page = ron.get("/review/item/1").get_data(as_text=True)
    assert "rita 正在编辑" in page and 'id="approve-form"' not in page and 'id="take-over-form"' not in page
    assert 'name="title"' not in ron.get("/review/item/1/edit").get_data(as_text=True)
    assert "🔒 rita" in ron.get("/review/").get_data(as_text=True)
    resp = ron.post("/review/act", data={"act": "approve:1", "csrf_token": token(ron, "/review/")},
                    follow_redirects=True)
    assert "#1 正由 rita 编辑（锁定至北京时间" in resp.get_data(as_text=True)  # the workflow error, in Chinese
    assert review_queue.state(db, 1) == "pending"
    assert 'id="take-over-form"' in eddie.get("/review/item/1").get_data(as_text=True)
    resp = eddie.post("/review/item/1/take-over", data={"csrf_token": token(eddie, "/review/")})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/review/item/1/edit")
    assert review_queue.current_lock(db, 1).holder == "eddie"
    assert review_queue.history(db, 1)[-1]["note"] == "lock of rita taken over"
    assert ron.post("/review/item/1/take-over", data={"csrf_token": token(ron, "/review/")}).status_code == 403
    ada.post("/review/item/1/unlock", data={"csrf_token": token(ada, "/review/")})
    assert review_queue.current_lock(db, 1) is None


def test_edit_form_saves_overrides_and_history_shows_the_diff(as_rita, db, fake_norm) -> None:
    submit_new(db, fake_norm, 1, title="旧标题", text="第一段。\n第二段。")
    t = token(as_rita, "/review/item/1/edit")
    resp = as_rita.post("/review/item/1/edit", data={
        "title": "新标题", "text": "第一段。\n第二段<改>。", "column": "gov-affairs",
        "topics": ["topic-e-government"], "csrf_token": t})
    assert resp.status_code == 302
    view = review_queue.publish_view(db, 1)
    assert view["title"] == "新标题" and view["column"] == "gov-affairs"
    assert view["text_html"] == "<p>第一段。</p><p>第二段&lt;改&gt;。</p>"
    assert view["topics"] == ["topic-e-government"]
    page = as_rita.get("/review/item/1").get_data(as_text=True)
    assert "-旧标题" in page and "+新标题" in page and "city-news → gov-affairs" in page
    assert "第二段&lt;改&gt;。" in page  # the preview shows the edited text, escaped once


def test_admin_manages_users(app, db) -> None:
    ada = logged_in(app, "ada")
    t = token(ada, "/review/users")
    ada.post("/review/users", data={"name": "王五", "role": "editor", "password": "wangwu-pass", "csrf_token": t})
    assert review_queue.authenticate(db, "王五", "wangwu-pass").role == "editor"
    ada.post("/review/users/rita/disable", data={"csrf_token": t})
    assert review_queue.get_user(db, "rita").disabled
    resp = ada.post("/review/users", data={"name": "王五", "role": "editor", "password": "wangwu-pass",
                                           "csrf_token": t})
    assert "用户 王五 已存在" in resp.get_data(as_text=True)


def test_disabled_user_is_logged_out_at_once(app, as_rita, db) -> None:
    assert as_rita.get("/review/").status_code == 200
    review_queue.disable_user(db, "rita")
    assert as_rita.get("/review/").status_code == 302


def test_retract_by_editor_calls_the_publisher(app, db, fake_norm) -> None:
    submit_new(db, fake_norm, 1)
    review_queue.approve(db, [1], user="rita")
    review_queue.mark_published(db, 1, 7)
    eddie = logged_in(app, "eddie")
    assert "撤稿" in eddie.get("/review/item/1").get_data(as_text=True)
    eddie.post("/review/item/1/retract", data={"reason": "信息有误", "csrf_token": token(eddie, "/review/")})
    assert review_queue.state(db, 1) == "retracted"
    assert review_queue.retracted_due(db) == [1]
    assert len(app.config["after_review_calls"]) == 1


def test_a_published_item_taken_down_at_the_source_is_shown_and_kept_by_an_editor(app, db, fake_norm) -> None:
    submit_new(db, fake_norm, 1)
    review_queue.approve(db, [1], user="rita")
    review_queue.mark_published(db, 1, 7)
    fake_norm.items[1]["withdrawn"] = "HTTP 410 at https://harbin.example.cn/1.html (2 checks in a row)"
    review_queue.submit(db, fake_norm.result(1, kind="withdrawn"), CITY)
    eddie = logged_in(app, "eddie")
    queue_page = eddie.get("/review/").get_data(as_text=True)
    assert "原文已撤下" in queue_page and "HTTP 410 at https://harbin.example.cn/1.html" in queue_page
    item_page = eddie.get("/review/item/1").get_data(as_text=True)
    assert "原文已被来源网站撤下" in item_page and "保留" in item_page
    eddie.get("/review/lang/en")  # English is a locale, not a second label on every line
    english = eddie.get("/review/item/1").get_data(as_text=True)
    assert "The source took this page down" in english and "Keep on the portal" in english
    assert "原文已被来源网站撤下" not in english
    eddie.get("/review/lang/zh")
    rita = logged_in(app, "rita")
    assert "保留 Keep" not in rita.get("/review/item/1").get_data(as_text=True)
    refused = rita.post("/review/item/1/keep", data={"csrf_token": token(rita, "/review/")})
    assert refused.status_code == 403 and review_queue.withdrawn_upstream(db)
    assert eddie.post("/review/item/1/keep", data={}).status_code == 400  # no CSRF token
    eddie.post("/review/item/1/keep", data={"reason": "原文迁址", "csrf_token": token(eddie, "/review/")})
    assert review_queue.withdrawn_upstream(db) == [] and review_queue.state(db, 1) == "published"
    assert "原文已撤下" not in eddie.get("/review/").get_data(as_text=True)


def test_repeated_wrong_passwords_slow_the_guesser_exponentially_but_lock_nobody_out(app, monkeypatch) -> None:
    clock = [1_000_000.0]
    monkeypatch.setattr(throttle.time, "time", lambda: clock[0])
    client = app.test_client()
    t = token(client)

    def attempt(password: str, addr: str = "203.0.113.7"):
        return client.post("/review/login", data={"name": "rita", "password": password, "csrf_token": t},
                           environ_base={"REMOTE_ADDR": addr})

    for _ in range(3):  # three free tries, then each failure doubles the wait
        assert attempt("guess guess").status_code == 401
    resp = attempt(PASSWORD)
    assert resp.status_code == 429 and "请 1 秒后再试" in resp.get_data(as_text=True)
    assert client.get("/review/").status_code == 302  # still not logged in
    clock[0] += 1
    assert attempt("guess again").status_code == 401
    assert "请 2 秒后再试" in attempt(PASSWORD).get_data(as_text=True)
    clock[0] += 2
    assert attempt("guess again").status_code == 401
    assert "请 4 秒后再试" in attempt(PASSWORD).get_data(as_text=True)
    # the real user elsewhere is not locked out by the guesser's failures
    real = app.test_client()
    resp = real.post("/review/login", data={"name": "rita", "password": PASSWORD, "csrf_token": token(real)},
                     environ_base={"REMOTE_ADDR": "198.51.100.20"})
    assert resp.status_code == 302 and real.get("/review/").status_code == 200


def test_item_page_shows_signoff_progress(app, db, fake_norm) -> None:
    submit_new(db, fake_norm, 1, column="gov-affairs")
    review_queue.approve(db, [1], user="ron", config=app.config["HUIJU_CONFIG"])
    rita = logged_in(app, "rita")
    page = rita.get("/review/item/1").get_data(as_text=True)
    assert "ron (审核员" in page and "等待终审：编辑" in page  # roles by name, in the reader's language
    assert "签发流程：初审 → 终审 (编辑)" in page
    assert "waiting for: editor" not in page  # Chinese first, no doubled labels
    # the lock the reviewer may have held is gone: the editor can sign off at once
    eddie = logged_in(app, "eddie")
    assert 'id="approve-form"' in eddie.get("/review/item/1").get_data(as_text=True)


def test_session_expires_after_the_configured_hours(app, as_rita, db) -> None:
    assert as_rita.get("/review/").status_code == 200
    db.execute("UPDATE sessions SET expires_at = '2000-01-01T00:00:00+00:00'")
    resp = as_rita.get("/review/")
    assert resp.status_code == 302 and "/review/login" in resp.headers["Location"]


def copy_cookie(src, dst) -> None:
    dst.set_cookie("session", src.get_cookie("session").value)


@pytest.mark.parametrize("how", ["logout", "own password", "admin reset", "disable"])
def test_a_copied_cookie_stops_working_when_the_session_ends(app, db, how) -> None:
    rita, thief, ada = logged_in(app, "rita"), app.test_client(), logged_in(app, "ada")
    copy_cookie(rita, thief)
    assert thief.get("/review/").status_code == 200  # a copied cookie works while the session lives
    if how == "logout":
        rita.post("/review/logout", data={"csrf_token": token(rita, "/review/")})
    elif how == "own password":
        rita.post("/review/password", data={"old": PASSWORD, "new": "a new long secret", "again": "a new long secret",
                                            "csrf_token": token(rita, "/review/password")})
        assert rita.get("/review/").status_code == 200  # the browser that changed it stays in
    elif how == "admin reset":
        ada.post("/review/users/rita/password", data={"password": "reset by the admin",
                                                      "csrf_token": token(ada, "/review/users")})
    else:
        ada.post("/review/users/rita/disable", data={"csrf_token": token(ada, "/review/users")})
    resp = thief.get("/review/")
    assert resp.status_code == 302 and "/review/login" in resp.headers["Location"]


def test_session_cookie_is_secure_behind_https_and_the_client_address_honours_trusted_proxies(db, tmp_path) -> None:
    app = flask.Flask("https-app")
    app.config.update(SECRET_KEY="s", HUIJU_DB=str(tmp_path / "huiju.db"), HUIJU_CONFIG=make_config(),
                      HUIJU_PUBLIC_URL="https://huiju.example.gov.cn")
    review_queue.init_app(app)
    app.register_blueprint(review_queue.create_blueprint(), url_prefix="/review")
    client = app.test_client()
    resp = client.post("/review/login", data={"name": "rita", "password": PASSWORD, "csrf_token": token(client)})
    assert "Secure" in resp.headers["Set-Cookie"] and "HttpOnly" in resp.headers["Set-Cookie"]
    trusted = ["127.0.0.1/32", "10.0.0.0/8"]
    assert throttle.client_address("127.0.0.1", "1.2.3.4, 203.0.113.9, 10.0.0.5", trusted) == "203.0.113.9"
    assert throttle.client_address("198.51.100.1", "203.0.113.9", trusted) == "198.51.100.1"  # not a proxy
    assert throttle.client_address("127.0.0.1", "203.0.113.9", []) == "127.0.0.1"  # none trusted


def test_unknown_item_is_404_and_pages_carry_security_headers(as_rita) -> None:
    resp = as_rita.get("/review/item/999")
    assert resp.status_code == 404 and "#999 不在审核中" in resp.get_data(as_text=True)
    page = as_rita.get("/review/")
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["Cache-Control"] == "no-store"
    js = as_rita.get("/review/static/review.js")
    assert js.status_code == 200 and b"keydown" in js.data


def test_item_outside_the_catalog_keeps_its_column_when_approved_from_the_queue(as_rita, db, fake_norm) -> None:
    submit_new(db, fake_norm, 1, column="old-column")
    html = as_rita.get("/review/").get_data(as_text=True)
    assert '<option value="old-column" selected>' in html
    as_rita.post("/review/act", data={"act": "approve:1", "column-1": "old-column",
                                      "csrf_token": token(as_rita, "/review/")})
    assert review_queue.state(db, 1) == "approved"
    assert review_queue.publish_view(db, 1)["column"] is None


def test_undo_an_approval_unreject_and_start_a_correction_from_the_desk(app, db, fake_norm) -> None:
    submit_new(db, fake_norm, 1)
    submit_new(db, fake_norm, 2)
    rita, eddie = logged_in(app, "rita"), logged_in(app, "eddie")
    rita.post("/review/act", data={"act": "approve:1", "csrf_token": token(rita, "/review/")})
    page = rita.get("/review/").get_data(as_text=True)
    assert 'id="undoable"' in page and ">撤销</button>" in page
    rita.post("/review/item/1/undo", data={"back": "/review/", "csrf_token": token(rita, "/review/")})
    assert review_queue.state(db, 1) == "pending"
    rita.post("/review/act", data={"act": "reject:2", "reason": "误判", "csrf_token": token(rita, "/review/")})
    assert 'id="unreject-form"' not in rita.get("/review/item/2").get_data(as_text=True)  # editors only
    assert 'id="unreject-form"' in eddie.get("/review/item/2").get_data(as_text=True)
    eddie.post("/review/item/2/unreject", data={"reason": "本地新闻", "csrf_token": token(eddie, "/review/")})
    assert review_queue.state(db, 2) == "pending" and 2 not in fake_norm.tombstones
    review_queue.approve(db, [1], user="rita")
    review_queue.mark_published(db, 1, 1)
    resp = rita.post("/review/item/1/correct", data={"reason": "数字有误", "csrf_token": token(rita, "/review/")})
    assert resp.headers["Location"].endswith("/review/item/1/edit") and review_queue.state(db, 1) == "corrected"


def test_queue_is_paged_oldest_first_searchable_in_chinese_and_flags_long_waits(as_rita, db, fake_norm) -> None:
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    for i in range(1, 121):
        submit_new(db, fake_norm, i, title=f"普通新闻 {i}", text="第一段。", now=now - timedelta(minutes=600 - i))
    fake_norm.items[77]["text"] = "哈尔滨市召开冰雪旅游推进会。"
    page1 = as_rita.get("/review/").get_data(as_text=True)
    ids = [int(m) for m in re.findall(r'<tr class="unit" data-id="(\d+)"', page1)]
    assert ids == list(range(1, 51))  # oldest first, 50 a page
    assert "第 1 / 3 页" in page1 and 'rel="next"' in page1
    page3 = as_rita.get("/review/?page=3").get_data(as_text=True)
    assert [int(m) for m in re.findall(r'data-id="(\d+)"', page3)] == list(range(101, 121))
    newest = as_rita.get("/review/?sort=newest").get_data(as_text=True)
    assert re.findall(r'data-id="(\d+)"', newest)[0] == "120"
    found = as_rita.get("/review/?q=哈爾濱+冰雪").get_data(as_text=True)  # traditional, two words, in the body
    assert re.findall(r'data-id="(\d+)"', found) == ["77"] and "找到 1 组" in found
    assert re.findall(r'data-id="(\d+)"', as_rita.get("/review/?q=新闻+１１９").get_data(as_text=True)) == ["119"]
    # waited longer than the default 240 minutes: items 1…, submitted up to 599 minutes ago
    assert 'id="overdue-alert"' in page1 and "已等待 9 小时 59 分" in page1
    assert "120 组等待超过 4 小时" in page1  # the newest waited 480 min: overdue too
    submit_new(db, fake_norm, 121, title="刚到的新闻", now=now)
    fresh = as_rita.get("/review/?q=刚到").get_data(as_text=True)
    assert re.findall(r'data-id="(\d+)"', fresh) == ["121"] and "已等待" not in fresh.split('id="matched"')[1]


def test_state_badges_and_workflow_errors_are_chinese_first_and_english_as_a_locale(app, db, fake_norm) -> None:
    submit_new(db, fake_norm, 1)
    review_queue.approve(db, [1], user="ron")
    rita = logged_in(app, "rita")
    page = rita.get("/review/item/1").get_data(as_text=True)
    assert '<span class="badge state-approved">已通过</span>' in page
    assert "待审核 → 已通过" in page  # the history's states too
    resp = rita.post("/review/item/1/approve", data={"csrf_token": token(rita, "/review/")}, follow_redirects=True)
    assert "#1 当前为“已通过”，不能通过" in resp.get_data(as_text=True)
    rita.get("/review/lang/en")
    page = rita.get("/review/item/1").get_data(as_text=True)
    assert '<span class="badge state-approved">approved</span>' in page
    resp = rita.post("/review/item/1/approve", data={"csrf_token": token(rita, "/review/")}, follow_redirects=True)
    assert "item 1 is approved; cannot approve" in resp.get_data(as_text=True)
    assert rita.post("/review/item/1/retract", data={"reason": "x", "csrf_token": token(rita, "/review/")}
                     ).status_code == 403


RICH_BODY = ('<p>哈尔滨市召开会议。</p><table><tbody><tr><td>项目</td><td>金额（万元）</td></tr>'
             '<tr><td>道路</td><td>1200</td></tr></tbody></table>'
             '<p><img src="https://harbin.example.cn/img/a.png" alt="现场"></p>'
             '<p>附件：<a href="https://harbin.example.cn/files/plan.pdf">实施方案.pdf</a></p>')


def test_without_the_rich_editor_the_html_source_is_edited_and_the_structure_survives(
        app, db, fake_norm, monkeypatch) -> None:
    """A fresh clone (no `npm ci`): the edit form offers the sanitized HTML source, says how to get
    the rich editor, and an edit through it keeps the table, the image and the attachment link."""
    from review_queue.web import item_page

    monkeypatch.setattr(item_page, "EDITOR_DIR", item_page.EDITOR_DIR.parent / "not-installed")
    submit_new(db, fake_norm, 1)
    fake_norm.items[1]["html"] = RICH_BODY
    rita = logged_in(app, "rita")
    page = rita.get("/review/item/1/edit").get_data(as_text=True)
    assert 'id="no-editor"' in page and "npm ci --prefix review_queue/editor" in page
    assert "squire.js" not in page and 'name="text"' not in page  # no plain-text path that drops structure
    source = re.search(r'<textarea name="html"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    import html as html_lib

    source = html_lib.unescape(source)
    assert "\n<tr><td>道路</td><td>1200</td></tr>" in source  # one block per line, readable
    t = token(rita, "/review/item/1/edit")
    # saved unchanged (as a browser sends a textarea: CR LF): no edit is recorded
    rita.post("/review/item/1/edit", data={"title": "新闻 1", "html": source.replace("\n", "\r\n"), "csrf_token": t})
    assert [h["action"] for h in review_queue.history(db, 1)] == ["submit", "lock"]  # the lock, no edit
    edited = source.replace("1200", "1350").replace("召开会议", "召开专题会议")
    edited += '\n<p onclick="steal()">补充说明<script>alert(1)</script></p>'
    resp = rita.post("/review/item/1/edit", data={"title": "新闻 1", "html": edited, "csrf_token": t})
    assert resp.status_code == 302
    shown = review_queue.published_item(db, 1)
    body = shown["html"]
    assert "<table>" in body and "<td>1350</td>" in body and "召开专题会议" in body
    assert '<img src="https://harbin.example.cn/img/a.png"' in body
    assert '<a href="https://harbin.example.cn/files/plan.pdf" rel="noopener noreferrer">实施方案.pdf</a>' in body
    assert "script" not in body and "onclick" not in body and "补充说明" in body  # the portal's sanitizer ran
    assert "\n" not in body  # the source's line breaks are not kept
    [entry] = [h for h in review_queue.history(db, 1) if h["action"] == "edit"]
    diff = next(c["diff"] for c in entry["changes"] if c["field"] == "html")
    assert "-<tr><td>道路</td><td>1200</td></tr>" in diff and "+<tr><td>道路</td><td>1350</td></tr>" in diff


def test_a_database_that_cannot_be_used_is_a_503_naming_the_cause_in_the_readers_language(app, tmp_path) -> None:
    bogus = tmp_path / "notes.db"
    bogus.write_bytes(b"this is not sqlite" * 100)
    app.config["HUIJU_DB"] = str(bogus)
    client = app.test_client()
    resp = client.get("/review/")
    assert resp.status_code == 503
    assert f"{bogus}：该文件不是 SQLite 数据库" in resp.get_data(as_text=True)
    with client.session_transaction() as sess:
        sess["lang"] = "en"  # the reader chose English
    resp = client.get("/review/")
    assert resp.status_code == 503 and f"{bogus}: file is not a SQLite database" in resp.get_data(as_text=True)
    assert bogus.read_bytes() == b"this is not sqlite" * 100


def test_the_history_shows_the_pipelines_notes_by_code_in_the_readers_language(app, db, fake_norm) -> None:
    submit_new(db, fake_norm, 1, column="gov-affairs")
    rita, eddie = logged_in(app, "rita"), logged_in(app, "eddie")
    rita.post("/review/item/1/approve", data={"column": "gov-affairs", "csrf_token": token(rita, "/review/")})
    (entry,) = [h for h in review_queue.history(db, 1) if h["action"] == "approve"]
    assert (entry["note_code"], entry["note_params"]) == ("waiting-for-signoff", {"role": "editor"})
    assert "等待编辑签发" in eddie.get("/review/item/1").get_data(as_text=True)
    with eddie.session_transaction() as sess:
        sess["lang"] = "en"
    page = eddie.get("/review/item/1").get_data(as_text=True)
    assert "waiting for sign-off by the editor" in page and "等待编辑签发" not in page
