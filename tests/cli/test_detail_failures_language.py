"""A list whose every detail page fails: collect, sources and probe say so in the chosen language,
the first page's own reason worded too (it is coded: details-failed with first_code); --json keeps
the collectors' English line and its facts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import run
from tests.cli.test_cli_operator_language import assert_in_language
from tests.collectors.fakeweb import FakeWeb

LIST = ('<html><body><ul class="l"><li><a href="/d/1.html">鸡西市政务公开第1号通知</a><span>2024-05-01</span></li>'
        '<li><a href="/d/2.html">鸡西市政务公开第2号通知</a><span>2024-05-02</span></li></ul></body></html>')


@pytest.fixture()
def broken(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A list of two links whose detail pages answer HTTP 500."""
    web = FakeWeb()
    web.route("/l.html", LIST)
    for n in (1, 2):
        web.route(f"/d/{n}.html", "<html><body>服务器错误</body></html>", status=500)
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[[sources]]\nid = "jixi"\nname = "鸡西市人民政府"\nkind = "city"\ntype = "html"\n'
                   f'url = "{web.url}/l.html"\ncolumn = "city-news"\nevery = "1h"\n'
                   'list = { items = "ul.l li", date = "span" }\n', encoding="utf-8")
    try:
        yield {"cfg": str(cfg), "db": str(tmp_path / "h.db"), "url": f"{web.url}/l.html", "base": web.url}
    finally:
        web.stop()


def invoke(site: dict[str, str], lang: str, *args: str) -> Result:
    return CliRunner().invoke(run.cli, ["--lang", lang, "--config", site["cfg"], "--db", site["db"], *args])


def test_every_detail_page_failing_is_explained_in_the_chosen_language(broken: dict[str, str]) -> None:
    first = next(f"{broken['base']}/d/{n}.html" for n in (1, 2))  # the pages are fetched in list order
    collected = {lang: invoke(broken, lang, "collect") for lang in ("zh", "en")}
    assert collected["zh"].exit_code == collected["en"].exit_code == 1
    zh_row, en_row = collected["zh"].stdout.splitlines()[0], collected["en"].stdout.splitlines()[0]
    assert "错误 全部 2 个详情页都失败；第一个：详情页 http" in zh_row and "：网站回答 HTTP 500：" in zh_row, zh_row
    assert "ERROR all 2 detail pages failed; first: detail page http" in en_row and ": HTTP 500 at " in en_row, en_row
    assert_in_language("zh", zh_row, identifiers={"jixi", "HTTP"})
    listed = {lang: invoke(broken, lang, "sources").stdout.splitlines()[1] for lang in ("zh", "en")}
    assert "全部 2 个详情页都失败；第一个：详情页 " in listed["zh"] and "网站回答 HTTP 500" in listed["zh"], listed
    assert "all 2 detail pages failed; first: detail page " in listed["en"], listed
    [row] = json.loads(invoke(broken, "zh", "sources", "--json").stdout)
    assert row["last_error_code"] == "details-failed" and row["last_error"].startswith("all 2 detail pages failed")
    params = row["last_error_params"]
    assert params["n"] == 2 and params["first_code"] == "http-status" and params["first_params"]["status"] == 500
    assert params["page"].startswith(broken["base"] + "/d/") and first.startswith(broken["base"])
    for lang, said in (("zh", "error: 没有条目：每个详情页都失败；第一个：详情页 "),
                       ("en", "error: no item: every detail page failed; first: detail page ")):
        probed = invoke(broken, lang, "probe", broken["url"])
        assert probed.exit_code == 1 and probed.stderr.startswith(said), probed.stderr
        assert ("网站回答 HTTP 500" if lang == "zh" else "HTTP 500 at") in probed.stderr
