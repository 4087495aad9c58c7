"""The rhythm of huddles: which months have one, when planning opens, which slots HR allows,
who is eligible, and the timeline of messages around each huddle. Pure: dates in, dates out.

Definitions the service and its tests share:

- A cycle month is one where ``(year * 12 + month - 1) % every_months == 0``: monthly by
  default, or every second or third month, the same months for every tenant.
- "The week of the month" ``w`` (1 to 4) is days ``7w - 6`` to ``7w`` of the month, by the
  slot's UTC date; 0 means any day. Avoided weekdays are taken out of everyone's own working
  days, so they apply to each person's local calendar.
- Planning opens two weeks before the first day HR allows and closes on that day (a month
  whose allowed days have begun is not planned late, so two huddles never land days apart),
  and a huddle is never planned less than two days ahead, so the 24-hour reminder and the
  facilitator's notes always have time.
- Eligible: back at work by the planning day (a later returner joins next cycle as a
  newcomer), and still inside the first ``eligible_months`` months after their return when the
  month begins.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from huddles.cohorts import MAX_SIZE, MIN_SIZE
from huddles.slots import SLOT_MINUTES, MonthGrid, Schedule, is_holiday, zone

PLAN_LEAD = timedelta(days=14)
MIN_NOTICE = timedelta(days=2)
DAY_REMINDER = timedelta(hours=24)
SOON_REMINDER = timedelta(minutes=10)
# The delivery tick looks this far ahead, so a Friday-afternoon reminder for Monday is enqueued in time.
LOOK_AHEAD = timedelta(days=4)
SLOT = timedelta(minutes=SLOT_MINUTES)
WEEKS_IN_MONTH = 4


class SettingsError(ValueError):
    """A setting HR chose that cannot work; ``field`` names the input in the settings modal."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Cadence:
    """HR's choices, with the program's defaults."""

    every_months: int = 1
    week_of_month: int = 0
    avoided_weekdays: frozenset[int] = field(default_factory=frozenset)
    min_size: int = MIN_SIZE
    max_size: int = MAX_SIZE
    eligible_months: int = 9

    def check(self) -> None:
        """Raise ``SettingsError`` naming the first setting that cannot work."""
        if self.every_months not in (1, 2, 3):
            raise SettingsError("Choose every month, every 2 months or every 3 months.", "every_months")
        if not 0 <= self.week_of_month <= WEEKS_IN_MONTH:
            raise SettingsError("Choose any week, or the 1st to the 4th week of the month.", "week_of_month")
        if not self.avoided_weekdays <= set(range(7)):
            raise SettingsError("Weekdays run from Monday to Sunday.", "avoided_weekdays")
        if len(self.avoided_weekdays) >= 5:
            raise SettingsError("Leave at least three weekdays open, or nobody can meet.", "avoided_weekdays")
        if not MIN_SIZE <= self.min_size <= MAX_SIZE:
            raise SettingsError(f"The smallest group is {MIN_SIZE} to {MAX_SIZE} people.", "min_size")
        if not self.min_size <= self.max_size <= MAX_SIZE:
            raise SettingsError(
                f"The largest group is at least the smallest and at most {MAX_SIZE} people "
                "(a group DM holds 8, with the facilitator).",
                "max_size",
            )
        if not 1 <= self.eligible_months <= 24:
            raise SettingsError("Choose 1 to 24 months after the return.", "eligible_months")


def month_of(day: date) -> str:
    return f"{day:%Y-%m}"


def next_month(month: str) -> str:
    year, number = (int(part) for part in month.split("-"))
    return f"{year + number // 12:04d}-{number % 12 + 1:02d}"


def is_cycle_month(month: str, every_months: int) -> bool:
    year, number = (int(part) for part in month.split("-"))
    return (year * 12 + number - 1) % every_months == 0


def allowed_days(month: str, week_of_month: int) -> tuple[date, date]:
    """The first and last day of the month HR allows huddles on."""
    year, number = (int(part) for part in month.split("-"))
    if week_of_month == 0:
        return date(year, number, 1), date(year, number, monthrange(year, number)[1])
    first = 7 * week_of_month - 6
    return date(year, number, first), date(year, number, first + 6)


def planning_opens(month: str, cadence: Cadence) -> date:
    return allowed_days(month, cadence.week_of_month)[0] - PLAN_LEAD


def window(grid: MonthGrid, cadence: Cadence, now: datetime) -> int:
    """The slots of the grid's month HR allows that are still far enough ahead to plan."""
    first, last = allowed_days(f"{grid.year:04d}-{grid.month:02d}", cadence.week_of_month)
    opens = datetime(first.year, first.month, first.day, tzinfo=UTC)
    closes = datetime(last.year, last.month, last.day, tzinfo=UTC) + timedelta(days=1)
    return grid.between(max(opens, now + MIN_NOTICE), closes)


def without_avoided(schedule: Schedule, avoided: frozenset[int]) -> Schedule:
    """The schedule with HR's avoided weekdays taken out of the person's own working days."""
    if not avoided:
        return schedule
    return Schedule(
        schedule.timezone,
        schedule.start,
        schedule.end,
        schedule.working_days - avoided,
        schedule.country,
        schedule.subdivision,
    )


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, number = divmod(index, 12)
    return date(year, number + 1, min(day.day, monthrange(year, number + 1)[1]))


def is_eligible(returned: date, month: str, planning_day: date, eligible_months: int) -> bool:
    year, number = (int(part) for part in month.split("-"))
    return returned <= planning_day and date(year, number, 1) < add_months(returned, eligible_months)


def stage_weeks(returned: date, month: str) -> int:
    """Weeks since the return, counted to the middle of the month."""
    year, number = (int(part) for part in month.split("-"))
    return max((date(year, number, 15) - returned).days // 7, 0)


def first_shared_moment(schedules: Iterable[Schedule], now: datetime) -> datetime:
    """The first half hour from ``now`` (within about a month) inside everyone's working hours,
    so a group message does not arrive in anyone's night; ``now`` when there is none."""
    people = list(schedules)
    month = month_of(now.date())
    for _ in range(2):
        grid = MonthGrid.parse(month)
        mask = grid.common(people) & grid.between(now - timedelta(minutes=29), now + timedelta(days=40))
        start = grid.earliest(mask)
        if start is not None:
            return max(start, now)
        month = next_month(month)
    return now


def day_before_moment(schedule: Schedule, start_utc: datetime, now: datetime) -> datetime:
    """When the day-before message reaches someone: 24 hours ahead if that is inside their
    working hours, otherwise the last working half hour before that (Friday afternoon for a
    Monday huddle), so it neither arrives on a Sunday nor waits until the huddle has begun.
    Never earlier than ``now``."""
    target = start_utc - DAY_REMINDER
    tz = zone(schedule.timezone)
    local = target.astimezone(tz)
    for back in range(14):
        day = local.date() - timedelta(days=back)
        if day.weekday() not in schedule.working_days or is_holiday(schedule, day):
            continue
        midnight = datetime(day.year, day.month, day.day, tzinfo=tz)
        opens = (midnight + timedelta(minutes=schedule.start)).astimezone(UTC)
        closes = (midnight + timedelta(minutes=schedule.end)).astimezone(UTC) - SLOT
        latest = min(target, closes)
        if latest >= opens:
            return max(latest, now)
    return max(target, now)
