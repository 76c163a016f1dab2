"""What schedules.toml describes, as plain frozen data.

Every other package receives these objects; none of them reads the TOML file itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SOURCE_KINDS = ("city", "county", "department", "portal", "partner")
SOURCE_TYPES = ("rss", "html", "json")
REVIEW_MODES = ("required", "auto")
COLUMN_KINDS = ("news", "policy", "topic")
# Reviewer roles, weakest first: each may do everything the ones before it may. Declared once here
# (the configuration names them in column sign-off chains); review_queue authorizes against them.
ROLES = ("reviewer", "editor", "admin")
ROLE_DUTIES = {
    "reviewer": "approve, reject and edit (初审)",
    "editor": "also sign off (终审), retract, un-reject, take over locks",
    "admin": "also manage users and release any lock",
}

# Lower rank = more authoritative: the originating city/department before a re-poster.
DEFAULT_RANK = {"department": 10, "city": 10, "county": 20, "portal": 30, "partner": 40}


@dataclass(frozen=True)
class Column:
    """A catalog column (栏目) of the portal."""

    id: str
    name: str
    kind: str  # news | policy | topic
    freshness_days: int | None = None  # national inspection rule; None = not watched
    signoff: tuple[str, ...] = ()  # extra roles that must sign off (e.g. ("editor",) for 终审)
    signoff_names: tuple[str, ...] = ()  # what each level is called (科室复审, 领导终审); () = the defaults
    freshness_months: int | None = None  # the rule in calendar months (policy: 6); wins over freshness_days
    source_required: bool = False  # an item without a source line (来源) gets a SOURCE-MISSING finding

    def level_names(self) -> tuple[str, ...]:
        """The name of each sign-off level after the first approval (初审): the last is 终审."""
        return signoff_level_names(self.signoff, self.signoff_names)


def signoff_level_names(roles: tuple[str, ...], names: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Named levels where the configuration names them, else 复审 … 终审 by position."""
    out = []
    for n, _role in enumerate(roles):
        if n < len(names) and names[n]:
            out.append(names[n])
        elif n == len(roles) - 1:
            out.append("终审")
        else:
            out.append("复审" if n == len(roles) - 2 else f"第{n + 2}级审核")
    return tuple(out)


@dataclass(frozen=True)
class Source:
    """One site or feed to collect from. Templates are already applied."""

    id: str
    name: str
    kind: str  # city | county | department | portal | partner
    type: str  # rss | html | json
    url: str
    column: str
    every: int | None = None  # seconds between checks
    cron: str | None = None  # or a crontab expression
    review: str = "required"  # required | auto
    enabled: bool = True
    rank: int = 50  # authority for cluster representatives; lower wins
    template: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    referer: str | None = None
    cookie_bootstrap: str | None = None  # URL fetched first to obtain session cookies
    encoding: str | None = None  # force a charset when a site is known to lie
    max_pages: int = 1  # list pages followed per check
    idle_max: int | None = None  # seconds; overrides [collector] idle_max for this source (0 = never relax)
    list: dict[str, Any] = field(default_factory=dict)  # html list selectors
    detail: dict[str, Any] = field(default_factory=dict)  # html detail selectors
    json: dict[str, Any] = field(default_factory=dict)  # json field paths
    note: str | None = None
    site: str | None = None  # the website this list is a column of (site evaluation); None = the URL's host

    @property
    def interval(self) -> int:
        """Seconds between checks, for backoff caps and quiet detection (cron sources: 1 h)."""
        return self.every or 3600


@dataclass(frozen=True)
class RoutingRule:
    """Route an item to another column, or add a topic column, by keywords/source/URL.

    A rule matches when every condition it gives holds (AND across kinds of condition): the
    item's source is in ``sources`` (if given), its source kind in ``kinds`` (if given), its URL
    matches ``url_pattern`` (if given), and, if keywords are given, the keyword hits reach
    ``min_hits`` (a title hit counts 2, a body hit 1; any keyword of a list may hit).
    """

    column: str
    action: str = "route"  # route (replace the default column) | topic (add a topic column)
    title_any: tuple[str, ...] = ()
    body_any: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()  # source ids
    kinds: tuple[str, ...] = ()  # source kinds
    url_pattern: str | None = None  # regular expression searched in the URL
    min_hits: int = 1  # body keywords needed (title keywords count double)


@dataclass(frozen=True)
class CollectorSettings:
    """How politely and how hard to collect."""

    workers: int = 16
    per_host: int = 2
    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0  # wall-clock limit for one response, trickling bodies included
    max_body_bytes: int = 10 * 1024 * 1024
    # Bytes of one page kept and parsed: the memory bound of a worker (an HTML tree costs ~25 times
    # its page). A longer page is read to its end but parsed on this much, and says so (a miss).
    # 0 = no bound (parse whatever max_body_bytes lets through).
    parse_max_bytes: int = 8 * 1024 * 1024
    max_redirects: int = 5
    backoff_base: int = 60
    backoff_cap: int = 3600
    jitter: float = 0.1
    user_agent: str = "Huiju/0.1 (+https://github.com/huiju; government information aggregator)"
    detail_recheck_hours: int = 48  # re-check recent detail pages for upstream corrections
    alert_failures: int = 5  # consecutive failures that raise an alert
    # A list the server sends whole every time (no 304) that brought nothing new is checked half
    # as often after each such check, up to this many seconds; anything new restores the source's
    # own interval. It bounds how late the first item after a quiet spell can be seen on such a
    # site. 0 keeps every source at its own interval.
    idle_max: int = 4 * 3600


@dataclass(frozen=True)
class WebSettings:
    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str = ""  # base URL the portal sees; default http://host:port
    publish_every: int = 60  # seconds between pipeline passes (ingest, queue, publish) in the daemon
    # reverse proxies whose X-Forwarded-For is believed for the client address (login throttle)
    trusted_proxies: tuple[str, ...] = ()
    # client networks /metrics answers without a bearer token ($HUIJU_METRICS_TOKEN); none by default
    metrics_networks: tuple[str, ...] = ()
    # seconds a person's approval waits before publishing, undoable meanwhile (撤销, key u): long
    # enough to notice a wrong key, short enough that the portal still gets news within minutes
    approval_hold: int = 60
    queue_alert_minutes: int = 240  # the queue flags items waiting longer than this
    deleted_days: int = 30  # feeds list retracted / moved-out items (Atom at:deleted-entry) this many days
    static_dir: str = ""  # live static tree the daemon keeps current for nginx ("" = none)


@dataclass(frozen=True)
class CheckSettings:
    """Checks before publishing ([checks]): term lists, date limits, the link pass, severities."""

    terms: tuple[str, ...] = ()  # more term files, relative to the configuration file
    default_terms: bool = True  # also load the term list shipped in checks/terms/
    date_future_hours: int = 2  # a publish time later than collection by more than this is a finding
    date_far_days: int = 180  # a publish time older than collection by more than this (0 = off)
    link_timeout: float = 10.0  # seconds for one link check
    links_per_pass: int = 30  # links checked at most per link pass (one at a time)
    link_recheck_days: int = 7  # a link's answer is kept this long
    severity: tuple[tuple[str, str], ...] = ()  # (code, block|warn) overriding a code's default


@dataclass(frozen=True)
class DaemonSettings:
    """How the daemon stops, reports its health, logs and backs up (the [daemon] table)."""

    stop_timeout: float = 10.0  # seconds from SIGTERM/SIGINT to exit; requests in flight cut 3.5 s before
    heartbeat_max: float = 60.0  # seconds without a scheduler tick before /healthz/ready fails
    min_free_mb: int = 200  # free disk (MB) next to the database below which /healthz/ready fails
    log_format: str = "text"  # text | json | kv (one key=value line per event)
    log_repeat_window: float = 60.0  # seconds: a repeated error is logged once, then counted
    backup_dir: str = ""  # scheduled online backups go here ("" = none)
    backup_every: int = 86400  # seconds between scheduled backups
    backup_keep: int = 7  # backups kept in backup_dir (older ones are deleted)


@dataclass(frozen=True)
class RetentionSettings:
    """How long what is no longer needed is kept (the [retention] table); applied daily.

    Published items and the latest version of every item are always kept; what goes is the
    raw bodies of old collected versions, old check observations and expired caches.
    """

    raw_days: int = 30  # collected bodies (the outbox) older than this are pruned once ingested
    versions_days: int = 90  # superseded item versions older than this lose their stored body
    observations_days: int = 180  # seen links, dead links, misses and HTTP validators older than this
    every: int = 86400  # seconds between automatic prunes in the daemon (0 = never)


@dataclass(frozen=True)
class EvaluationSettings:
    """Site evaluation ([evaluation], docs/evaluation.md): the national inspection limits
    (国办秘函〔2019〕19号) and the weighting of the score, as data."""

    open_within_seconds: float = 15.0  # a visit that took longer counts as a failure
    max_failure_share: float = 0.05  # more failed or slow visits than this: veto "unreachable"
    min_checks_per_day: int = 20  # a day with fewer visits is not a monitored day
    min_days: int = 7  # monitored days needed in the period, else "insufficient_data"
    news_stale_days: int = 14  # home/news: no update in this long is the veto "not-updated"
    policy_stale_months: int = 6  # a policy column (通知公告/政策文件) without its own rule: calendar months
    max_stale_columns: int = 5  # more of a site's columns past their limit: veto "stale-columns"
    max_empty_columns: int = 5  # more of a site's columns with no item at all: veto "stale-columns"
    observation_raw_days: int = 30  # checks older than this are kept as one row per day
    observation_retention_days: int = 400  # daily rows older than this are dropped
    # weights of the score (0-100), by the national indicator groups: 可用性, 信息更新,
    # 链接可用性 and, beyond any monitor, 采用, 原创 and 时效 as the portal sees them
    weight_availability: float = 30.0
    weight_updates: float = 30.0
    weight_links: float = 10.0
    weight_adoption: float = 15.0
    weight_originality: float = 10.0
    weight_timeliness: float = 5.0
    timely_minutes: float = 1440.0  # a median delay (publish → collection) this long scores 0


@dataclass(frozen=True)
class Config:
    path: str
    columns: dict[str, Column]
    sources: tuple[Source, ...]
    rules: tuple[RoutingRule, ...] = ()
    collector: CollectorSettings = CollectorSettings()
    web: WebSettings = WebSettings()
    checks: CheckSettings = CheckSettings()
    daemon: DaemonSettings = DaemonSettings()
    retention: RetentionSettings = RetentionSettings()
    evaluation: EvaluationSettings = EvaluationSettings()

    def source(self, source_id: str) -> Source:
        for s in self.sources:
            if s.id == source_id:
                return s
        raise KeyError(source_id)
