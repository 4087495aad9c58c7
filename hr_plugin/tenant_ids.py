"""Which tenant a request belongs to, from Slack's ids: pure, so a payload parser can say it
without importing the database."""

from __future__ import annotations


class TenantError(LookupError):
    """No tenant, or several where the caller must choose one."""


def tenant_id_for(team_id: str | None, enterprise_id: str | None, is_enterprise_install: bool) -> str:
    """The tenant of a request: the enterprise for an org-wide install, else the team."""
    if is_enterprise_install and enterprise_id:
        return enterprise_id
    if team_id:
        return team_id
    if enterprise_id:
        return enterprise_id
    raise TenantError("the request names neither a team nor an enterprise")
