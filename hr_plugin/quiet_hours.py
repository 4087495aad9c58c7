"""When a message nobody asked for may reach a person: inside their working hours.

Pure: a moment in, a moment out. Times are computed in the person's own time zone, so
daylight-saving changes move the UTC answer, not the local one.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_DAYS = (0, 1, 2, 3, 4)
DEFAULT_START = time(9, 0)
DEFAULT_END = time(17, 0)


def parse_clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def next_working_moment(
    now: datetime,
    timezone: str,
    working_days: Collection[int] = DEFAULT_DAYS,
    start: time = DEFAULT_START,
    end: time = DEFAULT_END,
) -> datetime:
    """``now`` if it falls inside working hours, else the start of the next working period (UTC).

    A person with no working days at all is never held back: holding forever would lose
    the message, which is worse than an early one.
    """
    if not working_days or start >= end:
        return now
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    for offset in range(8):
        day = local.date() + timedelta(days=offset)
        if day.weekday() not in working_days:
            continue
        opens = datetime.combine(day, start, tzinfo=zone)
        closes = datetime.combine(day, end, tzinfo=zone)
        if offset == 0 and local >= closes:
            continue
        if local >= opens:
            return now
        start_utc = opens.astimezone(UTC)
        if start_utc.astimezone(zone).replace(tzinfo=None) >= closes.replace(tzinfo=None):
            continue  # the clocks skip this day's working hours entirely (a daylight-saving gap)
        return start_utc
    return now
