"""schedules.toml: load, validate, and hand out the configuration as frozen data."""

from settings.loader import ConfigError, load, loads
from settings.model import (
    COLUMN_KINDS,
    SOURCE_KINDS,
    SOURCE_TYPES,
    CollectorSettings,
    Column,
    Config,
    RoutingRule,
    Source,
    WebSettings,
)

__all__ = [
    "COLUMN_KINDS",
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
