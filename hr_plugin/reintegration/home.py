"""The plan's parts of the App Home, by role: the employee's plan, the manager's team, HR's figures."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from hr_plugin.models import Employee, Tenant
from hr_plugin.reintegration import service
from hr_plugin.reintegration import views as v
from hr_plugin.reintegration.plan_view import PlanView
from hr_plugin.reports import ReducedTime, budget_in_use


def home_sections(
    session: Session, tenant_id: str, person: Employee, roles: frozenset[str], now: datetime
) -> dict[str, list[Any]]:
    today = now.date()
    sections: dict[str, list[Any]] = {}
    if "employee" in roles and person.slack_user_id:
        own = service.plan_of(session, tenant_id, person.slack_user_id)
        if own is not None:
            sections["employee"] = list(v.employee_plan_blocks(own, today))
    if "manager" in roles:
        plans = service.plans_for_manager(session, tenant_id, person.id)
        if plans:
            sections["manager"] = list(v.manager_blocks(plans, today))
    if "hr_admin" in roles:
        tenant = session.get(Tenant, tenant_id)
        minimum = tenant.anonymity_minimum if tenant else 5
        active = service.active_plans(session, tenant_id)
        reduced = [
            ReducedTime(
                person=plan.plan_id,
                department=department,
                days_per_week=days_per_week,
                reduced_days=tuple(_reduced_days(plan)),
            )
            for plan, department, days_per_week in active
        ]
        sections["hr_admin"] = list(
            v.hr_blocks(
                plans_active=len(active),
                unacknowledged=sum(1 for plan, _, _ in active if not plan.acknowledged),
                requests=service.open_requests(session, tenant_id),
                budget=budget_in_use(reduced, minimum),
                policies=service.policy_inputs(session, tenant_id),
                minimum=minimum,
            )
        )
    return sections


def _reduced_days(plan: PlanView) -> list[date]:
    days: list[date] = []
    for week in plan.weeks:
        if week.percent < 100:
            days.extend(week.week_start + timedelta(days=offset) for offset in range(week.days))
    return days
