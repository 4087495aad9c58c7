"""Use cases behind the App Home: what a person sees, and the settings they change there."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from hr_plugin import audit
from hr_plugin.admins import list_admins
from hr_plugin.clock import Clock
from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.directory import direct_reports, find_by_slack_id
from hr_plugin.home_model import HomeState, HrPanel, ManagerPanel, OwnLeave, WorkingHours
from hr_plugin.leaves import current_leave
from hr_plugin.models import AuditEntry, Employee
from hr_plugin.roles import Role, roles_of


class SettingsError(ValueError):
    """A setting the person entered cannot be used; ``field`` names the modal block."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def load_home(factory: SessionFactory, *, tenant_id: str, user_id: str, workspace_admin: bool) -> HomeState:
    with unit_of_work(factory) as session:
        person = find_by_slack_id(session, tenant_id, user_id)
        if person is None or not person.active:
            return HomeState(known=False, can_appoint_admins=workspace_admin)
        roles = roles_of(session, tenant_id, person.id)
        leave = current_leave(session, tenant_id, person.id) if Role.EMPLOYEE in roles else None
        return HomeState(
            known=True,
            name=person.name,
            roles=frozenset(str(role) for role in roles),
            working_hours=WorkingHours(
                person.timezone, person.working_weekdays(), person.work_start, person.work_end
            ),
            leave=OwnLeave(leave.leave_start, leave.expected_return) if leave else None,
            manager=(
                ManagerPanel(direct_reports=len(direct_reports(session, tenant_id, person.id)))
                if Role.MANAGER in roles
                else None
            ),
            hr=_hr_panel(session, tenant_id) if Role.HR_ADMIN in roles else None,
            can_appoint_admins=workspace_admin or Role.HR_ADMIN in roles,
        )


def _hr_panel(session: Session, tenant_id: str) -> HrPanel:
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
