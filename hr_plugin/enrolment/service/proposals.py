"""HR proposes an enrolment, from the App Home for one person or from a CSV file for many; the
employee is invited and decides in their own time.

Why apart: this is where an enrolment starts on HR's side, and the only path that sends the
invitation.
"""

from __future__ import annotations

import csv
import io
from datetime import date

from sqlalchemy.orm import Session

from hr_plugin import outbox
from hr_plugin.clock import Clock
from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.directory import find_by_email, find_by_slack_id
from hr_plugin.enrolment.messages import invitation_blocks, invitation_text
from hr_plugin.enrolment.models import PROPOSED, Enrolment
from hr_plugin.enrolment.service._common import (
    EnrolmentError,
    between_read_and_write,
    create,
    require_hr,
)
from hr_plugin.enrolment.service.reading import EnrolmentView, check_dates, open_enrolment, view_of
from hr_plugin.models import Employee


class EnrolmentImportError(ValueError):
    def __init__(self, problems: list[tuple[int, str]]) -> None:
        self.problems = problems
        super().__init__("\n".join(f"line {line}: {message}" for line, message in problems))


def propose(
    session: Session,
    clock: Clock,
    *,
    tenant_id: str,
    employee: Employee,
    leave_start: date,
    expected_return: date,
    actor: str,
) -> Enrolment:
    """HR proposes an enrolment; the employee is invited to accept it (in their own time)."""
    check_dates(leave_start, expected_return)
    if not employee.active:
        raise EnrolmentError(f"{employee.name} has left the company.", "employee")
    taken = EnrolmentError(f"{employee.name} already has an enrolment in progress.", "employee")
    if open_enrolment(session, tenant_id, employee.id) is not None:
        raise taken
    between_read_and_write()
    now = clock.now()
    enrolment = create(
        session,
        now,
        tenant_id,
        employee,
        leave_start,
        expected_return,
        status=PROPOSED,
        origin="hr",
        actor=actor,
        contact_during_leave=None,
        leave_out_family=False,
    )
    if enrolment is None:
        raise taken  # enrolled just now, by another request
    if employee.slack_user_id:
        outbox.enqueue(
            session,
            tenant_id=tenant_id,
            key=f"enrolment-invite:{tenant_id}:{enrolment.id}",
            now=now,
            recipient=employee.slack_user_id,
            text=invitation_text(),
            blocks=invitation_blocks(enrolment.id),
        )
    return enrolment


def propose_for_slack_user(
    factory: SessionFactory,
    clock: Clock,
    *,
    tenant_id: str,
    actor_user_id: str,
    employee_user_id: str | None,
    leave_start: date | None,
    expected_return: date | None,
) -> EnrolmentView:
    with unit_of_work(factory) as session:
        require_hr(session, tenant_id, actor_user_id)
        if not employee_user_id:
            raise EnrolmentError("Choose the person.", "employee")
        employee = find_by_slack_id(session, tenant_id, employee_user_id)
        if employee is None or not employee.reachable:
            raise EnrolmentError("That person is not in the HR directory, or has left.", "employee")
        start, back = check_dates(leave_start, expected_return)
        enrolment = propose(
            session,
            clock,
            tenant_id=tenant_id,
            employee=employee,
            leave_start=start,
            expected_return=back,
            actor=actor_user_id,
        )
        result = view_of(session, enrolment)
        session.commit()
        return result


def import_enrolments(factory: SessionFactory, clock: Clock, *, tenant_id: str, text: str, actor: str) -> int:
    """``hr-plugin enrolment import``: every row checked first, then all proposed in one transaction."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = {"email", "leave_start", "expected_return"} - set(reader.fieldnames or [])
    if missing:
        raise EnrolmentImportError([(1, "missing column(s): " + ", ".join(sorted(missing)))])
    problems: list[tuple[int, str]] = []
    rows: list[tuple[int, str, date, date]] = []
    for row in reader:
        line = reader.line_num
        email = (row.get("email") or "").strip().lower()
        try:
            start = date.fromisoformat((row.get("leave_start") or "").strip())
            back = date.fromisoformat((row.get("expected_return") or "").strip())
            check_dates(start, back)
        except ValueError as exc:
            message = str(exc) if isinstance(exc, EnrolmentError) else "dates must look like 2026-03-31"
            problems.append((line, message))
            continue
        rows.append((line, email, start, back))
    with unit_of_work(factory) as session:
        seen: set[str] = set()
        planned: list[tuple[Employee, date, date]] = []
        for line, email, start, back in rows:
            employee = find_by_email(session, tenant_id, email)
            if employee is None or not employee.active:
                problems.append((line, f"{email or '(no email)'} is not in the directory"))
            elif email in seen:
                problems.append((line, f"{email} appears twice"))
            elif open_enrolment(session, tenant_id, employee.id) is not None:
                problems.append((line, f"{email} already has an enrolment in progress"))
            else:
                planned.append((employee, start, back))
            seen.add(email)
        if problems:
            raise EnrolmentImportError(sorted(problems))
        for employee, start, back in planned:
            propose(
                session,
                clock,
                tenant_id=tenant_id,
                employee=employee,
                leave_start=start,
                expected_return=back,
                actor=actor,
            )
        session.commit()
    return len(planned)
