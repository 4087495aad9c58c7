"""Slack surfaces for huddles: answering an invitation (in the group DM or on the App Home),
rejoining, rating, and HR's settings. Thin: ack, parse, one service call, a reply."""

from __future__ import annotations

import contextlib
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from hr_plugin.services import Services
from hr_plugin.slack import refusals
from hr_plugin.slack.payloads import request_context
from huddles import service
from huddles import views as v
from huddles.actions import ATTEND_ACTION, LEAVE_ACTION, SKIP_ACTION

# Which answer each of the invitation's buttons gives.
CHOICE_OF = {ATTEND_ACTION: "attend", SKIP_ACTION: "skip", LEAVE_ACTION: "leave"}


def answer(ack: Ack, body: dict[str, Any], context: Any, respond: Respond, services: Services) -> None:
    """Attend, skip or leave, from the group DM or the App Home; saved before the answer."""
    ack()
    who = request_context(context)
    action = body["actions"][0]
    try:
        reply = service.answer(
            services.factory,
            services.clock,
            tenant_id=who.tenant_id,
            user_id=who.user_id,
            huddle_id=int(action.get("value") or ""),
            choice=CHOICE_OF[action["action_id"]],
        )
    except (service.HuddleError, ValueError) as exc:
        reply = str(exc)
    if body.get("response_url"):  # a click in the group DM: the answer is the clicker's alone
        respond(text=reply, response_type="ephemeral", replace_original=False)


def rejoin(ack: Ack, context: Any, services: Services) -> None:
    """Someone who left the huddles asks back in, from the App Home."""
    ack()
    who = request_context(context)
    # A Home tab out of date (no longer in the directory): the refreshed home shows where they stand.
    with contextlib.suppress(service.HuddleError):
        service.rejoin(services.factory, services.clock, tenant_id=who.tenant_id, user_id=who.user_id)


def rate(ack: Ack, body: dict[str, Any], context: Any, respond: Respond, services: Services) -> None:
    """The rating question's answer; the reply replaces the question, never repeating the score."""
    ack()
    who = request_context(context)
    huddle_id, _, score = str(body["actions"][0].get("value", "")).partition(":")
    try:
        reply = service.rate(
            services.factory,
            services.clock,
            tenant_id=who.tenant_id,
            user_id=who.user_id,
            huddle_id=int(huddle_id),
            score=int(score),
        )
    except (service.HuddleError, ValueError) as exc:
        reply = str(exc)
    if body.get("response_url"):
        # Replacing the question removes the buttons; the reply never repeats the score.
        respond(text=reply, replace_original=True)


def open_calendar_link(ack: Ack) -> None:
    """Slack sends a click on a link button too; answering it keeps Slack from warning."""
    ack()  # a link button: Slack opens the URL; there is nothing to do here


def open_settings(
    body: dict[str, Any], client: WebClient, context: Any, respond: Respond, services: Services
) -> None:
    """HR's huddle settings, filled with the current ones; anyone else is told it is for HR."""
    if not refusals.hr_admin_or_told(services, body, context, respond):
        return
    who = request_context(context)
    config = service.current_config(services.factory, tenant_id=who.tenant_id)
    cadence = config.cadence
    client.views_open(
        trigger_id=body["trigger_id"],
        view=v.settings_modal(
            enabled=config.enabled,
            every_months=cadence.every_months,
            week_of_month=cadence.week_of_month,
            avoided_weekdays=sorted(cadence.avoided_weekdays),
            min_size=cadence.min_size,
            max_size=cadence.max_size,
            eligible_months=cadence.eligible_months,
            video_link=config.video_link,
        ),
    )


def submit_settings(ack: Ack, view: dict[str, Any], context: Any, services: Services) -> None:
    """Saves HR's settings before answering, so a refusal shows on the field it concerns."""
    who = request_context(context)
    try:
        submitted = v.SettingsSubmission.from_view(view)
        config = service.HuddleConfig(
            enabled=submitted.enabled, cadence=submitted.cadence(), video_link=submitted.video_link
        )
        service.save_config(
            services.factory, services.clock, tenant_id=who.tenant_id, user_id=who.user_id, config=config
        )
    except (v.SettingsInputError, service.HuddleError) as exc:
        ack(response_action="errors", errors={exc.field or v.EVERY_BLOCK: str(exc)})
        return
    ack()
