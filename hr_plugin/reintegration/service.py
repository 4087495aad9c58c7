"""Use cases for reintegration plans: policies, plans, extensions, shared needs, managers.

One function per thing a person does, one transaction each, the clock passed in. What a
manager receives is built only from the plan's dates and percents (the disclosure matrix:
"plan and dates", nothing else).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from hr_plugin import audit, outbox
from hr_plugin.clock import Clock
from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.directory import find_by_slack_id
from hr_plugin.enrolment import ACTIVE, Enrolment
from hr_plugin.models import Employee, ExtensionRequest, HrAdmin, Leave, Plan, Policy, SharedNeed
from hr_plugin.reintegration import messages
from hr_plugin.reintegration.calendar import holiday_checker
from hr_plugin.reintegration.plan import Budget, generate_plan, half_up_mean, week_start
from hr_plugin.reintegration.plan_view import PlanView, WeekLine
from hr_plugin.reintegration.policy import DEFAULT_POLICY, PolicyError, PolicyInput, choose
from hr_plugin.roles import is_hr_admin

MAX_NEED_LENGTH = 1000
NO_EXTENSION_LEFT = "Your plan has no extension left; you can ask HR for more."


def _nothing() -> None:
    """The default of the test seam below: nothing happens between a check and its write."""


# A test seam: called after an HR decision has read the open request and before it writes.
# Tests replace it to hold one decision there while another runs to the end
# (``tests/reliability/test_once_only.py``); in the app it does nothing.
_between_read_and_write: Callable[[], None] = _nothing


class PlanError(ValueError):
    """Why a plan change cannot be made, in words for the person who tried."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# -- policies ----------------------------------------------------------------------------


def policy_inputs(session: Session, tenant_id: str) -> list[PolicyInput]:
    rows = session.scalars(select(Policy).where(Policy.tenant_id == tenant_id).order_by(Policy.name))
    return [_input(row) for row in rows]


def ensure_default_policy(session: Session, tenant_id: str, now: datetime) -> None:
    """A tenant starts with a sensible budget: 2 weeks at 50%, one week at 75%."""
    exists = session.scalar(select(Policy.id).where(Policy.tenant_id == tenant_id).limit(1))
    if exists is None:
        session.add(_row(tenant_id, DEFAULT_POLICY, actor="default", now=now))
        session.flush()


def set_policy(
    factory: SessionFactory, clock: Clock, *, tenant_id: str, policy: PolicyInput, actor: str
) -> bool:
    """Create or replace the policy of that name; True if it is new. Audited with who and when."""
    now = clock.now()
    with unit_of_work(factory) as session:
        ensure_default_policy(session, tenant_id, now)  # HR's first policy adds to the default
        clash = session.scalars(
            select(Policy).where(
                Policy.tenant_id == tenant_id,
                Policy.scope_kind == policy.scope_kind,
                Policy.scope_value == policy.scope_value,
                Policy.name != policy.name,
            )
        ).first()
        if clash is not None:
            raise PolicyError("scope", f"the policy {clash.name!r} already covers {policy.scope_words()}")
        row = session.scalars(
            select(Policy).where(Policy.tenant_id == tenant_id, Policy.name == policy.name)
        ).first()
        created = row is None
        if row is None:
            session.add(_row(tenant_id, policy, actor=actor, now=now))
        else:
            row.scope_kind, row.scope_value = policy.scope_kind, policy.scope_value
            row.reduced_weeks, row.reduced_percent = policy.reduced_weeks, policy.reduced_percent
            row.ramp_percents, row.extension_weeks = list(policy.ramp_percents), policy.extension_weeks
            row.updated_by, row.updated_at = actor, now
        audit.record(
            session,
            tenant_id=tenant_id,
            at=now,
            actor=actor,
            action="policy.created" if created else "policy.changed",
            subject=policy.name,
            details={
                "scope": policy.scope_words(),
                "reduced_weeks": policy.reduced_weeks,
                "reduced_percent": policy.reduced_percent,
                "ramp_percents": list(policy.ramp_percents),
                "extension_weeks": policy.extension_weeks,
            },
        )
        session.commit()
        return created


def set_policy_from_slack(
    factory: SessionFactory, clock: Clock, *, tenant_id: str, actor_user_id: str, policy: PolicyInput
) -> bool:
    with unit_of_work(factory) as session:
        actor = find_by_slack_id(session, tenant_id, actor_user_id)
        if actor is None or not is_hr_admin(session, tenant_id, actor.id):
            raise PolicyError("name", "Only HR admins can change policies.")
    return set_policy(factory, clock, tenant_id=tenant_id, policy=policy, actor=actor_user_id)


def list_policies(factory: SessionFactory, clock: Clock, *, tenant_id: str) -> list[PolicyInput]:
    with unit_of_work(factory) as session:
        ensure_default_policy(session, tenant_id, clock.now())
        session.commit()
        return policy_inputs(session, tenant_id)


# -- plans follow enrolments -------------------------------------------------------------


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
    _rebuild(session, clock, plan, employee, leave.expected_return)
    _send_plan(session, clock, plan, employee, first=event == "activated")


def _rebuild(session: Session, clock: Clock, plan: Plan, employee: Employee, return_date: date) -> None:
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


def _send_plan(session: Session, clock: Clock, plan: Plan, employee: Employee, *, first: bool) -> None:
    view = _view(plan, employee.name)
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


# -- the employee ------------------------------------------------------------------------


def extend(factory: SessionFactory, clock: Clock, *, tenant_id: str, user_id: str) -> PlanView:
    """One click, no reason: one more week at the reduced percent, within the allowance."""
    with unit_of_work(factory) as session:
        found = _own(session, tenant_id, user_id)
        if found is None:
            raise PlanError("You have no plan to extend.")
        plan, employee = found
        if plan.extension_weeks_taken >= plan.budget["extension_weeks"] + plan.extra_weeks_granted:
            raise PlanError(NO_EXTENSION_LEFT)
        _between_read_and_write()
        if not _take_a_week(session, plan):
            raise PlanError(NO_EXTENSION_LEFT)  # a click at the same moment took the last one
        _rebuild(session, clock, plan, employee, plan.return_date)
        audit.record(
            session,
            tenant_id=tenant_id,
            at=clock.now(),
            actor=user_id,
            action="plan.extended",
            subject=str(employee.id),
            details={"weeks_taken": plan.extension_weeks_taken},
        )
        _send_plan(session, clock, plan, employee, first=False)
        session.commit()
        return _view(plan, employee.name)


def request_more(factory: SessionFactory, clock: Clock, *, tenant_id: str, user_id: str, weeks: int) -> None:
    """Ask HR for more reduced time. HR sees the request and its length, never a reason."""
    if not 1 <= weeks <= 8:
        raise PlanError("Ask for 1 to 8 weeks.", "weeks")
    with unit_of_work(factory) as session:
        found = _own(session, tenant_id, user_id)
        if found is None:
            raise PlanError("You have no plan yet.", "weeks")
        plan, employee = found
        if _open_request(session, plan) is not None:
            raise PlanError("You already have a request with HR.", "weeks")
        _between_read_and_write()
        _lock(session, plan)
        if _open_request(session, plan) is not None:  # sent at the same moment, and first
            raise PlanError("You already have a request with HR.", "weeks")
        request = ExtensionRequest(
            tenant_id=tenant_id, plan_id=plan.id, weeks=weeks, status="open", created_at=clock.now()
        )
        session.add(request)
        session.flush()
        audit.record(
            session,
            tenant_id=tenant_id,
            at=clock.now(),
            actor=user_id,
            action="plan.more_requested",
            subject=str(employee.id),
            details={"weeks": weeks},
        )
        for admin in _hr_admins(session, tenant_id):
            outbox.enqueue(
                session,
                tenant_id=tenant_id,
                key=f"extension-request:{tenant_id}:{request.id}:a{admin.id}",
                now=clock.now(),
                recipient=admin.slack_user_id,
                text=(
                    "A returning employee has asked for more reduced time. "
                    "Their request is on the app's Home tab."
                ),
            )
        session.commit()


def decide_request(
    factory: SessionFactory, clock: Clock, *, tenant_id: str, actor_user_id: str, request_id: int, grant: bool
) -> None:
    with unit_of_work(factory) as session:
        actor = find_by_slack_id(session, tenant_id, actor_user_id)
        if actor is None or not is_hr_admin(session, tenant_id, actor.id):
            raise PlanError("Only HR admins can decide requests.")
        request = session.get(ExtensionRequest, request_id)
        if request is None or request.tenant_id != tenant_id or request.status != "open":
            raise PlanError("That request has already been decided.")
        plan = session.get(Plan, request.plan_id)
        employee = session.get(Employee, plan.employee_id) if plan else None
        assert plan is not None and employee is not None
        _between_read_and_write()
        if not _decide(session, request.id, "granted" if grant else "declined", clock.now(), actor_user_id):
            raise PlanError("That request has already been decided.")  # another admin, just now
        if grant and plan.active:
            # Added in SQL, not read-modify-write: an extension clicked meanwhile is kept.
            plan.extra_weeks_granted = Plan.extra_weeks_granted + request.weeks
            plan.extension_weeks_taken = Plan.extension_weeks_taken + request.weeks
            session.flush()
            _rebuild(session, clock, plan, employee, plan.return_date)
            _send_plan(session, clock, plan, employee, first=False)
        elif employee.slack_user_id:
            outbox.enqueue(
                session,
                tenant_id=tenant_id,
                key=f"extension-declined:{tenant_id}:{request.id}",
                now=clock.now(),
                recipient=employee.slack_user_id,
                text=(
                    "HR could not add the extra weeks you asked for. "
                    "You can talk to them directly at any time."
                ),
            )
        audit.record(
            session,
            tenant_id=tenant_id,
            at=clock.now(),
            actor=actor_user_id,
            action="plan.request_granted" if grant else "plan.request_declined",
            subject=str(employee.id),
            details={"weeks": request.weeks},
        )
        session.commit()


def _take_a_week(session: Session, plan: Plan) -> bool:
    """One more week of the allowance, if one is left when the row is written; True if taken.

    An increment in SQL with the allowance in its WHERE, checked again under the row's write
    lock: two clicks at once extend twice if two weeks are left (as two clicks one after the
    other would), once if one is, and never record a week the plan does not show.
    """
    taken = session.execute(
        update(Plan)
        .where(
            Plan.id == plan.id,
            Plan.extension_weeks_taken < Plan.extra_weeks_granted + int(plan.budget["extension_weeks"]),
        )
        .values(extension_weeks_taken=Plan.extension_weeks_taken + 1)
        .execution_options(synchronize_session=False)
    )
    session.refresh(plan)
    return cast(CursorResult[Any], taken).rowcount == 1


def _open_request(session: Session, plan: Plan) -> int | None:
    return session.scalar(
        select(ExtensionRequest.id).where(
            ExtensionRequest.plan_id == plan.id, ExtensionRequest.status == "open"
        )
    )


def _lock(session: Session, plan: Plan) -> None:
    """Hold the plan's row until commit (an UPDATE that changes nothing: PostgreSQL locks the
    row, SQLite takes its one write lock), so a second request for the same plan waits here
    and then sees the first one's row."""
    session.execute(
        update(Plan).where(Plan.id == plan.id).values(id=Plan.id).execution_options(synchronize_session=False)
    )


def _decide(session: Session, request_id: int, status: str, now: datetime, actor_user_id: str) -> bool:
    """Close the request if it is still open; True for the one decision that did.

    Two HR admins (or one double click) deciding at once: the conditional UPDATE is checked
    again under the row's write lock, so only one grant adds weeks, messages and is recorded.
    """
    decided = session.execute(
        update(ExtensionRequest)
        .where(ExtensionRequest.id == request_id, ExtensionRequest.status == "open")
        .values(status=status, decided_at=now, decided_by=actor_user_id)
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult[Any], decided).rowcount == 1


def check_need(text: str) -> str:
    """The words of a need as they will be sent, or why they cannot be."""
    words = text.strip()
    if not words:
        raise PlanError("Write what you need, or pick a template.", "detail")
    if len(words) > MAX_NEED_LENGTH:
        raise PlanError(f"Keep it under {MAX_NEED_LENGTH} characters.", "detail")
    return words


def share_need(factory: SessionFactory, clock: Clock, *, tenant_id: str, user_id: str, text: str) -> None:
    """Send the manager exactly the words the employee previewed: the need, not the story."""
    words = check_need(text)
    with unit_of_work(factory) as session:
        employee = find_by_slack_id(session, tenant_id, user_id)
        if employee is None:
            raise PlanError("You are not in the directory.", "detail")
        share_need_in(session, clock, employee, words)
        session.commit()


def share_need_in(session: Session, clock: Clock, employee: Employee, words: str) -> None:
    """``share_need`` in the caller's transaction (a previewed draft is spent in the same one).

    The message is built from the employee's name as it is now, so a rename between the
    preview and the send changes the name, never the words."""
    tenant_id = employee.tenant_id
    user_id = employee.slack_user_id or str(employee.id)
    manager = session.get(Employee, employee.manager_id) if employee.manager_id else None
    if manager is None or not manager.reachable:
        raise PlanError("You have no manager in the directory to send this to; HR can fix that.", "detail")
    need = SharedNeed(
        tenant_id=tenant_id,
        employee_id=employee.id,
        manager_id=manager.id,
        text=words,
        sent_at=clock.now(),
    )
    session.add(need)
    session.flush()
    outbox.enqueue(
        session,
        tenant_id=tenant_id,
        key=f"shared-need:{tenant_id}:{need.id}",
        now=clock.now(),
        recipient=manager.slack_user_id,
        text=messages.need_text(employee.name, words),
    )
    audit.record(
        session,
        tenant_id=tenant_id,
        at=clock.now(),
        actor=user_id,
        action="plan.need_shared",
        subject=str(employee.id),
    )


# -- the manager -------------------------------------------------------------------------


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


def plans_for_manager(session: Session, tenant_id: str, manager_id: int) -> list[PlanView]:
    rows = session.execute(
        select(Plan, Employee.name)
        .join(Employee, Employee.id == Plan.employee_id)
        .where(Plan.tenant_id == tenant_id, Plan.manager_id == manager_id, Plan.active.is_(True))
        .order_by(Plan.return_date)
    )
    return [_view(plan, name) for plan, name in rows]


def active_plans(session: Session, tenant_id: str) -> list[tuple[PlanView, str, int]]:
    """Every active plan with its employee's department and working days a week (HR's figures)."""
    rows = session.execute(
        select(Plan, Employee)
        .join(Employee, Employee.id == Plan.employee_id)
        .where(Plan.tenant_id == tenant_id, Plan.active.is_(True))
    )
    return [
        (_view(plan, employee.name), employee.department, len(employee.working_weekdays()))
        for plan, employee in rows
    ]


def plan_of(session: Session, tenant_id: str, user_id: str) -> PlanView | None:
    found = _own(session, tenant_id, user_id)
    return _view(found[0], found[1].name) if found else None


def open_requests(session: Session, tenant_id: str) -> list[tuple[int, str, int]]:
    rows = session.execute(
        select(ExtensionRequest.id, Employee.name, ExtensionRequest.weeks)
        .join(Plan, Plan.id == ExtensionRequest.plan_id)
        .join(Employee, Employee.id == Plan.employee_id)
        .where(ExtensionRequest.tenant_id == tenant_id, ExtensionRequest.status == "open")
        .order_by(ExtensionRequest.created_at)
    )
    return [(request_id, name, weeks) for request_id, name, weeks in rows]


# -- ticks -------------------------------------------------------------------------------


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
            _send_plan(session, clock, plan, employee, first=True)
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
    for week in _weeks(plan):
        if week.percent != previous:
            changes.append((week.first_day, week.percent))
        previous = week.percent
    if previous is not None and previous != 100:
        changes.append((plan.full_capacity_from, 100))
    return changes


@dataclass(frozen=True)
class _Week:
    week_start: date
    first_day: date
    percent: int
    days: int


def _weeks(plan: Plan) -> list[_Week]:
    grouped: dict[date, list[tuple[date, int]]] = {}
    for iso, percent in plan.days:
        day = date.fromisoformat(iso)
        grouped.setdefault(week_start(day), []).append((day, int(percent)))
    return [
        _Week(start, days[0][0], half_up_mean([percent for _, percent in days]), len(days))
        for start, days in sorted(grouped.items())
    ]


def _view(plan: Plan, name: str) -> PlanView:
    return PlanView(
        plan_id=plan.id,
        employee_name=name,
        return_date=plan.return_date,
        full_capacity_from=plan.full_capacity_from,
        weeks=tuple(WeekLine(week.week_start, week.percent, week.days) for week in _weeks(plan)),
        extension_weeks_taken=plan.extension_weeks_taken,
        extension_allowed=plan.budget["extension_weeks"] + plan.extra_weeks_granted,
        acknowledged=plan.acknowledged_version == plan.version,
        policy_name=plan.policy_name,
    )


def _own(session: Session, tenant_id: str, user_id: str) -> tuple[Plan, Employee] | None:
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


def _hr_admins(session: Session, tenant_id: str) -> Sequence[Employee]:
    admins = session.scalars(
        select(Employee)
        .join(HrAdmin, HrAdmin.employee_id == Employee.id)
        .where(HrAdmin.tenant_id == tenant_id)
    )
    return [admin for admin in admins if admin.reachable]


def _input(row: Policy) -> PolicyInput:
    return PolicyInput(
        row.name,
        row.scope_kind,
        row.scope_value,
        row.reduced_weeks,
        row.reduced_percent,
        tuple(row.ramp_percents),
        row.extension_weeks,
    )


def _row(tenant_id: str, policy: PolicyInput, *, actor: str, now: datetime) -> Policy:
    return Policy(
        tenant_id=tenant_id,
        name=policy.name,
        scope_kind=policy.scope_kind,
        scope_value=policy.scope_value,
        reduced_weeks=policy.reduced_weeks,
        reduced_percent=policy.reduced_percent,
        ramp_percents=list(policy.ramp_percents),
        extension_weeks=policy.extension_weeks,
        updated_by=actor,
        updated_at=now,
    )
