"""Chinese first, English as a locale: every label of the templates has its English translation."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

import review_queue

ROOT = Path(review_queue.__file__).parent
LABEL = re.compile(r'_\("((?:[^"\\]|\\.)*)"')


def test_every_template_label_has_an_english_translation_and_no_label_is_doubled() -> None:
    with (ROOT / "translations/en/LC_MESSAGES/messages.po").open("rb") as fh:
        catalog = read_po(fh)
    sources = [*(ROOT / "templates/review_queue").glob("*.html"), *(ROOT / "web").glob("*.py"), ROOT / "messages.py"]
    labels = {m for f in sources for m in LABEL.findall(f.read_text())}
    assert len(labels) > 100
    missing = sorted(label for label in labels if not (catalog.get(label) and catalog.get(label).string))
    assert not missing, f"no English for {missing}"
    doubled = [f.name for f in (ROOT / "templates/review_queue").glob("*.html")
               if re.search(r">[^<{]*[\u4e00-\u9fff]+ [A-Z][a-z]+[^<{]*<", f.read_text())]
    assert not doubled, f"labels printed in both languages in {doubled}"


def test_history_words_are_translated_chinese_by_default_english_as_a_locale() -> None:
    """Every action a history entry can record and every edited field (notes: test_history_notes)."""
    from review_queue import catalogs, messages
    from review_queue.workflow import TRANSITIONS

    actions = {t.action for t in TRANSITIONS} | {"column", "lock", "unlock", "break-lock", "take-over-lock"}
    catalogs.use("zh")  # (a command line test in this process may have chosen English)
    try:
        chinese = {a: messages.history_action(a) for a in actions}
        assert all(c != a and not c.isascii() for a, c in chinese.items()), chinese
        assert messages.history_note("属地新闻，移至地市动态") == "属地新闻，移至地市动态"  # a person's words stay
        assert messages.field_label("html") == "正文（HTML）"
        catalogs.use("en")
        english = {a: messages.history_action(a) for a in actions}
        assert all(e.isascii() for e in english.values()), english
    finally:
        catalogs.use("zh")


def test_every_message_of_the_command_line_has_an_english_translation() -> None:
    with (ROOT / "translations/en/LC_MESSAGES/cli.po").open("rb") as fh:
        catalog = read_po(fh)
    source = (ROOT.parent / "run.py").read_text(encoding="utf-8")
    labels = set(LABEL.findall(source)) | set(re.findall(r"_\('([^']*)'\)", source)) | set(
        re.findall(r'_n\("([^"]*)"', source))
    assert len(labels) > 30
    missing = sorted(label for label in labels if not (catalog.get(label) and catalog.get(label).string))
    assert not missing, f"no English for {missing}"
