"""The login throttle: exponential delays per account+address, per address and per account."""

from __future__ import annotations

from review_queue import throttle


def test_one_guesser_is_slowed_exponentially_and_a_success_clears_the_account(db) -> None:
    now = 1000.0
    for _ in range(3):
        assert throttle.wait_seconds(db, "rita", "203.0.113.7", now=now) == 0
        throttle.failed(db, "rita", "203.0.113.7", now=now)
    waits = []
    for _ in range(6):
        waits.append(throttle.wait_seconds(db, "rita", "203.0.113.7", now=now))
        throttle.failed(db, "rita", "203.0.113.7", now=now)
    assert waits == [1, 2, 4, 8, 16, 32]
    throttle.succeeded(db, "rita", "203.0.113.7")
    assert throttle.wait_seconds(db, "rita", "203.0.113.7", now=now) == 0


def test_many_addresses_at_one_account_cost_the_real_user_a_minute_at_most(db) -> None:
    now = 1000.0
    for n in range(200):  # a botnet: every address fresh
        throttle.failed(db, "rita", f"198.51.{n // 250}.{n % 250}", now=now)
    assert throttle.wait_seconds(db, "rita", "192.0.2.1", now=now) == 60
    assert throttle.wait_seconds(db, "rita", "192.0.2.1", now=now + 60) == 0
    assert throttle.wait_seconds(db, "ron", "192.0.2.1", now=now) == 0  # other accounts are untouched


def test_one_address_trying_many_accounts_is_slowed_and_failures_fade_after_an_hour(db) -> None:
    now = 1000.0
    for n in range(25):
        throttle.failed(db, f"user{n}", "203.0.113.9", now=now)
    assert throttle.wait_seconds(db, "anyone", "203.0.113.9", now=now) == 32
    assert throttle.wait_seconds(db, "anyone", "203.0.113.9", now=now + throttle.FORGET_SECONDS) == 0
