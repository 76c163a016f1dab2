"""Parse and validate schedules.toml.

Validation is strict and happens before anything starts: a wrong key, an unknown column, a
duplicate id, a bad URL or a bad interval is reported as one line,
``schedules.toml: source "harbin": <reason>``, and nothing runs. Each reason is a stable code with
its facts (:class:`ConfigError` ``code`` and ``params``: the file, where in it, the bad value); its
``str()`` is the English line (logs, scripts) built from :data:`ENGLISH`, and the command line says
the code in the operator's language (pipeline.wording ``CONFIG_ERRORS``, through the catalogs).
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


# code -> the English of a cause (str.format over its params); pipeline.wording words each in Chinese (CONFIG_ERRORS)
ENGLISH: dict[str, str] = {
    # reading the file
    "file-not-found": "file not found",
    "not-utf8": "not UTF-8 text",
    "cannot-read": "cannot read: {why}",
    "invalid-toml": "invalid TOML: {detail}",
    # the layout of the file
    "unknown-section": "unknown section {name!r} (known: {known})",
    "not-a-table": "must be a table",
    "templates-not-tables": "must be a table of tables ([templates.NAME])",
    "sources-not-array": "sources must be an array of tables ([[sources]])",
    "columns-not-array": "columns must be a non-empty array of tables ([[columns]])",
    "unknown-key": "unknown key {name!r}",
    "unknown-setting": "unknown key {name!r} (known: {known})",
    "field-not-table": "{name} must be a table",
    "undefined-variable": "undefined variable ${{{name}}}",
    # ids, names, choices
    "bad-column-id": "id must be lowercase letters, digits and '-'",
    "bad-source-id": "id must be lowercase letters, digits and '-' (at most 63)",
    "duplicate-id": "duplicate id",
    "duplicate-source": "duplicate id (also source #{n})",
    "name-missing": "name is missing",
    "name-empty": "name is empty",
    "missing-key": "missing key {name!r}",
    "bad-choice": "{name} must be one of {choices}, not {value!r}",
    "not-bool": "{name} must be true or false",
    "unknown-template": "unknown template {name!r}",
    "unknown-column": "unknown column {value!r} (known: {known})",
    "unknown-encoding": "unknown encoding {value!r}",
    # columns
    "bad-freshness-days": "freshness_days must be a positive whole number of days",
    "bad-freshness-months": "freshness_months must be a positive whole number of months",
    "both-freshness": "give freshness_days or freshness_months, not both",
    "bad-signoff": "signoff must be a list of roles from {roles} or of {{role = …, name = …}} levels",
    # sources
    "bad-url": "bad url {value!r} (need an absolute http:// or https:// address)",
    "url-missing": "url is missing or empty",
    "every-and-cron": "give either every or cron, not both",
    "no-schedule": 'missing schedule: every = "15m" or cron = "*/15 * * * *"',
    "interval-not-string": 'an interval must be a string like "15m", not {value!r}',
    "bad-interval": 'bad interval {value!r} (use a number and s, m, h or d, like "15m")',
    "interval-too-short": "interval {value!r} is shorter than 10 seconds",
    "interval-too-long": "interval {value!r} is longer than 31 days",
    "cron-not-string": "cron must be a string, not {value!r}",
    "bad-cron": "bad cron expression {value!r}: {detail}",
    "cron-never-fires": "cron expression {value!r} never fires (no such date)",
    "bad-review": 'review must be "required" or "auto", not {value!r}',
    "bad-rank": "rank must be a whole number (lower = more authoritative)",
    "header-not-string": "header values must be strings",
    "bad-max-pages": "max_pages must be a whole number from 1 to 100",
    "bad-site": "site must be a name without spaces (the website the list belongs to, e.g. its host)",
    "json-needs-items": 'json sources need json = {{ items = "path.to.list", ... }}',
    # routing rules
    "bad-action": 'action must be "route" or "topic", not {value!r}',
    "not-topic-column": "column {value!r} is not a topic column",
    "not-string-list": "{name} must be a list of non-empty strings",
    "matches-nothing": "matches nothing: give title_any, body_any, sources, kinds or url_pattern",
    "bad-url-pattern": "bad url_pattern: {detail}",
    "bad-min-hits": "min_hits must be a whole number ≥ 1",
    # [checks], [daemon], [retention] and the other tables
    "terms-not-files": "terms must be a list of file names",
    "bad-severity": 'severity must map finding codes to "block" or "warn"',
    "bad-stop-timeout": "stop_timeout must be between 0 and 600 seconds",
    "bad-backup-keep": "backup_keep must be at least 1",
    "bad-retention-days": "{name} must be a whole number of days, at least 3 (the 48 h correction window needs "
                          "the bodies)",
    "strings-only": "{name} must be a list of strings",
    "bad-network": "{name}: {value!r} is not an address or network (e.g. 10.0.0.0/8)",
    "wrong-type": "{name} has the wrong type ({type})",
    "negative": "{name} must not be negative",
    "bad-value": "{detail}",
}
# where in the file a cause is (params["where"]["kind"]) -> its English
WHERE: dict[str, str] = {
    "source": 'source "{id}"',
    "source-n": "source #{n}",
    "column": 'column "{id}"',
    "column-n": "column #{n}",
    "template": 'template "{id}"',
    "rule": "rule #{n}",
    "table": "[{name}]",
}


def english(code: str, params: dict[str, Any]) -> str:
    """The English of a cause: its line, after the key it is about (``idle_max: …``) when given."""
    text = ENGLISH[code].format(**params)
    if params.get("field"):
        text = f"{params['field']}: {text}"
    return text + (' (or "off")' if params.get("or_off") else "")


class Invalid(ValueError):
    """A value is wrong (an interval, a cron expression, an address): ``code`` and ``params`` (a key of
    :data:`ENGLISH`, the bad value …); ``str()`` is the English. The parser adds the file and where."""

    def __init__(self, code: str, /, **params: Any) -> None:
        self.code, self.params = code, params
        super().__init__(english(code, params))


class ConfigError(Exception):
    """The configuration is wrong; the message is one line naming the file, the entry and the reason.

    ``code`` is a key of :data:`ENGLISH`; ``params`` holds ``file``, ``where`` (``{"kind": "source",
    "id": "harbin"}``, a key of :data:`WHERE` with its facts; empty for the whole file) and the
    cause's facts. JSON-able: the command line's ``--json`` and a log keep them as they are."""

    def __init__(self, code: str, /, *, file: str, where: dict[str, Any] | None = None, **params: Any) -> None:
        self.code = code
        self.params = {"file": str(file), "where": dict(where or {}), **params}
        super().__init__(self.english())

    def english(self) -> str:
        """The one-line English: file, where, cause."""
        where = self.params["where"]
        cause = english(self.code, self.params)
        place = WHERE[where["kind"]].format(**where) if where else ""
        return f"{self.params['file']}: {place}: {cause}" if place else f"{self.params['file']}: {cause}"

    def __reduce__(self) -> tuple[Any, ...]:  # picklable with its code and params
        return (_rebuild, (self.code, self.params))


def _rebuild(code: str, params: dict[str, Any]) -> ConfigError:
    return ConfigError(code, **params)


def load(path: str | Path, *, variables: dict[str, str] | None = None) -> Config:
    """Read and validate a configuration file. ``variables`` override its [variables] table."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("file-not-found", file=str(path)) from None
    except UnicodeDecodeError:
        raise ConfigError("not-utf8", file=str(path)) from None
    except OSError as exc:
        raise ConfigError("cannot-read", file=str(path), why=exc.strerror) from None
    return loads(text, name=str(path), variables=variables)


def loads(text: str, name: str = "schedules.toml", *, variables: dict[str, str] | None = None) -> Config:
    """Validate configuration text; see :func:`load`."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        at = _TOML_AT_RE.search(str(exc))
        raise ConfigError("invalid-toml", file=name, detail=str(exc), reason=_TOML_AT_RE.sub("", str(exc)),
                          line=int(at.group(1)) if at else None, column=int(at.group(2)) if at else None) from None
    return _Parser(name, data, variables or {}).config()


_TOML_AT_RE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")  # where tomllib says it stopped


def parse_every(value: Any) -> int:
    """'15m' → 900. Raises :class:`Invalid` (a ValueError) with the reason."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise Invalid("interval-not-string", value=value)
    if isinstance(value, int):
        seconds = value
    else:
        m = EVERY_RE.match(value)
        if not m:
            raise Invalid("bad-interval", value=value)
        seconds = int(m.group(1)) * UNIT[m.group(2)]
    if seconds < 10:
        raise Invalid("interval-too-short", value=value)
    if seconds > 31 * 86400:
        raise Invalid("interval-too-long", value=value)
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
        raise Invalid("cron-not-string", value=expr)
    try:
        trigger = CronTrigger.from_crontab(expr, timezone="Asia/Shanghai")
    except ValueError as exc:
        raise Invalid("bad-cron", value=expr, detail=str(exc)) from None
    from datetime import UTC, datetime

    # "0 0 30 2 *" (30 February) parses but never fires: refused, instead of a source never checked
    if trigger.get_next_fire_time(None, datetime.now(UTC)) is None:
        raise Invalid("cron-never-fires", value=expr)
    return expr


def check_url(url: Any) -> str:
    if not isinstance(url, str) or not url.strip():
        raise Invalid("url-missing")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in url:
        raise Invalid("bad-url", value=url)
    return url


def source_from_dict(entry: dict[str, Any], *, columns: dict[str, Column] | None = None,
                     variables: dict[str, str] | None = None, name: str = "sources") -> Source:
    """Build one validated Source from a dict in schedules.toml form (tests, the sample province)."""
    parser = _Parser(name, {}, variables or {})
    parser.columns = columns or {c.id: c for c in DEFAULT_COLUMNS}
    return parser.source(entry, 1)


def _table(name: str) -> dict[str, str]:
    """Where a cause is: the table ``[name]``."""
    return {"kind": "table", "name": name}


class _Parser:
    def __init__(self, name: str, data: dict[str, Any], overrides: dict[str, str]) -> None:
        self.name = name
        self.data = data
        declared = data.get("variables", {})
        self.declared = {k: str(v) for k, v in declared.items()} if isinstance(declared, dict) else {}
        self.variables = dict(overrides)
        self.columns: dict[str, Column] = {}

    def fail(self, where: dict[str, Any] | None, code: str, /, **params: Any) -> ConfigError:
        return ConfigError(code, file=self.name, where=where, **params)

    def config(self) -> Config:
        unknown = set(self.data) - TOP_KEYS
        if unknown:
            raise self.fail(None, "unknown-section", name=sorted(unknown)[0], known=", ".join(sorted(TOP_KEYS)))
        if "variables" in self.data and not isinstance(self.data["variables"], dict):
            raise self.fail(_table("variables"), "not-a-table")
        self.columns = self.parse_columns()
        templates = self.data.get("templates", {})
        if not isinstance(templates, dict):
            raise self.fail(_table("templates"), "templates-not-tables")
        self.templates = {}
        for tname, tbody in templates.items():
            if not isinstance(tbody, dict):
                raise self.fail({"kind": "template", "id": tname}, "not-a-table")
            bad = set(tbody) - _TEMPLATE_KEYS
            if bad:
                raise self.fail({"kind": "template", "id": tname}, "unknown-key", name=sorted(bad)[0])
            self.templates[tname] = tbody
        raw_sources = self.data.get("sources", [])
        if not isinstance(raw_sources, list):
            raise self.fail(None, "sources-not-array")
        sources: list[Source] = []
        seen: dict[str, int] = {}
        for n, entry in enumerate(raw_sources, start=1):
            src = self.source(entry, n)
            if src.id in seen:
                raise self.fail({"kind": "source", "id": src.id}, "duplicate-source", n=seen[src.id])
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
            raise self.fail(None, "columns-not-array")
        out: dict[str, Column] = {}
        for n, c in enumerate(raw, start=1):
            cid = c.get("id") if isinstance(c, dict) else None
            where = {"kind": "column", "id": cid} if isinstance(cid, str) else {"kind": "column-n", "n": n}
            if not isinstance(c, dict):
                raise self.fail(where, "not-a-table")
            bad = set(c) - {"id", "name", "kind", "freshness_days", "freshness_months", "signoff", "source_required"}
            if bad:
                raise self.fail(where, "unknown-key", name=sorted(bad)[0])
            if not isinstance(cid, str) or not ID_RE.match(cid):
                raise self.fail(where, "bad-column-id")
            if cid in out:
                raise self.fail(where, "duplicate-id")
            if not isinstance(c.get("name"), str) or not c["name"].strip():
                raise self.fail(where, "name-missing")
            kind = c.get("kind", "news")
            if kind not in COLUMN_KINDS:
                raise self.fail(where, "bad-choice", name="kind", choices=", ".join(COLUMN_KINDS), value=kind)
            fd = c.get("freshness_days")
            if fd is not None and (isinstance(fd, bool) or not isinstance(fd, int) or fd <= 0):
                raise self.fail(where, "bad-freshness-days")
            fm = c.get("freshness_months")
            if fm is not None and (isinstance(fm, bool) or not isinstance(fm, int) or fm <= 0):
                raise self.fail(where, "bad-freshness-months")
            if fm is not None and fd is not None:
                raise self.fail(where, "both-freshness")
            roles, names = self.signoff_levels(c.get("signoff", []), where)
            if not isinstance(c.get("source_required", False), bool):
                raise self.fail(where, "not-bool", name="source_required")
            out[cid] = Column(cid, c["name"], kind, fd, roles, names, freshness_months=fm,
                              source_required=c.get("source_required", False))
        return out

    def signoff_levels(self, signoff: Any, where: dict[str, Any]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """``signoff = ["editor"]`` or named levels ``[{role = "editor", name = "科室复审"}, …]``."""
        roles_known = ", ".join(ROLES)
        if not isinstance(signoff, list):
            raise self.fail(where, "bad-signoff", roles=roles_known)
        roles, names = [], []
        for level in signoff:
            if isinstance(level, dict):
                if set(level) - {"role", "name"} or not isinstance(level.get("name", ""), str):
                    raise self.fail(where, "bad-signoff", roles=roles_known)
                role, name = level.get("role"), level.get("name", "").strip()
            else:
                role, name = level, ""
            if role not in ROLES:
                raise self.fail(where, "bad-signoff", roles=roles_known)
            roles.append(role)
            names.append(name)
        return tuple(roles), tuple(names) if any(names) else ()

    def expand(self, value: Any, where: dict[str, Any], placeholders: dict[str, str]) -> Any:
        if isinstance(value, str):
            def var(m: re.Match[str]) -> str:
                key = m.group(1)
                # precedence: the caller's overrides, the environment, the file's [variables]
                for scope in (self.variables, os.environ, self.declared):
                    if key in scope:
                        return scope[key]
                raise self.fail(where, "undefined-variable", name=key)

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
            raise self.fail({"kind": "source-n", "n": n}, "not-a-table")
        sid = entry.get("id")
        where = {"kind": "source", "id": sid} if isinstance(sid, str) and sid else {"kind": "source-n", "n": n}
        bad = set(entry) - _SOURCE_KEYS
        if bad:
            raise self.fail(where, "unknown-key", name=sorted(bad)[0])
        if not isinstance(sid, str) or not ID_RE.match(sid):
            raise self.fail(where, "bad-source-id")
        merged: dict[str, Any] = {}
        tname = entry.get("template")
        if tname is not None:
            if tname not in getattr(self, "templates", {}):
                raise self.fail(where, "unknown-template", name=tname)
            merged.update(self.templates[tname])
        for k, v in entry.items():
            if k in ("list", "detail", "json", "headers") and isinstance(v, dict) and isinstance(
                    merged.get(k), dict):
                merged[k] = {**merged[k], **v}
            else:
                merged[k] = v
        vars_ = merged.pop("vars", {}) or {}
        if not isinstance(vars_, dict):
            raise self.fail(where, "field-not-table", name="vars")
        placeholders = {"id": sid, **{k: str(v) for k, v in vars_.items()}}
        merged = self.expand(merged, where, placeholders)
        try:
            return self.build_source(merged)
        except Invalid as exc:
            raise self.fail(where, exc.code, **exc.params) from None
        except ValueError as exc:  # a check below that names no code: its words kept whole
            raise self.fail(where, "bad-value", detail=str(exc)) from None

    def build_source(self, d: dict[str, Any]) -> Source:
        for key in ("name", "kind", "type", "url", "column"):
            if key not in d and not (key == "url" and d.get("enabled", True) is False):
                raise Invalid("missing-key", name=key)
        if not isinstance(d["name"], str) or not d["name"].strip():
            raise Invalid("name-empty")
        if d["kind"] not in SOURCE_KINDS:
            raise Invalid("bad-choice", name="kind", choices=", ".join(SOURCE_KINDS), value=d["kind"])
        if d["type"] not in SOURCE_TYPES:
            raise Invalid("bad-choice", name="type", choices=", ".join(SOURCE_TYPES), value=d["type"])
        if d.get("enabled", True) is False and not d.get("url"):
            d["url"] = ""  # an entry kept for the record whose address is not established
        else:
            check_url(d["url"])
        if d["column"] not in self.columns:
            raise Invalid("unknown-column", value=d["column"], known=", ".join(self.columns))
        every = cron = None
        if "every" in d and "cron" in d:
            raise Invalid("every-and-cron")
        if "every" in d:
            every = parse_every(d["every"])
        elif "cron" in d:
            cron = check_cron(d["cron"])
        else:
            raise Invalid("no-schedule")
        review = d.get("review", "required")
        if review not in REVIEW_MODES:
            raise Invalid("bad-review", value=review)
        enabled = d.get("enabled", True)
        if not isinstance(enabled, bool):
            raise Invalid("not-bool", name="enabled")
        rank = d.get("rank", DEFAULT_RANK[d["kind"]])
        if isinstance(rank, bool) or not isinstance(rank, int):
            raise Invalid("bad-rank")
        for key in ("headers", "list", "detail", "json"):
            if key in d and not isinstance(d[key], dict):
                raise Invalid("field-not-table", name=key)
        if any(not isinstance(v, str) for v in d.get("headers", {}).values()):
            raise Invalid("header-not-string")
        for key in ("referer", "cookie_bootstrap"):
            if d.get(key) is not None:
                try:
                    check_url(d[key])
                except Invalid as exc:
                    raise Invalid(exc.code, **exc.params, field=key) from None
        encoding = d.get("encoding")
        if encoding is not None:
            import codecs

            try:
                codecs.lookup(encoding)
            except (LookupError, TypeError):
                raise Invalid("unknown-encoding", value=encoding) from None
        max_pages = d.get("max_pages", 1)
        if isinstance(max_pages, bool) or not isinstance(max_pages, int) or not 1 <= max_pages <= 100:
            raise Invalid("bad-max-pages")
        idle_max = d.get("idle_max")
        if idle_max is not None:
            if idle_max in (0, "0", "off"):
                idle_max = 0
            else:
                try:
                    idle_max = parse_every(idle_max)
                except Invalid as exc:
                    raise Invalid(exc.code, **exc.params, field="idle_max", or_off=True) from None
        site = d.get("site")
        if site is not None and (not isinstance(site, str) or not site.strip() or any(c.isspace() for c in site)):
            raise Invalid("bad-site")
        if d["type"] == "html" and not d.get("list", {}).get("items"):
            d.setdefault("list", {})
        if d["type"] == "json":
            if not d.get("json", {}).get("items"):
                raise Invalid("json-needs-items")
        return Source(
            id=d["id"], name=d["name"].strip(), kind=d["kind"], type=d["type"], url=d["url"],
            column=d["column"], every=every, cron=cron, review=review, enabled=enabled, rank=rank,
            template=d.get("template"), headers=dict(d.get("headers", {})), referer=d.get("referer"),
            cookie_bootstrap=d.get("cookie_bootstrap"), encoding=encoding, max_pages=max_pages, idle_max=idle_max,
            list=dict(d.get("list", {})), detail=dict(d.get("detail", {})), json=dict(d.get("json", {})),
            note=d.get("note"), site=site,
        )

    def rule(self, r: Any, n: int) -> RoutingRule:
        where = {"kind": "rule", "n": n}
        if not isinstance(r, dict):
            raise self.fail(where, "not-a-table")
        allowed = {f.name for f in fields(RoutingRule)}
        bad = set(r) - allowed
        if bad:
            raise self.fail(where, "unknown-key", name=sorted(bad)[0])
        if r.get("column") not in self.columns:
            raise self.fail(where, "unknown-column", value=r.get("column"), known=", ".join(self.columns))
        action = r.get("action", "route")
        if action not in ("route", "topic"):
            raise self.fail(where, "bad-action", value=action)
        if action == "topic" and self.columns[r["column"]].kind != "topic":
            raise self.fail(where, "not-topic-column", value=r["column"])
        tuples = {}
        for key in ("title_any", "body_any", "sources", "kinds"):
            v = r.get(key, [])
            if not isinstance(v, list) or any(not isinstance(x, str) or not x for x in v):
                raise self.fail(where, "not-string-list", name=key)
            tuples[key] = tuple(v)
        if not any(tuples.values()) and not r.get("url_pattern"):
            raise self.fail(where, "matches-nothing")
        pattern = r.get("url_pattern")
        if pattern is not None:
            try:
                re.compile(pattern)
            except (re.error, TypeError) as exc:
                raise self.fail(where, "bad-url-pattern", detail=str(exc)) from None
        min_hits = r.get("min_hits", 1)
        if isinstance(min_hits, bool) or not isinstance(min_hits, int) or min_hits < 1:
            raise self.fail(where, "bad-min-hits")
        return RoutingRule(column=r["column"], action=action, url_pattern=pattern, min_hits=min_hits, **tuples)

    def check_settings(self) -> CheckSettings:
        """[checks]: term files (relative to this file), limits, and severities per finding code."""
        raw = dict(self.data.get("checks", {})) if isinstance(self.data.get("checks", {}), dict) else None
        if raw is None:
            raise self.fail(_table("checks"), "not-a-table")
        terms = raw.pop("terms", [])
        if not isinstance(terms, list) or not all(isinstance(t, str) and t.strip() for t in terms):
            raise self.fail(_table("checks"), "terms-not-files")
        base = Path(self.name).parent
        paths = tuple(str(p if (p := Path(t)).is_absolute() else base / p) for t in terms)
        severity = raw.pop("severity", {})
        if not isinstance(severity, dict) or any(v not in ("block", "warn") for v in severity.values()):
            raise self.fail(_table("checks"), "bad-severity")
        rest = self.settings_from(raw, "checks", CheckSettings)
        return CheckSettings(terms=paths, severity=tuple(sorted(severity.items())), **rest)

    def durations(self, key: str, names: tuple[str, ...]) -> dict[str, Any]:
        """The [key] table with *names* given as "1d"/"6h" strings (or seconds) turned into seconds."""
        raw = self.data.get(key, {})
        if not isinstance(raw, dict):
            raise self.fail(_table(key), "not-a-table")
        out = dict(raw)
        for name in names:
            if isinstance(out.get(name), str):
                try:
                    out[name] = parse_every(out[name])
                except Invalid as exc:
                    raise self.fail(_table(key), exc.code, **exc.params, field=name) from None
        return out

    def daemon_settings(self) -> DaemonSettings:
        d: DaemonSettings = self.settings("daemon", DaemonSettings, self.durations("daemon", ("backup_every",)))
        if d.log_format not in LOG_FORMATS:
            raise self.fail(_table("daemon"), "bad-choice", name="log_format", choices=", ".join(LOG_FORMATS),
                            value=d.log_format)
        if not 0 < d.stop_timeout <= 600:
            raise self.fail(_table("daemon"), "bad-stop-timeout")
        if d.backup_keep < 1:
            raise self.fail(_table("daemon"), "bad-backup-keep")
        return d

    def retention_settings(self) -> RetentionSettings:
        r: RetentionSettings = self.settings("retention", RetentionSettings, self.durations("retention", ("every",)))
        for name in ("raw_days", "versions_days", "observations_days"):
            value = getattr(r, name)
            if isinstance(value, float) or value < 3:
                raise self.fail(_table("retention"), "bad-retention-days", name=name)
        return r

    def settings(self, key: str, cls: type, raw: dict[str, Any] | None = None) -> Any:
        raw = self.data.get(key, {}) if raw is None else raw
        if not isinstance(raw, dict):
            raise self.fail(_table(key), "not-a-table")
        return cls(**self.settings_from(raw, key, cls))

    def settings_from(self, raw: dict[str, Any], key: str, cls: type) -> dict[str, Any]:
        known = {f.name: f for f in fields(cls)}
        for k, v in raw.items():
            if k not in known:
                raise self.fail(_table(key), "unknown-setting", name=k, known=", ".join(known))
            default = getattr(cls(), k)
            if isinstance(default, tuple):
                if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                    raise self.fail(_table(key), "strings-only", name=k)
                if k.endswith(("_proxies", "_networks")):
                    for x in v:
                        try:
                            ipaddress.ip_network(x, strict=False)
                        except ValueError:
                            raise self.fail(_table(key), "bad-network", name=k, value=x) from None
                continue
            if isinstance(default, bool) != isinstance(v, bool) or (
                    isinstance(default, (int, float)) and not isinstance(v, (int, float))) or (
                    isinstance(default, str) and not isinstance(v, str)):
                raise self.fail(_table(key), "wrong-type", name=k, type=type(v).__name__)
            if isinstance(v, (int, float)) and not isinstance(v, bool) and v < 0:
                raise self.fail(_table(key), "negative", name=k)
        return {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()}
