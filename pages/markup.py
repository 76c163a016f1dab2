"""Where a government page's markup says what: meta tag names, the story's container, attachments.

Data, not code: a new CMS's body container or meta name is one entry here.
"""

from __future__ import annotations

from lxml import etree

__all__ = ["ATTACHMENT_EXTS", "BLOCK_TAGS", "BODY_CLASSES", "BODY_IDS", "BODY_XPATHS", "META_NAMES", "NOT_CONTENT_TAGS"]

# <meta name=…> the Chinese government CMSs (TRS, 开普云, 大汉…) fill for a story.
META_NAMES = ("ArticleTitle", "PubDate", "ColumnName", "ContentSource", "SiteName", "Keywords",
              "Description", "Author", "ColumnKeywords", "ColumnDescription", "ColumnType", "Url")
# Files a government page attaches to a story (WPS/OFD/CEB are the Chinese office formats).
ATTACHMENT_EXTS = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".et", ".dps", ".ppt", ".pptx", ".zip",
                   ".rar", ".7z", ".ofd", ".ceb", ".tif", ".txt", ".csv")

# Where government and news CMSs put the story, most specific first: a class, then an id.
BODY_CLASSES = (
    "article_content_body",
    "gzk_detail",
    "TRS_Editor",
    "TRS_UEDITOR",
    "left_zw",
    "article-content",
    "article_content",
    "content_text",
    "pages_content",
    "art_con",
    "zw_content",
    "news_content",
    "detail_content",
    "rich_media_content",
)
BODY_IDS = ("zoom", "Zoom", "UCAP-CONTENT", "fontzoom", "art_content", "js_content", "article_content",
            "ArticleContent")


def _has_class(names: tuple[str, ...]) -> str:
    return " | ".join(f"//*[contains(concat(' ', normalize-space(@class), ' '), ' {n} ')]" for n in names)


# The containers as XPaths, in order; the last one (<article>) counts only with enough text.
BODY_XPATHS = (
    etree.XPath(_has_class(BODY_CLASSES)),
    etree.XPath("//*[" + " or ".join(f"@id='{i}'" for i in BODY_IDS) + "]"),
    etree.XPath("//article"),
)

# Elements that make a block of text (a paragraph, a cell row, a heading): a line of their own.
BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "li",
        "ul",
        "ol",
        "tr",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "section",
        "article",
        "header",
        "footer",
        "center",
        "pre",
        "dd",
        "dt",
        "dl",
        "hr",
        "figure",
        "figcaption",
        "address",
        "caption",
        "fieldset",
        "main",
        "aside",
        "body",
        "html",
    }
)
# Elements that are never a story's content: dropped with everything inside them.
NOT_CONTENT_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "head",
        "title",
        "object",
        "applet",
        "form",
        "select",
        "textarea",
        "button",
        "svg",
        "math",
        "canvas",
        "nav",
        "audio",
        "video",
        "map",
        "frame",
        "frameset",
    }
)
