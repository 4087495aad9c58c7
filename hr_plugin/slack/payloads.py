"""Typed views of Slack payloads: listeners parse into these before calling a service."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from hr_plugin.slack.blockkit import state_value
from hr_plugin.tenant_ids import tenant_id_for

__all__ = [
    "AppointAdminSubmission",
    "RequestContext",
    "WorkingHoursSubmission",
    "request_context",
    "state_value",  # defined with the pure builders' helpers, for views.py to use too
    "tenant_of",
]


class RequestContext(BaseModel):
    """Who is acting, in which tenant."""

    model_config = ConfigDict(frozen=True)

    tenant_id: str
    user_id: str


def request_context(context: Any, user_id: str | None = None) -> RequestContext:
    return RequestContext(tenant_id=tenant_of(context), user_id=user_id or context.user_id)


def tenant_of(context: Any) -> str:
    """The tenant a request belongs to, from Bolt's context (which may carry no user)."""
    return tenant_id_for(context.team_id, context.enterprise_id, bool(context.is_enterprise_install))


class AppointAdminSubmission(BaseModel):
    appointee_user_id: str | None

    @classmethod
    def from_view(cls, view: dict[str, Any], block_id: str, action_id: str) -> AppointAdminSubmission:
        return cls(appointee_user_id=state_value(view, block_id, action_id).get("selected_user"))


class WorkingHoursSubmission(BaseModel):
    days: list[int]
    start: str
    end: str

    @classmethod
    def from_view(cls, view: dict[str, Any], days: str, start: str, end: str) -> WorkingHoursSubmission:
        selected = state_value(view, days).get("selected_options") or []
        return cls(
            days=[int(option["value"]) for option in selected if str(option.get("value", "")).isdigit()],
            start=state_value(view, start).get("selected_time") or "",
            end=state_value(view, end).get("selected_time") or "",
        )
