"""Parental leaves as HR records them: the dates a return is planned around."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from hr_plugin import audit
from hr_plugin.clock import Clock
from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.directory import find_by_email
from hr_plugin.models import Leave


class LeaveError(ValueError):
    pass


def record_leave(
    factory: SessionFactory,
    clock: Clock,
    *,
    tenant_id: str,
    email: str,
    leave_start: date,
    expected_return: date,
    actor: str,
) -> int:
    if expected_return <= leave_start:
        raise LeaveError("the expected return must come after the start of the leave")
    with unit_of_work(factory) as session:
        person = find_by_email(session, tenant_id, email)
        if person is None:
            raise LeaveError(f"{email} is not in the directory")
        now = clock.now()
        leave = Leave(
            tenant_id=tenant_id,
            employee_id=person.id,
            leave_start=leave_start,
            expected_return=expected_return,
            created_at=now,
        )
        session.add(leave)
        session.flush()
        audit.record(
            session,
            tenant_id=tenant_id,
            at=now,
            actor=actor,
            action="leaves.recorded",
            subject=str(person.id),
        )
        session.commit()
        return leave.id


def current_leave(session: Session, tenant_id: str, employee_id: int) -> Leave | None:
    return session.scalars(
        select(Leave)
        .where(Leave.tenant_id == tenant_id, Leave.employee_id == employee_id)
        .order_by(Leave.leave_start.desc())
    ).first()
