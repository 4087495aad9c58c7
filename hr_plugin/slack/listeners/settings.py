"""A person's own settings from the App Home: the working hours quiet hours follow."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from hr_plugin.home import SettingsError, update_working_hours, working_hours
from hr_plugin.services import Services
from hr_plugin.slack.payloads import WorkingHoursSubmission, request_context
from hr_plugin.slack.views.modals import (
    DAYS_BLOCK,
    END_BLOCK,
    START_BLOCK,
    working_hours_payload,
)

FIELD_BLOCKS = {"days": DAYS_BLOCK, "start": START_BLOCK, "end": END_BLOCK}


def open_working_hours(body: dict[str, Any], client: WebClient, context: Any, services: Services) -> None:
    who = request_context(context)
    hours = working_hours(services.factory, tenant_id=who.tenant_id, user_id=who.user_id)
    if hours is not None:
        client.views_open(trigger_id=body["trigger_id"], view=working_hours_payload(hours))


def submit_working_hours(
    ack: Ack, view: dict[str, Any], client: WebClient, context: Any, services: Services
) -> None:
    who = request_context(context)
    submission = WorkingHoursSubmission.from_view(view, DAYS_BLOCK, START_BLOCK, END_BLOCK)
    try:
        update_working_hours(
            services.factory,
            services.clock,
            tenant_id=who.tenant_id,
            user_id=who.user_id,
            days=submission.days,
            start=submission.start,
            end=submission.end,
        )
    except SettingsError as exc:
        ack(response_action="errors", errors={FIELD_BLOCKS[exc.field]: str(exc)})
        return
    ack()
