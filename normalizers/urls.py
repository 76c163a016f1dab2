"""Canonical URLs: one spelling per page, so that re-collected and re-posted links match.

The canonical form is for identity and matching only; the URL shown and published stays the one
collected. http and https are treated as the same page (many government sites serve both).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

from collectors.identity import SESSION_PATH_PARAM, TRACKING_PARAMS, is_tracking

__all__ = ["DEFAULT_DOCUMENTS", "TRACKING_PARAMS", "canonical_url", "resolve_url"]

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
