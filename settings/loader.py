"""Parse and validate schedules.toml.

Validation is strict and happens before anything starts: a wrong key, an unknown column, a
duplicate id, a bad URL or a bad interval is reported as one line,
``schedules.toml: source "harbin": <reason>``, and nothing runs.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from dataclasses import fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from settings.model import (
    COLUMN_KINDS,
    DEFAULT_RANK,
    REVIEW_MODES,
    ROLES,
    SOURCE_KINDS,
    SOURCE_TYPES,
    CheckSettings,
    CollectorSettings,
    Column,
    Config,
    DaemonSettings,
    EvaluationSettings,
    RetentionSettings,
    RoutingRule,
    Source,
    WebSettings,
)

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
EVERY_RE = re.compile(r"^\s*(\d+)\s*(s|m|h|d)\s*$")
UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400}
VAR_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
TOP_KEYS = {"collector", "web", "daemon", "retention", "columns", "templates", "sources", "rules", "variables",
            "checks", "evaluation"}
LOG_FORMATS = ("text", "json", "kv")

# DESIGN §3: used when a configuration declares no [[columns]] of its own.
DEFAULT_COLUMNS = (
    Column("longjiang-news", "龙江动态", "news", 14),
    Column("gov-affairs", "政务动态", "news", 14, ("editor",)),
    Column("department-news", "厅局动态", "news", 14),
    Column("city-news", "地市动态", "news", 14),
    Column("laws", "法律法规", "policy", None, freshness_months=6),
    Column("gov-documents", "政府文件", "policy", None, freshness_months=6),
    Column("notices", "通知公告", "policy", None, freshness_months=6),
    Column("topic-old-industrial-base", "老工业基地建设", "topic", None),
    Column("topic-e-government", "电子政务建设", "topic", None),
)

_SOURCE_FIELDS = {f.name for f in fields(Source)}
_SOURCE_KEYS = (_SOURCE_FIELDS - {"template"}) | {"template", "vars"}
_TEMPLATE_KEYS = _SOURCE_KEYS - {"id", "template", "vars"}
_DICT_FIELDS = {"headers", "list", "detail", "json", "vars"}


class ConfigError(Exception):
    """The configuration is wrong; the message is one line naming the file, the entry and the reason."""


def load(path: str | Path, *, variables: dict[str, str] | None = None) -> Config:
    """Read and validate a configuration file. ``variables`` override its [variables] table."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    return loads(text, name=str(path), variables=variables)


def loads(text: str, name: str = "schedules.toml", *, variables: dict[str, str] | None = None) -> Config:
    """Validate configuration text; see :func:`load`."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{name}: invalid TOML: {exc}") from None
    return _Parser(name, data, variables or {}).config()


def parse_every(value: Any) -> int:
    """'15m' → 900. Raises ValueError with the reason."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError(f"an interval must be a string like \"15m\", not {value!r}")
    if isinstance(value, int):
        seconds = value
    else:
        m = EVERY_RE.match(value)
        if not m:
            raise ValueError(f"bad interval {value!r} (use a number and s, m, h or d, like \"15m\")")
        seconds = int(m.group(1)) * UNIT[m.group(2)]
    if seconds < 10:
        raise ValueError(f"interval {value!r} is shorter than 10 seconds")
    if seconds > 31 * 86400:
        raise ValueError(f"interval {value!r} is longer than 31 days")
    return seconds


def format_every(seconds: int) -> str:
    """900 → "15m", 5400 → "90m", 7200 → "2h": an interval as schedules.toml writes it (the
    inverse of ``parse_every``), in the largest unit that divides it."""
    for unit, size in sorted(UNIT.items(), key=lambda u: -u[1]):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def check_cron(expr: Any) -> str:
    from apscheduler.triggers.cron import CronTrigger

    if not isinstance(expr, str):
        raise ValueError(f"cron must be a string, not {expr!r}")
    try:
        trigger = CronTrigger.from_crontab(expr, timezone="Asia/Shanghai")
    except ValueError as exc:
        raise ValueError(f"bad cron expression {expr!r}: {exc}") from None
    from datetime import UTC, datetime

    # "0 0 30 2 *" (30 February) parses but never fires: refused, instead of a source never checked
    if trigger.get_next_fire_time(None, datetime.now(UTC)) is None:
        raise ValueError(f"cron expression {expr!r} never fires (no such date)")
    return expr


def check_url(url: Any) -> str:
    if not isinstance(url, str) or not url.strip():
        raise ValueError("url is missing or empty")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in url:
        raise ValueError(f"bad url {url!r} (need an absolute http:// or https:// address)")
    return url


def source_from_dict(entry: dict[str, Any], *, columns: dict[str, Column] | None = None,
                     variables: dict[str, str] | None = None, name: str = "sources") -> Source:
    """Build one validated Source from a dict in schedules.toml form (tests, the sample province)."""
    parser = _Parser(name, {}, variables or {})
    parser.columns = columns or {c.id: c for c in DEFAULT_COLUMNS}
    return parser.source(entry, 1)


class _Parser:
    def __init__(self, name: str, data: dict[str, Any], overrides: dict[str, str]) -> None:
        self.name = name
        self.data = data
        declared = data.get("variables", {})
        self.declared = {k: str(v) for k, v in declared.items()} if isinstance(declared, dict) else {}
        self.variables = dict(overrides)
        self.columns: dict[str, Column] = {}

    def fail(self, where: str, reason: str) -> ConfigError:
        return ConfigError(f"{self.name}: {where}: {reason}" if where else f"{self.name}: {reason}")

    def config(self) -> Config:
        unknown = set(self.data) - TOP_KEYS
        if unknown:
            raise self.fail("", f"unknown section {sorted(unknown)[0]!r} (known: {', '.join(sorted(TOP_KEYS))})")
        if "variables" in self.data and not isinstance(self.data["variables"], dict):
            raise self.fail("[variables]", "must be a table")
        self.columns = self.parse_columns()
        templates = self.data.get("templates", {})
        if not isinstance(templates, dict):
            raise self.fail("[templates]", "must be a table of tables ([templates.NAME])")
        self.templates = {}
        for tname, tbody in templates.items():
            if not isinstance(tbody, dict):
                raise self.fail(f'template "{tname}"', "must be a table")
            bad = set(tbody) - _TEMPLATE_KEYS
            if bad:
                raise self.fail(f'template "{tname}"', f"unknown key {sorted(bad)[0]!r}")
            self.templates[tname] = tbody
        raw_sources = self.data.get("sources", [])
        if not isinstance(raw_sources, list):
            raise self.fail("", "sources must be an array of tables ([[sources]])")
        sources: list[Source] = []
        seen: dict[str, int] = {}
        for n, entry in enumerate(raw_sources, start=1):
            src = self.source(entry, n)
            if src.id in seen:
                raise self.fail(f'source "{src.id}"', f"duplicate id (also source #{seen[src.id]})")
            seen[src.id] = n
            sources.append(src)
        rules = tuple(self.rule(r, n) for n, r in enumerate(self.data.get("rules", []), start=1))
        return Config(
            path=self.name,
            columns=self.columns,
            sources=tuple(sources),
            rules=rules,
            collector=self.settings("collector", CollectorSettings),
            web=self.settings("web", WebSettings),
            checks=self.check_settings(),
            daemon=self.daemon_settings(),
            retention=self.retention_settings(),
            evaluation=self.settings("evaluation", EvaluationSettings),
        )

    def parse_columns(self) -> dict[str, Column]:
        raw = self.data.get("columns")
        if raw is None:
            return {c.id: c for c in DEFAULT_COLUMNS}
        if not isinstance(raw, list) or not raw:
            raise self.fail("", "columns must be a non-empty array of tables ([[columns]])")
        out: dict[str, Column] = {}
        for n, c in enumerate(raw, start=1):
            cid = c.get("id") if isinstance(c, dict) else None
            where = f'column "{cid}"' if isinstance(cid, str) else f"column #{n}"
            if not isinstance(c, dict):
                raise self.fail(where, "must be a table")
            bad = set(c) - {"id", "name", "kind", "freshness_days", "freshness_months", "signoff", "source_required"}
            if bad:
                raise self.fail(where, f"unknown key {sorted(bad)[0]!r}")
            if not isinstance(cid, str) or not ID_RE.match(cid):
                raise self.fail(where, "id must be lowercase letters, digits and '-'")
            if cid in out:
                raise self.fail(where, "duplicate id")
            if not isinstance(c.get("name"), str) or not c["name"].strip():
                raise self.fail(where, "name is missing")
            kind = c.get("kind", "news")
            if kind not in COLUMN_KINDS:
                raise self.fail(where, f"kind must be one of {', '.join(COLUMN_KINDS)}, not {kind!r}")
            fd = c.get("freshness_days")
            if fd is not None and (isinstance(fd, bool) or not isinstance(fd, int) or fd <= 0):
                raise self.fail(where, "freshness_days must be a positive whole number of days")
            fm = c.get("freshness_months")
            if fm is not None and (isinstance(fm, bool) or not isinstance(fm, int) or fm <= 0):
                raise self.fail(where, "freshness_months must be a positive whole number of months")
            if fm is not None and fd is not None:
                raise self.fail(where, "give freshness_days or freshness_months, not both")
            roles, names = self.signoff_levels(c.get("signoff", []), where)
            if not isinstance(c.get("source_required", False), bool):
                raise self.fail(where, "source_required must be true or false")
            out[cid] = Column(cid, c["name"], kind, fd, roles, names, freshness_months=fm,
                              source_required=c.get("source_required", False))
        return out

    def signoff_levels(self, signoff: Any, where: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """``signoff = ["editor"]`` or named levels ``[{role = "editor", name = "科室复审"}, …]``."""
        problem = (f"signoff must be a list of roles from {', '.join(ROLES)} "
                   "or of {role = …, name = …} levels")
        if not isinstance(signoff, list):
            raise self.fail(where, problem)
        roles, names = [], []
        for level in signoff:
            if isinstance(level, dict):
                if set(level) - {"role", "name"} or not isinstance(level.get("name", ""), str):
                    raise self.fail(where, problem)
                role, name = level.get("role"), level.get("name", "").strip()
            else:
                role, name = level, ""
            if role not in ROLES:
                raise self.fail(where, problem)
            roles.append(role)
            names.append(name)
        return tuple(roles), tuple(names) if any(names) else ()

    def expand(self, value: Any, where: str, placeholders: dict[str, str]) -> Any:
        if isinstance(value, str):
            def var(m: re.Match[str]) -> str:
                key = m.group(1)
                # precedence: the caller's overrides, the environment, the file's [variables]
                for scope in (self.variables, os.environ, self.declared):
                    if key in scope:
                        return scope[key]
                raise self.fail(where, f"undefined variable ${{{key}}}")

            value = VAR_RE.sub(var, value)
            if placeholders and "{" in value:
                for k, v in placeholders.items():
                    value = value.replace("{" + k + "}", v)
            return value
        if isinstance(value, dict):
            return {k: self.expand(v, where, placeholders) for k, v in value.items()}
        if isinstance(value, list):
            return [self.expand(v, where, placeholders) for v in value]
        return value

    def source(self, entry: Any, n: int) -> Source:
        if not isinstance(entry, dict):
            raise self.fail(f"source #{n}", "must be a table")
        sid = entry.get("id")
        where = f'source "{sid}"' if isinstance(sid, str) and sid else f"source #{n}"
        bad = set(entry) - _SOURCE_KEYS
        if bad:
            raise self.fail(where, f"unknown key {sorted(bad)[0]!r}")
        if not isinstance(sid, str) or not ID_RE.match(sid):
            raise self.fail(where, "id must be lowercase letters, digits and '-' (at most 63)")
        merged: dict[str, Any] = {}
        tname = entry.get("template")
        if tname is not None:
            if tname not in getattr(self, "templates", {}):
                raise self.fail(where, f"unknown template {tname!r}")
            merged.update(self.templates[tname])
        for k, v in entry.items():
            if k in ("list", "detail", "json", "headers") and isinstance(v, dict) and isinstance(
                    merged.get(k), dict):
                merged[k] = {**merged[k], **v}
            else:
                merged[k] = v
        vars_ = merged.pop("vars", {}) or {}
        if not isinstance(vars_, dict):
            raise self.fail(where, "vars must be a table")
        placeholders = {"id": sid, **{k: str(v) for k, v in vars_.items()}}
        merged = self.expand(merged, where, placeholders)
        try:
            return self.build_source(merged)
        except ValueError as exc:
            raise self.fail(where, str(exc)) from None

    def build_source(self, d: dict[str, Any]) -> Source:
        for key in ("name", "kind", "type", "url", "column"):
            if key not in d and not (key == "url" and d.get("enabled", True) is False):
                raise ValueError(f"missing key {key!r}")
        if not isinstance(d["name"], str) or not d["name"].strip():
            raise ValueError("name is empty")
        if d["kind"] not in SOURCE_KINDS:
            raise ValueError(f"kind must be one of {', '.join(SOURCE_KINDS)}, not {d['kind']!r}")
        if d["type"] not in SOURCE_TYPES:
            raise ValueError(f"type must be one of {', '.join(SOURCE_TYPES)}, not {d['type']!r}")
        if d.get("enabled", True) is False and not d.get("url"):
            d["url"] = ""  # an entry kept for the record whose address is not established
        else:
            check_url(d["url"])
        if d["column"] not in self.columns:
            raise ValueError(f"unknown column {d['column']!r} (known: {', '.join(self.columns)})")
        every = cron = None
        if "every" in d and "cron" in d:
            raise ValueError("give either every or cron, not both")
        if "every" in d:
            every = parse_every(d["every"])
        elif "cron" in d:
            cron = check_cron(d["cron"])
        else:
            raise ValueError('missing schedule: every = "15m" or cron = "*/15 * * * *"')
        review = d.get("review", "required")
        if review not in REVIEW_MODES:
            raise ValueError(f"review must be \"required\" or \"auto\", not {review!r}")
        enabled = d.get("enabled", True)
        if not isinstance(enabled, bool):
            raise ValueError("enabled must be true or false")
        rank = d.get("rank", DEFAULT_RANK[d["kind"]])
        if isinstance(rank, bool) or not isinstance(rank, int):
            raise ValueError("rank must be a whole number (lower = more authoritative)")
        for key in ("headers", "list", "detail", "json"):
            if key in d and not isinstance(d[key], dict):
                raise ValueError(f"{key} must be a table")
        if any(not isinstance(v, str) for v in d.get("headers", {}).values()):
            raise ValueError("header values must be strings")
        for key in ("referer", "cookie_bootstrap"):
            if d.get(key) is not None:
                try:
                    check_url(d[key])
                except ValueError as exc:
                    raise ValueError(f"{key}: {exc}") from None
        encoding = d.get("encoding")
        if encoding is not None:
            import codecs

            try:
                codecs.lookup(encoding)
            except (LookupError, TypeError):
                raise ValueError(f"unknown encoding {encoding!r}") from None
        max_pages = d.get("max_pages", 1)
        if isinstance(max_pages, bool) or not isinstance(max_pages, int) or not 1 <= max_pages <= 100:
            raise ValueError("max_pages must be a whole number from 1 to 100")
        idle_max = d.get("idle_max")
        if idle_max is not None:
            if idle_max in (0, "0", "off"):
                idle_max = 0
            else:
                try:
                    idle_max = parse_every(idle_max)
                except ValueError as exc:
                    raise ValueError(f"idle_max: {exc} (or \"off\")") from None
        site = d.get("site")
        if site is not None and (not isinstance(site, str) or not site.strip() or any(c.isspace() for c in site)):
            raise ValueError("site must be a name without spaces (the website the list belongs to, e.g. its host)")
        if d["type"] == "html" and not d.get("list", {}).get("items"):
            d.setdefault("list", {})
        if d["type"] == "json":
            if not d.get("json", {}).get("items"):
                raise ValueError('json sources need json = { items = "path.to.list", ... }')
        return Source(
            id=d["id"], name=d["name"].strip(), kind=d["kind"], type=d["type"], url=d["url"],
            column=d["column"], every=every, cron=cron, review=review, enabled=enabled, rank=rank,
            template=d.get("template"), headers=dict(d.get("headers", {})), referer=d.get("referer"),
            cookie_bootstrap=d.get("cookie_bootstrap"), encoding=encoding, max_pages=max_pages, idle_max=idle_max,
            list=dict(d.get("list", {})), detail=dict(d.get("detail", {})), json=dict(d.get("json", {})),
            note=d.get("note"), site=site,
        )

    def rule(self, r: Any, n: int) -> RoutingRule:
        where = f"rule #{n}"
        if not isinstance(r, dict):
            raise self.fail(where, "must be a table")
        allowed = {f.name for f in fields(RoutingRule)}
        bad = set(r) - allowed
        if bad:
            raise self.fail(where, f"unknown key {sorted(bad)[0]!r}")
        if r.get("column") not in self.columns:
            raise self.fail(where, f"unknown column {r.get('column')!r}")
        action = r.get("action", "route")
        if action not in ("route", "topic"):
            raise self.fail(where, f"action must be \"route\" or \"topic\", not {action!r}")
        if action == "topic" and self.columns[r["column"]].kind != "topic":
            raise self.fail(where, f"column {r['column']!r} is not a topic column")
        tuples = {}
        for key in ("title_any", "body_any", "sources", "kinds"):
            v = r.get(key, [])
            if not isinstance(v, list) or any(not isinstance(x, str) or not x for x in v):
                raise self.fail(where, f"{key} must be a list of non-empty strings")
            tuples[key] = tuple(v)
        if not any(tuples.values()) and not r.get("url_pattern"):
            raise self.fail(where, "matches nothing: give title_any, body_any, sources, kinds or url_pattern")
        pattern = r.get("url_pattern")
        if pattern is not None:
            try:
                re.compile(pattern)
            except (re.error, TypeError) as exc:
                raise self.fail(where, f"bad url_pattern: {exc}") from None
        min_hits = r.get("min_hits", 1)
        if isinstance(min_hits, bool) or not isinstance(min_hits, int) or min_hits < 1:
            raise self.fail(where, "min_hits must be a whole number ≥ 1")
        return RoutingRule(column=r["column"], action=action, url_pattern=pattern, min_hits=min_hits, **tuples)

    def check_settings(self) -> CheckSettings:
        """[checks]: term files (relative to this file), limits, and severities per finding code."""
        raw = dict(self.data.get("checks", {})) if isinstance(self.data.get("checks", {}), dict) else None
        if raw is None:
            raise self.fail("[checks]", "must be a table")
        terms = raw.pop("terms", [])
        if not isinstance(terms, list) or not all(isinstance(t, str) and t.strip() for t in terms):
            raise self.fail("[checks]", "terms must be a list of file names")
        base = Path(self.name).parent
        paths = tuple(str(p if (p := Path(t)).is_absolute() else base / p) for t in terms)
        severity = raw.pop("severity", {})
        if not isinstance(severity, dict) or any(v not in ("block", "warn") for v in severity.values()):
            raise self.fail("[checks]", "severity must map finding codes to \"block\" or \"warn\"")
        rest = self.settings_from(raw, "checks", CheckSettings)
        return CheckSettings(terms=paths, severity=tuple(sorted(severity.items())), **rest)

    def durations(self, key: str, names: tuple[str, ...]) -> dict[str, Any]:
        """The [key] table with *names* given as "1d"/"6h" strings (or seconds) turned into seconds."""
        raw = self.data.get(key, {})
        if not isinstance(raw, dict):
            raise self.fail(f"[{key}]", "must be a table")
        out = dict(raw)
        for name in names:
            if isinstance(out.get(name), str):
                try:
                    out[name] = parse_every(out[name])
                except ValueError as exc:
                    raise self.fail(f"[{key}]", f"{name}: {exc}") from None
        return out

    def daemon_settings(self) -> DaemonSettings:
        d: DaemonSettings = self.settings("daemon", DaemonSettings, self.durations("daemon", ("backup_every",)))
        if d.log_format not in LOG_FORMATS:
            raise self.fail("[daemon]", f"log_format must be one of {', '.join(LOG_FORMATS)}, not {d.log_format!r}")
        if not 0 < d.stop_timeout <= 600:
            raise self.fail("[daemon]", "stop_timeout must be between 0 and 600 seconds")
        if d.backup_keep < 1:
            raise self.fail("[daemon]", "backup_keep must be at least 1")
        return d

    def retention_settings(self) -> RetentionSettings:
        r: RetentionSettings = self.settings("retention", RetentionSettings, self.durations("retention", ("every",)))
        for name in ("raw_days", "versions_days", "observations_days"):
            value = getattr(r, name)
            if isinstance(value, float) or value < 3:
                raise self.fail("[retention]", f"{name} must be a whole number of days, at least 3 "
                                               "(the 48 h correction window needs the bodies)")
        return r

    def settings(self, key: str, cls: type, raw: dict[str, Any] | None = None) -> Any:
        raw = self.data.get(key, {}) if raw is None else raw
        if not isinstance(raw, dict):
            raise self.fail(f"[{key}]", "must be a table")
        return cls(**self.settings_from(raw, key, cls))

    def settings_from(self, raw: dict[str, Any], key: str, cls: type) -> dict[str, Any]:
        known = {f.name: f for f in fields(cls)}
        for k, v in raw.items():
            if k not in known:
                raise self.fail(f"[{key}]", f"unknown key {k!r} (known: {', '.join(known)})")
            default = getattr(cls(), k)
            if isinstance(default, tuple):
                if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                    raise self.fail(f"[{key}]", f"{k} must be a list of strings")
                if k.endswith(("_proxies", "_networks")):
                    for x in v:
                        try:
                            ipaddress.ip_network(x, strict=False)
                        except ValueError:
                            raise self.fail(f"[{key}]", f"{k}: {x!r} is not an address or network "
                                                        "(e.g. 10.0.0.0/8)") from None
                continue
            if isinstance(default, bool) != isinstance(v, bool) or (
                    isinstance(default, (int, float)) and not isinstance(v, (int, float))) or (
                    isinstance(default, str) and not isinstance(v, str)):
                raise self.fail(f"[{key}]", f"{k} has the wrong type ({type(v).__name__})")
            if isinstance(v, (int, float)) and not isinstance(v, bool) and v < 0:
                raise self.fail(f"[{key}]", f"{k} must not be negative")
        return {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()}
