"""Click's own strings (usage, help, its usage errors) follow the command line's language: Chinese
by default, English under an English locale or --lang en, through gettext catalogs (no output is
rewritten afterwards)."""

from __future__ import annotations

import gettext
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from click.testing import CliRunner

import run
from review_queue import catalogs

REPO = Path(__file__).resolve().parents[2]
CLICK_PO = REPO / "review_queue/translations/zh_CN/LC_MESSAGES/click.po"
LOCALE_VARS = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in LOCALE_VARS}
    return subprocess.run([sys.executable, str(REPO / "run.py"), *args], cwd=REPO, capture_output=True,
                          text=True, timeout=60, env={**clean, **env})


@pytest.mark.parametrize("env", [{}, {"LANG": "C.UTF-8"}, {"LC_ALL": "zh_CN.UTF-8"}, {"LANGUAGE": "en"}],
                         ids=["no-locale", "C", "zh_CN", "LANGUAGE-under-the-C-locale"])
def test_help_is_chinese_by_default(env: dict[str, str]) -> None:
    out = cli(env, "--help").stdout
    assert out.startswith("用法： run.py [OPTIONS] COMMAND [ARGS]...")
    assert "\n选项:\n" in out and "\n命令:\n" in out and "显示本帮助并退出。" in out
    assert not re.search(r"Usage:|Options:|Commands:|Show this message", out), out


@pytest.mark.parametrize("how", [({"LANG": "en_US.UTF-8"}, ()), ({}, ("--lang", "en")),
                                 ({"LC_ALL": "zh_CN.UTF-8"}, ("--lang=en",))], ids=["LANG", "--lang", "--lang="])
def test_help_is_english_under_the_english_locale(how: tuple[dict[str, str], tuple[str, ...]]) -> None:
    env, flags = how
    out = cli(env, *flags, "review", "--help").stdout
    assert out.startswith("Usage: run.py review [OPTIONS] COMMAND [ARGS]...")
    assert "\nOptions:\n" in out and "Show this message and exit." in out
    assert not re.search(r"[\u4e00-\u9fff]", out.replace("初审", "").replace("终审", "")), out


def test_usage_errors_are_one_line_in_the_chosen_language() -> None:
    assert cli({}, "frobnicate").stderr == "error: 没有命令 'frobnicate'。 （见 `run.py --help`）\n"
    assert cli({"LANG": "en_GB.UTF-8"}, "frobnicate").stderr == (
        "error: No such command 'frobnicate'. (see `run.py --help`)\n")
    missing = cli({"LANG": "en_GB.UTF-8"}, "--lang", "zh", "review", "approve")
    assert missing.returncode == 2
    assert missing.stderr == "error: 缺少参数 'ITEM_IDS...'. （见 `run.py review approve --help`）\n"
    wrong = cli({}, "--lang", "en", "users", "add", "zhao", "--role", "boss").stderr
    assert wrong.startswith("error: Invalid value for '--role': 'boss' is not one of 'reviewer', 'editor', 'admin'.")
    assert cli({}, "--bogus").stderr.startswith("error: 没有选项 '--bogus'。")


def test_in_process_the_language_holds_for_the_invocation_only() -> None:
    """CliRunner (click's own display of errors, "Error: …"): each run in its language, and gettext
    is left as it was afterwards."""
    before = (gettext.textdomain(), os.environ.get("LANGUAGE"))
    runner = CliRunner()
    zh = runner.invoke(run.cli, ["--lang", "zh", "queue", "--bogus"])
    en = runner.invoke(run.cli, ["--lang", "en", "queue", "--bogus"])
    assert zh.exit_code == en.exit_code == 2
    assert "错误：没有选项 '--bogus'。" in zh.output and "用法：" in zh.output
    assert "Error: No such option '--bogus'." in en.output and "Usage:" in en.output
    assert (gettext.textdomain(), os.environ.get("LANGUAGE")) == before


def _click_messages() -> dict[str | tuple[str, str], str]:
    """Every string the installed click marks for translation, with where it is."""
    found: dict[str | tuple[str, str], str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            os.path.dirname(click.__file__), method_map=[("**.py", "python")],
            keywords={"_": None, "ngettext": (1, 2)}):
        found.setdefault(message, f"click/{filename}:{lineno}")
    return found


def _fields(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)[^}]*\}", text)) | set(re.findall(r"%\((\w+)\)s", text))


def test_every_string_of_the_installed_click_has_a_chinese_translation() -> None:
    with CLICK_PO.open("rb") as fh:
        catalog = read_po(fh, locale="zh_CN")
    wanted = _click_messages()
    assert len(wanted) > 60 and "Usage:" in wanted
    missing = []
    for message, where in wanted.items():
        entry = catalog.get(message[0] if isinstance(message, tuple) else message)
        strings = entry.string if entry is not None else None
        text = strings[0] if isinstance(strings, tuple) else strings
        if not text:
            missing.append(f"{where}: {message!r}")
            continue
        ids = " ".join(message) if isinstance(message, tuple) else message
        assert _fields(text) <= _fields(ids), f"{where}: {text!r} names a field click does not give"
    assert not missing, "click strings with no Chinese:\n" + "\n".join(missing)


def test_the_compiled_catalog_says_what_the_po_file_says() -> None:
    """Python's gettext reads click.mo; people edit click.po (then `pybabel compile`, see its header)."""
    from babel.messages.mofile import write_mo

    with CLICK_PO.open("rb") as fh:
        catalog = read_po(fh, locale="zh_CN")
    shipped = gettext.GNUTranslations(io.BytesIO(CLICK_PO.with_suffix(".mo").read_bytes()))
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    fresh = gettext.GNUTranslations(buf)
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            for n in (1, 2):
                assert shipped.ngettext(*message.id, n) == fresh.ngettext(*message.id, n), message.id
        else:
            assert shipped.gettext(message.id) == fresh.gettext(message.id) == message.string, (
                f"click.mo is older than click.po for {message.id!r}: run pybabel compile")
    assert catalogs.GETTEXT_LANGUAGE["zh"] == CLICK_PO.parent.parent.name
