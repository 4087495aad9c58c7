"""Which program roles a person holds. One person can hold several."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import ColumnElement, Integer, SQLColumnExpression, String, bindparam, exists, select
from sqlalchemy.orm import Session, aliased

from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.enrolment.models import OPEN_STATUSES, Enrolment
from hr_plugin.models import Employee, HrAdmin


class Role(StrEnum):
    EMPLOYEE = "employee"  # a returning parent: proposed, awaiting HR or enrolled
    MENTOR = "mentor"
    MANAGER = "manager"
    HR_ADMIN = "hr_admin"


def roles_of(session: Session, tenant_id: str, employee_id: int) -> set[Role]:
    row = session.execute(_ROLES, {"roles_tenant": tenant_id, "roles_employee": employee_id}).one()
    return {role for role, held in zip(ROLE_ORDER, row, strict=True) if held}


# The roles in the order ``role_columns`` gives them. (Mentor is the mentoring feature's to say.)
ROLE_ORDER = (Role.EMPLOYEE, Role.MANAGER, Role.HR_ADMIN)


def role_columns(
    tenant_id: SQLColumnExpression[str], employee_id: SQLColumnExpression[int]
) -> dict[Role, ColumnElement[bool]]:
    """Whether the person holds each role, as EXISTS columns correlated to ``employee_id`` (a
    bound parameter, or the person's id column of an enclosing query): the one definition of the
    roles, read in one statement by ``roles_of`` and inside the App Home's first statement."""
    reports = aliased(Employee)
    return {
        Role.EMPLOYEE: exists()
        .where(
            Enrolment.tenant_id == tenant_id,
            Enrolment.employee_id == employee_id,
            Enrolment.status.in_(OPEN_STATUSES),
        )
        .label("is_employee"),
        Role.MANAGER: exists()
        .where(reports.tenant_id == tenant_id, reports.manager_id == employee_id, reports.active.is_(True))
        .label("is_manager"),
        Role.HR_ADMIN: exists()
        .where(HrAdmin.tenant_id == tenant_id, HrAdmin.employee_id == employee_id)
        .label("is_hr_admin"),
    }


# Built once, with bound parameters: its alias and subqueries cost more to build than to run.
_ROLES = select(
    *role_columns(
        bindparam("roles_tenant", type_=String()), bindparam("roles_employee", type_=Integer())
    ).values()
)


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
