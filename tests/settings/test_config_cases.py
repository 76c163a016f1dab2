"""Data-driven configuration cases: each cases/*.toml starts with `# expect: ok` or the exact
beginning of the one-line error the operator must see."""

from __future__ import annotations

from pathlib import Path

import pytest

import settings

CASES = sorted((Path(__file__).parent / "cases").glob("*.toml"))


def expectations(path: Path) -> tuple[str, dict[str, str]]:
    expect, urls = "", {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# expect: "):
            expect = line[len("# expect: "):]
        elif line.startswith("# expect-url: "):
            sid, url = line[len("# expect-url: "):].split(" ", 1)
            urls[sid] = url
    return expect, urls


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_config_case(path: Path) -> None:
    expect, urls = expectations(path)
    text = path.read_text(encoding="utf-8")
    if expect == "ok":
        config = settings.loads(text)
        assert config.sources or config.rules or config.columns
        for sid, url in urls.items():
            assert config.source(sid).url == url
    else:
        with pytest.raises(settings.ConfigError) as info:
            settings.loads(text)
        message = str(info.value)
        assert "\n" not in message
        assert message.startswith(expect), message


def test_template_instantiates_many_sources_and_merges_selectors() -> None:
    config = settings.loads((Path(__file__).parent / "cases" / "template-ok.toml").read_text("utf-8"))
    fgw, jyt = config.source("fgw"), config.source("jyt")
    assert fgw.kind == jyt.kind == "department"
    assert fgw.every == 1800
    assert fgw.list == {"items": "ul.list li", "date": "span"}
    assert jyt.list == {"items": "div.news li", "date": "span"}  # a source overrides one selector only


def test_default_columns_are_the_catalog_of_design_section_3() -> None:
    config = settings.loads("")
    assert list(config.columns) == [
        "longjiang-news", "gov-affairs", "department-news", "city-news", "laws", "gov-documents",
        "notices", "topic-old-industrial-base", "topic-e-government",
    ]
    assert config.columns["city-news"].freshness_days == 14
    assert config.columns["gov-affairs"].signoff == ("editor",)


def test_load_names_the_file_it_could_not_read(tmp_path: Path) -> None:
    with pytest.raises(settings.ConfigError, match=r"nowhere\.toml: file not found"):
        settings.load(tmp_path / "nowhere.toml")


@pytest.mark.parametrize("name", ["schedules.toml", "demo.toml"])
def test_shipped_configs_are_valid(name: str) -> None:
    path = Path(__file__).resolve().parents[2] / name
    if not path.exists():
        pytest.fail(f"{name} is missing from the repository")
    config = settings.load(path, variables={"province": "http://127.0.0.1:1"})
    assert config.sources
    assert all(s.column in config.columns for s in config.sources)


def test_idle_max_is_read_per_source_and_for_the_collector() -> None:
    config = settings.loads((Path(__file__).parent / "cases" / "idle-max.toml").read_text("utf-8"))
    assert config.collector.idle_max == 7200
    assert config.source("harbin").idle_max == 3 * 3600
    assert config.source("portal").idle_max == 0  # "off": always the source's own interval


@pytest.mark.parametrize("text", ["15m", "90m", "2h", "1d", "45s", "36h"])
def test_an_interval_is_written_back_as_schedules_toml_would(text: str) -> None:
    assert settings.format_every(settings.parse_every(text)) == text


def test_signoff_levels_keep_the_plain_role_list_and_take_names() -> None:
    path = Path(__file__).parent / "cases" / "ok-signoff-levels.toml"
    config = settings.loads(path.read_text(encoding="utf-8"))
    docs, affairs = config.columns["gov-documents"], config.columns["gov-affairs"]
    assert docs.signoff == ("editor", "admin") and docs.level_names() == ("科室复审", "领导终审")
    assert affairs.signoff == ("editor",) and affairs.level_names() == ("终审",)
