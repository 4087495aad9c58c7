"""Who may enter the console: the signed-in person's tenant, found through the directory, and
whether they are one of its HR admins. One transaction each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from hr_plugin import audit
from hr_plugin.console.auth import Identity
from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.models import Employee, Tenant
from hr_plugin.roles import is_hr_admin_in

SIGNED_IN = "console.signed_in"
SIGNED_OUT = "console.signed_out"


@dataclass(frozen=True)
class Admission:
    """An HR admin let in: their tenant and the names the page shows."""

    tenant_id: str
    tenant_name: str
    user_id: str
    name: str


def admit(factory: SessionFactory, identity: Identity, now: datetime) -> Admission | None:
    """The person's tenant if they are one of its HR admins (and the sign-in audited), else None.

    Their tenant is an installed one where the directory knows their Slack user id: the
    workspace they signed in to, or the organisation of an org-wide install (the enterprise
    named in the id_token, or, when Slack names none, an org-wide install whose directory
    holds this user id).
    """
    with unit_of_work(factory) as session:
        conditions = [Tenant.id == identity.team_id, Tenant.team_id == identity.team_id]
        if identity.enterprise_id:
            conditions.append(Tenant.id == identity.enterprise_id)
        else:
            conditions.append(Tenant.id == Tenant.enterprise_id)
        tenants = session.scalars(
            select(Tenant)
            .join(Employee, Employee.tenant_id == Tenant.id)
            .where(
                or_(*conditions),
                Tenant.uninstalled_at.is_(None),
                Employee.slack_user_id == identity.user_id,
                Employee.active.is_(True),
            )
            # The workspace itself first, then its organisation.
            .order_by((Tenant.id == identity.team_id).desc(), Tenant.id)
        ).all()
        for tenant in tenants:
            if is_hr_admin_in(session, tenant.id, identity.user_id):
                name = session.scalar(
                    select(Employee.name).where(
                        Employee.tenant_id == tenant.id, Employee.slack_user_id == identity.user_id
                    )
                )
                audit.record(
                    session,
                    tenant_id=tenant.id,
                    at=now,
                    actor=identity.user_id,
                    action=SIGNED_IN,
                    details={"via": "sign in with slack"},
                )
                session.commit()
                return Admission(tenant.id, tenant.name or tenant.id, identity.user_id, name or identity.name)
        return None


def still_admin(factory: SessionFactory, tenant_id: str, user_id: str) -> bool:
    """Checked on every page: a person no longer HR admin (or gone) is let out at once."""
    with unit_of_work(factory) as session:
        tenant = session.get(Tenant, tenant_id)
        if tenant is None or tenant.uninstalled_at is not None:
            return False
        return is_hr_admin_in(session, tenant_id, user_id)


def signed_out(factory: SessionFactory, tenant_id: str, user_id: str, now: datetime) -> None:
    with unit_of_work(factory) as session:
        audit.record(session, tenant_id=tenant_id, at=now, actor=user_id, action=SIGNED_OUT)
        session.commit()
