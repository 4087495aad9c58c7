"""Joining, answering an invitation, changing one's enrolment; HR proposing and confirming."""

from __future__ import annotations

import contextlib
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from hr_plugin import enrolment
from hr_plugin.enrolment import views
from hr_plugin.enrolment.actions import CONFIRM_ACTION, CONTACT_TOGGLE_ACTION
from hr_plugin.enrolment.views import EnrolmentSubmission
from hr_plugin.services import Services
from hr_plugin.slack import refusals
from hr_plugin.slack.payloads import request_context

NO_ENROLMENT = "You have no open enrolment to set this for. Your Home tab shows where you stand."

FIELD_BLOCKS = {
    "employee": views.EMPLOYEE_BLOCK,
    "leave_start": views.LEAVE_START_BLOCK,
    "expected_return": views.RETURN_BLOCK,
}


def _errors(exc: enrolment.EnrolmentError, default_block: str) -> dict[str, str]:
    return {FIELD_BLOCKS.get(exc.field or "", default_block): str(exc)}


def open_invitation(
    body: dict[str, Any], client: WebClient, context: Any, respond: Respond, services: Services
) -> None:
    who = request_context(context)
    mine = enrolment.own_enrolment(services.factory, tenant_id=who.tenant_id, user_id=who.user_id)
    if mine is None or mine.status != enrolment.PROPOSED:
        _tell(respond, body, "This invitation is no longer open. Your Home tab shows where you stand.")
        return
    client.views_open(
        trigger_id=body["trigger_id"], view=views.accept_modal(mine.leave_start, mine.expected_return)
    )


def submit_accept(ack: Ack, view: dict[str, Any], context: Any, services: Services) -> None:
    who = request_context(context)
    form = EnrolmentSubmission.from_view(view)
    try:
        enrolment.accept(
            services.factory,
            services.clock,
            services.enrolment_hooks,
            tenant_id=who.tenant_id,
            user_id=who.user_id,
            contact_during_leave=form.contact_during_leave,
            leave_out_family=form.leave_out_family,
        )
    except enrolment.EnrolmentError as exc:
        ack(response_action="errors", errors=_errors(exc, views.CHOICES_BLOCK))
        return
    ack()


def decline(ack: Ack, body: dict[str, Any], context: Any, respond: Respond, services: Services) -> None:
    ack()
    who = request_context(context)
    try:
        enrolment.decline(services.factory, services.clock, tenant_id=who.tenant_id, user_id=who.user_id)
    except enrolment.EnrolmentError as exc:
        _tell(respond, body, str(exc))
        return
    _tell(
        respond,
        body,
        "Thanks for letting us know. If you change your mind, the Home tab has an *Ask to join* button.",
        replace=True,
    )


def open_join(body: dict[str, Any], client: WebClient) -> None:
    client.views_open(trigger_id=body["trigger_id"], view=views.self_enrol_modal())


def submit_join(ack: Ack, view: dict[str, Any], context: Any, services: Services) -> None:
    who = request_context(context)
    form = EnrolmentSubmission.from_view(view)
    try:
        enrolment.self_enrol(
            services.factory,
            services.clock,
            tenant_id=who.tenant_id,
            user_id=who.user_id,
            leave_start=form.leave_start,
            expected_return=form.expected_return,
            contact_during_leave=form.contact_during_leave,
            leave_out_family=form.leave_out_family,
        )
    except enrolment.EnrolmentError as exc:
        ack(response_action="errors", errors=_errors(exc, views.LEAVE_START_BLOCK))
        return
    ack()


def open_return_date(body: dict[str, Any], client: WebClient, context: Any, services: Services) -> None:
    who = request_context(context)
    mine = enrolment.own_enrolment(services.factory, tenant_id=who.tenant_id, user_id=who.user_id)
    if mine is not None:
        client.views_open(trigger_id=body["trigger_id"], view=views.return_date_modal(mine.expected_return))


def submit_return_date(ack: Ack, view: dict[str, Any], context: Any, services: Services) -> None:
    who = request_context(context)
    try:
        enrolment.move_return_date(
            services.factory,
            services.clock,
            services.enrolment_hooks,
            tenant_id=who.tenant_id,
            actor_user_id=who.user_id,
            new_return=EnrolmentSubmission.from_view(view).expected_return,
        )
    except enrolment.EnrolmentError as exc:
        ack(response_action="errors", errors=_errors(exc, views.RETURN_BLOCK))
        return
    ack()


def toggle(ack: Ack, body: dict[str, Any], context: Any, services: Services) -> None:
    ack()
    who = request_context(context)
    action = body["actions"][0]
    value = action.get("value") == "on"
    field = "contact_during_leave" if action["action_id"] == CONTACT_TOGGLE_ACTION else "leave_out_family"
    # A click on a Home tab that is out of date (no longer enrolled): the refresh shows why.
    with contextlib.suppress(enrolment.EnrolmentError):
        enrolment.set_preferences(
            services.factory,
            services.clock,
            tenant_id=who.tenant_id,
            user_id=who.user_id,
            **{field: value},
        )


def open_content_choices(
    body: dict[str, Any], client: WebClient, context: Any, respond: Respond, services: Services
) -> None:
    who = request_context(context)
    mine = enrolment.own_enrolment(services.factory, tenant_id=who.tenant_id, user_id=who.user_id)
    if mine is None:
        refusals.tell(services, body, context, respond, NO_ENROLMENT, reason="not-enrolled")
        return
    client.views_open(trigger_id=body["trigger_id"], view=views.content_choices_modal(mine.leave_out_family))


def submit_content_choices(ack: Ack, view: dict[str, Any], context: Any, services: Services) -> None:
    who = request_context(context)
    try:
        enrolment.set_preferences(
            services.factory,
            services.clock,
            tenant_id=who.tenant_id,
            user_id=who.user_id,
            leave_out_family=EnrolmentSubmission.from_view(view).leave_out_family,
        )
    except enrolment.EnrolmentError as exc:
        ack(response_action="errors", errors={views.CHOICES_BLOCK: str(exc)})
        return
    ack()


def leave(ack: Ack, context: Any, services: Services) -> None:
    ack()
    who = request_context(context)
    # Already left (a second click, another device): the refreshed home shows where they stand.
    with contextlib.suppress(enrolment.EnrolmentError):
        enrolment.leave_program(
            services.factory,
            services.clock,
            services.enrolment_hooks,
            tenant_id=who.tenant_id,
            user_id=who.user_id,
        )


def open_propose(
    body: dict[str, Any], client: WebClient, context: Any, respond: Respond, services: Services
) -> None:
    if not refusals.hr_admin_or_told(services, body, context, respond):
        return
    client.views_open(trigger_id=body["trigger_id"], view=views.propose_modal())


def submit_propose(ack: Ack, view: dict[str, Any], context: Any, services: Services) -> None:
    who = request_context(context)
    form = EnrolmentSubmission.from_view(view)
    try:
        enrolment.propose_for_slack_user(
            services.factory,
            services.clock,
            tenant_id=who.tenant_id,
            actor_user_id=who.user_id,
            employee_user_id=form.employee_user_id,
            leave_start=form.leave_start,
            expected_return=form.expected_return,
        )
    except enrolment.EnrolmentError as exc:
        ack(response_action="errors", errors=_errors(exc, views.EMPLOYEE_BLOCK))
        return
    ack()


def hr_decision(ack: Ack, body: dict[str, Any], context: Any, services: Services) -> None:
    ack()
    who = request_context(context)
    action = body["actions"][0]
    decide = enrolment.confirm if action["action_id"] == CONFIRM_ACTION else enrolment.withdraw
    # Already decided elsewhere is fine: the refreshed home shows the current state.
    with contextlib.suppress(enrolment.EnrolmentError, ValueError):
        decide(
            services.factory,
            services.clock,
            services.enrolment_hooks,
            tenant_id=who.tenant_id,
            actor_user_id=who.user_id,
            enrolment_id=int(action.get("value") or ""),
        )


def _tell(respond: Respond, body: dict[str, Any], text: str, *, replace: bool = False) -> None:
    """Answer a click on a message in place; clicks on the App Home have no message to answer."""
    if body.get("response_url"):
        respond(text=text, replace_original=replace, response_type="ephemeral")
