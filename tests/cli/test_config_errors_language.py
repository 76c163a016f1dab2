"""A malformed schedules.toml stops every command with one line naming the file, where in it and the
cause: Chinese by default, English with --lang en or an English locale (the configuration's own
English, as logs and scripts read it). Data-driven: every failing case of tests/settings/cases, and
every code settings declares, in both languages."""

from __future__ import annotations

import re
import string
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from click.testing import CliRunner

import run
import settings
import settings.loader
from pipeline import wording
from review_queue import catalogs
from tests.cli.test_cli_operator_language import CJK, LOCALE_VARS, assert_in_language

REPO = Path(__file__).resolve().parents[2]
CASES = sorted(p for p in (REPO / "tests/settings/cases").glob("*.toml")
               if not p.read_text(encoding="utf-8").startswith("# expect: ok"))
WORDS = re.compile(r"[A-Za-z][A-Za-z_-]*[A-Za-z]")
# the library's own words quoted as the detail of a cause (tomllib's, APScheduler's): not ours to translate
LIBRARY_DETAIL = {"invalid-toml", "bad-cron"}


def _identifiers(path: Path) -> set[str]:
    """The words a Chinese line may carry: those of the file itself (keys, ids, values), the
    settings' key names and the choices the cause lists."""
    known = {f for cls in (settings.Source, settings.CollectorSettings, settings.WebSettings,
                           settings.DaemonSettings, settings.RetentionSettings) for f in cls.__dataclass_fields__}
    choices = {*settings.SOURCE_KINDS, *settings.SOURCE_TYPES, *settings.COLUMN_KINDS, *settings.ROLES,
               *(c.id for c in settings.DEFAULT_COLUMNS), "text", "json", "kv", "required", "auto", "role", "name",
               "id", "every", "cron", "off", "true", "false", "signoff", "freshness_days", "title_any",
               "body_any", "sources", "kinds", "url_pattern", "url", "e.g", "toml", "TOML", "UTF", "http", "https",
               *settings.loader.TOP_KEYS}
    for part in " ".join(known).split():
        choices |= set(part.split("_"))
    return set(WORDS.findall(path.read_text(encoding="utf-8"))) | known | choices


def _error(path: Path) -> settings.ConfigError:
    with pytest.raises(settings.ConfigError) as info:
        settings.load(path)
    return info.value


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_a_malformed_configuration_is_one_line_in_the_chosen_language(path: Path) -> None:
    exc = _error(path)
    zh = CliRunner().invoke(run.cli, ["--lang", "zh", "--config", str(path), "sources"])
    en = CliRunner().invoke(run.cli, ["--lang", "en", "--config", str(path), "sources"])
    assert zh.exit_code == en.exit_code == 1 and not zh.stdout and not en.stdout, (zh.output, en.output)
    assert en.stderr == f"error: {exc}\n"  # the configuration's own English line, whole
    assert zh.stderr.count("\n") == 1 and zh.stderr.startswith(f"error: {path}："), zh.stderr
    assert zh.stderr != en.stderr and CJK.search(zh.stderr)
    if exc.code not in LIBRARY_DETAIL:
        assert_in_language("zh", zh.stderr, identifiers=_identifiers(path))
    for value in (exc.params.get("value"), exc.params.get("name")):  # the bad value is named in both
        if isinstance(value, str):
            assert repr(value) in zh.stderr or value in zh.stderr, zh.stderr


def test_the_chinese_line_names_the_file_the_entry_and_the_bad_value(tmp_path: Path) -> None:
    cfg = tmp_path / "schedules.toml"
    cfg.write_text('[[sources]]\nid = "harbin"\nname = "哈尔滨市人民政府"\nkind = "city"\ntype = "html"\n'
                   'url = "https://www.harbin.gov.cn/list.html"\ncolumn = "city-news"\nevery = "15m"\n'
                   'idle_max = "often"\n', encoding="utf-8")
    zh = CliRunner().invoke(run.cli, ["--config", str(cfg), "sources"], env=dict.fromkeys(LOCALE_VARS))
    assert zh.stderr == (f'error: {cfg}：来源 "harbin"：idle_max：间隔 \'often\' 无效（用数字加 s、m、h 或 d，'
                         '如 "15m"）（或 "off"）\n')
    en = CliRunner().invoke(run.cli, ["--config", str(cfg), "sources"],
                            env={**dict.fromkeys(LOCALE_VARS), "LANG": "en_US.UTF-8"})
    assert en.stderr == (f'error: {cfg}: source "harbin": idle_max: bad interval \'often\' (use a number and '
                         's, m, h or d, like "15m") (or "off")\n')


def test_broken_toml_says_the_line_and_column_in_chinese(tmp_path: Path) -> None:
    cfg = tmp_path / "schedules.toml"
    cfg.write_text('[web]\napproval_hold = 0\n[[sources]\nid = "x"\n', encoding="utf-8")
    zh = CliRunner().invoke(run.cli, ["--lang", "zh", "--config", str(cfg), "sources"])
    assert zh.exit_code == 1
    assert zh.stderr.startswith(f"error: {cfg}：第 3 行第 10 列不是有效的 TOML（解析器的说明：“"), zh.stderr
    en = CliRunner().invoke(run.cli, ["--lang", "en", "--config", str(cfg), "sources"])
    assert en.stderr == f"error: {_error(cfg)}\n" and "(at line 3, column 10)" in en.stderr


def test_a_missing_configuration_file_in_a_fresh_process() -> None:
    """The real entry point (not CliRunner): the default locale of a shell is Chinese."""
    clean = {k: v for k, v in __import__("os").environ.items() if k not in LOCALE_VARS}
    done = subprocess.run([sys.executable, str(REPO / "run.py"), "--config", "nowhere.toml", "sources"], cwd=REPO,
                          capture_output=True, text=True, timeout=60, env=clean)
    assert done.returncode == 1 and done.stderr == "error: nowhere.toml：找不到文件\n", done.stderr


def _sample(template: str) -> dict[str, object]:
    """Params for every field a settings.ENGLISH template names (str.format style)."""
    return {name: 7 if name in ("n", "line", "column") else f"v{name}"
            for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("code", sorted(settings.ENGLISH))
def test_every_configuration_code_has_chinese_and_the_same_english(code: str) -> None:
    """A code added to settings.ENGLISH without its Chinese (wording.CONFIG_ERRORS) or its English in
    cli.po fails here; the catalog's English is the configuration's own, word for word."""
    assert code in wording.CONFIG_ERRORS, f"{code}: no Chinese message in wording.CONFIG_ERRORS"
    params = _sample(settings.ENGLISH[code])
    where = {"kind": "source", "id": "harbin"}
    exc = settings.ConfigError(code, file="schedules.toml", where=where, **params)
    try:
        catalogs.use("zh")
        wording.LANGUAGE = "zh"
        chinese = wording.config_error(exc)
        wording.LANGUAGE = "en"
        english = wording.config_error(exc)
    finally:
        wording.LANGUAGE = None
        catalogs.use(catalogs.DEFAULT)
    assert english == str(exc)
    assert chinese.startswith('schedules.toml：来源 "harbin"：') and chinese != english
    assert CJK.search(chinese.split("：", 2)[2]), chinese  # a library's detail is quoted inside a Chinese sentence
    for value in params.values():
        assert str(value) in chinese, (code, chinese)


def test_every_code_the_loader_raises_is_declared() -> None:
    source = (REPO / "settings/loader.py").read_text(encoding="utf-8")
    raised = set(re.findall(r'(?:Invalid|ConfigError)\("([a-z0-9-]+)"', source))
    raised |= set(re.findall(r'self\.fail\((?:\{[^}]*\}|[\w()".]+), "([a-z0-9-]+)"', source))
    assert len(raised) > 50 and raised <= set(settings.ENGLISH), raised - set(settings.ENGLISH)
    assert set(wording.CONFIG_ERRORS) == set(settings.ENGLISH) and set(wording.CONFIG_WHERE) == set(settings.WHERE)
    with (REPO / "review_queue/translations/en/LC_MESSAGES/cli.po").open("rb") as fh:
        catalog = read_po(fh)
    for kind, msgid in wording.CONFIG_WHERE.items():  # where in the file: the same English as settings'
        assert catalog.get(msgid).string % {"id": "harbin", "n": 3, "name": "web"} == settings.WHERE[kind].format(
            id="harbin", n=3, name="web"), kind
