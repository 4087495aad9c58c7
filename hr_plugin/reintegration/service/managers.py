"""The manager's side of a plan: acknowledging it, the team's plans on the Home tab, a plan
moved to a new manager when the directory says so, and a note on each week capacity changes."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, SQLColumnExpression, exists, select
from sqlalchemy.orm import Session

from hr_plugin import audit, outbox
from hr_plugin.clock import Clock
from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.directory import find_by_slack_id
from hr_plugin.models import Employee
from hr_plugin.reintegration import messages
from hr_plugin.reintegration.models import Plan
from hr_plugin.reintegration.plan_view import PlanView
from hr_plugin.reintegration.service._common import PlanError, as_view, plan_weeks
from hr_plugin.reintegration.service.plans import send_plan


def acknowledge(factory: SessionFactory, clock: Clock, *, tenant_id: str, user_id: str, plan_id: int) -> None:
    with unit_of_work(factory) as session:
        manager = find_by_slack_id(session, tenant_id, user_id)
        plan = session.get(Plan, plan_id)
        if manager is None or plan is None or plan.tenant_id != tenant_id or plan.manager_id != manager.id:
            raise PlanError("That plan is not one of your team's.")
        plan.acknowledged_version, plan.acknowledged_at = plan.version, clock.now()
        audit.record(
            session,
            tenant_id=tenant_id,
            at=clock.now(),
            actor=user_id,
            action="plan.acknowledged",
            subject=str(plan.employee_id),
        )
        session.commit()


def manages_a_plan(
    tenant_id: SQLColumnExpression[str], manager_id: SQLColumnExpression[int]
) -> ColumnElement[bool]:
    """Whether anyone's active plan goes to this manager, as an EXISTS correlated to
    ``manager_id`` (the App Home's first statement; most managers have nobody on a plan)."""
    return exists().where(Plan.tenant_id == tenant_id, Plan.manager_id == manager_id, Plan.active.is_(True))


def plans_for_manager(session: Session, tenant_id: str, manager_id: int) -> list[PlanView]:
    rows = session.execute(
        select(Plan, Employee.name)
        .join(Employee, Employee.id == Plan.employee_id)
        .where(Plan.tenant_id == tenant_id, Plan.manager_id == manager_id, Plan.active.is_(True))
        .order_by(Plan.return_date)
    )
    return [as_view(plan, name) for plan, name in rows]


def follow_managers(factory: SessionFactory, clock: Clock) -> int:
    """A directory change of manager moves each plan to the new manager (and from the old)."""
    moved = 0
    with unit_of_work(factory) as session:
        rows = session.execute(
            select(Plan, Employee)
            .join(Employee, Employee.id == Plan.employee_id)
            .where(Plan.active.is_(True), Plan.manager_id.is_distinct_from(Employee.manager_id))
        ).all()
        for plan, employee in rows:
            plan.manager_id = employee.manager_id
            plan.acknowledged_version = None
            audit.record(
                session,
                tenant_id=plan.tenant_id,
                at=clock.now(),
                actor="directory",
                action="plan.manager_moved",
                subject=str(employee.id),
            )
            session.flush()
            send_plan(session, clock, plan, employee, first=True)
            moved += 1
        session.commit()
    return moved


def remind_capacity_changes(factory: SessionFactory, clock: Clock) -> int:
    """On the first working day of each week where capacity changes, a short note to the manager."""
    sent = 0
    now = clock.now()
    with unit_of_work(factory) as session:
        rows = session.execute(
            select(Plan, Employee)
            .join(Employee, Employee.id == Plan.employee_id)
            .where(Plan.active.is_(True), Plan.full_capacity_from >= (now - timedelta(days=8)).date())
        ).all()
        for plan, employee in rows:
            manager = session.get(Employee, plan.manager_id) if plan.manager_id else None
            if manager is None or not manager.reachable:
                continue
            today = now.astimezone(ZoneInfo(employee.timezone)).date()
            for first_day, percent in _change_days(plan):
                if first_day == today:
                    added = outbox.enqueue(
                        session,
                        tenant_id=plan.tenant_id,
                        key=f"plan-week:{plan.tenant_id}:{plan.id}:v{plan.version}:{first_day.isoformat()}",
                        now=now,
                        recipient=manager.slack_user_id,
                        text=messages.week_change_text(employee.name, percent, plan.full_capacity_from),
                    )
                    sent += int(added)
        session.commit()
    return sent


def _change_days(plan: Plan) -> list[tuple[date, int]]:
    """The first listed day of each week whose capacity differs from the week before (and the
    first day back at 100%)."""
    changes: list[tuple[date, int]] = []
    previous: int | None = None
    for week in plan_weeks(plan):
        if week.percent != previous:
            changes.append((week.first_day, week.percent))
        previous = week.percent
    if previous is not None and previous != 100:
        changes.append((plan.full_capacity_from, 100))
    return changes
