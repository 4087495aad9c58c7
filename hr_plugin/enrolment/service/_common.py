"""What the enrolment use cases share: their error, the test seam between a check and its write,
finding the acting person and the enrolment they act on, and the writes every start and end of
an enrolment makes (the rows, the audit entry, the invitation taken back, the features told).

Why one module: an enrolment starts (HR proposes, the employee asks) and ends (declined,
withdrawn, left) through several use cases in different modules, and each must record it the
same way.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hr_plugin import audit, outbox
from hr_plugin.clock import Clock
from hr_plugin.directory import find_by_slack_id
from hr_plugin.enrolment.models import OPEN_STATUSES, Enrolment
from hr_plugin.models import Employee, HrAdmin, Leave
from hr_plugin.roles import is_hr_admin
from hr_plugin.services import EnrolmentHook

# The package whose ``_between_read_and_write`` the use cases call (``hr_plugin.enrolment.service``).
_PACKAGE = __name__.rpartition(".")[0]


class EnrolmentError(ValueError):
    """Why an enrolment change cannot be made; ``field`` names the modal input it belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def nothing() -> None:
    """The default of the test seam: nothing happens between a check and its write."""


def between_read_and_write() -> None:
    """Call the test seam, ``hr_plugin.enrolment.service._between_read_and_write``.

    A once-only change (an answer to an invitation, HR's confirmation, a new enrolment, its end,
    a moved return) calls it after it has read what it checks, before it writes. Tests replace
    it on the package to hold one click there while another runs
    (``tests/reliability/test_once_only.py``); it is looked up there at each call, so replacing
    it reaches the use cases of every module of the package.
    """
    getattr(sys.modules[_PACKAGE], "_between_read_and_write", nothing)()


# -- who acts, on what -------------------------------------------------------------------


def own_open_enrolment(session: Session, tenant_id: str, user_id: str) -> Enrolment | None:
    """The acting person's open enrolment, if any, found with their directory entry in one
    query (these run while Slack waits for an answer); refused if they are not in the directory."""
    found = session.execute(
        select(Employee, Enrolment)
        .outerjoin(
            Enrolment,
            (Enrolment.employee_id == Employee.id)
            & (Enrolment.tenant_id == tenant_id)
            & Enrolment.status.in_(OPEN_STATUSES),
        )
        .where(Employee.tenant_id == tenant_id, Employee.slack_user_id == user_id)
        .order_by(Enrolment.id.desc())
        .limit(1)
    ).first()
    if found is None or not found[0].active:
        raise EnrolmentError("You are not in the HR directory yet; ask HR to add you.")
    return found[1]


def active_employee(session: Session, tenant_id: str, user_id: str) -> Employee:
    employee = find_by_slack_id(session, tenant_id, user_id)
    if employee is None or not employee.active:
        raise EnrolmentError("You are not in the HR directory yet; ask HR to add you.")
    return employee


def enrolment_by_id(session: Session, tenant_id: str, enrolment_id: int) -> Enrolment:
    enrolment = session.get(Enrolment, enrolment_id)
    if enrolment is None or enrolment.tenant_id != tenant_id:
        raise EnrolmentError("That enrolment does not exist.")
    return enrolment


def require_hr(session: Session, tenant_id: str, user_id: str) -> Employee:
    actor = find_by_slack_id(session, tenant_id, user_id)
    if actor is None or not is_hr_admin(session, tenant_id, actor.id):
        raise EnrolmentError("Only HR admins can do this.", "employee")
    return actor


def hr_admin_user_ids(session: Session, tenant_id: str) -> list[str]:
    rows = session.scalars(
        select(Employee.slack_user_id)
        .join(HrAdmin, HrAdmin.employee_id == Employee.id)
        .where(HrAdmin.tenant_id == tenant_id, Employee.active.is_(True), Employee.slack_user_id.is_not(None))
    )
    return [user_id for user_id in rows if user_id]


# -- an enrolment starts and ends --------------------------------------------------------


def create(
    session: Session,
    now: datetime,
    tenant_id: str,
    employee: Employee,
    leave_start: date,
    expected_return: date,
    *,
    status: str,
    origin: str,
    actor: str,
    contact_during_leave: bool | None,
    leave_out_family: bool,
) -> Enrolment | None:
    """The leave and the enrolment that refers to it, audited as proposed or self-enrolled;
    None, with nothing written, if the person has an open enrolment after all.

    The caller has checked that none is open, but a request sent at the same moment may have
    made one since: the partial unique index ``uq_enrolments_one_open`` refuses the second,
    and the savepoint takes back this leave and enrolment without ending the transaction.
    """
    try:
        with session.begin_nested():
            leave = Leave(
                tenant_id=tenant_id,
                employee_id=employee.id,
                leave_start=leave_start,
                expected_return=expected_return,
                created_at=now,
            )
            session.add(leave)
            session.flush()
            enrolment = Enrolment(
                tenant_id=tenant_id,
                employee_id=employee.id,
                leave_id=leave.id,
                status=status,
                origin=origin,
                proposed_by=actor,
                contact_during_leave=contact_during_leave,
                leave_out_family=leave_out_family,
                created_at=now,
            )
            session.add(enrolment)
            session.flush()
    except IntegrityError:
        return None
    action = "enrolment.proposed" if origin == "hr" else "enrolment.self_enrolled"
    audit.record(session, tenant_id=tenant_id, at=now, actor=actor, action=action, subject=str(employee.id))
    return enrolment


def record_end(
    session: Session,
    clock: Clock,
    hooks: Sequence[EnrolmentHook],
    enrolment: Enrolment,
    *,
    was_active: bool,
    actor: str,
    action: str,
) -> None:
    """Record an end already written (an invitation answered, or an enrolment closed);
    features hear "ended" only if the enrolment had been active."""
    withdraw_invitation(session, enrolment)
    enrolment.ended_at = clock.now()
    audit.record(
        session,
        tenant_id=enrolment.tenant_id,
        at=clock.now(),
        actor=actor,
        action=action,
        subject=str(enrolment.employee_id),
    )
    session.flush()
    if was_active:
        for hook in hooks:
            hook(session, clock, enrolment, "ended")


def withdraw_invitation(session: Session, enrolment: Enrolment) -> None:
    """An invitation still waiting (held during leave) is stale once the answer is in."""
    outbox.cancel(
        session,
        tenant_id=enrolment.tenant_id,
        key=f"enrolment-invite:{enrolment.tenant_id}:{enrolment.id}",
        reason="answered before delivery",
    )
