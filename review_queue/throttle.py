"""Failed logins slow the next try down, exponentially; nobody is ever locked out for long.

Three counters per failure: the account and client address together (one guesser at one
account: slowed after 3 failures), the client address (one guesser trying many accounts: after
20), and the account alone (many addresses at one account: after 10, capped at a minute, so the
real user waits a minute at worst instead of being locked out). The delay doubles with each
failure past the free ones. A success clears the account's counters. Counters live in the
database, so a restart does not reset them, and they fade after an hour without failures.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Iterable

import sqlite_utils

import store

FORGET_SECONDS = 3600.0
# (free failures, first delay in seconds, longest delay in seconds)
PAIR = (3, 1.0, 900.0)
ADDRESS = (20, 1.0, 900.0)
ACCOUNT = (10, 1.0, 60.0)


def _keys(name: str, client: str) -> list[tuple[str, tuple[int, float, float]]]:
    name = name.strip().lower()[:64]
    return [(f"pair:{name}|{client}", PAIR), (f"addr:{client}", ADDRESS), (f"acct:{name}", ACCOUNT)]


def delay(failures: int, rule: tuple[int, float, float]) -> float:
    """Seconds to wait after *failures* failures under *rule* (0 within the free ones)."""
    free, first, longest = rule
    if failures < free:
        return 0.0
    return min(longest, first * 2 ** (failures - free))


def wait_seconds(db: sqlite_utils.Database, name: str, client: str, *, now: float | None = None) -> int:
    """Whole seconds until *name* may try again from *client* (0 = now)."""
    now = time.time() if now is None else now
    keys = _keys(name, client)
    rows = {k: (f, t) for k, f, t in db.execute(
        f"SELECT key, failures, last_failure FROM login_failures WHERE key IN ({', '.join('?' for _ in keys)})",
        [k for k, _ in keys])}
    wait = 0.0
    for key, rule in keys:
        if key in rows:
            failures, last = rows[key]
            if now - last < FORGET_SECONDS:
                wait = max(wait, last + delay(failures, rule) - now)
    return int(wait + 0.999) if wait > 0 else 0


def failed(db: sqlite_utils.Database, name: str, client: str, *, now: float | None = None) -> None:
    now = time.time() if now is None else now
    with store.transaction(db):
        for key, _rule in _keys(name, client):
            db.execute(
                "INSERT INTO login_failures (key, failures, last_failure) VALUES (?, 1, ?) "
                "ON CONFLICT(key) DO UPDATE SET failures = CASE WHEN ? - last_failure >= ? THEN 1 "
                "ELSE failures + 1 END, last_failure = excluded.last_failure",
                [key, now, now, FORGET_SECONDS])


def succeeded(db: sqlite_utils.Database, name: str, client: str) -> None:
    """The right password: the account's counters start again (the address's stay)."""
    with store.transaction(db):
        for key, _rule in _keys(name, client)[::2]:  # pair and account
            db.execute("DELETE FROM login_failures WHERE key = ?", [key])


def client_address(remote_addr: str | None, forwarded_for: str | None, trusted: Iterable[str]) -> str:
    """The client's address: the peer's, unless the peer is a trusted proxy, in which case the
    rightmost X-Forwarded-For address that is not itself a trusted proxy (the left part of that
    header is whatever the client wrote, so it is never believed)."""
    nets = []
    for t in trusted:
        try:
            nets.append(ipaddress.ip_network(t, strict=False))
        except ValueError:
            continue

    def is_trusted(addr: str) -> bool:
        try:
            ip = ipaddress.ip_address(addr)
        except ValueError:
            return False
        return any(ip in n for n in nets)

    peer = remote_addr or "unknown"
    if not nets or not is_trusted(peer) or not forwarded_for:
        return peer
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        if not is_trusted(hop):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # a malformed hop: fall back to the proxy's own address
    return hops[0] if hops else peer
