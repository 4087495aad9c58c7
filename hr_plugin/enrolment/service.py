"""Who is in the program, with what consent. Every feature starts from here.

Taking part is the employee's choice: HR proposes and the employee accepts or declines, or
the employee enrols themselves and HR confirms. Features (plans, mentoring, huddles) react
to changes through hooks the app wiring registers, in the same transaction as the change,
so an enrolment never becomes active without its plan, or the other way round.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hr_plugin import audit, contact, outbox
from hr_plugin.clock import Clock
from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.directory import find_by_email, find_by_slack_id
from hr_plugin.models import OPEN_ENROLMENT_SQL, Employee, Enrolment, HrAdmin, Leave
from hr_plugin.roles import is_hr_admin
from hr_plugin.services import EnrolmentHook
from hr_plugin.slack.blockkit import BlocksJson

PROPOSED, AWAITING_HR, ACTIVE = "proposed", "awaiting_hr", "active"
DECLINED, WITHDRAWN, LEFT = "declined", "withdrawn", "left"
OPEN_STATUSES = (PROPOSED, AWAITING_HR, ACTIVE)
assert OPEN_STATUSES == contact.OPEN_STATUSES
assert "status IN (" + ", ".join(f"'{status}'" for status in OPEN_STATUSES) + ")" == OPEN_ENROLMENT_SQL


def _nothing() -> None:
    """The default of the test seam below: nothing happens between a check and its write."""


# A test seam: called after a once-only change (an answer to an invitation, HR's confirmation, a new
# enrolment, its end, a moved return) has read what it checks, before it writes.
# Tests replace it to hold one click there while another runs (``tests/reliability/test_once_only.py``).
_between_read_and_write: Callable[[], None] = _nothing

INVITE_ACTION = "enrolment.invite_open"
DECLINE_ACTION = "enrolment.decline"


class EnrolmentError(ValueError):
    """Why an enrolment change cannot be made; ``field`` names the modal input it belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


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


# -- HR proposes -------------------------------------------------------------------------


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
    _between_read_and_write()
    now = clock.now()
    enrolment = _create(
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
        _require_hr(session, tenant_id, actor_user_id)
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


class EnrolmentImportError(ValueError):
    def __init__(self, problems: list[tuple[int, str]]) -> None:
        self.problems = problems
        super().__init__("\n".join(f"line {line}: {message}" for line, message in problems))


# -- the employee answers ----------------------------------------------------------------


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
        enrolment = _own_open_enrolment(session, tenant_id, user_id)
        if enrolment is None or enrolment.status != PROPOSED:
            raise EnrolmentError("There is no invitation waiting for you.")
        _between_read_and_write()
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
        enrolment = _own_open_enrolment(session, tenant_id, user_id)
        if enrolment is None or enrolment.status != PROPOSED:
            raise EnrolmentError("There is no invitation waiting for you.")
        _between_read_and_write()
        if not _answer_invitation(session, enrolment, DECLINED):
            raise EnrolmentError("There is no invitation waiting for you.")  # answered just now
        _end(session, clock, [], enrolment, was_active=False, actor=user_id, action="enrolment.declined")
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
        employee = _employee(session, tenant_id, user_id)
        taken = EnrolmentError("You are already enrolled or waiting for HR.", "leave_start")
        if open_enrolment(session, tenant_id, employee.id) is not None:
            raise taken
        _between_read_and_write()
        now = clock.now()
        enrolment = _create(
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
        for admin_user_id in _hr_admin_user_ids(session, tenant_id):
            outbox.enqueue(
                session,
                tenant_id=tenant_id,
                key=f"enrolment-to-confirm:{tenant_id}:{enrolment.id}:{admin_user_id}",
                now=now,
                recipient=admin_user_id,
                text=(
                    "Someone has asked to join the return-to-work program. "
                    "Open the app's Home tab to confirm."
                ),
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
        _require_hr(session, tenant_id, actor_user_id)
        enrolment = _enrolment(session, tenant_id, enrolment_id)
        if enrolment.status != AWAITING_HR:
            raise EnrolmentError("That enrolment is not waiting for confirmation.")
        _between_read_and_write()
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
                text=(
                    "HR has confirmed your place in the return-to-work program. "
                    "Your Home tab has the details."
                ),
            )
        result = view_of(session, enrolment)
        session.commit()
        return result


# -- changes -----------------------------------------------------------------------------


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
        _between_read_and_write()
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
        _require_hr(session, tenant_id, actor_user_id)
        enrolment = _enrolment(session, tenant_id, enrolment_id)
        ended = EnrolmentError("That enrolment has already ended.")
        if enrolment.status not in OPEN_STATUSES:
            raise ended
        _between_read_and_write()
        was_active = _close(session, enrolment, WITHDRAWN)
        if was_active is None:
            raise ended  # another admin, or the employee leaving, just now
        _end(
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
        enrolment = _own_open_enrolment(session, tenant_id, user_id)
        if enrolment is None:
            raise EnrolmentError("You are not enrolled.")
        _between_read_and_write()
        was_active = _close(session, enrolment, LEFT)
        if was_active is None:
            raise EnrolmentError("You are not enrolled.")  # a click just before, or HR withdrew it
        _end(session, clock, hooks, enrolment, was_active=was_active, actor=user_id, action="enrolment.left")
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
        enrolment = _own_open_enrolment(session, tenant_id, user_id)
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


# -- words -------------------------------------------------------------------------------


def invitation_text() -> str:
    return "HR has invited you to the return-to-work program. It is your choice: have a look when you like."


def invitation_blocks(enrolment_id: int) -> BlocksJson:
    blocks: list[dict[str, object]] = [
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": (
                    "*You're invited to the return-to-work program*\n"
                    "It offers a planned, gradual return, a mentor who has been through it, and "
                    "monthly peer huddles. Joining is your choice, and you can leave at any time "
                    "without giving a reason."
                ),
            },
        },
        {
            "type": "actions",
            "block_id": f"enrolment-{enrolment_id}",
            "elements": [
                {
                    "type": "button",
                    "style": "primary",
                    "action_id": INVITE_ACTION,
                    "text": {"type": "plain_text", "text": "Have a look"},
                    "value": str(enrolment_id),
                },
                {
                    "type": "button",
                    "action_id": DECLINE_ACTION,
                    "text": {"type": "plain_text", "text": "No, thanks"},
                    "value": str(enrolment_id),
                },
            ],
        },
    ]
    return BlocksJson(blocks)


# -- internals ---------------------------------------------------------------------------


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
    _withdraw_invitation(session, enrolment)
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


def _end(
    session: Session,
    clock: Clock,
    hooks: Sequence[EnrolmentHook],
    enrolment: Enrolment,
    *,
    was_active: bool,
    actor: str,
    action: str,
) -> None:
    """Record an end already written (``_answer_invitation`` or ``_close``); features hear
    "ended" only if the enrolment had been active."""
    _withdraw_invitation(session, enrolment)
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


def _create(
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


def _withdraw_invitation(session: Session, enrolment: Enrolment) -> None:
    """An invitation still waiting (held during leave) is stale once the answer is in."""
    outbox.cancel(
        session,
        tenant_id=enrolment.tenant_id,
        key=f"enrolment-invite:{enrolment.tenant_id}:{enrolment.id}",
        reason="answered before delivery",
    )


def _own_open_enrolment(session: Session, tenant_id: str, user_id: str) -> Enrolment | None:
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


def _employee(session: Session, tenant_id: str, user_id: str) -> Employee:
    employee = find_by_slack_id(session, tenant_id, user_id)
    if employee is None or not employee.active:
        raise EnrolmentError("You are not in the HR directory yet; ask HR to add you.")
    return employee


def _enrolment(session: Session, tenant_id: str, enrolment_id: int) -> Enrolment:
    enrolment = session.get(Enrolment, enrolment_id)
    if enrolment is None or enrolment.tenant_id != tenant_id:
        raise EnrolmentError("That enrolment does not exist.")
    return enrolment


def _enrolment_for_actor(
    session: Session, tenant_id: str, actor_user_id: str, enrolment_id: int | None
) -> Enrolment:
    actor = _employee(session, tenant_id, actor_user_id)
    if enrolment_id is None:
        enrolment = open_enrolment(session, tenant_id, actor.id)
        if enrolment is None:
            raise EnrolmentError("You are not enrolled.", "expected_return")
        return enrolment
    enrolment = _enrolment(session, tenant_id, enrolment_id)
    if enrolment.employee_id != actor.id and not is_hr_admin(session, tenant_id, actor.id):
        raise EnrolmentError("Only the employee or HR can change this.", "expected_return")
    if enrolment.status not in OPEN_STATUSES:
        raise EnrolmentError("That enrolment has ended.", "expected_return")
    return enrolment


def _require_hr(session: Session, tenant_id: str, user_id: str) -> Employee:
    actor = find_by_slack_id(session, tenant_id, user_id)
    if actor is None or not is_hr_admin(session, tenant_id, actor.id):
        raise EnrolmentError("Only HR admins can do this.", "employee")
    return actor


def _hr_admin_user_ids(session: Session, tenant_id: str) -> list[str]:
    rows = session.scalars(
        select(Employee.slack_user_id)
        .join(HrAdmin, HrAdmin.employee_id == Employee.id)
        .where(HrAdmin.tenant_id == tenant_id, Employee.active.is_(True), Employee.slack_user_id.is_not(None))
    )
    return [user_id for user_id in rows if user_id]
