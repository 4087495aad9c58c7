"""Appointing HR admins from the App Home."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from hr_plugin.admins import AdminError, appoint_from_slack
from hr_plugin.roles import is_hr_admin_user
from hr_plugin.services import Services
from hr_plugin.slack import refusals
from hr_plugin.slack.listeners.home import is_workspace_admin
from hr_plugin.slack.payloads import AppointAdminSubmission, request_context
from hr_plugin.slack.views.modals import (
    APPOINTEE_ACTION,
    APPOINTEE_BLOCK,
    appoint_admin_modal,
)


def open_appoint(
    body: dict[str, Any], client: WebClient, context: Any, respond: Respond, services: Services
) -> None:
    """Only HR admins and workspace admins may appoint; anyone else is told so."""
    who = request_context(context)
    allowed = is_hr_admin_user(services.factory, tenant_id=who.tenant_id, user_id=who.user_id)
    if not (allowed or is_workspace_admin(client, who.user_id)):
        refusals.tell(services, body, context, respond, refusals.ONLY_ADMINS, reason="admins-only")
        return
    client.views_open(trigger_id=body["trigger_id"], view=appoint_admin_modal())


def submit_appoint(
    ack: Ack, view: dict[str, Any], client: WebClient, context: Any, services: Services
) -> None:
    who = request_context(context)
    submission = AppointAdminSubmission.from_view(view, APPOINTEE_BLOCK, APPOINTEE_ACTION)
    if not submission.appointee_user_id:
        ack(response_action="errors", errors={APPOINTEE_BLOCK: "Choose a person."})
        return
    try:
        appoint_from_slack(
            services.factory,
            services.clock,
            tenant_id=who.tenant_id,
            actor_user_id=who.user_id,
            actor_is_workspace_admin=is_workspace_admin(client, who.user_id),
            appointee_user_id=submission.appointee_user_id,
        )
    except AdminError as exc:
        ack(response_action="errors", errors={APPOINTEE_BLOCK: str(exc)})
        return
    ack()
