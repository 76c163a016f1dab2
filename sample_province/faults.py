"""Faults on demand: which site misbehaves how, deterministically under a seed.

A fault is a kind with an optional parameter, written ``kind`` or ``kind:param`` (seconds for the
slow kinds, bytes for ``huge``, the Retry-After value for ``503-retry-after`` and ``429``). A plan
is a named profile or a mapping ``{site_id: fault}``; ``FaultPlan.pick`` answers, per request,
which fault (if any) applies, using a per-site request counter so that a sequential client sees
the same faults in the same order on every run with the same seed.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Mapping
from dataclasses import dataclass

from sample_province.errors import UnknownFaultError, UnknownSiteError

FAULT_KINDS = (
    "500", "503", "503-retry-after", "429", "reset", "slow-first-byte", "trickle", "hang", "truncated",
    "redirect-loop", "404-detail", "malformed", "huge", "wrong-content-type",
)
DEFAULT_PARAMS: dict[str, float] = {
    "slow-first-byte": 10.0,  # seconds before the first byte
    "trickle": 1.0,  # seconds between 64-byte chunks
    "hang": 3600.0,  # seconds to hold the connection without answering (ends when the province stops)
    "huge": 50 * 1024 * 1024,  # bytes streamed
    "503-retry-after": 120,  # Retry-After seconds
    "429": 30,  # Retry-After seconds
}
# Not a failure but a state of the site, so in no profile: "frozen" = the site publishes nothing
# after the param (Unix seconds, simulated time; bare: nothing at all, every column empty).
STATE_KINDS = ("frozen",)
PROFILES = ("none", "flaky", "all", "chaos")
TRANSIENT = ("500", "503", "503-retry-after", "429", "reset", "slow-first-byte")


@dataclass(frozen=True)
class Fault:
    """One way of misbehaving; ``rate`` < 1 makes it intermittent."""

    kind: str
    param: float | None = None
    rate: float = 1.0

    @property
    def value(self) -> float:
        return self.param if self.param is not None else DEFAULT_PARAMS.get(self.kind, 0.0)

    def __str__(self) -> str:
        return self.kind if self.param is None else f"{self.kind}:{self.param:g}"


def parse_fault(spec: str) -> Fault | None:
    """``"500"``, ``"trickle:0.05"`` or ``"none"`` → a Fault (None for none)."""
    kind, _, param = str(spec).strip().partition(":")
    if kind in ("none", ""):
        return None
    if kind not in FAULT_KINDS + STATE_KINDS:
        raise UnknownFaultError(f"unknown fault kind {kind!r} (known: {', '.join(FAULT_KINDS + STATE_KINDS)})")
    if not param:
        return Fault(kind)
    try:
        value = float(param)
    except ValueError:
        raise UnknownFaultError(f"fault {kind!r}: parameter {param!r} is not a number") from None
    if value < 0:
        raise UnknownFaultError(f"fault {kind!r}: parameter {param!r} must not be negative")
    return Fault(kind, value)


HTML_TEMPLATES = ("ucap", "trs", "hanweb", "simple")


def dedicated_sites(site_ids: list[str], templates: Mapping[str, str] | None = None) -> dict[str, str]:
    """The "all" profile: each fault kind on its own county site (in county order); a detail-page
    fault goes to the first free county with HTML lists, where a collector does fetch details."""
    counties = [s for s in site_ids if s.startswith("county-")]
    templates = templates or {}
    out: dict[str, str] = {}
    for kind in FAULT_KINDS:
        free = [c for c in counties if c not in out]
        if kind == "404-detail":
            free = [c for c in free if templates.get(c, "trs") in HTML_TEMPLATES] or free
        if free:
            out[free[0]] = kind
    return out


class FaultPlan:
    """Which faults apply to which site; thread-safe per-site request counters."""

    def __init__(self, spec: str | Mapping[str, str] | None, site_ids: list[str], seed: int,
                 templates: Mapping[str, str] | None = None) -> None:
        self.seed = seed
        self.site_ids = list(site_ids)
        self.name = "none"
        self.fixed: dict[str, Fault] = {}
        self.random_rate = 0.0  # chaos: every site, this probability per request
        self._lock = threading.Lock()
        self._count: dict[str, int] = {}
        known = set(site_ids)
        if spec is None or spec == "none":
            return
        if isinstance(spec, str):
            if spec not in PROFILES:
                try:  # a single fault kind as a profile name applies to every site
                    one = parse_fault(spec)
                except UnknownFaultError:
                    raise UnknownFaultError(
                        f"unknown fault profile {spec!r} (profiles: {', '.join(PROFILES)}; "
                        f"or a fault kind, or SITE=KIND,… )") from None
                self.name = spec
                if one is not None:
                    self.fixed = {s: one for s in site_ids}
                return
            self.name = spec
            if spec == "flaky":
                rng = random.Random(f"{seed}:flaky")
                for s in site_ids:
                    if rng.random() < 0.1:
                        self.fixed[s] = Fault(rng.choice(TRANSIENT), 2.0 if rng.random() < 0.2 else None, 0.4)
                for s, f in list(self.fixed.items()):
                    if f.kind == "slow-first-byte":
                        self.fixed[s] = Fault(f.kind, 2.0, f.rate)
            elif spec == "all":
                self.fixed = {s: Fault(k) for s, k in dedicated_sites(site_ids, templates).items()}
            elif spec == "chaos":
                self.random_rate = 0.25
            return
        self.name = "custom"
        for site, fspec in dict(spec).items():
            if site not in known:
                raise UnknownSiteError(f"fault for unknown site {site!r}")
            f = parse_fault(fspec)
            if f is not None:
                self.fixed[site] = f

    def pick(self, site_id: str) -> Fault | None:
        """The fault for this request to ``site_id`` (counts the request)."""
        with self._lock:
            n = self._count.get(site_id, 0)
            self._count[site_id] = n + 1
        f = self.fixed.get(site_id)
        if f is not None:
            if f.rate >= 1.0:
                return f
            if random.Random(f"{self.seed}:{site_id}:{n}").random() < f.rate:
                return f
            return None
        if self.random_rate and site_id != "portal":
            rng = random.Random(f"{self.seed}:chaos:{site_id}:{n}")
            if rng.random() < self.random_rate:
                kind = rng.choice([k for k in FAULT_KINDS if k not in ("hang", "huge")])
                param = {"slow-first-byte": 2.0, "trickle": 0.02}.get(kind)
                return Fault(kind, param)
        return None

    def describe(self) -> dict[str, str]:
        """Site → fault as configured (for the truth export and the README's tables)."""
        out = {s: str(f) + (f"@{f.rate:g}" if f.rate < 1 else "") for s, f in self.fixed.items()}
        if self.random_rate:
            out["*"] = f"chaos@{self.random_rate:g}"
        return out


def parse_fault_option(text: str) -> str | dict[str, str]:
    """The CLI form: a profile name, a fault kind, or ``site=kind,site=kind:param``."""
    if "=" not in text:
        return text
    out: dict[str, str] = {}
    for part in text.split(","):
        site, eq, kind = part.partition("=")
        if not eq or not site.strip():
            raise UnknownFaultError(f"--faults: {part!r} is not SITE=KIND")
        out[site.strip()] = kind.strip()
    return out
