"""Slack surfaces for mentoring: opting in, preferences, the mentor's answer, ending, HR pairing."""

from __future__ import annotations

import contextlib
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from hr_plugin.services import Services
from hr_plugin.slack import refusals
from hr_plugin.slack.payloads import request_context
from mentoring import actions, service
from mentoring import messages as words
from mentoring import views as v

# Why a mentoring button opens nothing for someone the directory does not know.
NOT_IN_DIRECTORY = (
    "You are not in the HR directory this app works from yet, so there is nothing to open for you. "
    "HR adds people from the company directory: ask your HR team if you should be in it."
)

FIELD_BLOCKS = {
    "confirm": v.CONFIRM_BLOCK,
    "capacity": v.CAPACITY_BLOCK,
    "tags": v.TAGS_BLOCK,
    "preferences": v.PREFERENCES_BLOCK,
    "mentee": v.MENTEE_BLOCK,
    "mentor": v.MENTOR_BLOCK,
}


def open_become(
    body: dict[str, Any], client: WebClient, context: Any, respond: Respond, services: Services
) -> None:
    """Shows the mentor form, filled with what they gave before; someone unknown hears why not."""
    who = request_context(context)
    try:
        current = service.current_mentor_form(services.factory, tenant_id=who.tenant_id, user_id=who.user_id)
    except service.MentoringError:  # not in the directory: nothing to open, and they hear why
        refusals.tell(services, body, context, respond, NOT_IN_DIRECTORY, reason="mentoring-unknown")
        return
    client.views_open(
        trigger_id=body["trigger_id"],
        view=v.mentor_modal(
            capacity=current.capacity if current else 1,
            tags=sorted(current.tags) if current else [],
            share=current.share_tags if current else False,
            returned_on=current.returned_on if current else None,
            facilitates=current.facilitates_huddles if current else False,
        ),
    )


def submit_become(ack: Ack, view: dict[str, Any], context: Any, services: Services) -> None:
    """Saves the mentor form before answering, so a refusal shows on the field it concerns."""
    who = request_context(context)
    form = v.MentorForm.from_view(view)
    try:
        service.opt_in(
            services.factory, services.clock, tenant_id=who.tenant_id, user_id=who.user_id, form=form
        )
    except service.MentoringError as exc:
        ack(
            response_action="errors",
            errors={FIELD_BLOCKS.get(exc.field or "", v.CONFIRM_BLOCK): str(exc)},
        )
        return
    ack()


def mentor_state(ack: Ack, body: dict[str, Any], context: Any, services: Services) -> None:
    """Pause, resume or stop mentoring; a Home out of date changes nothing and is refreshed."""
    ack()
    who = request_context(context)
    state = {actions.PAUSE_ACTION: "pause", actions.RESUME_ACTION: "resume", actions.STOP_ACTION: "stop"}[
        body["actions"][0]["action_id"]
    ]
    with contextlib.suppress(service.MentoringError):
        service.set_mentor_state(
            services.factory, services.clock, tenant_id=who.tenant_id, user_id=who.user_id, state=state
        )


def open_preferences(
    body: dict[str, Any], client: WebClient, context: Any, respond: Respond, services: Services
) -> None:
    """Shows the mentee's preferences; someone unknown hears why not."""
    who = request_context(context)
    try:
        prefs = service.current_preferences(services.factory, tenant_id=who.tenant_id, user_id=who.user_id)
    except service.MentoringError:  # not in the directory: nothing to open, and they hear why
        refusals.tell(services, body, context, respond, NOT_IN_DIRECTORY, reason="mentoring-unknown")
        return
    client.views_open(
        trigger_id=body["trigger_id"],
        view=v.preferences_modal(
            preferences=prefs.preferences,
            excluded_user_ids=prefs.excluded_user_ids,
            wants_mentor=prefs.wants_mentor,
            manager_may_know=prefs.manager_may_know,
        ),
    )


def submit_preferences(ack: Ack, view: dict[str, Any], context: Any, services: Services) -> None:
    """Saves the mentee's preferences before answering, so a refusal shows inline."""
    who = request_context(context)
    form = v.PreferencesForm.from_view(view)
    try:
        service.set_preferences(
            services.factory,
            services.clock,
            tenant_id=who.tenant_id,
            user_id=who.user_id,
            preferences=form.preferences,
            excluded_user_ids=form.excluded_user_ids,
            wants_mentor=form.wants_mentor,
            manager_may_know=form.manager_may_know,
        )
    except service.MentoringError as exc:
        ack(
            response_action="errors",
            errors={FIELD_BLOCKS.get(exc.field or "", v.PREFERENCES_BLOCK): str(exc)},
        )
        return
    ack()


def answer(ack: Ack, body: dict[str, Any], context: Any, respond: Respond, services: Services) -> None:
    """The mentor accepts or declines a proposed match; the reply replaces the question. A
    decline is saved here and the rematch left to the scheduler's tick, so the reply comes
    without waiting for the tenant's solve."""
    ack()
    who = request_context(context)
    action = body["actions"][0]
    accept = action["action_id"] == actions.ACCEPT_ACTION
    try:
        service.respond(
            services.factory,
            services.clock,
            tenant_id=who.tenant_id,
            user_id=who.user_id,
            match_id=int(action.get("value") or ""),
            accept=accept,
        )
        text = words.ACCEPTED_REPLY if accept else words.DECLINED_REPLY
    except (service.MentoringError, ValueError) as exc:
        text = str(exc)
    if body.get("response_url"):
        respond(text=text, replace_original=True)


def end_match(ack: Ack, body: dict[str, Any], context: Any, services: Services) -> None:
    """Either side ends a match from the App Home; the other is told, without a reason. The
    Home republished after it is the answer: a mentee's reads that a new mentor is being looked
    for (the rematch tick does the looking)."""
    ack()
    who = request_context(context)
    with contextlib.suppress(service.MentoringError, ValueError):
        service.end(
            services.factory,
            services.clock,
            tenant_id=who.tenant_id,
            user_id=who.user_id,
            match_id=int(body["actions"][0].get("value") or ""),
        )


def met(ack: Ack, body: dict[str, Any], context: Any, respond: Respond, services: Services) -> None:
    """The two-week "did you meet?" answer; the reply replaces the question."""
    ack()
    who = request_context(context)
    action = body["actions"][0]
    with contextlib.suppress(service.MentoringError, ValueError):
        service.record_met(
            services.factory,
            services.clock,
            tenant_id=who.tenant_id,
            user_id=who.user_id,
            match_id=int(action.get("value") or ""),
            met=action["action_id"] == actions.MET_YES_ACTION,
        )
    if body.get("response_url"):
        respond(text="Thanks, noted.", replace_original=True)


def open_assign(
    body: dict[str, Any], client: WebClient, context: Any, respond: Respond, services: Services
) -> None:
    """HR's pairing modal; anyone else is told it is for HR."""
    if not refusals.hr_admin_or_told(services, body, context, respond):
        return
    client.views_open(trigger_id=body["trigger_id"], view=v.assign_modal())


def submit_assign(ack: Ack, view: dict[str, Any], context: Any, services: Services) -> None:
    """HR pairs a mentee with a mentor by hand, saved before the answer."""
    who = request_context(context)
    form = v.AssignForm.from_view(view)
    try:
        service.hr_assign(
            services.factory,
            services.clock,
            tenant_id=who.tenant_id,
            actor_user_id=who.user_id,
            mentee_user_id=form.mentee_user_id,
            mentor_user_id=form.mentor_user_id,
        )
    except service.MentoringError as exc:
        ack(response_action="errors", errors={FIELD_BLOCKS.get(exc.field or "", v.MENTEE_BLOCK): str(exc)})
        return
    ack()
