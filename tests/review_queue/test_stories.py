"""Splitting a story and merging two, at the desk, against the real normalizers: who may, what the
history says, how the review states follow, and that the queue and later ingests respect it."""

from __future__ import annotations

import pytest

import normalizers
import review_queue

from . import test_with_normalizers
from .conftest import at
from .test_with_normalizers import CONFIG, PARAS, feed, story

rdb = test_with_normalizers.rdb  # the fixture: a database with the real normalizers

OTHER = [
    "本报讯 3月5日，省发展和改革委员会召开全省重点项目建设推进会，安排部署今年重点项目建设工作。",
    "会议要求，各地要加快项目前期工作，强化要素保障，确保全年完成投资目标，为全面振兴提供有力支撑。",
    "会议强调，要建立重点项目包保责任制，实行清单化管理，定期调度通报，确保项目早开工早见效。",
]
TITLE = "市政府召开冬季城市运行保障工作推进会议"


@pytest.fixture
def desk(rdb):
    review_queue.add_user(rdb, "erin", "editor", "correct horse battery")
    return rdb


def _history(db, item_id: int, action: str) -> list[dict]:
    return [h for h in review_queue.history(db, item_id) if h["action"] == action]


def test_a_split_duplicate_waits_as_its_own_story_and_stays_apart_on_a_new_version(desk) -> None:
    own, _ = feed(desk, 1, story("harbin", TITLE, PARAS, "a1"))
    copy, _ = feed(desk, 2, story("xinhua", "哈尔滨：" + TITLE, PARAS[:3], "x1"))
    review_queue.approve(desk, [own.item_id], user="rita", now=at(5))
    assert review_queue.state(desk, copy.item_id) == "duplicate"
    review_queue.split_story(desk, copy.item_id, user="erin", reason="新华网稿件是另一次会议", now=at(6))
    assert review_queue.state(desk, copy.item_id) == "pending"
    [entry] = _history(desk, copy.item_id, "split")
    assert entry["actor"] == "erin" and entry["from_state"] == "duplicate" and entry["to_state"] == "pending"
    assert "新华网稿件是另一次会议" in entry["note"] and f"#{own.item_id}" in entry["note"]
    assert [e.item_id for e in review_queue.queue(desk)] == [copy.item_id]
    # the re-poster corrects its copy: it still matches the original's text, and still stays apart
    result, state = feed(desk, 3, story("xinhua", "哈尔滨：" + TITLE, PARAS[:3] + ["（记者 王明）"], "x1"))
    assert (result.kind, state) == ("version", "pending")
    assert result.cluster_id != normalizers.get_item(desk, own.item_id)["cluster"]
    assert [e.item_id for e in review_queue.queue(desk)] == [copy.item_id]


def test_splitting_off_the_approved_member_requeues_its_duplicates(desk) -> None:
    own, _ = feed(desk, 1, story("harbin", TITLE, PARAS, "a1"))
    copy, _ = feed(desk, 2, story("xinhua", "哈尔滨：" + TITLE, PARAS[:3], "x1"))
    review_queue.approve(desk, [own.item_id], user="rita", now=at(5))
    review_queue.split_story(desk, own.item_id, user="erin", reason="归并错误", now=at(6))
    assert review_queue.states(desk, [own.item_id, copy.item_id]) == {own.item_id: "approved",
                                                                        copy.item_id: "pending"}
    [requeued] = _history(desk, copy.item_id, "undo-duplicate")
    assert "split out" in requeued["note"]


def test_merged_stories_are_one_unit_and_take_the_next_repost(desk) -> None:
    a, _ = feed(desk, 1, story("harbin", TITLE, PARAS, "a1"))
    b, _ = feed(desk, 2, story("harbin", "全省重点项目建设推进会召开", OTHER, "a2"))
    assert len(review_queue.queue(desk)) == 2
    review_queue.merge_stories(desk, a.item_id, b.item_id, user="erin", reason="同一次会议的两篇报道", now=at(3))
    [unit] = review_queue.queue(desk)
    assert set(unit.members) == {a.item_id, b.item_id}
    [moved] = _history(desk, b.item_id, "merge")
    assert moved["actor"] == "erin" and "同一次会议的两篇报道" in moved["note"]
    assert _history(desk, a.item_id, "merge")
    repost, state = feed(desk, 4, story("xinhua", "全省重点项目建设推进会召开", OTHER[:2], "x9"))
    assert repost.cluster_id == normalizers.get_item(desk, a.item_id)["cluster"]
    review_queue.approve(desk, [a.item_id], user="rita", now=at(5))
    assert review_queue.states(desk, [b.item_id, repost.item_id]) == {b.item_id: "duplicate",
                                                                        repost.item_id: "duplicate"}


def test_merging_into_a_story_already_out_makes_the_waiting_members_duplicates(desk) -> None:
    a, _ = feed(desk, 1, story("harbin", TITLE, PARAS, "a1"))
    review_queue.approve(desk, [a.item_id], user="rita", now=at(2))
    b, _ = feed(desk, 3, story("harbin", "全省重点项目建设推进会召开", OTHER, "a2"))
    review_queue.merge_stories(desk, a.item_id, b.item_id, user="erin", reason="同一条", now=at(4))
    assert review_queue.state(desk, b.item_id) == "duplicate"
    assert review_queue.queue(desk) == []


def test_only_editors_split_or_merge_and_always_with_a_reason(desk) -> None:
    own, _ = feed(desk, 1, story("harbin", TITLE, PARAS, "a1"))
    copy, _ = feed(desk, 2, story("xinhua", "哈尔滨：" + TITLE, PARAS[:3], "x1"))
    lone, _ = feed(desk, 3, story("harbin", "全省重点项目建设推进会召开", OTHER, "a2"))
    with pytest.raises(review_queue.PermissionDenied, match="editor role"):
        review_queue.split_story(desk, copy.item_id, user="rita", reason="不同")
    with pytest.raises(review_queue.PermissionDenied, match="editor role"):
        review_queue.merge_stories(desk, own.item_id, lone.item_id, user="rita", reason="同一条")
    with pytest.raises(review_queue.MissingReason):
        review_queue.split_story(desk, copy.item_id, user="erin", reason=" ")
    with pytest.raises(review_queue.InvalidTransition, match="alone in its story"):
        review_queue.split_story(desk, lone.item_id, user="erin", reason="不同")
    with pytest.raises(review_queue.InvalidTransition, match="merged with itself"):
        review_queue.merge_stories(desk, own.item_id, copy.item_id, user="erin", reason="同一条")
    assert normalizers.get_item(desk, copy.item_id)["cluster"] == own.cluster_id
    assert not _history(desk, copy.item_id, "split")


@pytest.fixture
def web(desk, tmp_path):
    import flask

    app = flask.Flask("test-stories")
    app.config.update(SECRET_KEY="test-secret", HUIJU_DB=str(tmp_path / "huiju.db"), TESTING=True,
                      HUIJU_CONFIG=CONFIG)
    review_queue.init_app(app)
    app.register_blueprint(review_queue.create_blueprint(), url_prefix="/review")
    return app


def test_the_item_page_splits_and_merges_for_editors_only_with_csrf(web, desk) -> None:
    from .test_web import login, token

    own, _ = feed(desk, 1, story("harbin", TITLE, PARAS, "a1"))
    copy, _ = feed(desk, 2, story("xinhua", "哈尔滨：" + TITLE, PARAS[:3], "x1"))
    lone, _ = feed(desk, 3, story("harbin", "全省重点项目建设推进会召开", OTHER, "a2"))
    rita, erin = web.test_client(), web.test_client()
    login(rita, "rita")
    login(erin, "erin")
    page = f"/review/item/{own.item_id}"
    assert "拆出为独立报道" not in rita.get(page).get_data(as_text=True)  # a reviewer is not offered it
    refused = rita.post(f"/review/item/{copy.item_id}/split", data={"reason": "不同", "csrf_token": token(rita, page)})
    assert refused.status_code == 403
    assert erin.post(f"/review/item/{copy.item_id}/split", data={"reason": "不同"}).status_code == 400  # no CSRF token
    assert normalizers.get_item(desk, copy.item_id)["cluster"] == own.cluster_id
    html = erin.get(page).get_data(as_text=True)
    assert f'action="/review/item/{copy.item_id}/split"' in html
    done = erin.post(f"/review/item/{copy.item_id}/split",
                     data={"reason": "另一次会议", "back": page, "csrf_token": token(erin, page)})
    assert done.status_code == 302 and done.headers["Location"] == page
    assert normalizers.get_item(desk, copy.item_id)["cluster"] != own.cluster_id
    assert "另一次会议" in erin.get(f"/review/item/{copy.item_id}").get_data(as_text=True)  # the history row
    assert len(review_queue.queue(desk)) == 3
    erin.post(f"/review/item/{own.item_id}/merge",
              data={"other": f"#{lone.item_id}", "reason": "同一次会议", "csrf_token": token(erin, page)})
    assert {u.item_id for u in review_queue.queue(desk)} == {own.item_id, copy.item_id}
    assert _history(desk, lone.item_id, "merge")[0]["actor"] == "erin"
    bad = erin.post(f"/review/item/{own.item_id}/merge", data={"other": "999", "reason": "x",
                                                               "csrf_token": token(erin, page)},
                    follow_redirects=True)
    assert "没有这条稿件：999" in bad.get_data(as_text=True)


CLI_CONFIG = """
[[columns]]
id = "city-news"
name = "地市动态"
kind = "news"

[[sources]]
id = "harbin"
name = "哈尔滨市人民政府"
kind = "city"
type = "html"
url = "https://www.harbin.gov.cn/list.html"
column = "city-news"
"""


def test_the_command_line_splits_and_merges_with_one_line_errors(desk, tmp_path, monkeypatch) -> None:
    from click.testing import CliRunner

    import run

    own, _ = feed(desk, 1, story("harbin", TITLE, PARAS, "a1"))
    copy, _ = feed(desk, 2, story("xinhua", "哈尔滨：" + TITLE, PARAS[:3], "x1"))
    cfg = tmp_path / "schedules.toml"
    cfg.write_text(CLI_CONFIG, encoding="utf-8")
    monkeypatch.setenv("HUIJU_PASSWORD", "correct horse battery")

    def cli(*args: str):
        return CliRunner().invoke(run.cli, ["--lang", "en", "--config", str(cfg), "--db", str(tmp_path / "huiju.db"),
                                            *args])

    refused = cli("review", "split", str(copy.item_id), "--reason", "不同", "--user", "rita")
    assert refused.exit_code == 1 and refused.output.strip().startswith("error: ")
    assert "editor role" in refused.output and len(refused.output.strip().splitlines()) == 1
    done = cli("review", "split", str(copy.item_id), "--reason", "另一次会议", "--user", "erin")
    assert done.exit_code == 0, done.output
    assert f"item {copy.item_id}: split out into story" in done.output
    assert normalizers.get_item(desk, copy.item_id)["cluster"] != own.cluster_id
    merged = cli("review", "merge", str(own.item_id), str(copy.item_id), "--reason", "还是同一条", "--user", "erin")
    assert merged.exit_code == 0, merged.output
    assert normalizers.get_item(desk, copy.item_id)["cluster"] == normalizers.get_item(desk, own.item_id)["cluster"]


SUMMARY = [
    "入冬以来，我市多措并举保障群众温暖过冬，供热、环卫、交通等部门连日奋战在一线，市民普遍反映今冬城市运行平稳有序。",
    PARAS[1],
    PARAS[2],
    "记者在道里区一处供热站看到，值班人员正在监控各小区的回水温度，遇到异常立即派人上门检修，平均响应时间不超过两小时。",
    "市民王女士说，今年家里的暖气比往年热得早、热得匀，打热线反映问题当天就有人来处理，心里踏实多了。",
]


def test_a_summary_quoting_the_story_is_offered_to_editors_as_possibly_the_same(web, desk) -> None:
    from .test_web import login, token

    own, _ = feed(desk, 1, story("harbin", TITLE, PARAS, "a1"))
    summary, _ = feed(desk, 2, story("xinhua", "我市多措并举保障群众温暖过冬", SUMMARY, "x2"))
    lone, _ = feed(desk, 3, story("harbin", "全省重点项目建设推进会召开", OTHER, "a2"))
    assert summary.cluster_id != own.cluster_id  # two sentences amid its own words: not merged on its own
    assert [m.item_id for m in normalizers.possible_matches(desk, summary.item_id)] == [own.item_id]
    assert [m.item_id for m in normalizers.possible_matches(desk, own.item_id)] == [summary.item_id]
    assert normalizers.possible_matches(desk, lone.item_id) == []
    rita, erin = web.test_client(), web.test_client()
    login(rita, "rita")
    login(erin, "erin")
    page = f"/review/item/{summary.item_id}"
    seen = rita.get(page).get_data(as_text=True)
    assert "可能是同一报道" in seen and f'href="/review/item/{own.item_id}"' in seen
    assert "<mark>" in seen.split('id="possible"')[1]  # the shared passage, highlighted
    assert "确认为同一报道，合并" not in seen  # a reviewer sees the hint, an editor merges
    html = erin.get(page).get_data(as_text=True)
    assert f'action="/review/item/{own.item_id}/merge"' in html and "确认为同一报道，合并" in html
    with rita.session_transaction() as sess:
        sess["lang"] = "en"  # the reader chose English
    english = rita.get(page).get_data(as_text=True)
    assert "Possibly the same story" in english and "of the shorter one is the other's text" in english
    assert "可能是同一报道" not in english
    assert erin.post(f"/review/item/{own.item_id}/merge", data={"other": str(summary.item_id),
                                                                 "reason": "综述引用原文"}).status_code == 400
    done = erin.post(f"/review/item/{own.item_id}/merge",
                     data={"other": str(summary.item_id), "reason": "综述引用原文", "back": page,
                           "csrf_token": token(erin, page)})
    assert done.status_code == 302 and done.headers["Location"] == page
    assert normalizers.get_item(desk, summary.item_id)["cluster"] == normalizers.get_item(desk, own.item_id)["cluster"]
    assert "综述引用原文" in erin.get(page).get_data(as_text=True)  # the history says why
    assert normalizers.possible_matches(desk, summary.item_id) == []  # one story now: nothing left to offer
