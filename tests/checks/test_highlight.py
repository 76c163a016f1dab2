"""Highlights in the reviewer's preview change text only: addresses and markup stay as they were."""

from __future__ import annotations

from checks import Finding, highlight, highlight_text

ID = "230102198503120045"


def finding(text: str, paragraph: int = 1, severity: str = "block", code: str = "PII-ID") -> Finding:
    return Finding(code, severity, text, paragraph, 0, "remove or mask it")


def test_the_number_is_marked_in_text_and_tail_but_never_in_an_attribute() -> None:
    html = (f'<p>张三，身份证号{ID}。</p><p><a href="https://x.gov.cn/{ID}.html" rel="noopener">名单</a>'
            f"，李四 {ID}<strong>附件</strong>{ID}</p>")
    out = highlight(html, [finding(ID)])
    assert out.count('data-code="PII-ID"') == 3
    assert f'href="https://x.gov.cn/{ID}.html"' in out
    assert out.startswith('<p>张三，身份证号<mark class="check check-block"')
    assert "<strong>附件</strong><mark" in out


def test_marked_text_is_escaped_and_findings_without_a_place_are_not_marked() -> None:
    out = highlight("<p>a &lt;b&gt; 两岸三地 javascript:void(0)</p>",
                    [finding("两岸三地", code="TERM-BANNED"), Finding("LINK-SCHEME", "warn", "javascript:void(0)",
                                                                    None, None, "m")])
    assert "&lt;b&gt;" in out and "<b>" not in out
    assert out.count("<mark") == 1
    title = highlight_text("<script>两岸三地</script>", [finding("两岸三地", paragraph=0, code="TERM-BANNED")])
    assert title.startswith("&lt;script&gt;<mark") and "<script>" not in title


def test_nothing_to_mark_leaves_the_html_alone() -> None:
    html = '<p>无 <a href="/x">链接</a></p>'
    assert highlight(html, []) == html
    assert highlight(html, [finding("不在正文中")]) == html
