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
    ROLE_DUTIES,
    ROLES,
    SOURCE_KINDS,
    SOURCE_TYPES,
    CheckSettings,
    CollectorSettings,
    Column,
    Config,
    EvaluationSettings,
    RoutingRule,
    Source,
    WebSettings,
)

__all__ = [
    "CheckSettings",
    "EvaluationSettings",
    "DEFAULT_COLUMNS",
    "parse_every",
    "format_every",
    "source_from_dict",
    "COLUMN_KINDS",
    "ROLE_DUTIES",
    "ROLES",
    "SOURCE_KINDS",
    "SOURCE_TYPES",
    "CollectorSettings",
    "Column",
    "Config",
    "ConfigError",
    "RoutingRule",
    "Source",
    "WebSettings",
    "load",
    "loads",
]
