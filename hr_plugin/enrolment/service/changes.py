"""Changes to an enrolment under way: the return date moves, the employee changes their choices,
leaves at any time, or HR withdraws someone who does not return.

Why apart: these act on an enrolment already open, by its employee or by HR, and the features
follow them (plans are rebuilt on a new date, everything stops when it ends).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, cast

from sqlalchemy import CursorResult, update
from sqlalchemy.orm import Session

from hr_plugin import audit
from hr_plugin.clock import Clock
from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.enrolment.models import ACTIVE, LEFT, OPEN_STATUSES, WITHDRAWN, Enrolment
from hr_plugin.enrolment.service._common import (
    EnrolmentError,
    active_employee,
    between_read_and_write,
    enrolment_by_id,
    own_open_enrolment,
    record_end,
    require_hr,
)
from hr_plugin.enrolment.service.reading import EnrolmentView, check_dates, open_enrolment, view_of
from hr_plugin.models import Leave
from hr_plugin.roles import is_hr_admin
from hr_plugin.services import EnrolmentHook


def move_return_date(
    factory: SessionFactory,
    clock: Clock,
    hooks: Sequence[EnrolmentHook],
    *,
    tenant_id: str,
    actor_user_id: str,
    new_return: date | None,
    enrolment_id: int | None = None,
) -> EnrolmentView:
    """The employee (their own) or HR (anyone's) moves the expected return; plans follow."""
    with unit_of_work(factory) as session:
        enrolment = _enrolment_for_actor(session, tenant_id, actor_user_id, enrolment_id)
        leave = session.get(Leave, enrolment.leave_id)
        assert leave is not None
        _, back = check_dates(leave.leave_start, new_return)
        already = EnrolmentError("That is already the expected return date.", "expected_return")
        if back == leave.expected_return:
            raise already
        between_read_and_write()
        if not _move_return(session, leave, back):
            raise already  # the same date, set just now by another click
        audit.record(
            session,
            tenant_id=tenant_id,
            at=clock.now(),
            actor=actor_user_id,
            action="enrolment.return_moved",
            subject=str(enrolment.employee_id),
        )
        for hook in hooks:
            hook(session, clock, enrolment, "return_moved")
        result = view_of(session, enrolment)
        session.commit()
        return result


def withdraw(
    factory: SessionFactory,
    clock: Clock,
    hooks: Sequence[EnrolmentHook],
    *,
    tenant_id: str,
    actor_user_id: str,
    enrolment_id: int,
) -> None:
    """HR withdraws someone who does not return: quietly, nobody is messaged."""
    with unit_of_work(factory) as session:
        require_hr(session, tenant_id, actor_user_id)
        enrolment = enrolment_by_id(session, tenant_id, enrolment_id)
        ended = EnrolmentError("That enrolment has already ended.")
        if enrolment.status not in OPEN_STATUSES:
            raise ended
        between_read_and_write()
        was_active = _close(session, enrolment, WITHDRAWN)
        if was_active is None:
            raise ended  # another admin, or the employee leaving, just now
        record_end(
            session,
            clock,
            hooks,
            enrolment,
            was_active=was_active,
            actor=actor_user_id,
            action="enrolment.withdrawn",
        )
        session.commit()


def leave_program(
    factory: SessionFactory, clock: Clock, hooks: Sequence[EnrolmentHook], *, tenant_id: str, user_id: str
) -> None:
    """Anyone can leave at any time, without saying why."""
    with unit_of_work(factory) as session:
        enrolment = own_open_enrolment(session, tenant_id, user_id)
        if enrolment is None:
            raise EnrolmentError("You are not enrolled.")
        between_read_and_write()
        was_active = _close(session, enrolment, LEFT)
        if was_active is None:
            raise EnrolmentError("You are not enrolled.")  # a click just before, or HR withdrew it
        record_end(
            session, clock, hooks, enrolment, was_active=was_active, actor=user_id, action="enrolment.left"
        )
        session.commit()


def set_preferences(
    factory: SessionFactory,
    clock: Clock,
    *,
    tenant_id: str,
    user_id: str,
    contact_during_leave: bool | None = None,
    leave_out_family: bool | None = None,
) -> EnrolmentView:
    with unit_of_work(factory) as session:
        enrolment = own_open_enrolment(session, tenant_id, user_id)
        if enrolment is None:
            raise EnrolmentError("You are not enrolled.")
        if contact_during_leave is not None:
            enrolment.contact_during_leave = contact_during_leave
        if leave_out_family is not None:
            enrolment.leave_out_family = leave_out_family
        audit.record(
            session,
            tenant_id=tenant_id,
            at=clock.now(),
            actor=user_id,
            action="enrolment.preferences_changed",
            subject=str(enrolment.employee_id),
        )
        result = view_of(session, enrolment)
        session.commit()
        return result


def _close(session: Session, enrolment: Enrolment, status: str) -> bool | None:
    """End the enrolment (``status``: withdrawn or left) if it is still open; whether it was
    active then (its features hear "ended"), or None if another request ended it first.

    A conditional UPDATE on the status this request read, checked again under the row's write
    lock, so two ends sent at once record one; if the enrolment moved on between the read and
    the write (an invitation accepted meanwhile), the new status is read and tried again.
    """
    for _ in range(len(OPEN_STATUSES)):
        seen = enrolment.status
        if seen not in OPEN_STATUSES:
            return None
        closed = session.execute(
            update(Enrolment)
            .where(Enrolment.id == enrolment.id, Enrolment.status == seen)
            .values(status=status)
            .execution_options(synchronize_session=False)
        )
        session.refresh(enrolment)
        if cast(CursorResult[Any], closed).rowcount == 1:
            return seen == ACTIVE
    return None


def _move_return(session: Session, leave: Leave, back: date) -> bool:
    """Set the expected return to ``back`` unless it already is; True for the one call that did.
    A conditional UPDATE, so a double click on the same date is recorded (and heard by the
    plans) once; different dates sent at once are each a real change, and the later stays."""
    moved = session.execute(
        update(Leave)
        .where(Leave.id == leave.id, Leave.expected_return != back)
        .values(expected_return=back)
        .execution_options(synchronize_session=False)
    )
    session.refresh(leave)
    return cast(CursorResult[Any], moved).rowcount == 1


def _enrolment_for_actor(
    session: Session, tenant_id: str, actor_user_id: str, enrolment_id: int | None
) -> Enrolment:
    actor = active_employee(session, tenant_id, actor_user_id)
    if enrolment_id is None:
        enrolment = open_enrolment(session, tenant_id, actor.id)
        if enrolment is None:
            raise EnrolmentError("You are not enrolled.", "expected_return")
        return enrolment
    enrolment = enrolment_by_id(session, tenant_id, enrolment_id)
    if enrolment.employee_id != actor.id and not is_hr_admin(session, tenant_id, actor.id):
        raise EnrolmentError("Only the employee or HR can change this.", "expected_return")
    if enrolment.status not in OPEN_STATUSES:
        raise EnrolmentError("That enrolment has ended.", "expected_return")
    return enrolment
