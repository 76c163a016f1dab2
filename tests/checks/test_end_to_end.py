"""Checks before publishing, end to end: a 公示 with a resident ID number is collected and ingested,
blocked for a reviewer (CLI and web), let through by an editor with a reason that the history keeps;
another is fixed by an edit, a third by its source's correction, and their findings close by themselves."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

import checks
import pipeline
import review_queue
import settings
import store
from collectors.model import CollectedItem
from collectors.state import StateStore

T0 = datetime(2026, 5, 2, 1, 0, tzinfo=UTC)
PASSWORD = "correct-horse-battery"
ID_NUMBER = "230102198503120045"
CONFIG = """
[web]
approval_hold = 0             # this test is about the checks: approvals publish at once

[[columns]]
id = "notices"
name = "通知公告"
kind = "policy"

[[columns]]
id = "city-news"
name = "地市动态"
kind = "news"
source_required = true

[[columns]]
id = "gov-affairs"
name = "政务动态"
kind = "news"
signoff = ["editor"]

[[sources]]
id = "harbin"
name = "哈尔滨市人民政府"
kind = "city"
type = "html"
url = "https://www.harbin.gov.cn/list.html"
column = "notices"
every = "15m"
"""


def gongshi(n: int, person_line: str) -> CollectedItem:
    body = ("<p>根据《事业单位公开招聘人员暂行规定》，现将拟聘用人员名单予以公示。</p>"
            f"<p>{person_line}</p><p>公示期为5个工作日。监督电话：0451-86123456。</p>"
            '<p><a href="javascript:void(0)">打印本页</a></p>')
    return CollectedItem(source_id="harbin", identity=f"gs-{n}", identity_rule="link",
                         url=f"https://www.harbin.gov.cn/art/2026/5/2/art_{n}.html",
                         title=f"哈尔滨市2026年事业单位拟聘用人员公示（第{n}批）", html=body,
                         published="2026-05-02 09:00", fetched_at=T0.isoformat())


@pytest.fixture
def env(tmp_path, monkeypatch):
    from argon2 import PasswordHasher

    from review_queue import users as users_mod

    monkeypatch.setattr(users_mod, "HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    monkeypatch.setattr(users_mod, "_DUMMY_HASH", None)
    cfg = tmp_path / "schedules.toml"
    cfg.write_text(CONFIG, encoding="utf-8")
    config = settings.load(cfg)
    dbp = tmp_path / "huiju.db"
    db = store.open_db(dbp)
    pipeline.init_all(db)
    review_queue.add_user(db, "rita", "reviewer", PASSWORD)
    review_queue.add_user(db, "eddie", "editor", PASSWORD)
    st = StateStore(db)
    st.store_item(gongshi(1, f"张三，男，身份证号：{ID_NUMBER}，哈尔滨工业大学硕士研究生。"), T0)
    st.store_item(gongshi(2, f"李四，女，身份证号：{ID_NUMBER}，东北林业大学本科。"), T0)
    st.store_item(gongshi(3, f"王五，男，身份证号：{ID_NUMBER}，黑龙江大学本科。"), T0)
    stats = pipeline.process(db, config, now=T0)
    assert stats.ingested == 3 and not stats.errors
    monkeypatch.setenv("HUIJU_PASSWORD", PASSWORD)
    yield {"db": db, "config": config, "cfg": str(cfg), "dbp": str(dbp), "store": st}
    db.conn.close()


def cli(env, *args: str):
    import run

    return CliRunner().invoke(run.cli, ["--lang", "en", "--config", env["cfg"], "--db", env["dbp"], *args])


def test_blocked_for_a_reviewer_overridden_by_an_editor_fixed_items_close(env) -> None:
    db, config = env["db"], env["config"]
    items = json.loads(cli(env, "items", "--json").output)
    assert len(items) == 3
    one = next(i for i in items if i["title"].endswith("（第1批）"))
    codes = {(c["code"], c["severity"], c["text"]) for c in one["checks"]}
    assert ("PII-ID", "block", ID_NUMBER) in codes
    assert ("LINK-SCHEME", "warn", "javascript:void(0)") in codes
    pid = next(c for c in one["checks"] if c["code"] == "PII-ID")
    assert pid["paragraph"] == 2 and pid["offset"] == "张三，男，身份证号：".__len__()
    # the office line in the same paragraph is not a finding
    assert not any("0451" in c["text"] for c in one["checks"])

    listing = json.loads(cli(env, "checks", "--json").output)
    assert sorted(r["item_id"] for r in listing if r["code"] == "PII-ID") == sorted(i["id"] for i in items)

    # a reviewer may not approve it, from the command line ...
    refused = cli(env, "review", "approve", str(one["id"]), "--user", "rita")
    assert refused.exit_code == 1
    assert "error: " in refused.output and "PII-ID" in refused.output and ID_NUMBER not in refused.output
    # ... nor with a reason, which is an editor's to give
    refused = cli(env, "review", "approve", str(one["id"]), "--user", "rita", "--override-checks", "依法公示")
    assert refused.exit_code == 1 and "editor" in refused.output
    assert review_queue.state(db, one["id"]) == "pending"
    # an editor lets it through with a reason, which the history keeps
    ok = cli(env, "review", "approve", str(one["id"]), "--user", "eddie", "--override-checks", "公示期内依法公开，已核实")
    assert ok.exit_code == 0, ok.output
    assert review_queue.state(db, one["id"]) == "published"
    notes = [(h["action"], h["actor"], h["note"]) for h in review_queue.history(db, one["id"])]
    assert ("override-checks", "eddie", "checks overridden (PII-ID): 公示期内依法公开，已核实") in notes

    # the second is fixed by a reviewer's edit: the finding closes and the reviewer may approve
    two = next(i for i in items if i["title"].endswith("（第2批）"))
    text = db.execute("SELECT text FROM items WHERE id = ?", [two["id"]]).fetchone()[0]
    review_queue.edit(db, two["id"], user="rita", text=text.replace(ID_NUMBER, "230102********0045"),
                      config=config, now=T0 + timedelta(minutes=5))
    assert not checks.blocking(db, two["id"])
    closed = db.execute("SELECT closed_note FROM check_findings WHERE item_id = ? AND code = 'PII-ID'",
                        [two["id"]]).fetchone()[0]
    assert closed == "fixed by an edit"
    assert review_queue.approve(db, [two["id"]], user="rita", config=config) == ["approved"]

    # the third is corrected at its source: the new version is checked and the finding closes
    three = next(i for i in items if i["title"].endswith("（第3批）"))
    env["store"].store_item(gongshi(3, "王五，男，黑龙江大学本科。"), T0 + timedelta(hours=1))
    pipeline.process(db, config, now=T0 + timedelta(hours=1))
    after = {i["id"]: i for i in json.loads(cli(env, "items", "--json").output)}
    assert [c["code"] for c in after[three["id"]]["checks"]] == ["LINK-SCHEME"]
    row = db.execute("SELECT version, closed_note FROM check_findings WHERE item_id = ? AND code = 'PII-ID'",
                     [three["id"]]).fetchone()
    assert row == (1, "fixed in version 2")
    assert review_queue.approve(db, [three["id"]], user="rita", config=config) == ["approved"]
    # what is still open on the published first item is no longer in the queue's listing
    assert cli(env, "checks", "--json").output.strip() == "[]"


def _login(client, name: str) -> None:
    page = client.get("/review/login").get_data(as_text=True)
    tok = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    resp = client.post("/review/login", data={"name": name, "password": PASSWORD, "csrf_token": tok})
    assert resp.status_code == 302


def test_the_web_ui_marks_the_row_highlights_the_number_and_blocks_a_reviewer(env, monkeypatch) -> None:
    app = pipeline.create_app(env["dbp"], env["config"])
    app.config["TESTING"] = True
    db = env["db"]
    item_id = db.execute("SELECT id FROM items ORDER BY id LIMIT 1").fetchone()[0]
    rita = app.test_client()
    _login(rita, "rita")
    queue = rita.get("/review/").get_data(as_text=True)
    assert queue.count('class="check-mark check-block"') == 3
    page = rita.get(f"/review/item/{item_id}").get_data(as_text=True)
    assert f'data-code="PII-ID">{ID_NUMBER}</mark>' in page
    assert 'name="override_checks"' not in page  # a reviewer is not offered the override
    tok = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    rita.post(f"/review/item/{item_id}/approve", data={"csrf_token": tok, "override_checks": "我觉得可以"})
    assert review_queue.state(db, item_id) == "pending"
    assert "PII-ID" in rita.get(f"/review/item/{item_id}").get_data(as_text=True)

    eddie = app.test_client()
    _login(eddie, "eddie")
    rita.post(f"/review/item/{item_id}/unlock", data={"csrf_token": tok})
    page = eddie.get(f"/review/item/{item_id}").get_data(as_text=True)
    assert 'name="override_checks"' in page
    tok = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    eddie.post(f"/review/item/{item_id}/approve", data={"csrf_token": tok, "override_checks": "依法公示"})
    assert review_queue.state(db, item_id) in ("approved", "published")

    monkeypatch.setenv("HUIJU_METRICS_TOKEN", "metrics-token-for-the-test")  # where /metrics is closed
    metrics = app.test_client().get("/metrics", headers={"Authorization": "Bearer metrics-token-for-the-test"})
    metrics = metrics.get_data(as_text=True)
    assert 'huiju_check_findings{code="PII-ID"} 2' in metrics
    assert 'huiju_check_findings{code="TERM-BANNED"} 0' in metrics


def test_an_override_holds_through_sign_off_and_a_new_block_finding_needs_its_own(env) -> None:
    db, config = env["db"], env["config"]
    review_queue.add_user(db, "erin", "editor", PASSWORD)
    first, second = [r[0] for r in db.execute("SELECT id FROM items ORDER BY id LIMIT 2")]
    # 初审 by an editor with a reason, into a column that needs a final sign-off: the 终审 is not asked again
    assert review_queue.approve(db, [first], user="eddie", column="gov-affairs", config=config,
                                override_checks="依法公示") == ["awaiting-signoff"]
    assert review_queue.approve(db, [first], user="erin", config=config) == ["approved"]
    # an override covers the findings it was given for, not one that appears later
    assert review_queue.approve(db, [second], user="eddie", column="gov-affairs", config=config,
                                override_checks="依法公示") == ["awaiting-signoff"]
    text = db.execute("SELECT text FROM items WHERE id = ?", [second]).fetchone()[0]
    review_queue.edit(db, second, user="eddie", text=text + "\n收款账号：6222020200112345679", config=config)
    with pytest.raises(review_queue.ChecksBlocked) as info:
        review_queue.approve(db, [second], user="erin", config=config)
    assert "PII-CARD" in str(info.value) and "PII-ID" not in str(info.value)
