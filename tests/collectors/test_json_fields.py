"""A JSON field path that stops at an object gives no garbage title, and says what to configure."""

from __future__ import annotations

import json

import pytest

from collectors.errors import ParseError
from collectors.parsers import load_json, looks_like_json, parse_json


def test_an_object_where_text_belongs_is_not_printed_as_a_python_dict() -> None:
    data = {"items": [{"title": {"rendered": "哈尔滨市召开常务会议"}, "link": "/a/1.html", "date": "2024-05-01"}]}
    spec = {"items": "items", "title": "title", "url": "link", "date": "date"}
    [entry] = parse_json(data, "https://www.harbin.gov.cn/", spec)
    assert entry.title == ""  # not "{'rendered': …}"
    assert entry.url == "https://www.harbin.gov.cn/a/1.html"
    assert any("'title' is an object" in w and "deeper path" in w for w in entry.warnings)
    [fixed] = parse_json(data, "https://www.harbin.gov.cn/", {**spec, "title": "title.rendered"})
    assert fixed.title == "哈尔滨市召开常务会议" and not fixed.warnings


BODY = '{"data": {"list": [{"title": "双鸭山市召开项目建设推进会", "url": " /art/2025/3/1/art_1.html ", "time": "2025-03-01"}]}}'
WRAPPED = {
    "plain": BODY,
    "bom": "\ufeff" + BODY,
    "jsonp": f"jQuery1830({BODY})",
    "jsonp-comment-semicolon": f"/**/ cb_list({BODY});",
    "jsonp-typeof-guard": f"/**/ typeof cb === 'function' && cb({BODY});",
    "jsonp-try-catch": f"try{{cb({BODY})}}catch(e){{}}",
    "trailing-comment": BODY + "\n<!-- 2025-03-01 10:00:01 -->",
    "encoded-twice": json.dumps(BODY, ensure_ascii=False),
}


@pytest.mark.parametrize("name", list(WRAPPED))
def test_json_list_endpoints_as_sites_wrap_them(name) -> None:
    data = load_json(WRAPPED[name])
    [entry] = parse_json(data, "https://www.shuangyashan.gov.cn/col/", {"items": "data.list", "title": "title",
                                                                       "url": "url", "date": "time"})
    assert entry.title == "双鸭山市召开项目建设推进会"
    assert entry.url == "https://www.shuangyashan.gov.cn/art/2025/3/1/art_1.html"  # the spaces trimmed


@pytest.mark.parametrize("text", ["jQuery1830({BODY})", "/**/ cb({BODY});"])
def test_jsonp_is_recognised_as_json_without_a_type(text) -> None:
    assert looks_like_json(text.replace("{BODY}", BODY).encode("utf-8"), "application/javascript")
    assert looks_like_json(text.replace("{BODY}", BODY).encode("utf-8"), "text/html")


@pytest.mark.parametrize("text", ['{"data": [', "<html><title>系统维护</title></html>", "cb({broken"])
def test_what_is_not_json_still_fails_in_one_line(text) -> None:
    with pytest.raises(ParseError) as info:
        load_json(text)
    assert "\n" not in str(info.value) and str(info.value).startswith("not valid JSON")


def test_an_html_page_with_a_script_object_is_named_as_an_html_page() -> None:
    page = '<html><head><title>系统维护中</title><script>var cfg = {"items": [1, 2]};</script></head></html>'
    with pytest.raises(ParseError, match=r"the server sent an HTML page \(系统维护中\)"):
        load_json(page)


def test_probe_takes_the_news_list_not_a_longer_menu() -> None:
    from collectors.parsers import guess_json_spec

    data = {"nav": [{"name": f"栏目{i}", "link": f"/col/{i}/"} for i in range(12)],
            "data": {"rows": [{"title": f"七台河市召开第{i}次常务会议", "url": f"/art/{i}.html", "pubTime": "2025-03-01"}
                              for i in range(5)]}}
    spec = guess_json_spec(data)
    assert spec["items"] == "data.rows" and spec["date"] == "pubTime"
