"""Tenants: one per workspace, or one per Enterprise Grid organisation for an org-wide install."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hr_plugin.models import Tenant
from hr_plugin.tenant_ids import TenantError, tenant_id_for

__all__ = ["TenantError", "ensure_tenant", "resolve_tenant", "tenant_id_for"]


def ensure_tenant(
    session: Session,
    tenant_id: str,
    now: datetime,
    *,
    team_id: str | None = None,
    enterprise_id: str | None = None,
    name: str | None = None,
) -> Tenant:
    tenant = session.get(Tenant, tenant_id)
    if tenant is None:
        tenant = Tenant(id=tenant_id, team_id=team_id, enterprise_id=enterprise_id, name=name, created_at=now)
        session.add(tenant)
        session.flush()
    elif name and tenant.name != name:
        tenant.name = name
    return tenant


def resolve_tenant(session: Session, requested: str | None) -> Tenant:
    """The tenant a CLI command acts on: the one named, or the only one installed."""
    if requested:
        tenant = session.get(Tenant, requested)
        if tenant is None:
            raise TenantError(f"no workspace {requested} is installed")
        return tenant
    tenants = list(session.scalars(select(Tenant).order_by(Tenant.id).limit(2)))
    if not tenants:
        raise TenantError("no workspace is installed yet")
    if len(tenants) > 1:
        raise TenantError("more than one workspace is installed: say which with --team ID")
    return tenants[0]
