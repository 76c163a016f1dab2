"""Why a source could not be collected, named by condition.

Every exception's ``str()`` is one line: an operator reads it in ``run.py sources`` and a log line.
The commonest conditions also carry a stable ``code`` and their facts as ``params`` (JSON-able),
kept with the source's state, so that the command line can say them in the operator's language;
their English line is built from ``ENGLISH`` (plus the ``CLAUSES`` whose fact is given). A reason
without a code is shown as its English line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ENGLISH = {  # code -> the one-line English (logs, --json, English users); pipeline.wording words each in Chinese
    "http-status": "HTTP %(status)s at %(url)s",
    "http-unexpected": "unexpected HTTP %(status)s at %(url)s",
    "connect-timeout": "connect timeout after %(seconds)gs to %(host)s",
    "read-timeout": "no response within %(seconds)gs from %(host)s",
    "cannot-connect": "cannot connect to %(host)s: %(detail)s",
    "not-http": "the server's answer is not HTTP at %(url)s",
    "request-failed": "request to %(url)s failed: %(detail)s",
    "body-stalled": "body stalled for %(seconds)gs at %(url)s",
    "response-unfinished": "response not finished after %(seconds)gs at %(url)s",
    "connection-broken": "connection broken while reading %(url)s: %(detail)s",
    "feed-html-page": "not an RSS/Atom feed: the server sent an HTML page (%(title)s)",
    "feed-unreadable": "not an RSS/Atom feed: %(reason)s",
    "feed-broken": "broken feed XML, no entries recovered: %(reason)s",
    "feed-no-channel": "not an RSS/Atom feed (no channel or feed element)",
    "binary-content": "binary content (%(kind)s, %(bytes)s bytes), not a page",
    "binary-feed": "binary content (%(kind)s, %(bytes)s bytes), not a feed",
    "unknown-encoding": "configured encoding %(encoding)r is not a known charset",
    "undecodable": "bytes decode in no known charset (not UTF-8, not GB18030)",
    "empty-body": "empty body at %(url)s",
    "empty-page": "empty page",
    "redirect-loop": "redirect loop: %(url)s redirects back to itself after %(hops)s hops",
    "redirect-no-location": "HTTP %(status)s redirect without a Location header at %(url)s",
    "too-many-redirects": "more than %(limit)s redirects starting at %(url)s",
    "redirects-at": "too many redirects at %(url)s",
    "invalid-redirect": "redirect to an invalid address %(address)s at %(url)s",
    "unsupported-scheme": "unsupported URL scheme in %(url)r",
    "malformed-chunked": "malformed chunked body at %(url)s",
    "read-error": "error while reading %(url)s: %(detail)s",
    "not-http-url": "not an http(s) URL: %(url)r",
    "nothing-found": "no item found at %(url)s (type %(type)s)",
    # every detail page of a list failed: %(first)s is the first one's reason (its code: first_code, first_params)
    "details-failed": "all %(n)s detail pages failed; first: detail page %(page)s: %(first)s",
    "details-dead": "all %(n)s detail pages failed: every link on the list answers 404/410 (pages that do not "
                    "exist); first: %(first)s",
    "details-dead-given-up": "all %(n)s detail pages failed: every link on the list answers 404/410 (pages that "
                             "do not exist); first: %(page)s given up after %(times)s answers of 404/410",
    "probe-details-failed": "no item: every detail page failed; first: detail page %(page)s: %(first)s",
    "json-html-page": "not valid JSON: the server sent an HTML page (%(title)s)",
    "json-invalid": "not valid JSON: %(reason)s",
    "json-no-list": "no list of objects found in the JSON body",
    "json-no-fields": "JSON list at %(path)r has no title/url fields",
    "json-no-path": "no list at JSON path %(path)r",
    "json-no-configured-fields": "JSON list items have none of the configured title/url fields",
    "feed-not-html-list": "the page is an RSS/Atom feed, not an HTML list (use type rss)",
    # the body's Content-Encoding (gzip, deflate, br) and its size
    "not-compressed": "the body is not %(layer)s although the server says Content-Encoding: %(coding)s at %(url)s",
    "compressed-corrupt": "the %(layer)s stream is corrupt at %(url)s",
    "compressed-truncated": "body truncated: the %(layer)s stream ends early at %(url)s",
    "undecodable-encoding": "the body cannot be decoded although the server says Content-Encoding: %(coding)s "
                            "at %(url)s",
    "too-large": "body exceeds the %(limit)s-byte limit at %(url)s",
    "too-large-declared": "body of %(bytes)s bytes exceeds the %(limit)s-byte limit at %(url)s",
    # the HTML list finder (collectors.parsers.lists): %(candidate)s and %(hint)s are FINDING parts
    "no-confident-list": "no confident list: the best candidate is %(candidate)s",
    "no-selector-match": "no entries match the list selector %(selector)r",
    "no-list-found": "no list of dated item links found on the page",
    "no-list-found-titled": "no list of dated item links found on the page titled %(page)s",
}
CLAUSES = {  # optional fact -> the English appended when the fact is given (true, not None)
    "retry": ", retry after %(retry).0fs",
    "challenge": " (a script challenge that only a browser passes: ask the site for access or a feed)",
    "page_title": " on the page titled %(page_title)s",
    "hint": "%(hint)s",
}

# What the list finder says of a candidate list (collectors.parsers.list_confidence.ListFinding.parts)
# and why a page has none: each part a code and its facts, JSON-able, worded by finding_text.
# The first part names the candidate; DETAILS follow it in one bracket; the others are added as they are.
FINDING = {
    "list": "a list of %(n)s %(dates)s links%(where)s",
    "menu": "a menu of %(n)s %(dates)s links%(where)s",
    "no-candidate": "no candidate list",
    "rows-matching": "%(n)s rows matching %(selector)r",
    "script-ids-no-addresses": "a script list of %(n)s items with ids (%(id)r) but no addresses: set list.item_url, "
                               'e.g. "/content/{id}.html"',
    # DETAILS
    "story-cards": "%(n)s story cards",
    "short-titles": "titles of %(chars)g characters",
    "column-addresses": "addresses of columns, not articles",
    "in-navigation": "in the page's navigation",
    "rows-unread": "only %(n)s of its %(rows)s rows read",
    "few-undated-elsewhere": "only %(n)s links, undated, all to another site",
    # doubts added to a candidate
    "portal-home": " (one of %(lists)s %(kind)s lists %(where)s, holding %(n)s of its %(total)s %(kind)s links: "
                   "a home page?)",
    "beside-undated-list": " (beside another undated list of %(rival)s links: which is the page's?)",
    "alike-lists": " (one of %(k)s alike lists)",
    # why a page has no list (the hint of no-confident-list, no-list-found)
    "meta-refresh": " (the page redirects by meta refresh to %(url)s: use that address)",
    "frames": " (the page shows other pages in frames: try %(url)s)",
    "too-deep": " (the page nests its list deeper than the HTML parser reads, 256 levels)",
    "script-links": " (%(n)s links open their page from script with no address in them: set list.script_link, "
                    "e.g. \"/content.jsp?id={0}\" for openArticle('6'))",
    "script-challenge": " (a script challenge that only a browser passes: ask the site for access or a feed)",
    "script-built": " (the page is built by script: a script-rendered list or an anti-bot challenge)",
}
DETAILS = ("story-cards", "short-titles", "column-addresses", "in-navigation", "rows-unread", "few-undated-elsewhere")
FINDING_WORDS = {  # the words FINDING's params stand for: dates and where (origin), kind (dated/undated)
    "dated": "dated", "undated": "undated", "partly": "%(percent)s %% dated",
    "html": "", "selectors": "", "comment": " in an HTML comment", "template": " in a script template",
    "script": " in the page's script data", "datastore": " in the page's datastore records",
    "on-page": "on the page", "in-script-data": "in the page's script data",
}
Part = tuple[str, dict[str, Any]]  # (code, params): JSON keeps it as a two-item list


def english_part(code: str, params: dict[str, Any]) -> str:
    """One part of the list finder's phrase in English."""
    return FINDING[code] % finding_params(params)


def finding_text(parts: list[Part] | list[list[Any]], word: Callable[[str, dict[str, Any]], str] = english_part,
                 comma: str = ", ", bracket: str = " (%(details)s)") -> str:
    """The list finder's parts as one phrase: the candidate, its DETAILS in one bracket, then the rest.

    *word* says one part (a code and its params) in a language: English (FINDING) by default; the
    command line passes its catalog's, with that language's comma and bracket."""
    head, details, rest = "", [], []
    for n, (code, params) in enumerate(parts):
        text = word(code, params)
        if n == 0:
            head = text
        elif code in DETAILS:
            details.append(text)
        else:
            rest.append(text)
    inside = bracket % {"details": comma.join(details)} if details else ""
    return head + inside + "".join(rest)


def finding_params(params: dict[str, Any], say: Callable[[str, dict[str, Any]], str] | None = None) -> dict[str, Any]:
    """A part's params with the words they stand for (dates, where, kind) in a language (English by default)."""
    out = dict(params)
    for key in ("dates", "where", "kind"):
        if isinstance(out.get(key), str) and out[key] in FINDING_WORDS:
            out[key] = say(out[key], out) if say else FINDING_WORDS[out[key]] % out
    return out


def _worded(params: dict[str, Any]) -> dict[str, Any]:
    """The list finder's parts among *params* (candidate, hint) as English phrases."""
    out = dict(params)
    if isinstance(out.get("candidate"), list):
        out["candidate"] = finding_text(out["candidate"])
    if isinstance(out.get("hint"), (list, tuple)):
        out["hint"] = english_part(*out["hint"])
    return out


def english(code: str, params: dict[str, Any]) -> str:
    """The English line of *code* with *params* (and the clauses whose facts are given)."""
    given = [k for k in CLAUSES if params.get(k) is not None and params.get(k) is not False]
    params = _worded(params)
    return ENGLISH[code] % params + "".join(CLAUSES[k] % params for k in given)


class CollectError(Exception):
    """A source (or one URL) could not be collected; the message says why in one line."""

    def __init__(self, reason: str | None = None, *, code: str | None = None,
                 params: dict[str, Any] | None = None) -> None:
        self.code, self.params = code, dict(params or {})
        line = " ".join(str(english(code, self.params) if code else reason).split())
        super().__init__(line[:300])


class FetchError(CollectError):
    """The server could not be reached or answered with an error status."""

    def __init__(self, reason: str | None = None, *, status: int | None = None, retry_after: float | None = None,
                 code: str | None = None, params: dict[str, Any] | None = None) -> None:
        super().__init__(reason, code=code, params=params)
        self.status = status
        self.retry_after = retry_after


class Cancelled(FetchError):
    """The daemon is stopping: the request was not sent, or was cut at the stop deadline.

    Not the source's fault: it neither counts as a failure nor backs the source off.
    """


class Timeout(FetchError):
    """Connect, read or whole-response time limit exceeded (a page that never finishes)."""


class TooLarge(FetchError):
    """The body is larger than ``max_body_bytes``."""


class RedirectLoop(FetchError):
    """Redirects loop or exceed ``max_redirects``."""


class ParseError(CollectError):
    """The bytes arrived but are not what the source type expects."""


class NotAFeed(ParseError):
    """An ``rss`` source whose body is not RSS/Atom (broken XML, an HTML page …)."""


class NotAList(ParseError):
    """An ``html`` page with no list of item links, or a ``json`` body without the item list."""


class BinaryContent(ParseError):
    """The server sent a binary file (PDF, image, archive) where a page or feed was expected."""


class DecodeError(CollectError):
    """The bytes cannot be decoded as text in any plausible charset."""


class NothingCollected(CollectError):
    """Everything parsed but no item could be built (probe)."""
