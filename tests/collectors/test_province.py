"""Against the sample province: every template, charset and date style; faults; a simulated day."""

from __future__ import annotations

import email.utils
import re
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest

import collectors
from settings.loader import source_from_dict
from settings.model import CollectorSettings

sample_province = pytest.importorskip("sample_province")

SETTINGS = CollectorSettings(workers=16, per_host=16, connect_timeout=2.0, read_timeout=2.0, total_timeout=4.0,
                             max_body_bytes=2 * 1024 * 1024, backoff_base=60, backoff_cap=1800)


def _sources(p):
    return [source_from_dict(d) for d in p.sources()]


_NUM = re.compile(r"\d+")


def _shown(raw: str | None, year: int) -> tuple[int, ...] | None:
    """(Y, M, D[, h, m[, s]]) of a raw date string in any style the province uses, in +08:00."""
    if not raw:
        return None
    raw = raw.strip()
    if re.match(r"^[A-Z][a-z]{2}, ", raw):
        dt = email.utils.parsedate_to_datetime(raw.replace(" CST", " +0800"))
        dt = dt.astimezone(datetime.fromisoformat("2025-01-01T00:00:00+08:00").tzinfo)
        return (dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second)
    if re.match(r"^\d{4}-\d{2}-\d{2}T", raw):
        dt = datetime.fromisoformat(raw)
        return (dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second)
    nums = tuple(int(n) for n in _NUM.findall(raw))
    if raw.startswith("[") or len(nums) == 2:
        return (year, *nums)
    return nums


def _matches(truth_published: str | None, item: collectors.CollectedItem) -> bool:
    if truth_published is None:
        return item.published is None and item.list_date is None  # never invent a date
    t = datetime.fromisoformat(truth_published)
    want = (t.year, t.month, t.day, t.hour, t.minute, t.second)
    for raw in (item.published, item.list_date):
        got = _shown(raw, t.year)
        if got and got == want[:len(got)] and len(got) >= 3:
            return True
    return False


def test_every_template_charset_and_date_style_in_one_pass(db):
    with sample_province.start(seed=1, speed=0) as p:
        p.advance(hours=20)
        sources = _sources(p)
        truth = p.truth()
        results = collectors.collect(db, sources, SETTINGS)
    assert all(r.ok for r in results), [(r.source_id, r.error) for r in results if not r.ok]
    items = [it for _, it in collectors.pending(db, 0, limit=100_000)]
    by_key = {(i.source_id, i.url): i for i in items}
    assert len(by_key) == len(items)  # none twice
    expected = [t for t in truth["items"] if not t["deleted"]]
    windows = Counter(t["source"] for t in expected)
    missing = [t for t in expected if (t["source"], t["url"]) not in by_key]
    # Only a feed shorter than one day's items may miss its oldest entries in a single pass.
    assert {t["source"] for t in missing} <= {s for s, n in windows.items() if n > 30}, missing[:3]
    wrong_dates = [(t["source"], t["published_at"], by_key[(t["source"], t["url"])].published,
                    by_key[(t["source"], t["url"])].list_date)
                   for t in expected if (t["source"], t["url"]) in by_key
                   and not _matches(t["published_at"], by_key[(t["source"], t["url"])])]
    assert wrong_dates == []
    templates = {s["template"] for s in truth["sites"]}
    encodings = {s["encoding_mode"] for s in truth["sites"]}
    collected_sites = {i.source_id.split("-")[0] if i.source_id.startswith("portal") else i.source_id
                       for i in items}
    assert len(templates) >= 8 and len(encodings) >= 5
    for site in truth["sites"]:
        if any(t["site"] == site["id"] for t in expected):
            assert site["id"] in collected_sites or site["id"] == "portal", site["id"]
    for i in items:
        assert i.title and "\ufffd" not in i.title and not re.search(r"[\u00c0-\u00ff]{3}", i.title)


EXPECTED_FAULTS = {
    "500": ("FetchError", "HTTP 500"), "503": ("FetchError", "HTTP 503"),
    "503-retry-after": ("FetchError", "retry after"), "429": ("FetchError", "HTTP 429"),
    "reset": ("FetchError", "connection reset"), "slow-first-byte": ("Timeout", "no response"),
    "trickle": ("Timeout", "not finished"), "hang": ("Timeout", "no response"),
    "truncated": ("FetchError", "truncated"), "redirect-loop": ("RedirectLoop", "redirect loop"),
    "404-detail": ("FetchError", "detail pages failed"), "huge": ("TooLarge", "exceeds"),
}


def test_every_fault_mode_is_a_one_line_error_on_its_own_source(db):
    with sample_province.start(seed=1, speed=0, faults="all") as p:
        p.advance(hours=20)
        truth = p.truth()
        faults = truth["faults"]
        results = {r.source_id: r for r in collectors.collect(db, _sources(p), SETTINGS)}
    assert set(EXPECTED_FAULTS) <= set(faults.values())
    for site, kind in faults.items():
        r = results[site]
        if kind in ("malformed", "wrong-content-type"):
            assert r.ok or r.error_kind in ("NotAFeed", "ParseError"), (site, r.error)
            continue
        if kind == "404-detail" and not any(t["site"] == site for t in truth["items"]):
            assert r.ok and r.new == 0  # nothing listed yet, so no detail page to fail
            continue
        want_kind, words = EXPECTED_FAULTS[kind]
        assert not r.ok and r.error_kind == want_kind and words in r.error, (site, kind, r.error)
        assert "\n" not in r.error and len(r.error) <= 300
        assert r.duration < SETTINGS.total_timeout + 2
    healthy = [r for sid, r in results.items() if sid not in faults]
    assert all(r.ok for r in healthy) and sum(r.new for r in healthy) > 150
    [h] = collectors.health(db, [s for s in _sources_by_id(p, faults) if s.id == _site(faults, "503-retry-after")])
    assert h.state == "backing-off"


def _site(faults, kind):
    return next(s for s, k in faults.items() if k == kind)


def _sources_by_id(p, faults):
    return [source_from_dict(d) for d in p.sources() if d["id"] in faults]


def test_a_simulated_day_every_story_once_with_a_site_down_and_one_hanging(tmp_path):
    db_path = tmp_path / "day.db"
    settings = replace(SETTINGS, alert_failures=5, connect_timeout=1.0, read_timeout=0.5, total_timeout=2.0)
    with sample_province.start(seed=2, speed=0, faults={"harbin": "500", "hegang": "hang"}) as p:
        sources = _sources(p)
        d = collectors.Dispatcher(db_path, sources, settings)
        try:
            start = p.now()
            end = start + timedelta(days=1)
            steps = 0
            while p.now() < end:
                p.advance(hours=1)
                now = p.now().astimezone(UTC)
                d.run_due(now)
                assert d.wait(30)
                steps += 1
            # The day's releases are over (the province's clock stops); the daemon goes on with its
            # rounds. A list sent whole and unchanged for hours is checked less often, up to
            # idle_max: its last stories arrive late, never lost.
            for extra in range(1, settings.idle_max // 3600 + 2):
                d.run_due(now + timedelta(hours=extra))
                assert d.wait(30)
            truth = p.truth()
            harbin_requests = p.counters_snapshot()["harbin"]["requests"]
        finally:
            d.shutdown()
    from store import open_db

    db = open_db(db_path)
    rows = collectors.pending(db, 0, limit=1_000_000)
    firsts = [it for _, it in rows if True]
    keys = Counter((i.source_id, i.identity) for i in firsts)
    versions = Counter()
    by_url: dict[tuple[str, str], collectors.CollectedItem] = {}
    for i in firsts:
        by_url.setdefault((i.source_id, i.url), i)
        versions[(i.source_id, i.url)] += 1
    broken = {"harbin", "hegang"}
    expected = [t for t in truth["items"] if t["site"] not in broken]
    # every released story stored, with its source, URL and true publish time; none twice
    missing = [t["url"] for t in expected if (t["source"], t["url"]) not in by_url]
    assert missing == []
    assert len({(i.source_id, i.url) for i in firsts}) == len(keys)
    dates_wrong = [t["url"] for t in expected if not _matches(t["published_at"], by_url[(t["source"], t["url"])])]
    assert dates_wrong == []
    # and none later than a relaxed check interval (idle_max, with jitter) plus one hourly round
    delays = [datetime.fromisoformat(by_url[(t["source"], t["url"])].fetched_at)
              - datetime.fromisoformat(t["released_at"]) for t in expected]
    assert max(delays) <= timedelta(seconds=settings.idle_max * (1 + settings.jitter) + 3600), max(delays)
    extra = {k for k in by_url if k[0] not in broken} - {(t["source"], t["url"]) for t in expected}
    assert extra == set()
    # corrections seen upstream arrive as new versions, never as new items
    for t in expected:
        assert versions[(t["source"], t["url"])] <= t["version"]
    # the site down all day: retried at the cap, shown failing, alerting
    health = {h.id: h for h in collectors.health(db, sources, now=end.astimezone(UTC), settings=settings)}
    assert health["harbin"].state == "failing" and health["harbin"].alert
    assert health["harbin"].error_count >= 8 and harbin_requests >= 8
    assert health["hegang"].state == "failing" and "no response" in health["hegang"].last_error
    ok = [h for h in health.values() if h.id not in broken]
    assert all(h.state in ("ok", "quiet") for h in ok), [(h.id, h.state, h.last_error) for h in ok if h.state != "ok"]
    m = collectors.metrics(db, sources, now=end.astimezone(UTC), settings=settings)
    assert m['huiju_source_failing{source="harbin"}'] == 1.0 and m["huiju_sources_failing"] == 2.0
    assert steps == 24
    db.conn.close()


@pytest.mark.parametrize("site", ["harbin", "qiqihar", "mudanjiang", "qitaihe", "heihe", "yichun", "portal-ljdt"])
def test_probe_onboards_a_site_with_no_configuration(site):
    with sample_province.start(seed=1, speed=0) as p:
        p.advance(days=1)
        url = next(d["url"] for d in p.sources() if d["id"] == site)
        truth = {t["url"]: t for t in p.truth()["items"]}
        items = collectors.probe(url, settings=SETTINGS, details=3)
    assert items
    for it in items[:3]:
        assert it.title and it.url.startswith("http")
        t = truth.get(it.url)
        assert t is not None, it.url
        if t["published_at"]:
            assert _matches(t["published_at"], it)
    assert any(len(it.html) > 100 for it in items[:3])


def test_probe_names_the_cause_for_a_protected_site():
    with sample_province.start(seed=1, speed=0) as p:
        url = next(d["url"] for d in p.sources() if d["id"] == "hegang")
        with pytest.raises(collectors.FetchError, match="HTTP 403"):
            collectors.probe(url, settings=SETTINGS)


def test_stories_deleted_at_the_source_are_reported_withdrawn_and_no_others(db):
    """A day of stories, then the province's clock runs on for the 48 h in which it deletes ~1 %
    of them (404): every deleted story Huiju had collected is reported, once; no other is."""
    with sample_province.start(seed=4, speed=0, days=1, stories_per_day=600) as p:
        sources = [s for s in _sources(p) if s.type == "html"]
        start = p.now()
        # no site here is slow on purpose: the timeouts only need to outlast a loaded CI machine
        patient = replace(SETTINGS, read_timeout=8.0, total_timeout=16.0)
        # releases end at 24 h, deletions by 72 h; a busy list's re-checks may wait a round (10 a run)
        while p.now() < start + timedelta(hours=84):
            p.advance(hours=3)
            results = collectors.collect(db, sources, patient, now=p.now().astimezone(UTC))
            assert all(r.ok for r in results), [r.error for r in results if not r.ok]
        truth = [t for t in p.truth()["items"] if t["source"] in {s.id for s in sources}]
    rows = [i for _, i in collectors.pending(db, 0, limit=1_000_000)]
    collected = {(i.source_id, urlsplit(i.url).path) for i in rows}
    reported = Counter((i.source_id, urlsplit(i.url).path) for i in rows if i.withdrawn)
    deleted = {(t["source"], urlsplit(t["url"]).path) for t in truth if t["deleted"]}
    assert deleted & collected, "the seed should delete some collected stories"
    assert set(reported) == deleted & collected, (len(reported), len(deleted & collected))
    print(f"withdrawn reported: {len(reported)} of {len(deleted & collected)} deleted and collected")
    assert set(reported.values()) == {1}
    assert all(i.withdrawn.startswith("HTTP 404 at ") for i in rows if i.withdrawn)
