"""Which program roles a person holds. One person can hold several."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.enrolment.models import OPEN_STATUSES, Enrolment
from hr_plugin.models import Employee, HrAdmin


class Role(StrEnum):
    EMPLOYEE = "employee"  # a returning parent: proposed, awaiting HR or enrolled
    MENTOR = "mentor"
    MANAGER = "manager"
    HR_ADMIN = "hr_admin"


def roles_of(session: Session, tenant_id: str, employee_id: int) -> set[Role]:
    roles: set[Role] = set()
    if session.scalar(
        select(
            exists().where(
                Enrolment.tenant_id == tenant_id,
                Enrolment.employee_id == employee_id,
                Enrolment.status.in_(OPEN_STATUSES),
            )
        )
    ):
        roles.add(Role.EMPLOYEE)
    if session.scalar(
        select(
            exists().where(
                Employee.tenant_id == tenant_id, Employee.manager_id == employee_id, Employee.active.is_(True)
            )
        )
    ):
        roles.add(Role.MANAGER)
    if is_hr_admin(session, tenant_id, employee_id):
        roles.add(Role.HR_ADMIN)
    return roles


def is_hr_admin(session: Session, tenant_id: str, employee_id: int) -> bool:
    return bool(
        session.scalar(
            select(exists().where(HrAdmin.tenant_id == tenant_id, HrAdmin.employee_id == employee_id))
        )
    )


def is_hr_admin_user(factory: SessionFactory, *, tenant_id: str, user_id: str) -> bool:
    """Whether this Slack user is an HR admin of the tenant now (one read, for a listener that
    must decide before it shows an HR-only modal)."""
    with unit_of_work(factory) as session:
        return is_hr_admin_in(session, tenant_id, user_id)


def is_hr_admin_in(session: Session, tenant_id: str, user_id: str) -> bool:
    """``is_hr_admin_user`` inside a transaction a use case already holds, so the check and the
    change it guards read the same state."""
    employee_id = session.scalar(
        select(Employee.id).where(
            Employee.tenant_id == tenant_id, Employee.slack_user_id == user_id, Employee.active.is_(True)
        )
    )
    return employee_id is not None and is_hr_admin(session, tenant_id, employee_id)
