"""Use cases behind the App Home: what a person sees, and the settings they change there."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from hr_plugin import audit
from hr_plugin.admins import list_admins
from hr_plugin.clock import Clock
from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.directory import direct_reports, find_by_slack_id
from hr_plugin.enrolment import ACTIVE, AWAITING_HR, PROPOSED, open_enrolment, view_of
from hr_plugin.enrolment.models import Enrolment
from hr_plugin.home_model import (
    HomeState,
    HrPanel,
    ManagerPanel,
    OwnEnrolment,
    PendingEnrolment,
    WorkingHours,
)
from hr_plugin.models import AuditEntry, Employee, Leave
from hr_plugin.roles import Role, roles_of
from hr_plugin.services import HomeProvider

UPCOMING_SHOWN = 10


class SettingsError(ValueError):
    """A setting the person entered cannot be used; ``field`` names the modal block."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def load_home(
    factory: SessionFactory,
    clock: Clock,
    *,
    tenant_id: str,
    user_id: str,
    workspace_admin: bool,
    providers: Sequence[HomeProvider] = (),
) -> HomeState:
    with unit_of_work(factory) as session:
        person = find_by_slack_id(session, tenant_id, user_id)
        if person is None or not person.active:
            return HomeState(known=False, can_appoint_admins=workspace_admin)
        roles = frozenset(str(role) for role in roles_of(session, tenant_id, person.id))
        enrolment = open_enrolment(session, tenant_id, person.id)
        own = view_of(session, enrolment) if enrolment is not None else None
        sections: dict[str, list[Any]] = {}
        for provider in providers:
            for role, blocks in provider(session, tenant_id, person, roles, clock.now()).items():
                sections.setdefault(role, []).extend(blocks)
        return HomeState(
            known=True,
            name=person.name,
            roles=roles,
            working_hours=WorkingHours(
                person.timezone, person.working_weekdays(), person.work_start, person.work_end
            ),
            enrolment=(
                OwnEnrolment(
                    own.status,
                    own.leave_start,
                    own.expected_return,
                    own.contact_during_leave,
                )
                if own
                else None
            ),
            manager=(
                ManagerPanel(direct_reports=len(direct_reports(session, tenant_id, person.id)))
                if Role.MANAGER in roles
                else None
            ),
            hr=_hr_panel(session, tenant_id, clock.now().date()) if Role.HR_ADMIN in roles else None,
            can_appoint_admins=workspace_admin or Role.HR_ADMIN in roles,
            sections=sections,
        )


def working_hours(factory: SessionFactory, *, tenant_id: str, user_id: str) -> WorkingHours | None:
    """The person's own working hours, for the modal that changes them; None if unknown.

    One read, not ``load_home``: this runs before the button's answer, and an HR admin's
    Home would count the whole tenant first."""
    with unit_of_work(factory) as session:
        person = find_by_slack_id(session, tenant_id, user_id)
        if person is None or not person.active:
            return None
        return WorkingHours(person.timezone, person.working_weekdays(), person.work_start, person.work_end)


def _hr_panel(session: Session, tenant_id: str, today: date) -> HrPanel:
    def count(*conditions: ColumnElement[bool]) -> int:
        return int(
            session.scalar(
                select(func.count()).select_from(Employee).where(Employee.tenant_id == tenant_id, *conditions)
            )
            or 0
        )

    last_import = session.scalar(
        select(func.max(AuditEntry.at)).where(
            AuditEntry.tenant_id == tenant_id, AuditEntry.action == "directory.import"
        )
    )
    return HrPanel(
        people_active=count(Employee.active.is_(True)),
        people_without_slack=count(Employee.active.is_(True), Employee.slack_user_id.is_(None)),
        people_left=count(Employee.active.is_(False)),
        admins=tuple(admin.name for admin in list_admins(session, tenant_id)),
        last_import_at=last_import,
        awaiting_confirmation=_enrolments(session, tenant_id, (AWAITING_HR,)),
        upcoming_returns=_enrolments(session, tenant_id, (PROPOSED, ACTIVE), from_day=today),
    )


def _enrolments(
    session: Session, tenant_id: str, statuses: tuple[str, ...], *, from_day: date | None = None
) -> tuple[PendingEnrolment, ...]:
    query = (
        select(Enrolment.id, Employee.name, Enrolment.status, Leave.expected_return)
        .join(Employee, Employee.id == Enrolment.employee_id)
        .join(Leave, Leave.id == Enrolment.leave_id)
        .where(Enrolment.tenant_id == tenant_id, Enrolment.status.in_(statuses))
        .order_by(Leave.expected_return, Employee.name)
        .limit(UPCOMING_SHOWN)
    )
    if from_day is not None:
        query = query.where(Leave.expected_return >= from_day)
    return tuple(
        PendingEnrolment(row.id, row.name, row.status, row.expected_return) for row in session.execute(query)
    )


def update_working_hours(
    factory: SessionFactory,
    clock: Clock,
    *,
    tenant_id: str,
    user_id: str,
    days: list[int],
    start: str,
    end: str,
) -> WorkingHours:
    """A person sets when messages they did not ask for may reach them."""
    if not days:
        raise SettingsError("days", "Pick at least one working day.")
    if not start or not end:
        raise SettingsError("start" if not start else "end", "Pick a time.")
    if start >= end:
        raise SettingsError("end", "The end of your day must come after its start.")
    with unit_of_work(factory) as session:
        person = find_by_slack_id(session, tenant_id, user_id)
        if person is None or not person.active:
            raise SettingsError("days", "You are not in the HR directory yet, so there is nothing to set.")
        person.working_days = ",".join(str(day) for day in sorted(set(days)))
        person.work_start, person.work_end = start, end
        person.updated_at = clock.now()
        audit.record(
            session,
            tenant_id=tenant_id,
            at=clock.now(),
            actor=user_id,
            action="settings.working_hours",
            subject=str(person.id),
        )
        session.commit()
        return WorkingHours(person.timezone, person.working_weekdays(), start, end)
