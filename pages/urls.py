"""URL rules of a government page: two spellings of one address, side by side.

- ``canonical_link``: the *identity* spelling the collectors key items by (``seen_links``,
  identity rule "link"). Scheme kept as written (http and https stay apart: a source's identities
  must not change under it), host lower-cased, default port, fragment, session path parameter and
  tracking parameters dropped; parameter order kept.
- ``canonical_url``: the *matching* spelling the normalizers compare re-posts by. Stronger: http
  and https are one page, escapes normalised, ``index.html`` dropped, parameters sorted.

Both drop the same per-visit noise (``TRACKING_PARAMS``, ``TRACKING_PREFIXES``,
``SESSION_PATH_PARAM``). The URL shown and published is always the one collected.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

__all__ = ["DEFAULT_DOCUMENTS", "SESSION_PATH_PARAM", "TRACKING_PARAMS", "TRACKING_PREFIXES", "canonical_link",
           "canonical_url", "is_tracking", "resolve_url"]

# Query parameters that only say where a click came from, or which visit it was; they never
# select content. Matched by whole name (utm_*, pk_* … by prefix): fromId, _type or shareId select
# content on some CMSs, and stories told apart by them must stay apart.
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
# (Tomcat, TRS, Hanweb): a new one at each visit for the same page.
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


# Directory index documents that servers return for "…/": dropped from the path.
DEFAULT_DOCUMENTS = frozenset(
    {
        "index.html",
        "index.htm",
        "index.shtml",
        "index.shtm",
        "index.jsp",
        "index.php",
        "index.asp",
        "index.aspx",
        "default.html",
        "default.htm",
        "default.shtml",
        "default.asp",
        "default.aspx",
        "default.jsp",
    }
)

_DEFAULT_PORTS = {"http": "80", "https": "443"}
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_SAFE_PATH = "/:@!$&'()*+,;=-._~"


def _norm_escape(part: str, safe: str) -> str:
    """Decode then re-encode, so %7E/~ and %e4/%E4 spell the same way; keeps reserved escapes."""
    return quote(unquote(part, errors="surrogateescape"), safe=safe, errors="surrogateescape")


def canonical_url(url: str) -> str:
    """The identity spelling of *url*.

    Lower-case scheme and host, https for http, no default port, no fragment, no session path
    parameter, no default document (``index.html`` …), no tracking parameters (``utm_*``,
    ``spm``, ``from``, ``share``, ``isappinstalled``, ``_t`` …), remaining parameters sorted.
    Text that is not an absolute http(s) URL is returned stripped, unchanged otherwise.
    """
    raw = _SURROGATE.sub("", (url or "").strip())
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        return raw
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return raw
    host = parts.hostname.rstrip(".").lower()
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host
    if port is not None and str(port) != _DEFAULT_PORTS[scheme]:
        netloc = f"{host}:{port}"

    path = SESSION_PATH_PARAM.sub("", parts.path) or "/"
    path = _norm_escape(path, _SAFE_PATH)
    head, _, last = path.rpartition("/")
    if last.lower() in DEFAULT_DOCUMENTS:
        path = head + "/"

    pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking(k)]
    pairs.sort()
    query = urlencode(pairs, doseq=False)
    return urlunsplit(("https", netloc, path, query, ""))


def resolve_url(href: str, base_url: str) -> str:
    """*href* made absolute against the page it was found on (unchanged if it cannot be)."""
    href = (href or "").strip()
    if not base_url:
        return href
    try:
        return urljoin(base_url, href)
    except ValueError:
        return href
