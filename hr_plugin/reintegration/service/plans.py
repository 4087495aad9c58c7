"""A plan follows its enrolment: made from the policy that applies when the enrolment becomes
active, rebuilt when the return date moves, ended when the enrolment ends; and sent, each
version, to the employee and their manager (to HR when there is no manager to receive it).

What a manager receives is built only from the plan's dates and percents (the disclosure matrix:
"plan and dates", nothing else).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, SQLColumnExpression, select
from sqlalchemy.orm import Session

from hr_plugin import audit, outbox
from hr_plugin.clock import Clock
from hr_plugin.enrolment import ACTIVE, Enrolment
from hr_plugin.models import Employee, HrAdmin, Leave
from hr_plugin.reintegration import messages
from hr_plugin.reintegration.calendar import holiday_checker
from hr_plugin.reintegration.models import Plan
from hr_plugin.reintegration.plan import Budget, generate_plan
from hr_plugin.reintegration.plan_view import PlanView
from hr_plugin.reintegration.policy import choose
from hr_plugin.reintegration.service._common import as_view, own_plan
from hr_plugin.reintegration.service.policies import ensure_default_policy, policy_inputs


def on_enrolment(session: Session, clock: Clock, enrolment: Enrolment, event: str) -> None:
    """The enrolment hook: a plan is made on activation, rebuilt when the return moves, and
    ended quietly when the enrolment ends."""
    plan = session.scalars(select(Plan).where(Plan.enrolment_id == enrolment.id)).first()
    if event == "ended":
        if plan is not None:
            plan.active = False
        return
    if event == "return_moved" and (plan is None or not plan.active):
        return
    employee = session.get(Employee, enrolment.employee_id)
    leave = session.get(Leave, enrolment.leave_id)
    assert employee is not None and leave is not None
    if plan is None:
        ensure_default_policy(session, enrolment.tenant_id, clock.now())
        policy = choose(
            policy_inputs(session, enrolment.tenant_id),
            country=employee.country,
            department=employee.department,
        )
        plan = Plan(
            tenant_id=enrolment.tenant_id,
            enrolment_id=enrolment.id,
            employee_id=employee.id,
            manager_id=employee.manager_id,
            policy_name=policy.name,
            budget={
                "reduced_weeks": policy.reduced_weeks,
                "reduced_percent": policy.reduced_percent,
                "ramp_percents": list(policy.ramp_percents),
                "extension_weeks": policy.extension_weeks,
            },
            extension_weeks_taken=0,
            extra_weeks_granted=0,
            version=0,
            active=True,
        )
        session.add(plan)
    rebuild(session, clock, plan, employee, leave.expected_return)
    send_plan(session, clock, plan, employee, first=event == "activated")


def rebuild(session: Session, clock: Clock, plan: Plan, employee: Employee, return_date: date) -> None:
    """The plan's days again from its budget (with the weeks granted and taken) and a return date,
    as a new version the manager has not acknowledged yet."""
    budget = Budget(
        plan.budget["reduced_weeks"],
        plan.budget["reduced_percent"],
        tuple(plan.budget["ramp_percents"]),
        plan.budget["extension_weeks"] + plan.extra_weeks_granted,
    )
    capacity = generate_plan(
        return_date,
        budget,
        working_weekdays=employee.working_weekdays(),
        holidays=holiday_checker(employee.country, employee.subdivision),
        extension_weeks_taken=plan.extension_weeks_taken,
    )
    plan.return_date = return_date
    plan.full_capacity_from = capacity.full_capacity_from
    plan.days = [[day.date.isoformat(), day.percent] for day in capacity.days]
    plan.version = (plan.version or 0) + 1
    plan.generated_at = clock.now()
    plan.acknowledged_version = None
    plan.acknowledged_at = None
    session.flush()


def send_plan(session: Session, clock: Clock, plan: Plan, employee: Employee, *, first: bool) -> None:
    """Tell the employee and their manager about this version of the plan (once per version, by
    its outbox key), or HR when no manager can receive it."""
    view = as_view(plan, employee.name)
    now = clock.now()
    if employee.slack_user_id:
        outbox.enqueue(
            session,
            tenant_id=plan.tenant_id,
            key=f"plan-ready:{plan.tenant_id}:{plan.id}:v{plan.version}",
            now=now,
            recipient=employee.slack_user_id,
            text=messages.employee_plan_text(view, first=first),
        )
    manager = session.get(Employee, plan.manager_id) if plan.manager_id is not None else None
    if manager is None or not manager.reachable:
        _report_missing_manager(session, clock, plan, employee)
        return
    outbox.enqueue(
        session,
        tenant_id=plan.tenant_id,
        key=f"plan-to-manager:{plan.tenant_id}:{plan.id}:v{plan.version}:m{manager.id}",
        now=now,
        recipient=manager.slack_user_id,
        text=messages.manager_plan_text(view, first=first),
        blocks=messages.manager_plan_blocks(view, first=first),
    )


def _report_missing_manager(session: Session, clock: Clock, plan: Plan, employee: Employee) -> None:
    """Nothing is sent into the void: HR hears that a plan has nobody to receive it."""
    admins = session.scalars(
        select(Employee)
        .join(HrAdmin, HrAdmin.employee_id == Employee.id)
        .where(HrAdmin.tenant_id == plan.tenant_id)
    )
    for admin in admins:
        if admin.reachable:
            outbox.enqueue(
                session,
                tenant_id=plan.tenant_id,
                key=f"plan-no-manager:{plan.tenant_id}:{plan.id}:v{plan.version}:a{admin.id}",
                now=clock.now(),
                recipient=admin.slack_user_id,
                text=messages.missing_manager_text(employee.name),
            )
    audit.record(
        session,
        tenant_id=plan.tenant_id,
        at=clock.now(),
        actor="system",
        action="plan.no_manager",
        subject=str(employee.id),
    )


def plan_of(session: Session, tenant_id: str, user_id: str) -> PlanView | None:
    found = own_plan(session, tenant_id, user_id)
    return as_view(found[0], found[1].name) if found else None


def own_plan_id(
    tenant_id: SQLColumnExpression[str], employee_id: SQLColumnExpression[int]
) -> ColumnElement[int | None]:
    """The id of the person's active plan (``own_plan``'s), as a scalar subquery correlated to
    ``employee_id``: the App Home reads it in its first statement. Reached from the person's
    active enrolment (its index), since a plan belongs to one enrolment."""
    return (
        select(Plan.id)
        .join(Enrolment, Enrolment.id == Plan.enrolment_id)
        .where(
            Enrolment.tenant_id == tenant_id,
            Enrolment.employee_id == employee_id,
            Enrolment.status == ACTIVE,
            Plan.tenant_id == tenant_id,
            Plan.employee_id == employee_id,
            Plan.active.is_(True),
        )
        .limit(1)
        .scalar_subquery()
    )


def plan_by_id(session: Session, tenant_id: str, plan_id: int, name: str) -> PlanView | None:
    """The plan ``own_plan_id`` found, as its owner sees it (``name`` is theirs)."""
    plan = session.get(Plan, plan_id)
    return as_view(plan, name) if plan is not None and plan.tenant_id == tenant_id else None


def active_plans(session: Session, tenant_id: str) -> list[tuple[PlanView, str, int]]:
    """Every active plan with its employee's department and working days a week (HR's figures)."""
    rows = session.execute(
        select(Plan, Employee)
        .join(Employee, Employee.id == Plan.employee_id)
        .where(Plan.tenant_id == tenant_id, Plan.active.is_(True))
    )
    return [
        (as_view(plan, employee.name), employee.department, len(employee.working_weekdays()))
        for plan, employee in rows
    ]
