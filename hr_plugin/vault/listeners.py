"""Slack surfaces of the private space: the button on the App Home, `/rtw checkin`, a global
shortcut, the reminder's buttons, and the modals behind them.

Identity always comes from the signed request (``context.user_id``), never from a payload
field or ``private_metadata``; a modal's metadata is a signed single-use token bound to that
person and that screen.

Each listener is a module-level function declared in ``hr_plugin.vault.feature``; it reaches
the process's vault with ``vault_for(services)``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from hr_plugin.enrolment import EnrolmentView, own_enrolment
from hr_plugin.services import Services
from hr_plugin.slack.payloads import RequestContext, request_context
from hr_plugin.vault import actions as a
from hr_plugin.vault import content, signals, track
from hr_plugin.vault import views as v
from hr_plugin.vault.entry import vault_for
from hr_plugin.vault.messages import FROM_REMINDER
from hr_plugin.vault.service import STALE_SCREEN, CheckinInput, ModalToken, StaleScreen, Vault, VaultError
from hr_plugin.vault.values import Profile, Resource
from hr_plugin.vault.views import track as vt


def _include_partner(services: Services, vault: Vault, who: RequestContext) -> bool:
    mine = own_enrolment(services.factory, tenant_id=who.tenant_id, user_id=who.user_id)
    profile = vault.profile(who.tenant_id, who.user_id)
    return _partner(mine, profile)


def _partner(mine: EnrolmentView | None, profile: Profile) -> bool:
    return profile.partner_questions and not (mine is not None and mine.leave_out_family)


def _space_view(
    services: Services, vault: Vault, who: RequestContext, origin: str, *, first_use: bool = False
) -> Any:
    """The space as it is today: milestones, the first conversation and the quarterly review
    are worked out here, when it is opened, from sealed dates (never by a scheduled tick)."""
    entries = vault.entries(who.tenant_id, who.user_id)
    weekly = [signals.WeekEntry.from_record(entry) for entry in entries]
    week = vault.this_week(who.tenant_id, who.user_id)
    profile = vault.profile(who.tenant_id, who.user_id)
    mine = own_enrolment(services.factory, tenant_id=who.tenant_id, user_id=who.user_id)
    today = services.clock.now().date()
    partner = _partner(mine, profile)
    reviews = vault.reflections(who.tenant_id, who.user_id, "review")
    timing = signals.timing(
        today=today,
        arrival=date.fromisoformat(profile.arrival_date) if profile.arrival_date else None,
        leave_start=mine.leave_start if mine is not None else None,
        answered=profile.answered_milestones,
        started=vault.started_on(who.tenant_id, who.user_id) or today,
        last_review=date.fromisoformat(reviews[-1]["saved_at"][:10]) if reviews else None,
    )
    weekday, at, stopped, paused = vault.reminder_settings(who.tenant_id, who.user_id)
    # "Without a reminder" is a good sign only for someone whom reminders would reach this week.
    reminders_on = weekday is not None and not stopped and not paused
    reminder = "off" if weekday is None or stopped else f"{v.WEEKDAYS[weekday]}s at {at}"
    if paused and not stopped:
        reminder += f" (paused until {paused:%d %b})"
    state = v.SpaceState(
        include_partner=partner,
        checked_in_this_week=any(entry["week"] == week for entry in entries),
        signals=signals.current_signals(weekly, today=today, reminders_on=reminders_on),
        reminder=reminder,
        milestone_due=timing.milestone_due,
        first_conversation=partner and timing.first_conversation,
        review_due=timing.review_due,
        past_reviews=bool(reviews) or bool(profile.answered_milestones),
        expectations=first_use,
    )
    view = v.space_modal(state, vault.resources(who.tenant_id, who.user_id))
    view.private_metadata = origin
    return view


def _open_space(
    services: Services, trigger_id: str, client: WebClient, who: RequestContext, origin: str
) -> None:
    vault = vault_for(services)
    try:
        consented = vault.has_consented(who.tenant_id, who.user_id)
        resources = vault.resources(who.tenant_id, who.user_id)
    except VaultError as exc:
        client.views_open(trigger_id=trigger_id, view=v.done_modal(str(exc)))
        return
    if not consented:
        token = vault.token(who.tenant_id, who.user_id, f"consent-{origin or 'home'}")
        client.views_open(trigger_id=trigger_id, view=v.consent_modal(token, resources))
        return
    client.views_open(trigger_id=trigger_id, view=_space_view(services, vault, who, origin))


# -- entry points ----------------------------------------------------------------------


def on_open(body: dict[str, Any], client: WebClient, context: Any, services: Services) -> None:
    origin = FROM_REMINDER if body["actions"][0].get("value") == FROM_REMINDER else ""
    _open_space(services, body["trigger_id"], client, request_context(context), origin)


def on_shortcut(body: dict[str, Any], client: WebClient, context: Any, services: Services) -> None:
    _open_space(services, body["trigger_id"], client, request_context(context), "")


def on_command(
    command: dict[str, Any], client: WebClient, context: Any, services: Services, **_: Any
) -> None:
    """``/rtw checkin``: opens the private space, like the Home's button."""
    _open_space(services, command["trigger_id"], client, request_context(context), "")


# -- consent -------------------------------------------------------------------------


def _refuse_stale(ack: Ack) -> None:
    """What a second submission of a screen (or a forged one) is told."""
    ack(response_action="update", view=v.done_modal(STALE_SCREEN))


def submit_consent(ack: Ack, view: dict[str, Any], context: Any, services: Services) -> None:
    vault = vault_for(services)
    who = request_context(context)
    token = view.get("private_metadata") or ""
    origin = FROM_REMINDER if token.startswith("consent-reminder") else ""
    purpose = f"consent-{origin or 'home'}"
    arrival = v.ConsentSubmission.from_view(view).arrival_date
    try:
        vault.consent(who.tenant_id, who.user_id, token=ModalToken(purpose, token), arrival_date=arrival)
    except StaleScreen:
        _refuse_stale(ack)
        return
    except VaultError as exc:
        if exc.field:
            ack(response_action="errors", errors={_block_for(exc.field): str(exc)})
        else:
            ack(response_action="update", view=v.done_modal(str(exc)))
        return
    # Right after agreeing, the space shows what to expect, once.
    ack(response_action="update", view=_space_view(services, vault, who, origin, first_use=True))


# -- screens pushed from the space ---------------------------------------------------------


def push(ack: Ack, body: dict[str, Any], client: WebClient, context: Any, services: Services) -> None:
    """A button in the space: push the screen it names."""
    _push(_screen, ack, body, client, context, services)


def _push(
    screen: Callable[[Services, dict[str, Any], RequestContext], Any],
    ack: Ack,
    body: dict[str, Any],
    client: WebClient,
    context: Any,
    services: Services,
) -> None:
    """Answer, then push the ``screen`` a click asks for (nothing when it is None; a refusal's
    fixed sentence when the vault refuses)."""
    ack()
    try:
        view = screen(services, body, request_context(context))
    except VaultError as exc:
        view = v.done_modal(str(exc))
    if view is not None:
        client.views_push(trigger_id=body["trigger_id"], view=view)


def _screen(services: Services, body: dict[str, Any], who: RequestContext) -> Any:
    vault = vault_for(services)
    action = body["actions"][0]
    origin = (body.get("view") or {}).get("private_metadata") or ""
    resources = vault.resources(who.tenant_id, who.user_id)
    partner = _include_partner(services, vault, who)
    action_id = action["action_id"]
    if action_id == a.CHECKIN_ACTION:
        entries = vault.entries(who.tenant_id, who.user_id)
        week = vault.this_week(who.tenant_id, who.user_id)
        earlier = [entry for entry in entries if entry["week"] < week]
        last = earlier[-1]["experiments"] if earlier else []
        purpose = "checkin-reminder" if origin == FROM_REMINDER else "checkin"
        view = v.checkin_modal(
            vault.token(who.tenant_id, who.user_id, purpose),
            include_partner=partner,
            last_experiments=last,
            resources=resources,
            expectations=not entries,  # the first check-in says what to expect
        )
    elif action_id == a.LOOK_BACK_ACTION:
        entries = vault.entries(who.tenant_id, who.user_id)
        weekly = [signals.WeekEntry.from_record(entry) for entry in entries]
        today = services.clock.now().date()
        points = signals.trend(weekly, 12, today=today)
        view = v.look_back_modal(
            points,
            entries,
            include_partner=partner,
            resources=resources,
            warning_signs=signals.warning_signs_offered(weekly, today=today),
        )
    elif action_id == a.REMINDERS_ACTION:
        weekday, at, _, _ = vault.reminder_settings(who.tenant_id, who.user_id)
        view = v.reminders_modal(
            vault.token(who.tenant_id, who.user_id, "reminders"),
            weekday,
            at,
            include_partner=partner,
            resources=resources,
        )
    elif action_id == a.PROFILE_ACTION:
        profile = vault.profile(who.tenant_id, who.user_id)
        view = v.profile_modal(
            vault.token(who.tenant_id, who.user_id, "profile"),
            include_partner=profile.partner_questions,
            arrival=profile.arrival_date,
            resources=resources,
        )
    elif action_id == a.MILESTONE_ACTION:
        key = str(action.get("value"))
        if key not in content.MILESTONE_KEYS:
            return None  # not a button the app drew
        milestone = content.milestone(key, include_partner=partner)
        if milestone is None:
            return None
        view = v.reflection_modal(
            vault.token(who.tenant_id, who.user_id, f"milestone-{milestone.key}"),
            milestone.title,
            "\n\n".join([f"*{milestone.when}*", milestone.intro, *_counselling(resources)]),
            [("answer", milestone.question)],
            include_partner=partner,
            resources=resources,
        )
    elif action_id == a.REVIEW_ACTION:
        review = content.quarterly_review(include_partner=partner)
        view = v.reflection_modal(
            vault.token(who.tenant_id, who.user_id, "review"),
            review.title,
            review.intro,
            [(step.id, step.text) for step in review.steps],
            include_partner=partner,
            resources=resources,
        )
    elif action_id == a.GUIDE_ACTION:
        guide = content.first_conversation(include_partner=partner)
        if guide is None:
            return None
        view = v.reading_modal(
            guide.title,
            [guide.intro, *(step.text for step in guide.steps)],
            include_partner=partner,
            resources=resources,
        )
    elif action_id == a.PAST_REVIEWS_ACTION:
        view = v.past_reviews_modal(
            vault.reflections(who.tenant_id, who.user_id, "review"),
            content.quarterly_review(include_partner=partner),
            include_partner=partner,
            resources=resources,
            milestones=vault.reflections(who.tenant_id, who.user_id, "milestone"),
        )
    elif action_id == a.EXPORT_ACTION:
        url = _single_use_url(services, vault, who, "export")
        if url:
            view = v.export_modal(url=url, inline_json=None, include_partner=partner, resources=resources)
        else:
            exported = json.dumps(vault.export(who.tenant_id, who.user_id), indent=1, ensure_ascii=False)
            view = v.export_modal(
                url=None, inline_json=exported, include_partner=partner, resources=resources
            )
    elif action_id in (a.PAPER_ACTION, a.RITUAL_ACTION):
        view = _home_link(services, vault, who, action_id, partner, resources)
    elif action_id == a.DELETE_ACTION:
        view = v.delete_modal(
            vault.token(who.tenant_id, who.user_id, "delete"),
            include_partner=partner,
            resources=resources,
        )
    else:
        return None
    return view


# -- submissions -----------------------------------------------------------------------


def submit_checkin(ack: Ack, view: dict[str, Any], context: Any, services: Services) -> None:
    vault = vault_for(services)
    who = request_context(context)
    token = view.get("private_metadata") or ""
    purpose = vault.token_purpose(token)
    if purpose not in ("checkin", "checkin-reminder"):
        _refuse_stale(ack)
        return
    submitted = v.CheckinSubmission.from_view(view)
    answers = CheckinInput(
        restorative=submitted.restorative,
        demand=submitted.demand,
        vulnerability=submitted.vulnerability,
        rating=submitted.rating,
        experiments=submitted.experiments,
        follow_ups=submitted.follow_ups,
        partner_rating=submitted.partner_rating,
        partner_words=submitted.partner_words,
        closeness_outside=submitted.closeness_outside,
    )
    try:
        answers.check()
    except VaultError as exc:
        ack(response_action="errors", errors={_block_for(exc.field): str(exc)})
        return
    try:  # the token is spent only together with the saved entry
        vault.save_checkin(
            who.tenant_id,
            who.user_id,
            answers,
            from_reminder=purpose == "checkin-reminder",
            token=ModalToken(purpose, token),
        )
    except StaleScreen:
        _refuse_stale(ack)
        return
    except VaultError as exc:
        ack(response_action="update", view=v.done_modal(str(exc)))
        return
    ack(response_action="update", view=v.done_modal(content.checkin_text("saved", include_partner=True)))


def submit_reminders(ack: Ack, view: dict[str, Any], context: Any, services: Services) -> None:
    vault = vault_for(services)
    who = request_context(context)
    submitted = v.RemindersSubmission.from_view(view)
    weekday, at = submitted.weekday, submitted.at
    try:
        if weekday is None or not at:
            raise VaultError(
                "Pick a day." if weekday is None else "Pick a time.",
                "weekday" if weekday is None else "time",
            )
        vault.set_reminder(
            who.tenant_id,
            who.user_id,
            weekday,
            at,
            token=ModalToken("reminders", view.get("private_metadata") or ""),
        )
    except StaleScreen:
        _refuse_stale(ack)
        return
    except VaultError as exc:
        ack(response_action="errors", errors={_block_for(exc.field): str(exc)})
        return
    ack(response_action="update", view=v.done_modal(f"Reminders set for {v.WEEKDAYS[weekday]}s at {at}."))


def submit_profile(ack: Ack, view: dict[str, Any], context: Any, services: Services) -> None:
    vault = vault_for(services)
    who = request_context(context)
    token = ModalToken("profile", view.get("private_metadata") or "")
    try:  # the space may have been deleted from another screen since this one opened
        profile = vault.profile(who.tenant_id, who.user_id)
        submitted = v.ProfileSubmission.from_view(view)
        profile.partner_questions = submitted.partner_questions
        profile.arrival_date = submitted.arrival_date
        vault.save_profile(who.tenant_id, who.user_id, profile, token=token)
    except StaleScreen:
        _refuse_stale(ack)
        return
    except VaultError as exc:
        if exc.field:
            ack(response_action="errors", errors={_block_for(exc.field): str(exc)})
        else:
            ack(response_action="update", view=v.done_modal(str(exc)))
        return
    ack(response_action="update", view=v.done_modal("Saved."))


def submit_reflection(ack: Ack, view: dict[str, Any], context: Any, services: Services) -> None:
    vault = vault_for(services)
    who = request_context(context)
    token = view.get("private_metadata") or ""
    purpose = vault.token_purpose(token)
    if not (purpose == "review" or purpose.startswith("milestone-")):
        _refuse_stale(ack)
        return
    answers = v.ReflectionSubmission.from_view(view).answers
    kind = "review" if purpose == "review" else "milestone"
    try:  # the answer, the milestone's mark and the spent token: one transaction
        vault.save_reflection(
            who.tenant_id,
            who.user_id,
            kind,
            answers,
            milestone=purpose.removeprefix("milestone-") if kind == "milestone" else None,
            token=ModalToken(purpose, token),
        )
    except StaleScreen:
        _refuse_stale(ack)
        return
    except VaultError as exc:
        ack(response_action="errors", errors={_block_for(exc.field): str(exc)})
        return
    ack(response_action="update", view=v.done_modal("Saved in your private space."))


def submit_delete(ack: Ack, view: dict[str, Any], context: Any, services: Services) -> None:
    vault = vault_for(services)
    who = request_context(context)
    token = ModalToken("delete", view.get("private_metadata") or "")
    try:
        vault.delete_everything(who.tenant_id, who.user_id, token=token)
    except StaleScreen:
        _refuse_stale(ack)
        return
    ack(response_action="clear")


def pause_or_stop(
    ack: Ack, body: dict[str, Any], context: Any, respond: Respond, client: WebClient, services: Services
) -> None:
    vault = vault_for(services)
    ack()
    who = request_context(context)
    action = body["actions"][0]["action_id"]
    try:
        if action in (a.STOP_ACTION, a.STOP_IN_SPACE_ACTION):
            vault.stop_reminders(who.tenant_id, who.user_id)
            text = "Reminders are off. You can turn them on again in your private space."
        else:
            until = vault.pause_reminders(who.tenant_id, who.user_id, 2)
            text = f"Reminders paused until {until:%d %b}."
    except VaultError as exc:
        text = str(exc)
    if body.get("view"):
        client.views_update(view_id=body["view"]["id"], view=v.done_modal(text))
    elif body.get("response_url"):
        respond(text=text, response_type="ephemeral", replace_original=False)


def _home_link(
    services: Services,
    vault: Vault,
    who: RequestContext,
    action_id: str,
    partner: bool,
    resources: list[Resource],
) -> Any:
    """The questions on paper, or the weekly ritual for both calendars, through a single-use link
    (or as text where the app has no web address to link to)."""
    kind = "questions" if action_id == a.PAPER_ACTION else "ritual"
    if kind == "ritual" and not partner:
        return None  # the button is drawn only where partner content is shown
    if kind == "questions":
        questions = content.checkin_questions(include_partner_questions=partner)
        fallback = "\n".join(f"• {question.text}" for question in questions)
    else:
        weekday, at, _, _ = vault.reminder_settings(who.tenant_id, who.user_id)
        if weekday is None or not at:
            return v.done_modal(content.link_words("ritual")["no_time"])
        fallback = f"{content.ritual_title()}: {v.WEEKDAYS[weekday]}s at {at}."
    url = _single_use_url(services, vault, who, kind)
    return v.link_modal(kind, url=url, fallback=fallback, include_partner=partner, resources=resources)


def _single_use_url(services: Services, vault: Vault, who: RequestContext, kind: str) -> str | None:
    """A new single-use link of ``kind`` (``export_page``), or None where the app has no web
    address people can reach (no public URL, or Socket Mode)."""
    public = services.settings.public_url
    if not public or services.settings.slack_app_token:
        return None
    return f"{public.rstrip('/')}/vault/export/{vault.export_link(who.tenant_id, who.user_id, kind)}"


def _counselling(resources: list[Resource]) -> list[str]:
    """The sentence offering the counselling HR set up, if HR set up any."""
    offered = [r for r in resources if r.kind == "counselling" and not r.built_in]
    return [content.counselling_offer(offered[0].name, offered[0].sessions)] if offered else []


def _block_for(field: str | None) -> str:
    return {
        "rating": v.RATING_BLOCK,
        "experiment": v.OWN_EXPERIMENT_BLOCK,
        "follow_up": v.FOLLOW_UP_BLOCK,
        "follow_up_note": v.FOLLOW_UP_NOTE_BLOCK,
        "partner_rating": v.PARTNER_RATING_BLOCK,
        "partner_words": v.PARTNER_WORDS_BLOCK,
        "weekday": v.WEEKDAY_BLOCK,
        "time": v.TIME_BLOCK,
        "arrival_date": v.ARRIVAL_BLOCK,
    }.get(field or "", field or v.RATING_BLOCK)


# -- the longer track (opt-in; its screens are in views/track.py) ----------------------------


def push_track(ack: Ack, body: dict[str, Any], client: WebClient, context: Any, services: Services) -> None:
    """A button of the track (in the space, or on the track's list): push the screen it names."""
    _push(_track_screen, ack, body, client, context, services)


def _track_screen(services: Services, body: dict[str, Any], who: RequestContext) -> Any:
    vault = vault_for(services)
    # The track is for a couple: for someone who left partner questions out, its button is not
    # drawn, and a click on one anyway (an old screen, a forged payload) opens nothing.
    if not _include_partner(services, vault, who):
        return None
    resources = vault.resources(who.tenant_id, who.user_id)
    progress = vault.track_progress(who.tenant_id, who.user_id)
    action_id = body["actions"][0]["action_id"]
    if action_id == a.TRACK_ACTION:
        if progress.active:
            return vt.track_modal(progress, resources)
        return vt.track_start_modal(vault.token(who.tenant_id, who.user_id, "track-start"), resources)
    if action_id == a.TRACK_STOP_ACTION:
        return vt.track_stop_modal(vault.token(who.tenant_id, who.user_id, "track-stop"), resources)
    step = action_id.removeprefix(a.TRACK_STEP_PREFIX)
    if step == track.HELP:
        return vt.track_help_modal(resources)
    if step in track.TOOLS:
        return vt.track_tool_modal(
            step,
            vault.token(who.tenant_id, who.user_id, f"track-{step}"),
            progress,
            include_partner=True,
            resources=resources,
        )
    return None


def submit_track(ack: Ack, view: dict[str, Any], context: Any, services: Services) -> None:
    """Starting the track, leaving it, or saving one of its tools: the token's purpose says which,
    and is spent in the same transaction as what it saves."""
    vault = vault_for(services)
    who = request_context(context)
    token = view.get("private_metadata") or ""
    purpose = vault.token_purpose(token)
    part = purpose.removeprefix("track-")
    if purpose not in ("track-start", "track-stop") and part not in track.TOOLS:
        _refuse_stale(ack)
        return
    try:
        if purpose == "track-start":
            vault.start_track(who.tenant_id, who.user_id, token=ModalToken(purpose, token))
        elif purpose == "track-stop":
            vault.stop_track(who.tenant_id, who.user_id, token=ModalToken(purpose, token))
        else:
            submitted = vt.TrackSubmission.from_view(part, view)
            vault.save_track(
                who.tenant_id, who.user_id, part, submitted.data, token=ModalToken(purpose, token)
            )
    except StaleScreen:
        _refuse_stale(ack)
        return
    except VaultError as exc:
        if exc.field:
            ack(response_action="errors", errors={exc.field: str(exc)})
        else:
            ack(response_action="update", view=v.done_modal(str(exc)))
        return
    if purpose == "track-start":
        progress = vault.track_progress(who.tenant_id, who.user_id)
        ack(
            response_action="update",
            view=vt.track_modal(progress, vault.resources(who.tenant_id, who.user_id)),
        )
        return
    words = content.track_words("")
    ack(response_action="update", view=v.done_modal(words["saved"]))
