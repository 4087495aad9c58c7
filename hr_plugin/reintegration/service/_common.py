"""What the submodules of the plan's service share: the error a person is shown, a plan as people
may see it (``as_view``: dates and percents, nothing else), and finding one's own plan.

Private to ``hr_plugin.reintegration.service``: the use cases are imported from the package.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from hr_plugin.directory import find_by_slack_id
from hr_plugin.enrolment import ACTIVE, Enrolment
from hr_plugin.models import Employee
from hr_plugin.reintegration.models import Plan
from hr_plugin.reintegration.plan import half_up_mean, week_start
from hr_plugin.reintegration.plan_view import PlanView, WeekLine


class PlanError(ValueError):
    """Why a plan change cannot be made, in words for the person who tried."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Week:
    """One week of a plan as its days are stored: when it starts, its first working day, its
    capacity (the mean of its days) and how many working days it has."""

    week_start: date
    first_day: date
    percent: int
    days: int


def plan_weeks(plan: Plan) -> list[Week]:
    grouped: dict[date, list[tuple[date, int]]] = {}
    for iso, percent in plan.days:
        day = date.fromisoformat(iso)
        grouped.setdefault(week_start(day), []).append((day, int(percent)))
    return [
        Week(start, days[0][0], half_up_mean([percent for _, percent in days]), len(days))
        for start, days in sorted(grouped.items())
    ]


def as_view(plan: Plan, name: str) -> PlanView:
    return PlanView(
        plan_id=plan.id,
        employee_name=name,
        return_date=plan.return_date,
        full_capacity_from=plan.full_capacity_from,
        weeks=tuple(WeekLine(week.week_start, week.percent, week.days) for week in plan_weeks(plan)),
        extension_weeks_taken=plan.extension_weeks_taken,
        extension_allowed=plan.budget["extension_weeks"] + plan.extra_weeks_granted,
        acknowledged=plan.acknowledged_version == plan.version,
        policy_name=plan.policy_name,
    )


def own_plan(session: Session, tenant_id: str, user_id: str) -> tuple[Plan, Employee] | None:
    employee = find_by_slack_id(session, tenant_id, user_id)
    if employee is None:
        return None
    plan = session.scalars(
        select(Plan)
        .join(Enrolment, Enrolment.id == Plan.enrolment_id)
        .where(
            Plan.tenant_id == tenant_id,
            Plan.employee_id == employee.id,
            Plan.active.is_(True),
            Enrolment.status == ACTIVE,
        )
    ).first()
    return (plan, employee) if plan is not None else None
