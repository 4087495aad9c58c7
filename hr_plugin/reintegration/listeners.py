"""Slack surfaces for plans: the App Home parts, the buttons and modals behind them."""

from __future__ import annotations

import contextlib
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from hr_plugin.reintegration import drafts, messages, service
from hr_plugin.reintegration import views as v
from hr_plugin.reintegration.actions import GRANT_ACTION
from hr_plugin.reintegration.policy import PolicyError, parse_policy
from hr_plugin.services import Services
from hr_plugin.slack import refusals
from hr_plugin.slack.payloads import request_context


def acknowledge(ack: Ack, body: dict[str, Any], context: Any, respond: Respond, services: Services) -> None:
    ack()
    who = request_context(context)
    try:
        service.acknowledge(
            services.factory,
            services.clock,
            tenant_id=who.tenant_id,
            user_id=who.user_id,
            plan_id=int(body["actions"][0].get("value") or ""),
        )
    except (service.PlanError, ValueError) as exc:
        if body.get("response_url"):
            respond(text=str(exc), response_type="ephemeral", replace_original=False)
        return
    if body.get("response_url"):
        respond(
            text="Thanks: noted that you have seen this plan.",
            response_type="ephemeral",
            replace_original=False,
        )


def extend(ack: Ack, context: Any, services: Services) -> None:
    ack()
    who = request_context(context)
    with contextlib.suppress(service.PlanError):  # the refreshed home shows what is left
        service.extend(services.factory, services.clock, tenant_id=who.tenant_id, user_id=who.user_id)


def open_more(body: dict[str, Any], client: WebClient) -> None:
    client.views_open(trigger_id=body["trigger_id"], view=v.more_time_modal())


def submit_more(ack: Ack, view: dict[str, Any], context: Any, services: Services) -> None:
    who = request_context(context)
    submission = v.MoreTimeSubmission.from_view(view)
    if submission.weeks is None:
        ack(response_action="errors", errors={v.WEEKS_BLOCK: "A whole number of weeks, from 1 to 8."})
        return
    try:
        service.request_more(
            services.factory,
            services.clock,
            tenant_id=who.tenant_id,
            user_id=who.user_id,
            weeks=submission.weeks,
        )
    except service.PlanError as exc:
        ack(response_action="errors", errors={v.WEEKS_BLOCK: str(exc)})
        return
    ack()


def open_need(body: dict[str, Any], client: WebClient) -> None:
    client.views_open(trigger_id=body["trigger_id"], view=v.need_modal())


def preview_need(ack: Ack, view: dict[str, Any], context: Any, services: Services) -> None:
    submission = v.NeedSubmission.from_view(view)
    if not submission.detail:
        ack(response_action="errors", errors={v.DETAIL_BLOCK: "Add the details your manager needs."})
        return
    try:
        words = messages.compose_need(submission.template, submission.detail)
    except ValueError:
        ack(response_action="errors", errors={v.TEMPLATE_BLOCK: "Pick one of the options."})
        return
    who = request_context(context)
    try:
        preview = drafts.save(
            services.factory, services.clock, tenant_id=who.tenant_id, user_id=who.user_id, words=words
        )
    except service.PlanError as exc:
        ack(response_action="errors", errors={v.DETAIL_BLOCK: str(exc)})
        return
    ack(response_action="update", view=v.need_preview_modal(preview.manager_text, preview.draft_id))


def send_need(ack: Ack, view: dict[str, Any], context: Any, services: Services) -> None:
    who = request_context(context)
    draft_id = v.NeedPreviewSubmission.from_view(view).draft_id
    try:
        drafts.send(
            services.factory,
            services.clock,
            tenant_id=who.tenant_id,
            user_id=who.user_id,
            draft_id=draft_id,
        )
    except service.PlanError as exc:
        # Refused (no manager to receive it, or already sent or expired): the words are not kept.
        drafts.discard(services.factory, tenant_id=who.tenant_id, user_id=who.user_id, draft_id=draft_id)
        ack(response_action="update", view=v.need_not_sent_modal(str(exc)))
        return
    ack()


def close_need(ack: Ack, view: dict[str, Any], context: Any, services: Services) -> None:
    """The preview was closed without sending: its draft goes now, not in an hour."""
    who = request_context(context)
    drafts.discard(
        services.factory,
        tenant_id=who.tenant_id,
        user_id=who.user_id,
        draft_id=v.NeedPreviewSubmission.from_view(view).draft_id,
    )
    ack()


def decide(ack: Ack, body: dict[str, Any], context: Any, services: Services) -> None:
    ack()
    who = request_context(context)
    action = body["actions"][0]
    with contextlib.suppress(service.PlanError, ValueError):  # decided elsewhere already
        service.decide_request(
            services.factory,
            services.clock,
            tenant_id=who.tenant_id,
            actor_user_id=who.user_id,
            request_id=int(action.get("value") or ""),
            grant=action["action_id"] == GRANT_ACTION,
        )


def open_policy(
    body: dict[str, Any], client: WebClient, context: Any, respond: Respond, services: Services
) -> None:
    if not refusals.hr_admin_or_told(services, body, context, respond):
        return
    who = request_context(context)
    policies = service.list_policies(services.factory, services.clock, tenant_id=who.tenant_id)
    client.views_open(trigger_id=body["trigger_id"], view=v.policy_modal(policies))


def submit_policy(ack: Ack, view: dict[str, Any], context: Any, services: Services) -> None:
    who = request_context(context)
    submission = v.PolicySubmission.from_view(view)
    try:
        policy = parse_policy(submission.policy_fields())
        service.set_policy_from_slack(
            services.factory,
            services.clock,
            tenant_id=who.tenant_id,
            actor_user_id=who.user_id,
            policy=policy,
        )
    except PolicyError as exc:
        ack(response_action="errors", errors={submission.error_block(exc.field): exc.message})
        return
    ack()
