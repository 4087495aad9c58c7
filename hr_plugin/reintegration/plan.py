"""Week-by-week capacity plans for an employee returning from parental leave.

Pure: a return date, a budget, a working week and a holiday source in; a plan out. No clock,
no I/O, no database, so the same inputs always give the same plan and the Slack app, the
scheduler and ``hr-plugin plan preview`` cannot disagree about it.

A budget counts *working days*, not calendar days: a public holiday or a day the employee
does not work is skipped and does not use any of the budget. Two weeks at 50% is therefore
always ten half days for a Monday-to-Friday employee, whichever holidays fall in them, and six
for someone who works three days a week.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

MAX_REDUCED_WEEKS = 12
MAX_EXTENSION_WEEKS = 12
FULL_CAPACITY = 100
# How far we look for the next day the employee works before deciding that none will come. A
# holiday source that marks every working weekday as a holiday would otherwise loop forever;
# three years is far beyond any real calendar's longest run of holidays.
MAX_GAP_DAYS = 3 * 366
DEFAULT_WORKING_WEEKDAYS = (0, 1, 2, 3, 4)

HolidaySource = Collection[date] | Callable[[date], bool]


def _require_int(name: str, value: object, low: int, high: int) -> None:
    """A policy comes from HR's JSON; say which field is wrong and why, not just that one is."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {value}")


@dataclass(frozen=True)
class Budget:
    """What HR grants: reduced weeks, an optional ramp back to 100%, and an optional extension.

    ``ramp_percents`` are steps of one working week each, after the reduced period (and any
    extension taken). ``extension_weeks`` is the most the employee may add at the reduced
    percent; the plan only contains the part actually taken.
    """

    reduced_weeks: int
    reduced_percent: int
    ramp_percents: tuple[int, ...] = ()
    extension_weeks: int = 0

    def __post_init__(self) -> None:
        _require_int("reduced_weeks", self.reduced_weeks, 0, MAX_REDUCED_WEEKS)
        _require_int("reduced_percent", self.reduced_percent, 1, FULL_CAPACITY)
        _require_int("extension_weeks", self.extension_weeks, 0, MAX_EXTENSION_WEEKS)
        if isinstance(self.ramp_percents, str | bytes) or not isinstance(self.ramp_percents, Collection):
            raise ValueError(f"ramp_percents must be a list of whole numbers, got {self.ramp_percents!r}")
        # Accept any sequence (a JSON list, say) but store a tuple so the budget stays hashable.
        ramp = tuple(self.ramp_percents)
        object.__setattr__(self, "ramp_percents", ramp)
        previous = self.reduced_percent
        for index, percent in enumerate(ramp):
            _require_int(f"ramp_percents[{index}]", percent, 1, FULL_CAPACITY)
            if percent < previous:
                # A ramp that dips would mean a step back towards leave: almost surely a typo.
                raise ValueError(
                    f"ramp_percents[{index}] is {percent}, below the step before it ({previous}); "
                    "the ramp must not decrease and must start at or above reduced_percent"
                )
            previous = percent


@dataclass(frozen=True)
class PlanDay:
    """One working day of the plan and the capacity expected on it."""

    date: date
    percent: int


@dataclass(frozen=True)
class PlanWeek:
    """The listed days of one Monday-to-Sunday week, as a manager reads the plan.

    ``holidays`` are the public holidays that fell on the employee's working weekdays in that
    week, between the return date and the day before full capacity, so the manager can see
    why a week has fewer days than usual.
    """

    week_start: date
    percent: int
    working_days: tuple[date, ...]
    holidays: tuple[date, ...]


@dataclass(frozen=True)
class CapacityPlan:
    """A generated plan: every working day until full capacity, grouped into weeks."""

    return_date: date
    days: tuple[PlanDay, ...]
    weeks: tuple[PlanWeek, ...]
    full_capacity_from: date
    _dates: tuple[date, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Kept once so percent_on can bisect instead of scanning the whole plan each call.
        object.__setattr__(self, "_dates", tuple(day.date for day in self.days))

    def percent_on(self, day: date) -> int:
        """The capacity expected on ``day``; never 0, because the plan knows nothing of absences.

        A listed day has its own percent. Before the return date the plan does not apply and
        from ``full_capacity_from`` on it is over, so both give 100. A day inside the plan
        that is not listed (a weekend, a holiday, a day off) takes the percent of the last
        listed day before it, or of the first listed day when the return date itself is not
        a working day: the employee is in that phase of the plan even on a day off.
        """
        if day < self.return_date or day >= self.full_capacity_from or not self.days:
            return FULL_CAPACITY
        index = bisect.bisect_right(self._dates, day)
        return self.days[max(index - 1, 0)].percent

    def to_json(self) -> dict[str, Any]:
        """The ``hr-plugin plan preview`` output format of DESIGN.md, with ISO dates."""
        return {
            "days": [{"date": day.date.isoformat(), "percent": day.percent} for day in self.days],
            "weeks": [
                {
                    "week_start": week.week_start.isoformat(),
                    "percent": week.percent,
                    "working_days": [d.isoformat() for d in week.working_days],
                    "holidays": [d.isoformat() for d in week.holidays],
                }
                for week in self.weeks
            ],
            "full_capacity_from": self.full_capacity_from.isoformat(),
        }


def half_up_mean(values: Collection[int]) -> int:
    """The mean of non-negative integers rounded half up, in integer arithmetic.

    ``round()`` rounds half to even (62.5 -> 62) and floats can land a hair below .5; neither
    is what a person checking the plan by hand expects.
    """
    if not values:
        raise ValueError("the mean of no values is undefined")
    return (2 * sum(values) + len(values)) // (2 * len(values))


def week_start(day: date) -> date:
    """The Monday of ``day``'s week: plan weeks run Monday to Sunday whatever the working week."""
    return day - timedelta(days=day.weekday())


def generate_plan(
    return_date: date,
    budget: Budget,
    *,
    working_weekdays: Collection[int] = DEFAULT_WORKING_WEEKDAYS,
    holidays: HolidaySource = (),
    extension_weeks_taken: int = 0,
) -> CapacityPlan:
    """The capacity plan for someone back on ``return_date`` under ``budget``.

    The reduced period (plus the extension taken, at the same percent, right after it) and
    each ramp step last a number of weeks measured in the employee's own working days, so a
    holiday or a day off pushes the plan later instead of eating into it. ``holidays`` is a
    set of dates or a predicate, so callers can pass a lazily evaluated calendar when they do
    not know in advance how many years the plan will span.
    """
    weekdays = _check_weekdays(working_weekdays)
    _require_int("extension_weeks_taken", extension_weeks_taken, 0, budget.extension_weeks)
    is_holiday = _as_predicate(holidays)
    per_week = len(weekdays)

    percents = [budget.reduced_percent] * ((budget.reduced_weeks + extension_weeks_taken) * per_week)
    for percent in budget.ramp_percents:
        percents.extend([percent] * per_week)

    days: list[PlanDay] = []
    skipped_holidays: list[date] = []
    scan = _working_days(return_date, weekdays, is_holiday, skipped_holidays)
    for percent in percents:
        days.append(PlanDay(next(scan), percent))
    full_capacity_from = next(scan)

    return CapacityPlan(
        return_date=return_date,
        days=tuple(days),
        weeks=_group_weeks(days, skipped_holidays, full_capacity_from),
        full_capacity_from=full_capacity_from,
    )


def _check_weekdays(working_weekdays: Collection[int]) -> frozenset[int]:
    """Refuse a working week that could never yield a plan, or that holds impossible weekdays."""
    weekdays = frozenset(working_weekdays)
    if not weekdays:
        raise ValueError("working_weekdays is empty: someone who never works cannot have a capacity plan")
    for weekday in weekdays:
        if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise ValueError(f"working weekdays are numbered 0 (Monday) to 6 (Sunday), got {weekday!r}")
    return weekdays


def _as_predicate(holidays: HolidaySource) -> Callable[[date], bool]:
    if callable(holidays):
        return holidays
    known = frozenset(holidays)
    return known.__contains__


def _working_days(
    start: date,
    weekdays: frozenset[int],
    is_holiday: Callable[[date], bool],
    skipped_holidays: list[date],
) -> Iterator[date]:
    """Yield the employee's working, non-holiday days from ``start`` on, in order.

    Holidays on working weekdays passed over on the way are appended to ``skipped_holidays``
    (the caller stops asking after the first full-capacity day, so the list ends there).
    """
    day = start
    while True:
        gap_start = day
        while day.weekday() not in weekdays or is_holiday(day):
            if day.weekday() in weekdays:
                skipped_holidays.append(day)
            if (day - gap_start).days >= MAX_GAP_DAYS:
                raise ValueError(
                    f"no working day from {gap_start} to {day}: the holiday calendar covers every "
                    "working weekday, so the plan could never end"
                )
            day = _next_day(day)
        yield day
        day = _next_day(day)


def _next_day(day: date) -> date:
    try:
        return day + timedelta(days=1)
    except OverflowError:
        raise ValueError("the plan would run past the last date the calendar can represent") from None


def _group_weeks(
    days: list[PlanDay], skipped_holidays: list[date], full_capacity_from: date
) -> tuple[PlanWeek, ...]:
    """Group listed days into Monday-to-Sunday weeks.

    A week exists only where at least one day is listed: a week spent entirely on holiday has
    no capacity to state, so it has no entry, and its holidays are not reported anywhere.
    """
    by_week: dict[date, list[PlanDay]] = {}
    for day in days:
        by_week.setdefault(week_start(day.date), []).append(day)
    holidays_by_week: dict[date, list[date]] = {}
    for holiday in skipped_holidays:
        if holiday < full_capacity_from:
            holidays_by_week.setdefault(week_start(holiday), []).append(holiday)
    return tuple(
        PlanWeek(
            week_start=monday,
            percent=half_up_mean([day.percent for day in listed]),
            working_days=tuple(day.date for day in listed),
            holidays=tuple(holidays_by_week.get(monday, ())),
        )
        for monday, listed in by_week.items()
    )
