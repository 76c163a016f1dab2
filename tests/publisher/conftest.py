"""Fixtures for the publisher: a file database, the default catalog, entries, a tiny Flask app."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import flask
import pytest

import publisher
import store
from settings import DEFAULT_COLUMNS, Config

HARBIN_URL = "https://www.harbin.gov.cn/haerbin/c104529/202405/c01_1001.shtml"


@pytest.fixture()
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "huiju.db"


@pytest.fixture()
def db(db_path: Path):
    conn = store.open_db(db_path)
    publisher.init(conn)
    yield conn
    conn.conn.close()


@pytest.fixture()
def config() -> Config:
    return Config(path="test.toml", columns={c.id: c for c in DEFAULT_COLUMNS}, sources=())


def make_entry(item_id: int = 1, version: int = 1, **changes) -> publisher.Entry:
    """A realistic approved item; keyword arguments override fields."""
    base = publisher.Entry(
        item_id=item_id,
        version=version,
        columns=["city-news"],
        title=f"哈尔滨市召开会议部署冬季供暖工作（{item_id}）",
        html="<p>5月1日，哈尔滨市召开会议，部署冬季供暖工作。</p><p>会议要求各区县落实责任。</p>",
        text="5月1日，哈尔滨市召开会议，部署冬季供暖工作。\n会议要求各区县落实责任。",
        url=f"https://www.harbin.gov.cn/haerbin/c104529/202405/c01_{1000 + item_id}.shtml",
        source_id="harbin",
        source_name="哈尔滨市人民政府",
        published_at="2024-05-01T09:30:00+08:00",
        also_reported_by=[],
        approved_by="reviewer1",
        approved_at="2024-05-01T10:00:00+08:00",
        action="publish",
    )
    return replace(base, **changes)


@pytest.fixture()
def entry_factory():
    return make_entry


@pytest.fixture()
def app(db_path: Path, config: Config, db) -> flask.Flask:
    app = flask.Flask("publisher-test")
    app.config.update(HUIJU_DB=str(db_path), HUIJU_CONFIG=config, HUIJU_PUBLIC_URL="https://portal.example.gov.cn")
    app.register_blueprint(publisher.create_blueprint())
    return app


@pytest.fixture()
def client(app: flask.Flask):
    return app.test_client()
