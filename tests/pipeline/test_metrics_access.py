"""/metrics names sources and their errors: closed unless a bearer token or a configured network."""

from __future__ import annotations

import pytest

import pipeline
import settings
import store


def client_for(tmp_path, toml: str = ""):
    db = store.open_db(tmp_path / "h.db")
    pipeline.init_all(db)
    db.close()
    return pipeline.create_app(str(tmp_path / "h.db"), settings.loads(toml)).test_client()


def test_metrics_are_closed_by_default_even_to_localhost(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HUIJU_METRICS_TOKEN", raising=False)
    resp = client_for(tmp_path).get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert resp.status_code == 403 and "HUIJU_METRICS_TOKEN" in resp.get_data(as_text=True)


def test_a_bearer_token_opens_them_and_a_wrong_one_does_not(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUIJU_METRICS_TOKEN", "s3cret-token")
    client = client_for(tmp_path)
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    ok = client.get("/metrics", headers={"Authorization": "Bearer s3cret-token"})
    assert ok.status_code == 200 and "huiju_review_queue_clusters 0" in ok.get_data(as_text=True)


def test_configured_networks_through_a_trusted_proxy(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HUIJU_METRICS_TOKEN", raising=False)
    client = client_for(tmp_path, '[web]\ntrusted_proxies = ["127.0.0.1"]\nmetrics_networks = ["10.1.0.0/16"]\n')
    inside = {"REMOTE_ADDR": "127.0.0.1"}
    assert client.get("/metrics", environ_base=inside, headers={"X-Forwarded-For": "10.1.2.3"}).status_code == 200
    assert client.get("/metrics", environ_base=inside, headers={"X-Forwarded-For": "203.0.113.5"}).status_code == 403
    assert client.get("/metrics", environ_base=inside).status_code == 403  # the proxy itself is not in the list
