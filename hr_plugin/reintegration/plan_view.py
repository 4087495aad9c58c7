"""A plan as people see it: dates and percents, nothing else. Pure data for views and messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hr_plugin.reintegration.plan import week_start


@dataclass(frozen=True)
class WeekLine:
    week_start: date
    percent: int
    days: int


@dataclass(frozen=True)
class PlanView:
    """A plan as its employee, their manager and HR may see it: dates and percents only."""

    plan_id: int
    employee_name: str
    return_date: date
    full_capacity_from: date
    weeks: tuple[WeekLine, ...]
    extension_weeks_taken: int
    extension_allowed: int
    acknowledged: bool
    policy_name: str

    def percent_in_week(self, day: date) -> int:
        start = week_start(day)
        for week in self.weeks:
            if week.week_start == start:
                return week.percent
        return 100

    @property
    def extension_left(self) -> int:
        return self.extension_allowed - self.extension_weeks_taken
