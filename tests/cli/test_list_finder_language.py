"""The HTML list finder's reasons (a page with no list it is sure of) are codes and facts: probe,
sources and collect word them in the operator's language, Chinese by default, English the
collectors' own line. Data-driven over tests/collectors/onboarding/unsure (each NAME.toml gives
``reason`` and ``reason_zh``) and over every code the finder has."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from collectors import errors
from collectors.errors import NotAList
from collectors.parsers import parse_list
from pipeline import wording
from review_queue import catalogs
from tests.cli.test_cli_operator_language import CJK, assert_in_language

REPO = Path(__file__).resolve().parents[2]
UNSURE = sorted((REPO / "tests/collectors/onboarding/unsure").glob("*.html"))
BASE = "http://www.example.gov.cn/xxgk/tzgg/index.html"
IDENTIFIERS = {"list", "item_url", "script_link", "docId", "id", "content", "html", "meta", "refresh", "datastore",
               "HTML", "openArticle", "jsp"}


def say(lang: str, code: str | None, params: dict | None, text: str) -> str:
    """What the command line prints for a stored reason, in *lang* (as --lang sets it)."""
    saved = wording.LANGUAGE
    wording.LANGUAGE = lang
    try:
        return wording.collect_reason(code, params, text)
    finally:
        wording.LANGUAGE = saved
        catalogs.use(catalogs.DEFAULT)


@pytest.mark.parametrize("page", UNSURE, ids=[p.stem for p in UNSURE])
def test_a_page_with_no_sure_list_is_explained_in_both_languages(page: Path) -> None:
    expect = tomllib.loads(page.with_suffix(".toml").read_text(encoding="utf-8"))
    with pytest.raises(NotAList) as err:
        parse_list(page.read_text(encoding="utf-8"), BASE)
    exc = err.value
    assert exc.code == "no-confident-list" and expect["reason"] in str(exc)
    stored = json.loads(json.dumps(exc.params))  # as the source's state keeps it (and --json shows it)
    english, chinese = say("en", exc.code, stored, str(exc)), say("zh", exc.code, stored, str(exc))
    assert english == str(exc)  # one English: the collectors' own line
    assert expect["reason_zh"] in chinese, chinese
    title = exc.params.get("page_title") or ""
    assert_in_language("zh", chinese.replace(title, ""), identifiers=IDENTIFIERS)


def test_no_list_at_all_and_no_selector_match_are_worded_too() -> None:
    page = "<html><head><title>登录</title><meta http-equiv='refresh' content='0; url=/login.jsp'></head><body></body></html>"
    with pytest.raises(NotAList) as err:
        parse_list(page, BASE)
    exc = err.value
    assert exc.code == "no-list-found-titled" and str(exc) == (
        "no list of dated item links found on the page titled 登录 (the page redirects by meta refresh to "
        "http://www.example.gov.cn/login.jsp: use that address)")
    assert say("zh", exc.code, exc.params, str(exc)) == (
        "标题为“登录”的页面上没有找到带日期的条目链接列表（页面通过 meta refresh 跳转到 "
        "http://www.example.gov.cn/login.jsp：请改用该地址）")
    with pytest.raises(NotAList) as err:
        parse_list("<html><body><div class='x'><p>暂无</p></div></body></html>", BASE, {"items": "ul.news li"})
    exc = err.value
    assert str(exc) == "no entries match the list selector 'ul.news li'"
    assert say("zh", exc.code, exc.params, str(exc)) == "没有条目匹配列表选择器 'ul.news li'"
    assert say("en", exc.code, exc.params, str(exc)) == str(exc)


def _sample(template: str) -> dict[str, object]:
    return {name: (4.5 if spec == "g" else 7 if spec in "d" else "v" + name)
            for name, spec in re.findall(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?([sdfgr])", template)}


@pytest.mark.parametrize("code", sorted(errors.FINDING))
def test_every_part_of_the_finders_reasons_has_chinese_and_the_collectors_english(code: str) -> None:
    """A part added to collectors.errors.FINDING without its Chinese (wording.LIST_FINDING) or with other
    English in cli.po fails here."""
    assert code in wording.LIST_FINDING, f"{code}: no Chinese in wording.LIST_FINDING"
    params = _sample(errors.FINDING[code])
    if "dates" in params:
        params.update(dates="partly", percent=40, where="comment")
    if "kind" in params:
        params.update(kind="undated", where="in-script-data")
    parts = [["list", {"n": 6, "dates": "undated", "percent": 0, "where": "html"}], [code, params]]
    reason = {"candidate": parts, "page_title": None, "hint": None}
    exc = NotAList(code="no-confident-list", params=reason)
    english, chinese = say("en", exc.code, exc.params, str(exc)), say("zh", exc.code, exc.params, str(exc))
    assert english == str(exc) and errors.english_part(code, params) in english
    assert CJK.search(chinese) and chinese != english
    for value in params.values():
        if isinstance(value, str) and value.startswith("v"):
            assert value in chinese, (code, chinese)


def test_the_finders_words_are_the_collectors_english_in_the_catalog() -> None:
    with (REPO / "review_queue/translations/en/LC_MESSAGES/cli.po").open("rb") as fh:
        catalog = read_po(fh)
    assert set(wording.LIST_FINDING) == set(errors.FINDING)
    assert set(wording.LIST_FINDING_WORDS) == {k for k, v in errors.FINDING_WORDS.items() if v}  # (html: no words)
    for table, english in ((wording.LIST_FINDING, errors.FINDING), (wording.LIST_FINDING_WORDS, errors.FINDING_WORDS)):
        for code, msgid in table.items():
            assert catalog.get(msgid).string == english[code], code
    source = "".join(p.read_text(encoding="utf-8") for p in (REPO / "collectors/parsers").glob("*.py"))
    used = set(re.findall(r'(?:append\(|\[|return )[(\[]"([a-z-]+)", \{', source))  # the parts the finder makes
    assert used and used <= set(errors.FINDING), used - set(errors.FINDING)
