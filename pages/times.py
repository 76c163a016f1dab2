"""Beijing time: the one time zone Huiju shows and reads publish times in."""

from __future__ import annotations

from zoneinfo import ZoneInfo

__all__ = ["SHANGHAI"]

# Publish times, the review desk, the portal and cron schedules are in Beijing time (+08:00, no
# daylight saving); machine times are UTC.
SHANGHAI = ZoneInfo("Asia/Shanghai")
