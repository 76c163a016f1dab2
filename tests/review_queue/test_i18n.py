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
    sources = [*(ROOT / "templates/review_queue").glob("*.html"), *(ROOT / "web").glob("*.py")]
    labels = {m for f in sources for m in LABEL.findall(f.read_text())}
    assert len(labels) > 100
    missing = sorted(label for label in labels if not (catalog.get(label) and catalog.get(label).string))
    assert not missing, f"no English for {missing}"
    doubled = [f.name for f in (ROOT / "templates/review_queue").glob("*.html")
               if re.search(r">[^<{]*[\u4e00-\u9fff]+ [A-Z][a-z]+[^<{]*<", f.read_text())]
    assert not doubled, f"labels printed in both languages in {doubled}"
