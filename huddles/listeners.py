"""Slack surfaces for huddles: answering an invitation (in the group DM or on the App Home),
rejoining, rating, and HR's settings. Thin: ack, parse, one service call, a reply."""

from __future__ import annotations

import contextlib
import re
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from hr_plugin.services import Services
from hr_plugin.slack import refusals
from hr_plugin.slack.listeners.home import republisher
from hr_plugin.slack.listening import listen
from hr_plugin.slack.payloads import request_context, state_value
from hr_plugin.slack.showing import show_on_click
from huddles import messages, series, service
from huddles import views as v
from huddles.home import home_sections

CHOICE_OF = {messages.ATTEND_ACTION: "attend", messages.SKIP_ACTION: "skip", messages.LEAVE_ACTION: "leave"}
RATING = re.compile(rf"^{re.escape(messages.RATE_ACTION)}\.[1-5]$|^{re.escape(messages.MISSED_ACTION)}$")
CALENDAR = re.compile(rf"^{re.escape(messages.CALENDAR_ACTION)}\.")


def register(app: App, services: Services) -> None:
    services.home_providers.append(home_sections)
    services.enrolment_hooks.append(service.on_enrolment_change)
    refresh = republisher(services)

    def answer(ack: Ack, body: dict[str, Any], context: Any, respond: Respond) -> None:
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

    def rejoin(ack: Ack, context: Any) -> None:
        ack()
        who = request_context(context)
        # A Home tab out of date (no longer in the directory): the refreshed home shows where they stand.
        with contextlib.suppress(service.HuddleError):
            service.rejoin(services.factory, services.clock, tenant_id=who.tenant_id, user_id=who.user_id)

    def rate(ack: Ack, body: dict[str, Any], context: Any, respond: Respond) -> None:
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
        ack()  # a link button: Slack opens the URL; there is nothing to do here

    def open_settings(body: dict[str, Any], client: WebClient, context: Any, respond: Respond) -> None:
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

    def submit_settings(ack: Ack, view: dict[str, Any], context: Any) -> None:
        who = request_context(context)
        try:
            config = _config_from(view)
            service.save_config(
                services.factory, services.clock, tenant_id=who.tenant_id, user_id=who.user_id, config=config
            )
        except service.HuddleError as exc:
            ack(response_action="errors", errors={exc.field or v.EVERY_BLOCK: str(exc)})
            return
        ack()

    for action_id in CHOICE_OF:
        listen(app.action(action_id), services, ack=answer, after=[refresh])
    listen(app.action(v.REJOIN_ACTION), services, ack=rejoin, after=[refresh])
    app.action(RATING)(rate)
    app.action(CALENDAR)(open_calendar_link)
    show_on_click(app, services, v.SETTINGS_ACTION, open_settings)
    listen(app.view(v.SETTINGS_CALLBACK), services, ack=submit_settings, after=[refresh])


def _config_from(view: dict[str, Any]) -> service.HuddleConfig:
    """The modal's values; a number Slack let through that is not whole is an inline error."""

    def number(block: str) -> int:
        raw = str(state_value(view, block).get("value") or "")
        if not raw.isdigit():
            raise service.HuddleError("Enter a whole number.", block)
        return int(raw)

    def option(block: str) -> int:
        raw = str((state_value(view, block).get("selected_option") or {}).get("value", ""))
        if not raw.isdigit():
            raise service.HuddleError("Choose one.", block)
        return int(raw)

    chosen_days = state_value(view, v.AVOID_BLOCK).get("selected_options") or []
    enabled = state_value(view, v.ENABLED_BLOCK).get("selected_options") or []
    return service.HuddleConfig(
        enabled=bool(enabled),
        cadence=series.Cadence(
            every_months=option(v.EVERY_BLOCK),
            week_of_month=option(v.WEEK_BLOCK),
            avoided_weekdays=frozenset(int(o["value"]) for o in chosen_days if str(o.get("value")).isdigit()),
            min_size=number(v.MIN_BLOCK),
            max_size=number(v.MAX_BLOCK),
            eligible_months=number(v.ELIGIBLE_BLOCK),
        ),
        video_link=state_value(view, v.LINK_BLOCK).get("value"),
    )
