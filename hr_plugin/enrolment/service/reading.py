"""An enrolment as the employee and HR may see it, found for a person, and the dates every
proposal, request and change is checked against.

Why apart: the App Home, the vault and every use case read enrolments this way, and none of it
writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.directory import find_by_slack_id
from hr_plugin.enrolment.models import OPEN_STATUSES, Enrolment
from hr_plugin.enrolment.service._common import EnrolmentError
from hr_plugin.models import Leave


@dataclass(frozen=True)
class EnrolmentView:
    """An enrolment as the employee and HR may see it (never anything private)."""

    id: int
    status: str
    origin: str
    leave_start: date
    expected_return: date
    contact_during_leave: bool | None
    leave_out_family: bool


def open_enrolment(session: Session, tenant_id: str, employee_id: int) -> Enrolment | None:
    return session.scalars(
        select(Enrolment)
        .where(
            Enrolment.tenant_id == tenant_id,
            Enrolment.employee_id == employee_id,
            Enrolment.status.in_(OPEN_STATUSES),
        )
        .order_by(Enrolment.id.desc())
    ).first()


def view_of(session: Session, enrolment: Enrolment) -> EnrolmentView:
    leave = session.get(Leave, enrolment.leave_id)
    assert leave is not None
    return EnrolmentView(
        enrolment.id,
        enrolment.status,
        enrolment.origin,
        leave.leave_start,
        leave.expected_return,
        enrolment.contact_during_leave,
        enrolment.leave_out_family,
    )


def own_enrolment(factory: SessionFactory, *, tenant_id: str, user_id: str) -> EnrolmentView | None:
    with unit_of_work(factory) as session:
        employee = find_by_slack_id(session, tenant_id, user_id)
        enrolment = open_enrolment(session, tenant_id, employee.id) if employee is not None else None
        return view_of(session, enrolment) if enrolment is not None else None


def check_dates(leave_start: date | None, expected_return: date | None) -> tuple[date, date]:
    if leave_start is None:
        raise EnrolmentError("Pick the first day of the leave.", "leave_start")
    if expected_return is None:
        raise EnrolmentError("Pick the expected return date.", "expected_return")
    if expected_return <= leave_start:
        raise EnrolmentError("The return must come after the start of the leave.", "expected_return")
    if expected_return - leave_start > timedelta(days=3 * 366):
        raise EnrolmentError("A leave of more than three years looks like a typing slip.", "expected_return")
    return leave_start, expected_return
