"""Which rule identifies a source's items: guid → canonical link → hash of (link, date, title).

A rule is rejected for a source when its keys are empty or repeated in more than 5% of the items
of one fetch; the source then falls back to the next rule and stays there (identities must not
flip back and forth, or every item would be collected twice).
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from collectors.parsers import Entry

__all__ = ["RULES", "canonical_link", "identity_of", "choose_rule", "is_tracking", "BROKEN_SHARE",
           "SESSION_PATH_PARAM", "TRACKING_PARAMS", "TRACKING_PREFIXES"]

RULES = ("guid", "link", "hash")
BROKEN_SHARE = 0.05
# Query parameters that only say where a click came from, or which visit it was; they never
# select content. Matched by whole name (utm_*, pk_* … by prefix): fromId, _type or shareId select
# content on some CMSs, and stories told apart by them must stay apart. The normalizers use them too.
TRACKING_PARAMS = frozenset(
    {
        "spm",
        "from",
        "share",
        "isappinstalled",
        "_t",
        "t_",
        "scene",
        "srcid",
        "share_token",
        "sharesource",
        "share_source",
        "sharefrom",
        "share_from",
        "timestamp",
        "fbclid",
        "gclid",
        "msclkid",
        "yclid",
        "mc_cid",
        "mc_eid",
        "wxfrom",
        "clicktime",
        "enterid",
        "sessionid",
        "jsessionid",
        "phpsessid",
        "_hsenc",
        "_hsmi",
        "vd_source",
        "chksm",
        "mpshare",
        "tt_from",
        "tt_medium",
        "subscene",
        "sharer_sharetime",
        "sharer_shareid",
    }
)
TRACKING_PREFIXES = ("utm_", "hmsr", "pk_", "mtm_")
# A servlet's session id written into every link while the client has no session cookie yet
# (Tomcat, TRS, Hanweb): a new one at each visit for the same page. The normalizers use it too.
SESSION_PATH_PARAM = re.compile(r";(?:jsessionid|sessionid|phpsessid)=[^/?#]*", re.IGNORECASE)


def is_tracking(name: str) -> bool:
    """True for a query parameter that never selects content (see TRACKING_PARAMS)."""
    n = name.lower()
    return n in TRACKING_PARAMS or n.startswith(TRACKING_PREFIXES)


def canonical_link(url: str) -> str:
    """Lower-case scheme and host, no default port, no fragment, no session id in the path, no
    tracking parameters."""
    if not url:
        return ""
    p = urlsplit(url.strip())
    host = (p.hostname or "").lower()
    port = p.port
    if port and not ((p.scheme == "http" and port == 80) or (p.scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    query = [(k, v) for k, v in parse_qsl(p.query, keep_blank_values=True) if not is_tracking(k)]
    return urlunsplit((p.scheme.lower(), host, SESSION_PATH_PARAM.sub("", p.path) or "/", urlencode(query), ""))


def identity_of(entry: Entry, rule: str) -> str | None:
    if rule == "guid":
        return entry.guid or None
    if rule == "link":
        return canonical_link(entry.url) or None
    h = hashlib.sha256("\x00".join([canonical_link(entry.url), entry.published or entry.list_date or "",
                                    entry.title]).encode("utf-8")).hexdigest()
    return "h:" + h[:40]


def choose_rule(entries: list[Entry], current: str | None, *, has_guids: bool) -> tuple[str, str | None]:
    """The rule to use for this fetch and, when it is a fallback, a one-line note saying why."""
    start = RULES.index(current) if current in RULES else (0 if has_guids else 1)
    note = None
    for rule in RULES[start:]:
        if rule == "hash" or not entries:
            return rule, note
        keys = [identity_of(e, rule) for e in entries]
        empty = sum(1 for k in keys if not k)
        present = [k for k in keys if k]
        repeated = len(present) - len(set(present))
        if empty + repeated > BROKEN_SHARE * len(entries):
            nxt = RULES[RULES.index(rule) + 1]
            what = []
            if empty:
                what.append(f"empty in {empty}")
            if repeated:
                what.append(f"repeated in {repeated}")
            note = f"{rule}s {' and '.join(what)} of {len(entries)} items: identity by {nxt}"
            continue
        return rule, note
    return "hash", note
