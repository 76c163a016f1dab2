"""Every command's help (description, short help, options' and arguments' help, epilog) is Chinese
by default and English under --lang en / an English locale: the texts of run.py are Chinese message
ids of the catalog domain ``cli``, translated when click formats --help (review_queue/cli_help.py)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from babel.messages.pofile import read_po
from click.testing import CliRunner

import run
from review_queue import catalogs, cli_help

REPO = Path(__file__).resolve().parents[2]
CLI_PO = REPO / "review_queue/translations/en/LC_MESSAGES/cli.po"
CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_PHRASE = re.compile(r"\b[A-Za-z][a-z]+ [a-z]{2,} [a-z]{2,}\b")  # "the sample province", "Show this message"


@pytest.fixture(autouse=True)
def _process_language_back_to_chinese():
    """An in-process run with --lang en leaves the process's language English: not for the next test."""
    yield
    catalogs.use(catalogs.DEFAULT)


def tree(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    """Every command and group under *group* (itself first), with its path."""
    out: list[tuple[tuple[str, ...], click.Command]] = [(prefix, group)]
    for name, cmd in group.commands.items():
        if isinstance(cmd, click.Group):
            out.extend(tree(cmd, (*prefix, name)))
        else:
            out.append(((*prefix, name), cmd))
    return out


COMMANDS = tree(run.cli)
IDS = [" ".join(path) or "run.py" for path, _ in COMMANDS]


def english() -> dict[str, str]:
    with CLI_PO.open("rb") as fh:
        return {m.id: m.string for m in read_po(fh) if m.id}


def flat(text: str) -> str:
    """*text* without any whitespace: help is rewrapped (Chinese between any two characters)."""
    return re.sub(r"\s+", "", text)


def without_glosses(text: str) -> str:
    """English without the Chinese names it gives in brackets: "Huiju (汇聚)", "(初审)"."""
    return re.sub(r"\([\u4e00-\u9fff]+\)", "", text)


def show_help(lang: str, path: tuple[str, ...]) -> str:
    result = CliRunner().invoke(run.cli, ["--lang", lang, *path, "--help"], prog_name="run.py", terminal_width=80)
    assert result.exit_code == 0, result.output
    return result.output


def test_every_help_text_is_chinese_and_has_its_english_in_the_catalog() -> None:
    catalog = english()
    texts = {text for _, cmd in COMMANDS for text in cli_help.help_texts(cmd)}
    assert len(texts) > 70
    not_chinese = sorted(t for t in texts if not CJK.search(t))
    assert not not_chinese, f"help written in English in run.py (write it in Chinese, English in cli.po): {not_chinese}"
    missing = sorted(t for t in texts if not catalog.get(t) or catalog[t] == t)
    assert not missing, f"no English in {CLI_PO.name} for {missing}"
    assert not [catalog[t] for t in texts if CJK.search(without_glosses(catalog[t]))]  # (汇聚), (初审) only


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_help_is_chinese_by_default_and_english_when_asked(path: tuple[str, ...], command: click.Command) -> None:
    catalog = english()
    zh, en = show_help("zh", path), show_help("en", path)
    texts = list(cli_help.help_texts(command))
    for text in texts:
        assert flat(text) in flat(zh), f"{text!r} not shown in Chinese"
        assert flat(catalog[text]) not in flat(zh), f"English {catalog[text]!r} shown in Chinese"
        assert flat(catalog[text]) in flat(en), f"{catalog[text]!r} not shown in English"
        assert flat(text) not in flat(en)
    body = zh.split("\n", 1)[1]  # (the usage line names the command: run.py review approve)
    assert not ENGLISH_PHRASE.search(body), f"English in the Chinese help: {ENGLISH_PHRASE.search(body)}"
    assert not CJK.search(without_glosses(en)), en
    widest = max(cli_help.width(line) for line in zh.splitlines())
    assert widest <= 80, f"a line of {widest} columns in an 80-column terminal:\n{zh}"
    if isinstance(command, click.Group):  # its commands listed with their short help, in each language
        for name, sub in command.commands.items():
            [row] = [line for line in zh.splitlines() if line.split()[:1] == [name]]
            short = row.split(None, 1)[1].removesuffix("…")
            assert sub.help and flat(sub.help).startswith(flat(short)), row
            assert flat(catalog[next(cli_help.help_texts(sub))])[:12] in flat(en)  # (click shortens it)


def test_required_options_and_defaults_read_chinese_too() -> None:
    out = show_help("zh", ("review", "approve"))
    assert "审核员的用户名。 [必填]" in out and "[required]" not in out
    assert "[默认：schedules.toml]" in show_help("zh", ())
    assert "[required]" in show_help("en", ("review", "approve"))


def test_the_role_help_says_what_settings_define_for_each_role() -> None:
    from settings.model import ROLE_DUTIES

    [role] = [p for p in run.cli.commands["users"].commands["add"].params if p.name == "role"]
    assert english()[role.help] == "; ".join(f"{r}: {d}" for r, d in ROLE_DUTIES.items()) + "."


def test_a_long_chinese_short_help_is_cut_where_a_reader_expects() -> None:
    assert cli_help.short_help("从命令行通过、退回、撤稿或保留稿件（密码来自 $HUIJU_PASSWORD 或标准输入）。", 40) == \
        "从命令行通过、退回、撤稿或保留稿件…"
    assert cli_help.short_help("来源及其健康状况：状态、上次成功、上次错误、24 小时内条目数、检查间隔。", 50) == \
        "来源及其健康状况：状态、上次成功、上次错误…"
    assert cli_help.short_help("管理审核员账户。\n\n第二段。", 40) == "管理审核员账户"
    assert cli_help.wrap("发布前检查，尚未处理的发现。", 10) == ["发布前检", "查，尚未处", "理的发现。"]
    assert cli_help.wrap("重新同步（见）", 10) == ["重新同步", "（见）"]
    assert cli_help.wrap("一节）。", 6) == ["一", "节）。"]
    assert cli_help.join_lines("设置（--referer、\n  --encoding），\n  或\n  来源的 and\n  more") == \
        "设置（--referer、--encoding），或来源的 and more"
    assert cli_help.wrap("Fetch and parse one URL", 10) == ["Fetch and", "parse one", "URL"]


@pytest.mark.parametrize(("env", "args", "expect", "absent"), [
    ({}, ["--help"], "配置文件（栏目、来源、规则）。", "Configuration file"),
    ({"LANG": "C.UTF-8"}, ["users", "--help"], "管理审核员账户。", "Manage reviewer accounts."),
    ({"LANG": "en_US.UTF-8"}, ["users", "--help"], "Manage reviewer accounts.", "管理审核员账户"),
    ({"LC_ALL": "en_GB.UTF-8"}, ["--lang", "zh", "backup", "--help"], "然后校验副本。", "verify the copy"),
])
def test_the_language_of_the_help_is_chosen_like_the_messages(env: dict[str, str], args: list[str], expect: str,
                                                               absent: str) -> None:
    clean = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")}
    out = subprocess.run([sys.executable, str(REPO / "run.py"), *args], cwd=REPO, capture_output=True, text=True,
                         timeout=60, env={**clean, **env, "COLUMNS": "80"})
    assert out.returncode == 0, out.stderr
    assert flat(expect) in flat(out.stdout) and flat(absent) not in flat(out.stdout)
