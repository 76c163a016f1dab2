"""schedules.toml: load, validate, and hand out the configuration as frozen data."""

from settings.loader import (
    DEFAULT_COLUMNS,
    ConfigError,
    format_every,
    load,
    loads,
    parse_every,
    source_from_dict,
)
from settings.model import (
    COLUMN_KINDS,
    SOURCE_KINDS,
    SOURCE_TYPES,
    CollectorSettings,
    Column,
    Config,
    DaemonSettings,
    RetentionSettings,
    RoutingRule,
    Source,
    WebSettings,
)

__all__ = [
    "DEFAULT_COLUMNS",
    "parse_every",
    "format_every",
    "source_from_dict",
    "COLUMN_KINDS",
    "SOURCE_KINDS",
    "SOURCE_TYPES",
    "CollectorSettings",
    "Column",
    "Config",
    "ConfigError",
    "DaemonSettings",
    "RetentionSettings",
    "RoutingRule",
    "Source",
    "WebSettings",
    "load",
    "loads",
]
