"""Chinese first, English as a locale: every label of the templates has its English translation."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_file
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


def _cli_messages() -> dict[str, tuple[bool, str]]:
    """Every message the command line prints through the "cli" domain (run.py's _() and _n(), the
    demo's _()), found as gettext's own extractor finds them (implicit concatenation included):
    msgid -> (counts something, where)."""
    found: dict[str, tuple[bool, str]] = {}
    for path in (ROOT.parent / "run.py", *sorted((ROOT.parent / "pipeline").glob("*.py"))):
        for keyword, counts in (("_", False), ("N_", False), ("_n", True)):
            for lineno, msgid, _comments, _context in extract_from_file("python", str(path),
                                                                         keywords={keyword: (1,)}):
                found.setdefault(msgid, (counts, f"{path.name}:{lineno}"))
    return found


PLACEHOLDER = re.compile(r"%\((\w+)\)([-#0 +]*\d*(?:\.\d+)?[sdfgr])")


def test_every_message_of_the_command_line_has_an_english_translation() -> None:
    """Every Chinese id has its English, with the same named placeholders (same formats), and one
    that counts has a singular and a plural; the English fills in without an error."""
    with (ROOT / "translations/en/LC_MESSAGES/cli.po").open("rb") as fh:
        catalog = read_po(fh)
    messages = _cli_messages()
    assert len(messages) > 90 and "汇聚演示正在运行（Ctrl-C 全部停止）。" in messages
    missing, wrong = [], []
    for msgid, (counts, where) in messages.items():
        entry = catalog.get(msgid)
        if not (entry and entry.string and all(entry.string if isinstance(entry.string, tuple) else [1])):
            missing.append(f"{where}: {msgid}")
            continue
        if counts != isinstance(entry.string, tuple):
            wrong.append(f"{where}: {msgid}: " + ("_n() needs msgid_plural" if counts else "_() of a plural entry"))
        fields = dict(PLACEHOLDER.findall(msgid))
        for english in entry.string if isinstance(entry.string, tuple) else (entry.string,):
            if dict(PLACEHOLDER.findall(english)) != fields:
                wrong.append(f"{where}: {english!r} does not name the placeholders of {msgid!r}")
            values = {name: 1 if spec[-1] in "dfg" else "x" for name, spec in PLACEHOLDER.findall(msgid)}
            try:
                english % values  # noqa: B018 - only whether it formats
            except (KeyError, ValueError, TypeError) as exc:
                wrong.append(f"{where}: {english!r} does not format: {exc!r}")
    assert not missing, "no English for:\n" + "\n".join(missing)
    assert not wrong, "\n".join(wrong)
