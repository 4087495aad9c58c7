"""The plan's parts of the App Home, by role: the employee's plan, the manager's team, HR's figures."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, SQLColumnExpression

from hr_plugin.models import Tenant
from hr_plugin.reintegration import service
from hr_plugin.reintegration import views as v
from hr_plugin.reintegration.plan_view import PlanView
from hr_plugin.reports import ReducedTime, budget_in_use
from hr_plugin.services import HomeContext, HomeProvider


def probe(
    tenant_id: SQLColumnExpression[str],
    employee_id: SQLColumnExpression[int],
    now: SQLColumnExpression[datetime],
) -> tuple[ColumnElement[Any], ...]:
    """For the Home's first statement: the person's own active plan, and whether any plan goes
    to them as a manager."""
    return (
        service.own_plan_id(tenant_id, employee_id).label("reintegration_own_plan"),
        service.manages_a_plan(tenant_id, employee_id).label("reintegration_manages_plans"),
    )


def home_sections(context: HomeContext) -> dict[str, list[Any]]:
    session, tenant_id, person, roles = context.session, context.tenant_id, context.person, context.roles
    own_plan, manages_plans = context.probed
    today = context.now.date()
    sections: dict[str, list[Any]] = {}
    if "employee" in roles and person.slack_user_id and own_plan is not None:
        own = service.plan_by_id(session, tenant_id, own_plan, person.name)
        if own is not None:
            sections["employee"] = list(v.employee_plan_blocks(own, today))
    if "manager" in roles and manages_plans:
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


HOME = HomeProvider(home_sections, probe)
