"""More reduced time: the employee adds a week within the plan's allowance (one click, no
reason), or asks HR for more; HR grants or declines. HR sees how long, never why.

Each is once only under concurrency (a double click, two HR admins at once): the write is
conditional and checked again under the row's lock. ``_between_read_and_write`` is the seam
tests use to hold one call between its read and its write while another runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from hr_plugin import audit, outbox
from hr_plugin.clock import Clock
from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.directory import find_by_slack_id
from hr_plugin.models import Employee, HrAdmin
from hr_plugin.reintegration.models import ExtensionRequest, Plan
from hr_plugin.reintegration.plan_view import PlanView
from hr_plugin.reintegration.service._common import PlanError, as_view, own_plan
from hr_plugin.reintegration.service.plans import rebuild, send_plan
from hr_plugin.roles import is_hr_admin

NO_EXTENSION_LEFT = "Your plan has no extension left; you can ask HR for more."


def _nothing() -> None:
    """The default of the test seam below: nothing happens between a check and its write."""


# A test seam: called by each use case here after it has read (the allowance, the open
# request) and before it writes. Tests replace it on this module to hold one call there while
# another runs to the end (``tests/reliability/test_once_only.py``); in the app it does nothing.
_between_read_and_write: Callable[[], None] = _nothing


def extend(factory: SessionFactory, clock: Clock, *, tenant_id: str, user_id: str) -> PlanView:
    """One click, no reason: one more week at the reduced percent, within the allowance."""
    with unit_of_work(factory) as session:
        found = own_plan(session, tenant_id, user_id)
        if found is None:
            raise PlanError("You have no plan to extend.")
        plan, employee = found
        if plan.extension_weeks_taken >= plan.budget["extension_weeks"] + plan.extra_weeks_granted:
            raise PlanError(NO_EXTENSION_LEFT)
        _between_read_and_write()
        if not _take_a_week(session, plan):
            raise PlanError(NO_EXTENSION_LEFT)  # a click at the same moment took the last one
        rebuild(session, clock, plan, employee, plan.return_date)
        audit.record(
            session,
            tenant_id=tenant_id,
            at=clock.now(),
            actor=user_id,
            action="plan.extended",
            subject=str(employee.id),
            details={"weeks_taken": plan.extension_weeks_taken},
        )
        send_plan(session, clock, plan, employee, first=False)
        session.commit()
        return as_view(plan, employee.name)


def request_more(factory: SessionFactory, clock: Clock, *, tenant_id: str, user_id: str, weeks: int) -> None:
    """Ask HR for more reduced time. HR sees the request and its length, never a reason."""
    if not 1 <= weeks <= 8:
        raise PlanError("Ask for 1 to 8 weeks.", "weeks")
    with unit_of_work(factory) as session:
        found = own_plan(session, tenant_id, user_id)
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
            rebuild(session, clock, plan, employee, plan.return_date)
            send_plan(session, clock, plan, employee, first=False)
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


def open_requests(session: Session, tenant_id: str) -> list[tuple[int, str, int]]:
    rows = session.execute(
        select(ExtensionRequest.id, Employee.name, ExtensionRequest.weeks)
        .join(Plan, Plan.id == ExtensionRequest.plan_id)
        .join(Employee, Employee.id == Plan.employee_id)
        .where(ExtensionRequest.tenant_id == tenant_id, ExtensionRequest.status == "open")
        .order_by(ExtensionRequest.created_at)
    )
    return [(request_id, name, weeks) for request_id, name, weeks in rows]


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


def _hr_admins(session: Session, tenant_id: str) -> Sequence[Employee]:
    admins = session.scalars(
        select(Employee)
        .join(HrAdmin, HrAdmin.employee_id == Employee.id)
        .where(HrAdmin.tenant_id == tenant_id)
    )
    return [admin for admin in admins if admin.reachable]
