"""The allow-list every piece of HTML passes before it reaches the portal.

Upstream already cleans article HTML; this runs again at publish time (defence in depth): the
portal trusts the published stream, so nothing executable may ever enter it — no script, no
event-handler attributes, no javascript:/data: URLs, no forms, no frames, no embedded objects.

This is the one allow-list for HTML that readers see: the reviewer preview uses :func:`clean_html`
too, so a reviewer approves exactly what the portal will show. The normalizers' own allow-list is
for the stored copy (a record of the source) and may keep a known video player's iframe; it never
reaches the portal.
"""

from __future__ import annotations

import html as html_lib
import re
from urllib.parse import urljoin, urlsplit

import nh3

__all__ = ["clean_html", "html_to_text", "plain_text", "neutral_text", "safe_url", "text_to_html"]

ALLOWED_TAGS = {
    "p", "br", "hr", "div", "span", "strong", "b", "em", "i", "u", "s", "sub", "sup", "small",
    "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "code", "ul", "ol", "li", "dl", "dt", "dd",
    "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "a", "img", "figure", "figcaption",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
# Removed together with everything inside them (the text of a script is not article text).
DROPPED_WITH_CONTENT = {
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "noscript",
    "template", "form", "textarea", "select", "button", "svg", "math", "noembed", "title",
}
URL_SCHEMES = {"http", "https", "mailto"}
URL_ATTRIBUTES = {"href", "src"}


def safe_url(url: str | None, base: str | None = None) -> str | None:
    """*url* made absolute against *base*, or None unless it is http(s)/mailto.

    Control characters and whitespace inside a scheme ("java\\tscript:") are removed first, as
    browsers do, so that they cannot smuggle a scheme past the check.
    """
    if not url:
        return None
    url = re.sub(r"[\x00-\x20\x7f]", lambda m: "" if m.group() != " " else "%20", url.strip())
    if base:
        try:
            url = urljoin(base, url)
        except ValueError:
            return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in URL_SCHEMES:
        return None
    if parts.scheme.lower() in ("http", "https") and not parts.netloc:
        return None
    return url


def _cleaner(base: str | None) -> nh3.Cleaner:
    def attribute_filter(tag: str, attr: str, value: str) -> str | None:
        if attr in URL_ATTRIBUTES:
            return safe_url(value, base)
        return value

    return nh3.Cleaner(
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=attribute_filter,
        url_schemes=URL_SCHEMES,
        strip_comments=True,
        link_rel="noopener noreferrer",
    )


_PLAIN = nh3.Cleaner(tags=set(), clean_content_tags=DROPPED_WITH_CONTENT, attributes={})
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")


# Characters XML cannot carry (C0 controls but tab/newline/return, lone surrogates, U+FFFE/U+FFFF):
# one of them in a stored item would make every RSS/Atom feed listing it fail to render.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(value: str) -> str:
    """*value* without the characters XML cannot carry (a Word paste brings \\v and \\f)."""
    return _NOT_XML.sub(lambda m: "\n" if m.group() in "\x0b\x0c" else "", value)


def clean_html(fragment: str | None, *, base: str | None = None) -> str:
    """*fragment* reduced to the allow-list, relative links resolved against *base* (the original URL)."""
    if not fragment:
        return ""
    return _cleaner(base).clean(xml_safe(fragment)).strip()


def plain_text(value: str | None) -> str:
    """Markup-free text (for titles and names): tags dropped, entities decoded, whitespace collapsed.

    A "<" that would still open a tag after decoding ("&lt;script&gt;") becomes a full-width "＜",
    so a reader that treats an RSS title as HTML can never find markup in it.
    """
    if not value:
        return ""
    value = xml_safe(value)
    text = html_lib.unescape(_PLAIN.clean(value)) if "<" in value or "&" in value else value
    text = xml_safe(text)  # &#1; decodes to a control character too
    text = _TAG_START.sub("\uff1c", text)
    return " ".join(text.split())


def neutral_text(text: str | None) -> str:
    """Plain body text kept as it is (paragraphs included), except that no "<" can open a tag.

    The portal should escape plain text anyway; this makes a careless ``innerHTML`` harmless too.
    """
    return _TAG_START.sub("\uff1c", xml_safe(text or ""))


_BLOCK_END = re.compile(r"(?i)</(p|div|li|h[1-6]|tr|blockquote|pre|figure|table)>|<br\s*/?>")


def html_to_text(fragment: str) -> str:
    """Readable text of sanitized HTML, one line per block: for entries that arrive without text."""
    marked = _BLOCK_END.sub(lambda m: m.group() + "\n", fragment or "")
    text = html_lib.unescape(_PLAIN.clean(marked))
    return neutral_text("\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip()))


def text_to_html(text: str) -> str:
    """Plain text as escaped paragraphs: for entries that arrive without HTML."""
    paras = [p.strip() for p in re.split(r"\n\s*\n|\n", text or "") if p.strip()]
    return "".join(f"<p>{html_lib.escape(p, quote=False)}</p>" for p in paras)
