"""Typed views of Slack payloads: listeners parse into these before calling a service."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

from hr_plugin.slack.view_state import state_value
from hr_plugin.tenants import tenant_id_for


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


def _date(view: dict[str, Any], block_id: str) -> date | None:
    raw = state_value(view, block_id).get("selected_date")
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


class EnrolmentSubmission(BaseModel):
    """Any of the enrolment modals: fields a modal lacks stay empty."""

    employee_user_id: str | None = None
    leave_start: date | None = None
    expected_return: date | None = None
    choices: frozenset[str] = frozenset()

    @classmethod
    def from_view(cls, view: dict[str, Any]) -> EnrolmentSubmission:
        selected = state_value(view, "choices").get("selected_options") or []
        return cls(
            employee_user_id=state_value(view, "employee").get("selected_user"),
            leave_start=_date(view, "leave_start"),
            expected_return=_date(view, "expected_return"),
            choices=frozenset(str(option.get("value")) for option in selected),
        )
