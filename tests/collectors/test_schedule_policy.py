"""The scheduling policy on its own (collectors.schedule) and the row changes that apply it
(SourceState): what a run's outcome does to a source's next check, without a web server."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from collectors.identity import rule_note
from collectors.schedule import INCOMPLETE_RETRY, check_interval, next_check
from collectors.state import SourceState, parse_iso
from settings.model import CollectorSettings
from tests.collectors.sources import make_source

T0 = datetime(2026, 5, 1, 0, 0, tzinfo=UTC)
S = CollectorSettings(backoff_base=60, backoff_cap=3600, jitter=0.1, idle_max=4 * 3600, alert_failures=3)
HOURLY = make_source("h", "https://x.example.cn", "/l.html", every=3600)
CRON = make_source("c", "https://x.example.cn", "/l.html", cron="0 9 * * *")  # 09:00 Beijing = 01:00 UTC


def test_the_next_check_after_a_success_by_what_the_run_left():
    rng = random.Random(3)
    regular = next_check(HOURLY, S, T0, rng)
    assert T0 + timedelta(minutes=54) <= regular <= T0 + timedelta(minutes=66)  # the interval, jittered
    assert next_check(HOURLY, S, T0, rng, incomplete=True) == T0 + timedelta(seconds=INCOMPLETE_RETRY)
    slow = next_check(HOURLY, S, T0, rng, throttled=7200)  # Retry-After past the cap: the cap
    assert T0 + timedelta(seconds=3600) <= slow <= T0 + timedelta(minutes=66)
    assert next_check(HOURLY, S, T0, rng, throttled=0) >= T0 + timedelta(seconds=60)  # at least a backoff step
    cron = next_check(CRON, S, T0, rng, incomplete=True)
    assert cron == datetime(2026, 5, 1, 1, 0, tzinfo=UTC)  # cron keeps its time even when incomplete


def test_a_whole_list_with_nothing_new_relaxes_the_interval_and_news_resets_it():
    st = SourceState("h")
    for n in range(1, 4):
        st.record_success(T0, S, new=False, changed=False, list_whole=True, backlog=False, warnings=[],
                          identity_rule="guid", identity_note=None)
        assert st.idle_checks == n
    assert check_interval(HOURLY, S, st.idle_checks) == 4 * 3600  # 1 h doubled three times, capped
    st.record_success(T0, S, new=False, changed=False, list_whole=False, backlog=False, warnings=[],
                      identity_rule="guid", identity_note=None)  # a 304 costs nothing: not idle
    assert st.idle_checks == 0


def test_failures_back_off_alert_and_a_success_clears_them():
    st = SourceState("h")
    delays = [st.record_failure(T0, S, f"HTTP 503 at x ({n})", rng=random.Random(n)) for n in range(1, 4)]
    assert delays[0] < delays[1] < delays[2] and st.error_count == 3 and st.alerting == 1
    assert parse_iso(st.next_check_at) == T0 + timedelta(seconds=int(delays[2]))
    assert st.last_error == "HTTP 503 at x (3)"
    st.record_success(T0, S, new=True, changed=False, list_whole=True, backlog=False, warnings=["w1", "w2"],
                      identity_rule="link", identity_note=rule_note("guid", "link", 20, repeated=3))
    assert (st.error_count, st.alerting, st.last_new_at, st.last_warning) == (0, 0, "2026-05-01T00:00:00+00:00", "w2")
    assert (st.identity_rule, st.identity_note) == ("link", "guids repeated in 3 of 20 items: identity by link")
