"""Why a source could not be collected, named by condition.

Every exception's ``str()`` is one line: an operator reads it in ``run.py sources`` and a log line.
"""

from __future__ import annotations


class CollectError(Exception):
    """A source (or one URL) could not be collected; the message says why in one line."""

    def __init__(self, reason: str) -> None:
        line = " ".join(str(reason).split())
        super().__init__(line[:300])


class FetchError(CollectError):
    """The server could not be reached or answered with an error status."""

    def __init__(self, reason: str, *, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(reason)
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
