"""Time zones for tests that run on the real clock."""

from __future__ import annotations

from datetime import datetime


def zone_where_it_is_about_noon(now: datetime) -> str:
    """A fixed-offset zone where ``now`` (UTC) falls within an hour of noon.

    People whose day is 00:00-23:59 there are inside their working hours for the whole of a
    test, whatever time of day it runs: in UTC, a test starting just before midnight would
    see unsolicited messages wait for tomorrow."""
    ahead = 12 - now.hour  # -11 .. +12 hours from UTC
    return f"Etc/GMT{-ahead:+d}" if ahead else "UTC"  # Etc/GMT-5 is five hours *ahead* of UTC
