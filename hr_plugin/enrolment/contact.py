"""When a message may reach a person: after their leave unless they agreed, inside working hours.

The outbox asks this before every send it was not asked for. Messages a person triggered
themselves, or reminders of a time they chose, skip these holds (the caller marks them).

It lives with enrolment because the consent it reads (``contact_during_leave``) is the
employee's answer to their invitation; the outbox, in the core, asks it.
"""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hr_plugin.enrolment.models import OPEN_STATUSES, Enrolment
from hr_plugin.models import Employee, Leave
from hr_plugin.quiet_hours import next_working_moment, parse_clock


def contact_hold_until(
    session: Session, tenant_id: str, employee: Employee, now: datetime
) -> datetime | None:
    """Until when nothing unasked may reach this person: the morning of their return, if they
    are on leave and did not agree to be contacted; None when they may be contacted."""
    row = session.execute(
        select(Enrolment.contact_during_leave, Leave.leave_start, Leave.expected_return)
        .join(Leave, Leave.id == Enrolment.leave_id)
        .where(
            Enrolment.tenant_id == tenant_id,
            Enrolment.employee_id == employee.id,
            Enrolment.status.in_(OPEN_STATUSES),
        )
        .order_by(Enrolment.id.desc())
    ).first()
    if row is None or row.contact_during_leave is True:
        return None
    zone = ZoneInfo(employee.timezone)
    today = now.astimezone(zone).date()
    if not row.leave_start <= today < row.expected_return:
        return None
    return datetime.combine(row.expected_return, time(0, 0), tzinfo=zone)


def unsolicited_hold_until(
    session: Session, tenant_id: str, employee: Employee, now: datetime
) -> datetime | None:
    """The first moment a message this person did not ask for may reach them, if not now."""
    after_leave = contact_hold_until(session, tenant_id, employee, now)
    start = max(now, after_leave) if after_leave else now
    opens = next_working_moment(
        start,
        employee.timezone,
        employee.working_weekdays(),
        parse_clock(employee.work_start),
        parse_clock(employee.work_end),
    )
    return opens if opens > now else None
