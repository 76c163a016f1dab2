"""Publish dates as Chinese government sites write them, turned into Asia/Shanghai times.

A faked release date is a veto item in the national website inspection, so nothing here ever
invents one: a string that cannot be read gives ``None`` and the caller flags the document.
Naive times are Beijing time; dates without a time are midnight Beijing time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from pages.times import SHANGHAI

__all__ = [
    "SHANGHAI",
    "DateChoice",
    "choose_date",
    "parse_date",
    "to_iso",
]


# Earliest and latest years accepted as a publish date (guards against 1970 epochs, typos like 2204).
MIN_YEAR = 1990
MAX_YEARS_AHEAD = 1

_FULLWIDTH = str.maketrans("０１２３４５６７８９：－／．　", "0123456789:-/. ")

_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    )
}

_TIME = r"(?P<H>\d{1,2})[:：时](?P<M>\d{1,2})(?:[:：分](?P<S>\d{1,2})(?:\.(?P<frac>\d{1,6})\d*)?)?秒?"
_TZ = r"(?P<tz>Z|z|[+-]\d{2}:?\d{2}|[+-]\d{1,2}(?![\d:]))?"

# ISO 8601 and the dash/slash/dot family: 2024-05-01, 2024/5/1, 2024.05.01, 2024-05-01 09:30,
# 2024-05-01T09:30:00+08:00, 2024-05-01-09:30:00 (a dash before the time).
_NUMERIC = re.compile(
    r"(?<!\d)(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?!\d)"
    r"(?:(?:[T\s]+|-)" + _TIME + r"\s*" + _TZ + r")?"
)
# 2024年05月01日09:30, 2024年5月1日 09:30:00, 2024年5月1日
_CHINESE = re.compile(
    r"(?<!\d)(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]"
    r"(?:\s*(?:[上下]午)?\s*" + _TIME + r")?"
)
# Compact 20240501 or 20240501093000 (some JSON APIs).
_COMPACT = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?:(?P<H>\d{2})(?P<M>\d{2})(?P<S>\d{2})?)?$")
# Month-day only, as list pages show it: [05-01], (05-01), 05-01, 5月1日, 05/01 09:30.
_MONTH_DAY = re.compile(
    r"(?<![\d\-/.])(?P<m>\d{1,2})\s*(?:[-/.]|月)\s*(?P<d>\d{1,2})\s*日?(?![\d\-/.])"
    r"(?:\s*" + _TIME + r")?"
)
# RFC 822 / 1123 and their quirks: optional day name (English or Chinese), GMT+8, +0800, CST.
_RFC822 = re.compile(
    r"(?:(?:[A-Za-z]{3,9}|星期[一二三四五六日天]|周[一二三四五六日天]|礼拜[一二三四五六日天])\s*,?\s*)?"
    r"(?P<d>\d{1,2})\s+(?P<mon>[A-Za-z]{3,9})\.?\s+(?P<y>\d{2,4})"
    r"(?:\s+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?"
    r"\s*(?P<tz>(?:GMT|UTC|UT)?\s*[+-]\d{1,2}(?::?\d{2})?|GMT|UTC|UT|Z|CST|[A-Z]{3})?"
)
_EPOCH = re.compile(r"^\s*(?P<n>\d{10}|\d{13})(?:\.\d+)?\s*$")

# Time-zone abbreviations seen on Chinese sites. "CST" there means China Standard Time.
_TZ_ABBR = {
    "GMT": 0,
    "UTC": 0,
    "UT": 0,
    "Z": 0,
    "CST": 8 * 60,
    "BJT": 8 * 60,
    "EST": -5 * 60,
    "EDT": -4 * 60,
    "PST": -8 * 60,
    "PDT": -7 * 60,
}


@dataclass(frozen=True)
class DateChoice:
    """The publish time chosen among a document's candidates, and which candidate gave it."""

    value: datetime | None
    origin: str | None  # "meta" | "detail" | "feed" | "list" | None
    rejected: tuple[str, ...] = ()  # candidates that were present but unreadable, "origin: raw"


def _now_shanghai(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(SHANGHAI)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return now.astimezone(SHANGHAI)


def _offset(tz: str | None) -> timezone | ZoneInfo:
    """The tzinfo for a zone designator; missing or unknown → Beijing time."""
    if not tz:
        return SHANGHAI
    t = tz.strip().upper().replace(" ", "")
    if t in _TZ_ABBR:
        return timezone(timedelta(minutes=_TZ_ABBR[t]))
    for prefix in ("GMT", "UTC", "UT"):
        if t.startswith(prefix):
            t = t[len(prefix) :]
            break
    m = re.fullmatch(r"([+-])(\d{1,2}):?(\d{2})?", t)
    if not m:
        return SHANGHAI
    sign = -1 if m.group(1) == "-" else 1
    hours, minutes = int(m.group(2)), int(m.group(3) or 0)
    if hours > 14 or minutes > 59:
        return SHANGHAI
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _build(
    y: int,
    mo: int,
    d: int,
    h: int = 0,
    mi: int = 0,
    s: int = 0,
    us: int = 0,
    tz: timezone | ZoneInfo = SHANGHAI,
) -> datetime | None:
    try:
        return datetime(y, mo, d, h, mi, s, us, tzinfo=tz).astimezone(SHANGHAI)
    except ValueError:
        return None


def _int(v: str | None) -> int:
    return int(v) if v else 0


def _frac(v: str | None) -> int:
    return int((v or "0").ljust(6, "0")[:6])


def _plausible(dt: datetime | None, now: datetime) -> datetime | None:
    if dt is None:
        return None
    if dt.year < MIN_YEAR or dt.year > now.year + MAX_YEARS_AHEAD:
        return None
    return dt


def _hour12(h: int, text: str) -> int:
    if "下午" in text and h < 12:
        return h + 12
    return h


def _infer_year(month: int, day: int, h: int, mi: int, s: int, now: datetime) -> datetime | None:
    """The most recent date with this month and day that is not after *now* (Beijing time)."""
    for back in range(0, 9):  # a 29 February may need up to 8 years to recur
        y = now.year - back
        dt = _build(y, month, day, h, mi, s)
        if dt is None:
            continue
        if dt.date() <= now.date():
            return dt
    return None


def parse_date(raw: str | int | float | None, *, now: datetime | None = None) -> datetime | None:
    """Read a publish time in any format seen on the sources, as an aware Asia/Shanghai datetime.

    *now* (default: the current time) anchors year inference for month-day dates such as
    ``[05-01]``: the most recent such day that is not in the future. Returns ``None`` for
    anything unreadable or implausible — never a guess.
    """
    if raw is None or isinstance(raw, bool):
        return None
    ref = _now_shanghai(now)
    if isinstance(raw, int | float):
        return _from_epoch(float(raw), ref)
    text = str(raw).translate(_FULLWIDTH).strip()
    if not text:
        return None

    m = _EPOCH.match(text)
    if m:
        return _from_epoch(float(m.group("n")), ref)
    m = _COMPACT.match(text)
    if m:
        return _plausible(
            _build(int(m["y"]), int(m["m"]), int(m["d"]), _int(m["H"]), _int(m["M"]), _int(m["S"])), ref
        )

    m = _NUMERIC.search(text)
    if m:
        h = _hour12(_int(m["H"]), text)
        return _plausible(
            _build(
                int(m["y"]),
                int(m["m"]),
                int(m["d"]),
                h,
                _int(m["M"]),
                _int(m["S"]),
                _frac(m["frac"]),
                _offset(m["tz"]),
            ),
            ref,
        )
    m = _CHINESE.search(text)
    if m:
        h = _hour12(_int(m["H"]), text)
        return _plausible(_build(int(m["y"]), int(m["m"]), int(m["d"]), h, _int(m["M"]), _int(m["S"])), ref)
    m = _RFC822.search(text)
    if m and m["mon"][:3].lower() in _MONTHS:
        y = int(m["y"])
        if y < 100:
            y += 2000 if y < 70 else 1900
        return _plausible(
            _build(
                y,
                _MONTHS[m["mon"][:3].lower()],
                int(m["d"]),
                _int(m["H"]),
                _int(m["M"]),
                _int(m["S"]),
                0,
                _offset(m["tz"]),
            ),
            ref,
        )
    m = _MONTH_DAY.search(text)
    if m:
        mo, d = int(m["m"]), int(m["d"])
        if 1 <= mo <= 12 and 1 <= d <= 31:
            h = _hour12(_int(m["H"]), text)
            return _infer_year(mo, d, h, _int(m["M"]), _int(m["S"]), ref)
    return None


def _from_epoch(n: float, ref: datetime) -> datetime | None:
    """Epoch seconds (10 digits) or milliseconds (13 digits), as JSON list APIs give them."""
    if n > 1e11:
        n /= 1000.0
    try:
        dt = datetime.fromtimestamp(n, tz=UTC).astimezone(SHANGHAI)
    except (OverflowError, OSError, ValueError):
        return None
    return _plausible(dt, ref)


def to_iso(dt: datetime | None) -> str | None:
    """ISO 8601 in Beijing time with ``+08:00``; microseconds dropped (no source is that precise)."""
    if dt is None:
        return None
    return dt.astimezone(SHANGHAI).replace(microsecond=0).isoformat()


def choose_date(candidates: list[tuple[str, str | None]], *, now: datetime | None = None) -> DateChoice:
    """The first readable candidate in the order given (meta > detail > feed > list).

    *candidates* are ``(origin, raw)`` pairs; absent ones (``None``/empty) are skipped, unreadable
    ones are recorded in ``rejected`` so a reviewer can see what the source wrote.
    """
    rejected: list[str] = []
    for origin, raw in candidates:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        dt = parse_date(raw, now=now)
        if dt is not None:
            return DateChoice(dt, origin, tuple(rejected))
        rejected.append(f"{origin}: {str(raw).strip()[:80]}")
    return DateChoice(None, None, tuple(rejected))


def is_future(dt: datetime, *, now: datetime | None = None, tolerance: timedelta = timedelta(days=1)) -> bool:
    """Whether *dt* is later than *now* by more than *tolerance* (clock skew, time zones)."""
    return dt > _now_shanghai(now) + tolerance
