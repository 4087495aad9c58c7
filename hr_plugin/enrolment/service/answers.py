"""The answers that start (or refuse) an enrolment: the employee accepts or declines HR's
invitation, or asks to join themselves and HR confirms.

Why apart: each is a once-only answer to something waiting (an invitation, a request), taken
with a conditional write so two clicks at once record one; and an enrolment that becomes active
here is when the features (a plan, a mentor, a huddle) hear of it, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, cast

from sqlalchemy import CursorResult, update
from sqlalchemy.orm import Session

from hr_plugin import audit, outbox
from hr_plugin.clock import Clock
from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.enrolment.messages import CONFIRMED_TEXT, TO_CONFIRM_TEXT
from hr_plugin.enrolment.models import ACTIVE, AWAITING_HR, DECLINED, PROPOSED, Enrolment
from hr_plugin.enrolment.service._common import (
    EnrolmentError,
    active_employee,
    between_read_and_write,
    create,
    enrolment_by_id,
    hr_admin_user_ids,
    own_open_enrolment,
    record_end,
    require_hr,
    withdraw_invitation,
)
from hr_plugin.enrolment.service.reading import EnrolmentView, check_dates, open_enrolment, view_of
from hr_plugin.models import Employee
from hr_plugin.services import EnrolmentHook


def accept(
    factory: SessionFactory,
    clock: Clock,
    hooks: Sequence[EnrolmentHook],
    *,
    tenant_id: str,
    user_id: str,
    contact_during_leave: bool,
    leave_out_family: bool,
) -> EnrolmentView:
    with unit_of_work(factory) as session:
        enrolment = own_open_enrolment(session, tenant_id, user_id)
        if enrolment is None or enrolment.status != PROPOSED:
            raise EnrolmentError("There is no invitation waiting for you.")
        between_read_and_write()
        if not _answer_invitation(session, enrolment, ACTIVE):
            raise EnrolmentError("There is no invitation waiting for you.")  # answered just now
        enrolment.contact_during_leave = contact_during_leave
        enrolment.leave_out_family = leave_out_family
        _activate(session, clock, hooks, enrolment, actor=user_id, action="enrolment.accepted")
        result = view_of(session, enrolment)
        session.commit()
        return result


def decline(factory: SessionFactory, clock: Clock, *, tenant_id: str, user_id: str) -> None:
    """No reason is asked and none is recorded."""
    with unit_of_work(factory) as session:
        enrolment = own_open_enrolment(session, tenant_id, user_id)
        if enrolment is None or enrolment.status != PROPOSED:
            raise EnrolmentError("There is no invitation waiting for you.")
        between_read_and_write()
        if not _answer_invitation(session, enrolment, DECLINED):
            raise EnrolmentError("There is no invitation waiting for you.")  # answered just now
        record_end(
            session, clock, [], enrolment, was_active=False, actor=user_id, action="enrolment.declined"
        )
        session.commit()


def self_enrol(
    factory: SessionFactory,
    clock: Clock,
    *,
    tenant_id: str,
    user_id: str,
    leave_start: date | None,
    expected_return: date | None,
    contact_during_leave: bool,
    leave_out_family: bool,
) -> EnrolmentView:
    """The employee asks to join; HR confirms (HR admins get a short note to look)."""
    start, back = check_dates(leave_start, expected_return)
    with unit_of_work(factory) as session:
        employee = active_employee(session, tenant_id, user_id)
        taken = EnrolmentError("You are already enrolled or waiting for HR.", "leave_start")
        if open_enrolment(session, tenant_id, employee.id) is not None:
            raise taken
        between_read_and_write()
        now = clock.now()
        enrolment = create(
            session,
            now,
            tenant_id,
            employee,
            start,
            back,
            status=AWAITING_HR,
            origin="self",
            actor=user_id,
            contact_during_leave=contact_during_leave,
            leave_out_family=leave_out_family,
        )
        if enrolment is None:
            raise taken  # a click just before, or HR proposing at the same moment
        for admin_user_id in hr_admin_user_ids(session, tenant_id):
            outbox.enqueue(
                session,
                tenant_id=tenant_id,
                key=f"enrolment-to-confirm:{tenant_id}:{enrolment.id}:{admin_user_id}",
                now=now,
                recipient=admin_user_id,
                text=TO_CONFIRM_TEXT,
            )
        result = view_of(session, enrolment)
        session.commit()
        return result


def confirm(
    factory: SessionFactory,
    clock: Clock,
    hooks: Sequence[EnrolmentHook],
    *,
    tenant_id: str,
    actor_user_id: str,
    enrolment_id: int,
) -> EnrolmentView:
    with unit_of_work(factory) as session:
        require_hr(session, tenant_id, actor_user_id)
        enrolment = enrolment_by_id(session, tenant_id, enrolment_id)
        if enrolment.status != AWAITING_HR:
            raise EnrolmentError("That enrolment is not waiting for confirmation.")
        between_read_and_write()
        if not _answer_invitation(session, enrolment, ACTIVE, waiting=AWAITING_HR):
            raise EnrolmentError("That enrolment is not waiting for confirmation.")  # another admin
        _activate(session, clock, hooks, enrolment, actor=actor_user_id, action="enrolment.confirmed")
        employee = session.get(Employee, enrolment.employee_id)
        if employee is not None and employee.slack_user_id:
            outbox.enqueue(
                session,
                tenant_id=tenant_id,
                key=f"enrolment-confirmed:{tenant_id}:{enrolment.id}",
                now=clock.now(),
                recipient=employee.slack_user_id,
                text=CONFIRMED_TEXT,
            )
        result = view_of(session, enrolment)
        session.commit()
        return result


def _answer_invitation(
    session: Session, enrolment: Enrolment, status: str, *, waiting: str = PROPOSED
) -> bool:
    """Take the enrolment out of ``waiting`` (the employee's invitation, or HR's confirmation)
    if it still is; True for the one call that did.

    A conditional UPDATE, checked again under the row's write lock: of an accept and a decline
    (or two accepts) sent at once, one takes effect and the other is told, as a later click
    is, that no invitation is waiting. The caller then records the answer as before.
    """
    answered = session.execute(
        update(Enrolment)
        .where(Enrolment.id == enrolment.id, Enrolment.status == waiting)
        .values(status=status)
        .execution_options(synchronize_session=False)
    )
    session.refresh(enrolment)
    return cast(CursorResult[Any], answered).rowcount == 1


def _activate(
    session: Session,
    clock: Clock,
    hooks: Sequence[EnrolmentHook],
    enrolment: Enrolment,
    *,
    actor: str,
    action: str,
) -> None:
    withdraw_invitation(session, enrolment)
    enrolment.status = ACTIVE
    enrolment.decided_at = clock.now()
    audit.record(
        session,
        tenant_id=enrolment.tenant_id,
        at=clock.now(),
        actor=actor,
        action=action,
        subject=str(enrolment.employee_id),
    )
    session.flush()
    for hook in hooks:
        hook(session, clock, enrolment, "activated")
