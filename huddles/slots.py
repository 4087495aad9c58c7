"""Huddle slots: the half hours of a month in which a whole group can meet.

Pure: schedules in, UTC times out; no clock, no database, no Slack. A person's availability
for a month is one Python ``int`` used as a bit set over the month's half-hour UTC slots
(slot ``k`` starts ``k * 30`` minutes after 00:00 UTC on the 1st). Intersecting a group is
then a chain of ``&`` and "earliest slot" is the lowest set bit, which is what lets
``hr-plugin huddles plan`` handle 10,000 people in seconds: the expensive part (time-zone
and holiday arithmetic) runs once per distinct schedule, not once per person or per pair.

Rules, as DESIGN.md states them and as the tests check them independently:

- A slot is 30 minutes starting on a 30-minute UTC boundary inside the calendar month (UTC).
  Half-hour and 45-minute zones are handled exactly: a person in Asia/Kathmandu whose day
  starts at 09:00 (03:15 UTC) is first available at 03:30 UTC.
- For every person, the slot lies entirely inside their working hours on one local date that
  is one of their working weekdays and not a public holiday in their country (and subdivision)
  according to the ``holidays`` package. Working hours are wall-clock times in their own IANA
  zone, so a DST change moves their UTC window and the slot follows it.
- Working hours do not cross midnight (``end`` may be 24:00). A night shift is out of scope.
- The choice is deterministic: the earliest valid slot.

The ``holidays`` package is imported on the first calendar asked for, not with the module:
it is about 4 MB of resident memory in every web worker, which imports this module through
the huddles' service and rarely plans a huddle.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

SLOT_MINUTES = 30
_SLOT = timedelta(minutes=SLOT_MINUTES)
DAY_MINUTES = 24 * 60


@dataclass(frozen=True)
class Schedule:
    """When one person can meet: hashable, so equal schedules share one availability mask.

    ``start`` and ``end`` are minutes after local midnight (``end`` up to 1440), weekdays are
    Python's (Monday 0 to Sunday 6).
    """

    timezone: str
    start: int
    end: int
    working_days: frozenset[int]
    country: str | None = None
    subdivision: str | None = None

    def __post_init__(self) -> None:
        # Checked here as well as at the CLI's edge, so a service passing a bad schedule
        # fails loudly instead of getting an empty (or wrong) mask.
        if not 0 <= self.start < self.end <= DAY_MINUTES:
            raise ValueError(f"working hours must run forwards within one day, got {self.start}..{self.end}")
        if not self.working_days <= set(range(7)):
            raise ValueError("working days must be weekdays 0 (Monday) to 6 (Sunday)")
        if self.subdivision is not None and self.country is None:
            raise ValueError("a subdivision needs a country")
        zone(self.timezone)
        if self.country is not None:
            _check_calendar(self.country, self.subdivision)


def parse_month(text: str) -> tuple[int, int]:
    """``"YYYY-MM"`` as ``(year, month)``; ``ValueError`` says what is wrong."""
    try:
        parsed = datetime.strptime(text, "%Y-%m")
    except (TypeError, ValueError):
        raise ValueError(f"month must look like YYYY-MM, got {text!r}") from None
    if len(text) != 7:
        raise ValueError(f"month must look like YYYY-MM, got {text!r}")
    return parsed.year, parsed.month


def parse_clock(text: str, *, allow_midnight_end: bool = False) -> int:
    """``"HH:MM"`` as minutes after midnight; ``"24:00"`` only where an end is meant.

    Answers are cached: a plan's input repeats a handful of clock times across tens of
    thousands of people, and ``strptime`` was a third of planning 50,000 of them.
    """
    if allow_midnight_end and text == "24:00":
        return DAY_MINUTES
    if not isinstance(text, str):  # the cache needs a hashable key; the message stays the same
        raise ValueError(f"a time must look like HH:MM (00:00 to 23:59), got {text!r}")
    return _parse_clock(text)


@lru_cache(maxsize=4096)
def _parse_clock(text: str) -> int:
    try:
        parsed = datetime.strptime(text, "%H:%M")
    except (TypeError, ValueError):
        raise ValueError(f"a time must look like HH:MM (00:00 to 23:59), got {text!r}") from None
    if len(text) != 5:
        raise ValueError(f"a time must look like HH:MM, got {text!r}")
    return parsed.hour * 60 + parsed.minute


@lru_cache(maxsize=1024)
def zone(name: str) -> ZoneInfo:
    """The IANA zone, or ``ValueError`` naming it (zoneinfo's own errors vary by input)."""
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError, OSError):  # ZoneInfoNotFoundError is a KeyError
        raise ValueError(f"unknown time zone {name!r}") from None


@lru_cache(maxsize=1024)
def _check_calendar(country: str, subdivision: str | None) -> None:
    """Refuse a country or subdivision the ``holidays`` package does not know, up front."""
    import holidays

    try:
        holidays.country_holidays(country, subdiv=subdivision)
    except (NotImplementedError, KeyError, ValueError):
        where = f"{country}/{subdivision}" if subdivision else country
        raise ValueError(f"no public holiday calendar for {where!r}") from None


@lru_cache(maxsize=1024)
def _holidays(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    """One country's public holidays for one year; cached because 10,000 people share few."""
    import holidays

    try:
        found = holidays.country_holidays(country, subdiv=subdivision, years=year)
    except (NotImplementedError, KeyError, ValueError):
        where = f"{country}/{subdivision}" if subdivision else country
        raise ValueError(f"no public holiday calendar for {where!r}") from None
    return frozenset(found)


def is_holiday(schedule: Schedule, day: date) -> bool:
    """Whether ``day`` is a public holiday where this person works."""
    if schedule.country is None:
        return False
    return day in _holidays(schedule.country, schedule.subdivision, day.year)


@dataclass
class MonthGrid:
    """The half-hour UTC slots of one month, and each schedule's availability over them.

    The availability cache lives on the grid (one month) so a plan computes each distinct
    schedule once, and nothing leaks between months or callers.
    """

    year: int
    month: int
    # Slots the caller allows at all (HR's week of the month, not too soon); None allows every one.
    window: int | None = None
    _masks: dict[Schedule, int] = field(default_factory=dict, repr=False)

    @classmethod
    def parse(cls, text: str) -> MonthGrid:
        """The grid for ``"YYYY-MM"``."""
        year, month = parse_month(text)
        return cls(year, month)

    @property
    def start(self) -> datetime:
        """00:00 UTC on the 1st: slot 0."""
        return datetime(self.year, self.month, 1, tzinfo=UTC)

    @property
    def days(self) -> int:
        """Days in the month."""
        return calendar.monthrange(self.year, self.month)[1]

    @property
    def slot_count(self) -> int:
        """Half-hour slots in the month."""
        return self.days * DAY_MINUTES // SLOT_MINUTES

    def slot_start(self, index: int) -> datetime:
        """Slot ``index`` as an aware UTC datetime."""
        return self.start + index * _SLOT

    def earliest(self, mask: int) -> datetime | None:
        """The first slot in ``mask``, or ``None`` when it is empty."""
        if mask <= 0:
            return None
        return self.slot_start((mask & -mask).bit_length() - 1)

    def availability(self, schedule: Schedule) -> int:
        """The slots this person can meet in, as a bit set (see the module docstring)."""
        mask = self._masks.get(schedule)
        if mask is None:
            mask = self._compute(schedule)
            if self.window is not None:
                mask &= self.window
            self._masks[schedule] = mask
        return mask

    def between(self, first: datetime, last: datetime) -> int:
        """The slots that start at or after ``first`` and before ``last`` (aware datetimes)."""
        low = max(-((self.start - first) // _SLOT), 0)
        high = min(-((self.start - last) // _SLOT), self.slot_count)
        return ((1 << (high - low)) - 1) << low if high > low else 0

    def common(self, schedules: Iterable[Schedule]) -> int:
        """The slots everyone in ``schedules`` can meet in."""
        mask = (1 << self.slot_count) - 1
        for schedule in schedules:
            mask &= self.availability(schedule)
            if not mask:
                break
        return mask

    def _compute(self, schedule: Schedule) -> int:
        tz = zone(schedule.timezone)
        first = date(self.year, self.month, 1)
        origin = self.start
        count = self.slot_count
        mask = 0
        # Local dates one day either side of the month: a Tokyo Monday morning is Sunday in UTC.
        for offset in range(-1, self.days + 1):
            day = first + timedelta(days=offset)
            if day.weekday() not in schedule.working_days or is_holiday(schedule, day):
                continue
            midnight = datetime(day.year, day.month, day.day, tzinfo=tz)
            # Wall-clock arithmetic on an aware datetime keeps the tzinfo and recomputes the
            # offset on conversion, so 09:00 on a DST day means 09:00 on the clock there.
            begin = (midnight + timedelta(minutes=schedule.start)).astimezone(UTC)
            if schedule.end == DAY_MINUTES:
                following = day + timedelta(days=1)
                finish = datetime(following.year, following.month, following.day, tzinfo=tz).astimezone(UTC)
            else:
                finish = (midnight + timedelta(minutes=schedule.end)).astimezone(UTC)
            low = -((origin - begin) // _SLOT)  # the first boundary at or after the start
            high = (finish - origin) // _SLOT - 1  # the last start that still ends in time
            low, high = max(low, 0), min(high, count - 1)
            if low <= high:
                mask |= ((1 << (high - low + 1)) - 1) << low
        return mask


def find_slot(
    month: str, members: Iterable[Schedule], facilitator: Schedule | None = None
) -> datetime | None:
    """The earliest 30-minute slot in ``month`` that suits every member and the facilitator.

    An aware UTC datetime, or ``None`` when there is none.
    """
    grid = MonthGrid.parse(month)
    everyone = [*members, *([facilitator] if facilitator is not None else [])]
    return grid.earliest(grid.common(everyone))
