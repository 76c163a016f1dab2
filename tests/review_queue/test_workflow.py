"""The workflow table, driven through the public API: every allowed move per role, and forbidden ones."""

from __future__ import annotations

from pathlib import Path

import pytest

import review_queue
from review_queue import workflow as wf
from review_queue.errors import InvalidTransition, PermissionDenied

from .conftest import CITY, FakeResult, at, make_config, submit_new

USER_OF = {"reviewer": "rita", "editor": "eddie", "admin": "ada"}
ITEM = 12


def reach(db, fake, state: str):
    """Bring item 12 to *state* through the public API; return the config to act with."""
    config = make_config(city_news=("editor",)) if state == "awaiting-signoff" else make_config()
    submit_new(db, fake, ITEM)
    if state == "pending":
        return config
    if state == "awaiting-signoff":
        assert review_queue.approve(db, [ITEM], user="ron", config=config, now=at(20)) == ["awaiting-signoff"]
        return config
    if state == "rejected":
        review_queue.reject(db, [ITEM], user="ron", reason="off topic", now=at(20))
        return config
    if state == "duplicate":
        fake.add(11, cluster=5, representative=True)
        fake.items[ITEM]["cluster"] = 5
        fake.clusters[5].append(ITEM)
        review_queue.submit(db, fake.result(11), CITY, now=at(13))
        review_queue.approve(db, [11], user="ron", config=config, now=at(20))
        return config
    review_queue.approve(db, [ITEM], user="ron", config=config, now=at(20))
    if state == "approved":
        return config
    review_queue.mark_published(db, ITEM, 1, now=at(21))
    if state == "published":
        return config
    if state == "corrected":
        review_queue.submit(db, fake.result(ITEM, kind="version", version=2), CITY, now=at(30))
        return config
    if state == "retracted":
        review_queue.retract(db, ITEM, user="erin", reason="wrong figures", now=at(30))
        return config
    raise AssertionError(state)


def act(db, action: str, user: str, config, fake=None) -> None:
    now = at(40)
    if action == "approve":
        review_queue.approve(db, [ITEM], user=user, config=config, now=now)
    elif action == "reject":
        review_queue.reject(db, [ITEM], user=user, reason="no", now=now)
    elif action == "retract":
        review_queue.retract(db, ITEM, user=user, reason="withdrawn upstream", now=now)
    elif action == "edit":
        review_queue.edit(db, ITEM, user=user, title="改过的标题", now=now, config=config)
    elif action == "override-checks":
        # the text now holds a resident ID number (a block finding): only an editor's reason lets it through
        review_queue.edit(db, ITEM, user=user, text="张三 身份证号 230102199001011230", now=at(35), config=config)
        review_queue.approve(db, [ITEM], user=user, config=config, now=now, override_checks="公示期内依法公开")
    elif action == "keep":
        review_queue.submit(db, FakeResult(ITEM, kind="withdrawn"), CITY, now=at(35))
        review_queue.keep(db, ITEM, user=user, now=now)
    elif action == "unreject":
        review_queue.unreject(db, ITEM, user=user, reason="退回有误", now=now)
    elif action == "undo-approve":
        review_queue.undo_approve(db, ITEM, user=user, now=now)
    elif action == "desk-correct":
        review_queue.start_correction(db, ITEM, user=user, reason="数字有误", now=now)
    elif action in ("split", "merge"):
        if fake.items[ITEM]["cluster"] is None:  # a story of its own so far
            fake._move_to(ITEM, 7)
        if action == "split":
            fake.add(13, cluster=fake.items[ITEM]["cluster"])  # a member to split it from
            review_queue.split_story(db, ITEM, user=user, reason="另一条新闻", now=now)
        else:
            submit_new(db, fake, 14, cluster=8, now=at(35))
            review_queue.merge_stories(db, ITEM, 14, user=user, reason="同一条新闻", now=now)
    else:
        raise AssertionError(action)


CASES_FILE = Path(__file__).parent / "cases" / "transitions.tsv"
ERRORS = {"InvalidTransition": InvalidTransition, "PermissionDenied": PermissionDenied}


def load_cases() -> list[tuple[str, str, str, str | type[Exception]]]:
    """(state before, action, role, state after | exception) rows of cases/transitions.tsv."""
    cases = []
    for line in CASES_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        before, action, role, after = line.split("\t")
        assert before in wf.STATES and role in wf.ROLES and (after in wf.STATES or after in ERRORS), line
        cases.append((before, action, role, ERRORS.get(after, after)))
    return cases


CASES = load_cases()


@pytest.mark.parametrize(("before", "action", "role", "after"), CASES,
                         ids=[f"{b}-{a}-{r}" for b, a, r, _ in CASES])
def test_transition(db, fake_norm, before, action, role, after) -> None:
    config = reach(db, fake_norm, before)
    assert review_queue.state(db, ITEM) == before
    if isinstance(after, str):
        act(db, action, USER_OF[role], config, fake_norm)
        assert review_queue.state(db, ITEM) == after
        last = review_queue.history(db, ITEM)[-1]
        assert last["actor"] == USER_OF[role]
        assert (last["from_state"], last["to_state"]) == (before, after)
    else:
        with pytest.raises(after) as info:
            act(db, action, USER_OF[role], config, fake_norm)
        assert "\n" not in str(info.value) and str(ITEM) in str(info.value)
        assert review_queue.state(db, ITEM) == before  # nothing changed


def test_every_human_transition_in_the_table_is_exercised() -> None:
    covered = {(b, "signoff" if b == "awaiting-signoff" and a == "approve" else a)
               for b, a, _, after in CASES if isinstance(after, str)}
    human = {(t.source, t.action) for t in wf.TRANSITIONS if t.role != wf.SYSTEM}
    assert human <= covered, human - covered


def test_invalid_transition_message_is_one_line_with_reason(db, fake_norm) -> None:
    reach(db, fake_norm, "rejected")
    with pytest.raises(InvalidTransition, match=r"^item 12 is rejected; cannot approve$"):
        review_queue.approve(db, [ITEM], user="rita")


def test_bulk_approve_is_all_or_nothing(db, fake_norm) -> None:
    submit_new(db, fake_norm, 1)
    submit_new(db, fake_norm, 2)
    review_queue.reject(db, [2], user="rita")
    with pytest.raises(InvalidTransition):
        review_queue.approve(db, [1, 2], user="rita")
    assert review_queue.states(db, [1, 2]) == {1: "pending", 2: "rejected"}


def test_two_level_signoff_needs_two_people_and_the_editor_role(db, fake_norm) -> None:
    config = make_config(city_news=("editor",))
    submit_new(db, fake_norm, 1)
    assert review_queue.approve(db, [1], user="eddie", config=config, now=at(5)) == ["awaiting-signoff"]
    with pytest.raises(PermissionDenied, match="already approved"):
        review_queue.approve(db, [1], user="eddie", config=config, now=at(6))
    assert review_queue.due_for_publishing(db) == []
    assert review_queue.approve(db, [1], user="erin", config=config, now=at(7)) == ["approved"]
    view = review_queue.publish_view(db, 1)
    assert view["approved_by"] == "erin"
    assert [s["user"] for s in view["signoffs"]] == ["eddie", "erin"]
    assert review_queue.due_for_publishing(db) == [1]


def test_three_level_signoff_follows_the_column_roles_in_order(db, fake_norm) -> None:
    config = make_config(city_news=("editor", "admin"))
    submit_new(db, fake_norm, 1)
    assert review_queue.approve(db, [1], user="rita", config=config) == ["awaiting-signoff"]
    assert review_queue.approve(db, [1], user="eddie", config=config) == ["awaiting-signoff"]
    with pytest.raises(PermissionDenied, match="admin"):
        review_queue.approve(db, [1], user="erin", config=config)
    assert review_queue.approve(db, [1], user="ada", config=config) == ["approved"]


def test_disabled_user_can_do_nothing(db, fake_norm) -> None:
    submit_new(db, fake_norm, 1)
    review_queue.disable_user(db, "rita")
    with pytest.raises(PermissionDenied, match="disabled"):
        review_queue.approve(db, [1], user="rita")
    assert review_queue.state(db, 1) == "pending"


def test_unknown_item(db) -> None:
    with pytest.raises(review_queue.UnknownItem, match="item 999"):
        review_queue.state(db, 999)
    with pytest.raises(review_queue.UnknownItem):
        review_queue.approve(db, [999], user="rita")


def test_signoff_roles_are_fixed_at_first_approval_so_callers_without_config_cannot_skip_them(db, fake_norm) -> None:
    submit_new(db, fake_norm, 1)
    review_queue.approve(db, [1], user="rita", config=make_config(city_news=("editor",)))
    with pytest.raises(PermissionDenied, match="editor"):
        review_queue.approve(db, [1], user="ron")  # e.g. a command line that passes no config
    assert review_queue.approve(db, [1], user="eddie") == ["approved"]


def test_moving_an_item_never_escapes_its_columns_signoff(db, fake_norm) -> None:
    config = make_config(gov_affairs=("editor",))
    submit_new(db, fake_norm, 1, column="gov-affairs")
    with pytest.raises(PermissionDenied, match=r"moving it out of gov-affairs \(sign-off: editor\) needs an editor"):
        review_queue.approve(db, [1], user="rita", column="city-news", config=config)
    with pytest.raises(PermissionDenied, match="needs an editor"):
        review_queue.edit(db, 1, user="rita", column="city-news", config=config)
    assert review_queue.state(db, 1) == "pending" and review_queue.publish_view(db, 1)["column"] is None
    with pytest.raises(review_queue.MissingReason, match="needs a reason"):
        review_queue.approve(db, [1], user="eddie", column="city-news", config=config)
    assert review_queue.approve(db, [1], user="eddie", column="city-news", reason="属地新闻",
                                config=config) == ["approved"]
    moved = [h for h in review_queue.history(db, 1) if h["action"] == "column"][0]
    assert moved["note"] == "moved out of gov-affairs (sign-off: editor): 属地新闻"


def test_moving_into_a_stricter_column_brings_its_chain_even_after_the_first_approval(db, fake_norm) -> None:
    config = make_config(gov_affairs=("editor",), gov_documents=("editor", "admin"))
    submit_new(db, fake_norm, 1)  # city-news: no sign-off
    assert review_queue.approve(db, [1], user="rita", column="gov-affairs", config=config) == ["awaiting-signoff"]
    review_queue.edit(db, 1, user="eddie", column="gov-documents", config=config)
    assert review_queue.approve(db, [1], user="eddie", config=config) == ["awaiting-signoff"]
    with pytest.raises(PermissionDenied, match="admin"):
        review_queue.approve(db, [1], user="erin", config=config)
    # moving it back to a column with a weaker chain while it waits is again an editor's decision
    with pytest.raises(PermissionDenied, match="needs an editor"):
        review_queue.edit(db, 1, user="ron", column="city-news", config=config)
    assert review_queue.approve(db, [1], user="ada", config=config) == ["approved"]
    assert [s["user"] for s in review_queue.publish_view(db, 1)["signoffs"]] == ["rita", "eddie", "ada"]


def test_batch_approval_from_a_weaker_column_choice_is_refused_as_a_whole(db, fake_norm) -> None:
    config = make_config(gov_affairs=("editor",))
    submit_new(db, fake_norm, 1)
    submit_new(db, fake_norm, 2, column="gov-affairs")
    with pytest.raises(PermissionDenied):
        review_queue.approve(db, [1, 2], user="rita", column="city-news", config=config)
    assert review_queue.states(db, [1, 2]) == {1: "pending", 2: "pending"}
