"""Appointing HR admins: from the CLI, or from the App Home by an HR admin or a workspace admin."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hr_plugin import audit, outbox
from hr_plugin.clock import Clock
from hr_plugin.db import SessionFactory, insert_if_absent, unit_of_work
from hr_plugin.directory import find_by_email, find_by_slack_id
from hr_plugin.models import Employee, HrAdmin
from hr_plugin.roles import is_hr_admin


def _nothing() -> None:
    """The default of the test seam below: nothing happens between a check and its write."""


# A test seam: called after an appointment has checked the person is not an admin yet and
# before it writes. Tests replace it to hold one appointment there while another runs
# (``tests/reliability/test_once_only.py``); in the app it does nothing.
_between_read_and_write: Callable[[], None] = _nothing


class AdminError(ValueError):
    """Why an appointment cannot be made, in words for the person who tried."""


@dataclass(frozen=True)
class Appointment:
    employee_id: int
    name: str
    slack_user_id: str | None
    already: bool


def appoint_by_email(
    factory: SessionFactory, clock: Clock, *, tenant_id: str, email: str, actor: str
) -> Appointment:
    with unit_of_work(factory) as session:
        person = find_by_email(session, tenant_id, email.strip().lower())
        if person is None or not person.active:
            raise AdminError(f"{email} is not in the directory: import it first (hr-plugin directory import)")
        result = _appoint(session, clock, tenant_id, person, actor)
        session.commit()
        return result


def appoint_from_slack(
    factory: SessionFactory,
    clock: Clock,
    *,
    tenant_id: str,
    actor_user_id: str,
    actor_is_workspace_admin: bool,
    appointee_user_id: str,
) -> Appointment:
    """An HR admin, or a Slack workspace admin or owner, appoints someone from the directory."""
    with unit_of_work(factory) as session:
        actor = find_by_slack_id(session, tenant_id, actor_user_id)
        actor_is_hr = actor is not None and is_hr_admin(session, tenant_id, actor.id)
        if not (actor_is_hr or actor_is_workspace_admin):
            raise AdminError("Only an HR admin or a workspace admin can appoint HR admins.")
        person = find_by_slack_id(session, tenant_id, appointee_user_id)
        if person is None or not person.active:
            raise AdminError("That person is not in the HR directory. Import the directory first.")
        if person.slack_deactivated:
            raise AdminError("That person's Slack account is deactivated.")
        result = _appoint(session, clock, tenant_id, person, actor_user_id)
        session.commit()
        return result


def list_admins(session: Session, tenant_id: str) -> list[Employee]:
    return list(
        session.scalars(
            select(Employee)
            .join(HrAdmin, HrAdmin.employee_id == Employee.id)
            .where(HrAdmin.tenant_id == tenant_id)
            .order_by(Employee.name)
        )
    )


def _appoint(session: Session, clock: Clock, tenant_id: str, person: Employee, actor: str) -> Appointment:
    """The unique (tenant, employee) key decides: of two appointments at once, the one whose
    row goes in records and announces it; the other answers "already", as a later one would."""
    already = Appointment(person.id, person.name, person.slack_user_id, already=True)
    if is_hr_admin(session, tenant_id, person.id):
        return already
    now = clock.now()
    _between_read_and_write()
    if not insert_if_absent(
        session,
        HrAdmin,
        {"tenant_id": tenant_id, "employee_id": person.id, "appointed_by": actor, "appointed_at": now},
        ["tenant_id", "employee_id"],
    ):
        return already
    audit.record(
        session, tenant_id=tenant_id, at=now, actor=actor, action="admins.appointed", subject=str(person.id)
    )
    if person.slack_user_id:
        outbox.enqueue(
            session,
            tenant_id=tenant_id,
            key=f"admin-appointed:{tenant_id}:{person.id}",
            now=now,
            recipient=person.slack_user_id,
            text=(
                "You are now an HR admin for the return-to-work program. Open the app's Home tab "
                "to see the program's settings and figures."
            ),
        )
    return Appointment(person.id, person.name, person.slack_user_id, already=False)
