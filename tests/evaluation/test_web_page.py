"""The evaluation page of the reviewer UI: editors and admins only, ranking and drill-down."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest

import pipeline
import review_queue
import store
from tests.evaluation.test_rules import BJ, _checks, _config, _src

PASSWORD = "correct horse battery"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def app(tmp_path):
    path = str(tmp_path / "h.db")
    db = store.open_db(path)
    pipeline.init_all(db)
    first = datetime.now(BJ).date() - timedelta(days=9)
    _checks(db, "good", first, 7, 20)
    _checks(db, "down", first, 7, 20, bad_every=10)
    review_queue.add_user(db, "rita", "reviewer", PASSWORD)
    review_queue.add_user(db, "eda", "editor", PASSWORD)
    db.close()
    app = pipeline.create_app(path, _config(_src("good"), _src("down"), _src("<b>x</b>", kind="county")))
    app.config["TESTING"] = True
    app.config["first"] = first
    return app


def _login(client, name: str) -> None:
    m = TOKEN.search(client.get("/review/login").get_data(as_text=True))
    resp = client.post("/review/login", data={"name": name, "password": PASSWORD, "csrf_token": m.group(1)})
    assert resp.status_code == 302


def test_editors_see_the_ranking_and_a_site_reviewers_are_refused(app):
    first: date = app.config["first"]
    q = f"?from={first}&to={first + timedelta(days=6)}"
    anon = app.test_client()
    assert anon.get("/review/evaluation" + q).status_code == 302  # to the login page
    rita = app.test_client()
    _login(rita, "rita")
    assert rita.get("/review/evaluation" + q).status_code == 403
    eda = app.test_client()
    _login(eda, "eda")
    page = eda.get("/review/evaluation" + q).get_data(as_text=True)
    assert page.index("good 网站") < page.index("down 网站")  # ranked: the vetoed site after
    assert "站点无法访问（单项否决）" in page and "&lt;b&gt;x&lt;/b&gt; 网站" in page and "<b>x</b>" not in page
    site = eda.get("/review/evaluation/down" + q)
    text = site.get_data(as_text=True)
    assert site.status_code == 200 and "14 次未能在 15 秒内打开" in text and "<svg" in text
    assert eda.get("/review/evaluation/nosuch" + q).status_code == 404
    assert eda.get("/review/evaluation?from=soon").status_code == 400
