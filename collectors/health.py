"""Per-source health for ``run.py sources`` and ``/metrics``: ok, failing, backing off, quiet, disabled.

A source alerts when it has failed ``alert_failures`` times in a row, or when it has gone quiet:
no new item for longer than twice its usual gap between new items (measured from what it
delivered over the last 30 days, and never less than two check intervals).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlite_utils

from collectors import misses as _misses
from collectors.schedule import check_interval
from collectors.state import SourceState, StateStore, init, parse_iso
from settings.model import CollectorSettings

__all__ = ["SourceHealth", "health", "metrics", "STATES"]

STATES = ("ok", "failing", "backing-off", "quiet", "disabled")
MIN_GAPS_FOR_RHYTHM = 4


@dataclass
class SourceHealth:
    """One row of ``run.py sources``."""

    id: str
    name: str
    state: str  # ok | failing | backing-off | quiet | disabled
    last_success_at: str | None
    last_error: str | None
    error_count: int
    items_24h: int
    next_check_at: str | None
    identity_rule: str | None
    identity_note: str | None
    alert: bool
    last_warning: str | None = None
    last_new_at: str | None = None
    quiet_after: float | None = None  # seconds without a new item that count as quiet
    never_checked: bool = False
    check_every: int | None = None  # seconds between regular checks now (cron sources: None)
    idle_checks: int = 0  # whole-list downloads in a row with nothing new
    relaxed: bool = False  # check_every is longer than the source's own interval because of them
    charset: str | None = None  # how the latest item's bytes were read
    charset_note: str | None = None  # why, when it went against a declaration ("charset: declared …")
    charset_note_facts: dict | None = None  # its code and params (collectors.decoding.CharsetNote)
    misses: list[dict[str, str | None]] = field(default_factory=list)  # possible misses of the last good check
    last_error_code: str | None = None  # last_error's stable code, if it has one (collectors.errors.ENGLISH)
    last_error_params: dict | None = None  # its facts
    identity_note_facts: dict | None = None  # identity_note's code and params (collectors.identity.rule_note)
    last_warning_facts: dict | None = None  # last_warning's code and params (collectors.notes.Note)


def _error_code(st: SourceState | None) -> dict[str, Any]:
    """The last error's code and facts, when it has them (an older release stored the line only)."""
    if st is None or not st.last_error_code:
        return {}
    return {"last_error_code": st.last_error_code, "last_error_params": json.loads(st.last_error_params or "{}")}


def _facts(stored: str | None) -> dict | None:
    """A note's code and params as stored (JSON), or None for a note stored without them."""
    return json.loads(stored) if stored else None


def _quiet_threshold(times: list[str], interval: int) -> float | None:
    stamps = sorted({parse_iso(t) for t in times if t})
    gaps = sorted((b - a).total_seconds() for a, b in zip(stamps, stamps[1:], strict=False))
    if len(gaps) < MIN_GAPS_FOR_RHYTHM:
        return None
    p90 = gaps[min(len(gaps) - 1, int(len(gaps) * 0.9))]
    return max(2 * p90, 2 * interval)


def health(db: sqlite_utils.Database, sources: Any, *, now: datetime | None = None,
           settings: CollectorSettings | None = None) -> list[SourceHealth]:
    """Health of each source in *sources*, in their order."""
    settings = settings or CollectorSettings()
    now = now or datetime.now(UTC)
    init(db)
    store = StateStore(db)
    states = store.states()
    counts = store.items_since(now - timedelta(hours=24))
    with store.lock:
        missed = _misses.current(db)
    out: list[SourceHealth] = []
    for src in sources:
        st = states.get(src.id)
        errors = st.error_count if st else 0
        quiet_after = None
        quiet = False
        if st and st.last_new_at and not errors:
            quiet_after = _quiet_threshold(store.new_times(src.id, now - timedelta(days=30)), src.interval)
            last_new = parse_iso(st.last_new_at)
            if quiet_after and last_new and (now - last_new).total_seconds() > quiet_after:
                quiet = True
        every = None if src.cron else check_interval(src, settings, st.idle_checks if st else 0)
        if not src.enabled:
            state = "disabled"
        elif errors >= settings.alert_failures:
            state = "failing"
        elif errors > 0:
            state = "backing-off"
        elif quiet:
            state = "quiet"
        else:
            state = "ok"
        out.append(SourceHealth(
            id=src.id, name=src.name, state=state,
            last_success_at=st.last_success_at if st else None,
            last_error=st.last_error if st and errors else None,
            error_count=errors, items_24h=counts.get(src.id, 0),
            next_check_at=(st.next_check_at if st and src.enabled else None),
            identity_rule=st.identity_rule if st else None, identity_note=st.identity_note if st else None,
            identity_note_facts=_facts(st.identity_note_facts if st else None),
            last_warning_facts=_facts(st.last_warning_facts if st else None),
            alert=state in ("failing", "quiet"), last_warning=st.last_warning if st else None,
            last_new_at=st.last_new_at if st else None, quiet_after=quiet_after,
            never_checked=not (st and st.last_attempt_at),
            check_every=every, idle_checks=st.idle_checks if st else 0,
            relaxed=every is not None and every > src.interval,
            **dict(zip(("charset", "charset_note", "charset_note_facts"),
                       store.last_charset(src.id) if st else (None, None, None), strict=True)),
            misses=[asdict(m) for m in missed.get(src.id, [])],
            **_error_code(st if errors else None)))
    return out


def _label(v: str) -> str:
    return v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def metrics(db: sqlite_utils.Database, sources: Any, *, now: datetime | None = None,
            settings: CollectorSettings | None = None) -> dict[str, float]:
    """Prometheus-style gauges: per-source failing/quiet/errors/items, and totals."""
    now = now or datetime.now(UTC)
    rows = health(db, sources, now=now, settings=settings)
    out: dict[str, float] = {}
    for h in rows:
        lab = f'{{source="{_label(h.id)}"}}'
        out[f"huiju_source_up{lab}"] = float(h.state in ("ok", "quiet"))
        out[f"huiju_source_failing{lab}"] = float(h.state == "failing")
        out[f"huiju_source_quiet{lab}"] = float(h.state == "quiet")
        out[f"huiju_source_error_count{lab}"] = float(h.error_count)
        out[f"huiju_source_items_24h{lab}"] = float(h.items_24h)
        out[f"huiju_source_misses{lab}"] = float(len(h.misses))
        if h.check_every is not None:
            out[f"huiju_source_check_interval_seconds{lab}"] = float(h.check_every)
        last = parse_iso(h.last_success_at)
        if last:
            out[f"huiju_source_last_success_age_seconds{lab}"] = round((now - last).total_seconds(), 1)
    out["huiju_sources_total"] = float(len(rows))
    out["huiju_sources_failing"] = float(sum(h.state == "failing" for h in rows))
    out["huiju_sources_backing_off"] = float(sum(h.state == "backing-off" for h in rows))
    out["huiju_sources_quiet"] = float(sum(h.state == "quiet" for h in rows))
    out["huiju_sources_alerting"] = float(sum(h.alert for h in rows))
    out["huiju_collected_items_24h"] = float(sum(h.items_24h for h in rows))
    out["huiju_sources_relaxed"] = float(sum(h.relaxed for h in rows))
    with StateStore(db).lock:
        for (sid, kind), total in _misses.totals(db).items():
            out[f'huiju_source_misses_total{{source="{_label(sid)}",kind="{_label(kind)}"}}'] = float(total)

    return out
