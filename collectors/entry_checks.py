"""One bad entry never fails its source: links that cannot be read, dates and titles that say nothing.

A list or feed is many items; one of them carrying ``http://host:PORT/…``, a control character,
an unbalanced ``[`` or a ``javascript:`` link with no address used to raise out of the parsers
and lose every good item of the run. Here each entry's link is repaired where the repair is sure
(control characters and surrounding space dropped, as browsers do) and otherwise taken away; the
entry is then kept with what could be read (a feed or JSON item has its text) or skipped (a list
row whose page cannot be fetched), and either way named in the run's warnings with the reason.
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from email.utils import parsedate_tz
from urllib.parse import urlsplit

from collectors.notes import Note
from collectors.parsers import Entry
from collectors.parsers.common import DATE_RE

__all__ = ["link_problem", "repaired_link", "screen_links", "settle_link_problems", "entry_notes"]

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
PROBLEM = "_link_problem"  # Entry.meta key: why the link was taken away
RAW = "_link_raw"  # Entry.meta key: the link as the source wrote it


def repaired_link(url: str) -> str:
    """*url* without control characters and surrounding space (WHATWG URL parsing drops tabs and
    newlines anywhere; no address holds a control character)."""
    return _CONTROL.sub("", url).strip()


def link_problem(url: str) -> Note | None:
    """Why *url* cannot be fetched as a web address, or None when it can."""
    if not url:
        return None
    m = _SCHEME.match(url)
    scheme = m.group(1).lower() if m else ""
    if scheme == "javascript":
        return Note("javascript-link", "a javascript: link with no address (list.script_link can build one)")
    if scheme not in ("http", "https"):
        return Note("not-web-address", f"not a web address ({scheme or 'no scheme'}:)", scheme=scheme)
    try:
        p = urlsplit(url)
    except ValueError as exc:  # "Invalid IPv6 URL": an unbalanced [ or ]
        return Note("unreadable-link", f"unreadable link ({exc})", detail=str(exc))
    try:
        p.port  # noqa: B018 - raises for a port that is no number or out of range
    except ValueError as exc:
        detail = " ".join(str(exc).split())
        return Note("bad-port", f"bad port ({detail})", detail=detail)
    if not p.hostname:
        return Note("no-host", "a link with no host")
    return None


def screen_links(entries: list[Entry]) -> list[Entry]:
    """Repair what can be repaired; take away a link that cannot be read, saying why in its meta."""
    for e in entries:
        if not e.url:
            continue
        fixed = repaired_link(e.url)
        why = link_problem(fixed)
        if why:
            e.meta[PROBLEM], e.meta[RAW] = why, e.url
            e.url = ""
        else:
            e.url = fixed
    return entries


def _title(e: Entry) -> str:
    return " ".join((e.title or "").split())[:40]


def _label(e: Entry) -> str:
    return f"{_title(e)!r}" if _title(e) else "an untitled item"


def settle_link_problems(entries: list[Entry], *, needs_detail: bool) -> tuple[list[Entry], list[str]]:
    """Entries to go on with, and one warning per entry whose link was taken away: skipped when
    its text is on a detail page that cannot be fetched, kept (identified by guid or hash) else."""
    out: list[Entry] = []
    notes: list[str] = []
    for e in entries:
        why = e.meta.pop(PROBLEM, None)
        raw = e.meta.pop(RAW, "")
        if why is None:
            out.append(e)
            continue
        shown = " ".join(repr(raw)[1:-1].split())[:80]
        if needs_detail:
            notes.append(Note("item-skipped", f"item {_label(e)} skipped: its link {shown!r} cannot be fetched: {why}",
                              title=_title(e), link=shown, why=why))
            continue
        notes.append(Note("item-kept-without-link", f"item {_label(e)} kept without its link {shown!r}: {why}",
                          title=_title(e), link=shown, why=why))
        out.append(e)
    return out, notes


_TAG = re.compile(r"<[^<>]*>")


def _readable_date(raw: str) -> bool:
    s = raw.strip()
    if DATE_RE.search(s) or parsedate_tz(s):
        return True
    try:
        datetime.fromisoformat(s.replace("Z", "+00:00"))
        return True
    except ValueError:
        pass
    return s.isdigit() and len(s) in (10, 13)  # epoch seconds or milliseconds (JSON APIs)


def entry_notes(e: Entry) -> list[str]:
    """What an item was kept without: a date that cannot be read, a title that is only markup."""
    notes: list[str] = []
    for raw in (e.published, e.list_date):
        if raw and not _readable_date(raw):
            date = " ".join(raw.split())[:40]
            notes.append(Note("item-date-unreadable", f"item {_label(e)}: date {date!r} cannot be read, kept without it",
                              title=_title(e), date=date))
            break
    if e.title and not html.unescape(_TAG.sub("", e.title)).strip():
        markup = " ".join(e.title.split())[:40]
        notes.append(Note("item-title-markup", f"item at {e.url or 'no address'}: its title is only markup "
                          f"({markup!r}), kept; titled from its text or page", url=e.url, markup=markup))
    return notes
