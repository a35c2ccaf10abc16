"""Dates and times as members read them: in the site's time zone, in one format throughout.

The store keeps UTC; a reader in China sees an item of 23:30 UTC under the next day, in the
next month's archive when it is the month's last day.
"""

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIMEZONE = "Asia/Shanghai"


class LocalTime:
    def __init__(self, zone_name: str = DEFAULT_TIMEZONE) -> None:
        try:
            self.zone = ZoneInfo(zone_name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {zone_name!r} (give an IANA name such as Asia/Shanghai)"
            ) from None
        # One instance per build: a cache on it dies with it.
        self._local = lru_cache(maxsize=65536)(self._convert)

    def _convert(self, stamp: str) -> datetime:
        return datetime.fromisoformat(stamp).astimezone(self.zone)

    def day(self, stamp: str) -> str:
        """2026-12-01"""
        return f"{self._local(stamp):%Y-%m-%d}"

    def minute(self, stamp: str) -> str:
        """2026-12-01 17:01"""
        return f"{self._local(stamp):%Y-%m-%d %H:%M}"

    def month(self, stamp: str) -> str:
        """2026-12"""
        return f"{self._local(stamp):%Y-%m}"
