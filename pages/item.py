"""The hand-over record: one item as a collector found it at its source, before any cleaning.

Made by the collectors, stored in their `collected` outbox as JSON, read by the normalizers; it
lives below both stages so that neither imports the other.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class CollectedItem:
    """One item as collected. Text is raw (HTML as found); normalizers clean it.

    ``identity`` is unique within the source (guid → canonical link → hash of link, date, title);
    ``content_hash`` changes when the upstream text changes (a new version of the same identity).
    """

    source_id: str
    identity: str
    identity_rule: str  # "guid" | "link" | "hash"
    url: str
    title: str
    html: str = ""  # body as HTML (or plain text) as found; may be empty
    published: str | None = None  # the publish time exactly as the source wrote it; None if absent
    list_date: str | None = None  # the date shown next to the link on a list page, if any
    meta: dict[str, str] = field(default_factory=dict)  # ArticleTitle, PubDate, ColumnName, ContentSource…
    attachments: list[dict[str, str]] = field(default_factory=list)  # [{"url":…, "name":…}]
    # The byline lines a detail page prints around its story (发布时间/来源/责任编辑), as the
    # collector read them (pages.bylines.Byline as dicts); lines inside the body stay in the body.
    bylines: list[dict[str, Any]] = field(default_factory=list)
    # The story element of html, as the collector chose it, when html is a whole page (a detail
    # page's body as trafilatura gives it); "" when html is the story itself. html stays as found
    # (content_hash, and so versions, depend on it alone).
    story: str = ""
    # True when a collector has read the page (story chosen, bylines around it and linked
    # documents recorded, mojibake repaired): the normalizers take that reading as it is. An
    # item built by hand, or stored by an older Huiju, is read once by the normalizers instead.
    page_read: bool = False
    fetched_at: str = ""  # ISO 8601 UTC, when the collector saw it (year inference for [MM-DD])
    charset: str | None = None  # how the bytes were decoded, for the reviewer
    warnings: list[str] = field(default_factory=list)  # e.g. "charset: declared gb2312, bytes are UTF-8"
    # The first charset warning's code and facts ({"code", "params"}: collectors.decoding.CharsetNote),
    # which the command line words in the operator's language; None when the bytes were read as declared.
    charset_note: dict[str, Any] | None = None
    # Set on the version that reports the page gone upstream (404/410, or a "page not found"
    # answer, twice in a row): why, in one line. The title and body are the last ones seen.
    withdrawn: str | None = None
    # Every publish date the detail page states, with where it stands ({"value", "origin"}: label,
    # beside-title, meta:PubDate …), best first: ``published`` is the first; the reviewer sees why.
    dates: list[dict[str, str]] = field(default_factory=list)

    @property
    def content_hash(self) -> str:
        h = hashlib.sha256()
        h.update(self.title.encode("utf-8"))
        h.update(b"\x00")
        h.update(self.html.encode("utf-8"))
        if self.withdrawn:  # gone and back again are versions too, whatever the text
            h.update(b"\x00withdrawn")
        return h.hexdigest()

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> CollectedItem:
        data: dict[str, Any] = json.loads(text)
        return cls(**data)
