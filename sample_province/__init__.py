"""A simulated Heilongjiang government web on 127.0.0.1 for the demo, the tests and the benchmarks.

Start one with ``start(port=0, seed=1, speed=0.0, faults=None, sites=None, latency_ms=0, corpus=None,
stories_per_day=200, start_day="2025-03-01", days=None)``; see README.md for the sites, templates,
faults and the ground truth.
"""

from sample_province.catalog import DATE_STYLES, DEFAULT_SITE_COUNT, ENCODINGS, TEMPLATES, Site, build_sites
from sample_province.corpus import find_corpus
from sample_province.errors import BadOptionError, ProvinceError, UnknownFaultError, UnknownSiteError
from sample_province.faults import FAULT_KINDS, PROFILES, parse_fault_option
from sample_province.province import Province, start
from sample_province.sources import to_toml

__all__ = [
    "DATE_STYLES",
    "DEFAULT_SITE_COUNT",
    "ENCODINGS",
    "FAULT_KINDS",
    "PROFILES",
    "TEMPLATES",
    "BadOptionError",
    "Province",
    "ProvinceError",
    "Site",
    "UnknownFaultError",
    "UnknownSiteError",
    "build_sites",
    "find_corpus",
    "parse_fault_option",
    "start",
    "to_toml",
]
