"""Appointing HR admins from the App Home."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from hr_plugin.admins import AdminError, appoint_from_slack
from hr_plugin.roles import is_hr_admin_user
from hr_plugin.services import Services
from hr_plugin.slack import refusals
from hr_plugin.slack.listeners.home import is_workspace_admin, republisher
from hr_plugin.slack.listening import listen
from hr_plugin.slack.payloads import AppointAdminSubmission, request_context
from hr_plugin.slack.showing import show_on_click
from hr_plugin.slack.views.home import APPOINT_ADMIN_ACTION
from hr_plugin.slack.views.modals import (
    APPOINT_ADMIN_CALLBACK,
    APPOINTEE_ACTION,
    APPOINTEE_BLOCK,
    appoint_admin_modal,
)


def register(app: App, services: Services) -> None:
    def open_appoint(body: dict[str, Any], client: WebClient, context: Any, respond: Respond) -> None:
        who = request_context(context)
        allowed = is_hr_admin_user(services.factory, tenant_id=who.tenant_id, user_id=who.user_id)
        if not (allowed or is_workspace_admin(client, who.user_id)):
            refusals.tell(services, body, context, respond, refusals.ONLY_ADMINS, reason="admins-only")
            return
        client.views_open(trigger_id=body["trigger_id"], view=appoint_admin_modal())

    def submit_appoint(ack: Ack, view: dict[str, Any], client: WebClient, context: Any) -> None:
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

    show_on_click(app, services, APPOINT_ADMIN_ACTION, open_appoint)
    # The home is republished after the ack, so Slack's latency never delays the modal closing.
    listen(app.view(APPOINT_ADMIN_CALLBACK), services, ack=submit_appoint, after=[republisher(services)])
