"""The program's once-only operations under concurrent requests to a running ``hr-plugin serve``.

``tests/e2e/test_once_concurrent.py`` does this for seven operations; these are the rest of
the enrolment and return-plan ones, appointing an HR admin, and adding or removing a help
link. Each request is the one Slack sends for the real button or modal: the button is found
on the App Home (or the invitation message) the app built, and a modal is opened by its
button and submitted by its view id.
Twelve go at once, then one more: exactly one has an effect (in the database, and in the
messages the outbox holds for Slack), and everyone else is told what the later one is told.
A button on the App Home answers by republishing the Home, so what the others are told is
the Home they are shown. ``tests/reliability/test_once_only.py`` interleaves the same
operations deterministically.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from hr_plugin import enrolment
from hr_plugin.admins import appoint_by_email
from hr_plugin.clock import SystemClock
from hr_plugin.db import unit_of_work
from hr_plugin.directory import find_by_email
from hr_plugin.enrolment import views as enrolment_views
from hr_plugin.enrolment.models import Enrolment
from hr_plugin.models import HelpResource, HrAdmin, Leave, OutboxMessage
from hr_plugin.reintegration import service as plans
from hr_plugin.reintegration import views as plan_views
from hr_plugin.reintegration.models import ExtensionRequest, Plan
from hr_plugin.resources import add_help_link
from hr_plugin.slack.views import help_links as help_views
from hr_plugin.slack.views import home as home_views
from hr_plugin.slack.views import modals
from hr_plugin.testing.fake_slack import BOT_USER_ID
from hr_plugin.testing.signed_client import SignedResponse
from tests.e2e.conftest import TEAM
from tests.e2e.once_serving import (
    AT_ONCE,
    Running,
    all_at_once,
    audited,
    enrol,
    modal_errors,
    nothing_failed,
    replies,
)
from tests.waiting import wait_for

Blocks = list[dict[str, Any]]
Send = Callable[[int], SignedResponse]

NO_INVITATION = "There is no invitation waiting for you."


# -- what the app showed, and the requests Slack sends back from it --------------------------


def _homes(running: Running, user_id: str) -> list[Blocks]:
    """The blocks of every App Home Slack accepted for this person, oldest first."""
    shown = []
    for call in running.fake.calls_for("views.publish", user=user_id):
        if call["ok"]:
            view = call["params"]["view"]
            shown.append((json.loads(view) if isinstance(view, str) else view)["blocks"])
    return shown


def _elements(blocks: Blocks) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """Each interactive element shown (a section's accessory, an actions block's elements), with its block."""
    for block in blocks:
        for element in [block.get("accessory") or {}, *block.get("elements", [])]:
            if element.get("action_id"):
                yield block, element


def _button(blocks: Blocks, action_id: str) -> tuple[str, str]:
    """The block id and value of the button ``action_id`` among ``blocks``: what Slack sends
    back when it is clicked. Fails if the app shows no such button."""
    for block, element in _elements(blocks):
        if element["action_id"] == action_id:
            return str(block.get("block_id", "section")), str(element["value"])
    raise AssertionError(f"no {action_id} button is shown")


def _shows(blocks: Blocks, action_id: str) -> bool:
    return any(element["action_id"] == action_id for _, element in _elements(blocks))


def _home_click(running: Running, user_id: str, action_id: str) -> Send:
    """The person opens their App Home; a click on its button ``action_id``, ready to send."""
    before = len(_homes(running, user_id))
    assert running.client().app_home_opened(user_id).status == 200
    wait_for(lambda: len(_homes(running, user_id)) > before, 20, f"{user_id}'s Home")
    home = running.fake.home_view(user_id)
    assert home is not None
    block_id, value = _button(home["blocks"], action_id)
    client = running.client()
    return lambda _: client.block_action(user_id, action_id, value, block_id=block_id, view=home)


def _opened_modal(running: Running, user_id: str, click: Send, callback_id: str) -> dict[str, Any]:
    """Send ``click`` (a button that opens a modal); the modal as Slack shows it, with its id."""
    before = len(running.fake.calls_for("views.open", user=user_id))
    assert click(0).status == 200
    wait_for(lambda: len(running.fake.calls_for("views.open", user=user_id)) > before, 20, "the modal")
    modal = running.fake.last_modal(user_id)
    assert modal is not None and modal["callback_id"] == callback_id
    return modal


def _submission(
    running: Running, user_id: str, modal: dict[str, Any], values: dict[str, dict[str, dict[str, Any]]]
) -> Send:
    """Submitting ``modal`` with ``values`` (each block id checked against the modal's inputs)."""
    inputs = {block.get("block_id") for block in modal["blocks"] if block["type"] == "input"}
    assert set(values) <= inputs, (set(values), inputs)
    client = running.client()
    return lambda _: client.view_submission(user_id, modal["callback_id"], values, view_id=modal["id"])


@dataclass
class Seen:
    """What twelve requests at once and a later one were answered, and the Homes they refreshed."""

    answers: list[SignedResponse]
    later: SignedResponse
    homes: list[Blocks]
    later_home: Blocks


def _at_once_then_later(running: Running, user_id: str, send: Send) -> Seen:
    """``send`` twelve times at once, then once more when all of them are done.

    Every request here refreshes the acting person's Home after its answer, refused or not;
    waiting for those also waits for the work after the answer to finish."""
    shown = len(_homes(running, user_id))
    answers = all_at_once(AT_ONCE, send)
    wait_for(lambda: len(_homes(running, user_id)) >= shown + AT_ONCE, 30, "a Home after every request")
    later = send(0)
    wait_for(lambda: len(_homes(running, user_id)) >= shown + AT_ONCE + 1, 30, "a Home after the later one")
    homes = _homes(running, user_id)[shown:]
    assert len(homes) == AT_ONCE + 1, f"{len(homes)} Homes for {AT_ONCE + 1} requests"
    assert [answer.status for answer in [*answers, later]] == [200] * (AT_ONCE + 1)
    return Seen(answers, later, homes[:AT_ONCE], homes[AT_ONCE])


# -- rows ------------------------------------------------------------------------------------


def _hr(running: Running) -> str:
    """The company's HR admin, appointed through the service the CLI calls."""
    appoint_by_email(running.factory, SystemClock(), tenant_id=TEAM, email="hr@example.com", actor="test")
    return "UHR"


def _enrolled(running: Running, *, with_plan: bool) -> int:
    """The parent, enrolled and back in four weeks (an upcoming return on HR's Home); with the
    plan their acceptance makes in the app (the plans' hook), if ``with_plan``. Its enrolment id."""
    enrol(running, "parent@example.com", "UPARENT")
    clock = SystemClock()
    with unit_of_work(running.factory) as session:
        enrolled = session.scalars(select(Enrolment)).one()
        leave = session.get(Leave, enrolled.leave_id)
        assert leave is not None
        leave.expected_return = clock.now().date() + timedelta(weeks=4)
        session.flush()
        if with_plan:
            plans.on_enrolment(session, clock, enrolled, "activated")
        session.commit()
        return enrolled.id


def _outbox(running: Running, key_prefix: str) -> int:
    """Messages held for Slack whose idempotency key starts ``key_prefix``."""
    with unit_of_work(running.factory) as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.idempotency_key.like(f"{key_prefix}:%"))
            )
            or 0
        )


def _plan(running: Running) -> Plan:
    with unit_of_work(running.factory) as session:
        return session.scalars(select(Plan)).one()


def _statuses(running: Running) -> list[str]:
    with unit_of_work(running.factory) as session:
        return list(session.scalars(select(Enrolment.status)))


def _no_traceback(running: Running) -> None:
    nothing_failed(running)


# -- enrolment -------------------------------------------------------------------------------


def test_accepts_and_declines_of_one_invitation_from_twelve_screens_keep_one_answer(running: Running) -> None:
    """Half the requests accept (the invitation's modal), half click "No, thanks" (its message)."""
    clock = SystemClock()
    today = clock.now().date()
    with unit_of_work(running.factory) as session:
        parent = find_by_email(session, TEAM, "parent@example.com")
        assert parent is not None
        invited = enrolment.propose(
            session,
            clock,
            tenant_id=TEAM,
            employee=parent,
            leave_start=today - timedelta(days=200),
            expected_return=today + timedelta(days=30),
            actor="test",
        )
        session.commit()
        invitation: dict[str, Any] = {
            "type": "message",
            "user": BOT_USER_ID,
            "ts": "1700000000.000100",
            "text": enrolment.invitation_text(),
            "blocks": enrolment.invitation_blocks(invited.id),
        }
    client = running.client()

    def from_invitation(action_id: str) -> Send:
        block_id, value = _button(invitation["blocks"], action_id)
        return lambda _: client.block_action(
            "UPARENT", action_id, value, block_id=block_id, message=invitation
        )

    modal = _opened_modal(
        running, "UPARENT", from_invitation(enrolment.INVITE_ACTION), enrolment_views.ACCEPT_CALLBACK
    )
    accept = _submission(
        running,
        "UPARENT",
        modal,
        {
            enrolment_views.CHOICES_BLOCK: {
                "value": {
                    "type": "checkboxes",
                    "selected_options": [{"value": enrolment_views.CONTACT_CHOICE}],
                }
            }
        },
    )
    decline = from_invitation(enrolment.DECLINE_ACTION)

    seen = _at_once_then_later(running, "UPARENT", lambda i: decline(i) if i % 2 else accept(i))
    wait_for(lambda: len(replies(running, "UPARENT")) >= AT_ONCE // 2, 20, "a reply to every decline")
    told = replies(running, "UPARENT")
    later_decline = decline(0)
    assert later_decline.status == 200
    wait_for(lambda: len(replies(running, "UPARENT")) > len(told), 20, "a reply to the later decline")
    told_later = replies(running, "UPARENT")[len(told) :]

    accepted, declined = audited(running, "enrolment.accepted"), audited(running, "enrolment.declined")
    assert (accepted, declined) in ((1, 0), (0, 1)), (accepted, declined)
    assert _statuses(running) == (["active"] if accepted else ["declined"])
    with unit_of_work(running.factory) as session:
        assert session.scalar(select(func.count()).select_from(Plan)) == accepted  # no plan for a "no"
    # What the later ones are told: no invitation is waiting, in the modal and in a reply.
    assert modal_errors(seen.later) == [NO_INVITATION]
    assert told_later == [NO_INVITATION]
    # Everyone else was told the same; only the one that took effect was told anything else.
    accepts = [modal_errors(answer) for answer in seen.answers[0::2]]
    assert accepts.count([]) == accepted
    assert all(errors == [NO_INVITATION] for errors in accepts if errors)
    assert len(told) == AT_ONCE // 2
    assert told.count(NO_INVITATION) == AT_ONCE // 2 - declined
    assert all(text.startswith("Thanks for letting us know.") for text in told if text != NO_INVITATION)
    _no_traceback(running)


def test_hr_confirming_one_self_enrolment_twelve_times_at_once_confirms_it_once(running: Running) -> None:
    hr = _hr(running)
    today = SystemClock().now().date()
    asked = enrolment.self_enrol(
        running.factory,
        SystemClock(),
        tenant_id=TEAM,
        user_id="UPEER",
        leave_start=today - timedelta(days=200),
        expected_return=today + timedelta(days=30),
        contact_during_leave=True,
        leave_out_family=False,
    )
    assert asked.status == enrolment.AWAITING_HR

    seen = _at_once_then_later(running, hr, _home_click(running, hr, home_views.CONFIRM_ACTION))

    assert audited(running, "enrolment.confirmed") == 1
    assert _statuses(running) == ["active"]
    with unit_of_work(running.factory) as session:
        assert session.scalar(select(func.count()).select_from(Plan)) == 1
    assert _plan(running).version == 1  # the plan was made once, not made and rebuilt
    assert _outbox(running, "enrolment-confirmed") == 1  # the employee is told once
    assert _outbox(running, "plan-to-manager") == 1  # so is the manager
    # Every click is answered with the Home a later click gets: nobody is left to confirm.
    assert not _shows(seen.later_home, home_views.CONFIRM_ACTION)
    assert all(home == seen.later_home for home in seen.homes)
    _no_traceback(running)


def test_leaving_the_program_clicked_twelve_times_at_once_is_recorded_once(running: Running) -> None:
    _enrolled(running, with_plan=True)

    seen = _at_once_then_later(
        running, "UPARENT", _home_click(running, "UPARENT", home_views.LEAVE_PROGRAM_ACTION)
    )

    assert audited(running, "enrolment.left") == 1
    assert _statuses(running) == ["left"]
    assert _plan(running).active is False
    assert not _shows(seen.later_home, home_views.LEAVE_PROGRAM_ACTION)
    assert _shows(seen.later_home, home_views.JOIN_ACTION)  # the Home a later click gets: ask to join
    assert all(home == seen.later_home for home in seen.homes)
    _no_traceback(running)


def test_hr_withdrawing_one_enrolment_twelve_times_at_once_ends_it_once(running: Running) -> None:
    hr = _hr(running)
    _enrolled(running, with_plan=True)

    seen = _at_once_then_later(running, hr, _home_click(running, hr, home_views.WITHDRAW_ACTION))

    assert audited(running, "enrolment.withdrawn") == 1
    assert _statuses(running) == ["withdrawn"]
    assert _plan(running).active is False
    assert not _shows(seen.later_home, home_views.WITHDRAW_ACTION)
    assert all(home == seen.later_home for home in seen.homes)
    _no_traceback(running)


def test_moving_the_return_to_one_date_from_twelve_submissions_at_once_is_recorded_once(
    running: Running,
) -> None:
    _enrolled(running, with_plan=True)
    moved_to = SystemClock().now().date() + timedelta(weeks=6)
    modal = _opened_modal(
        running,
        "UPARENT",
        _home_click(running, "UPARENT", home_views.RETURN_DATE_ACTION),
        enrolment_views.RETURN_DATE_CALLBACK,
    )
    move = _submission(
        running,
        "UPARENT",
        modal,
        {
            enrolment_views.RETURN_BLOCK: {
                "value": {"type": "datepicker", "selected_date": moved_to.isoformat()}
            }
        },
    )

    seen = _at_once_then_later(running, "UPARENT", move)

    assert audited(running, "enrolment.return_moved") == 1
    with unit_of_work(running.factory) as session:
        assert session.scalars(select(Leave.expected_return)).one() == moved_to
    plan = _plan(running)
    assert (plan.return_date, plan.version) == (moved_to, 2)  # rebuilt once
    assert _outbox(running, "plan-to-manager") == 2  # the first plan, and the move once
    refused = [modal_errors(answer) for answer in seen.answers if modal_errors(answer)]
    assert len(refused) == AT_ONCE - 1  # one modal closed: the one that moved it
    assert modal_errors(seen.later) == ["That is already the expected return date."]
    assert all(errors == modal_errors(seen.later) for errors in refused)
    _no_traceback(running)


# -- return plans ----------------------------------------------------------------------------


def test_asking_for_more_time_from_twelve_submissions_at_once_asks_hr_once(running: Running) -> None:
    _hr(running)
    _enrolled(running, with_plan=True)
    modal = _opened_modal(
        running,
        "UPARENT",
        _home_click(running, "UPARENT", plan_views.MORE_OPEN_ACTION),
        plan_views.MORE_CALLBACK,
    )
    ask = _submission(
        running, "UPARENT", modal, {plan_views.WEEKS_BLOCK: {"value": {"type": "number_input", "value": "2"}}}
    )

    seen = _at_once_then_later(running, "UPARENT", ask)

    assert audited(running, "plan.more_requested") == 1
    with unit_of_work(running.factory) as session:
        assert list(session.scalars(select(ExtensionRequest.weeks))) == [2]
    assert _outbox(running, "extension-request") == 1  # one HR admin, asked once
    refused = [modal_errors(answer) for answer in seen.answers if modal_errors(answer)]
    assert len(refused) == AT_ONCE - 1
    assert modal_errors(seen.later) == ["You already have a request with HR."]
    assert all(errors == modal_errors(seen.later) for errors in refused)
    _no_traceback(running)


def test_hr_granting_one_request_for_more_time_twelve_times_at_once_grants_it_once(
    running: Running,
) -> None:
    hr = _hr(running)
    _enrolled(running, with_plan=True)
    plans.request_more(running.factory, SystemClock(), tenant_id=TEAM, user_id="UPARENT", weeks=2)
    before = _plan(running)

    seen = _at_once_then_later(running, hr, _home_click(running, hr, plan_views.GRANT_ACTION))

    assert audited(running, "plan.request_granted") == 1
    with unit_of_work(running.factory) as session:
        assert list(session.scalars(select(ExtensionRequest.status))) == ["granted"]
    plan = _plan(running)
    assert plan.extra_weeks_granted == before.extra_weeks_granted + 2
    assert plan.extension_weeks_taken == before.extension_weeks_taken + 2
    assert plan.version == before.version + 1  # rebuilt once
    assert _outbox(running, "plan-to-manager") == 2  # the first plan, and the grant once
    assert not _shows(seen.later_home, plan_views.GRANT_ACTION)
    assert all(home == seen.later_home for home in seen.homes)
    _no_traceback(running)


def test_twelve_clicks_at_once_on_the_last_week_of_extension_take_it_once(running: Running) -> None:
    _enrolled(running, with_plan=True)
    with unit_of_work(running.factory) as session:
        plan = session.scalars(select(Plan)).one()
        allowance = int(plan.budget["extension_weeks"]) + plan.extra_weeks_granted
        assert allowance >= 1
        plan.extension_weeks_taken = allowance - 1  # one week left
        session.commit()

    seen = _at_once_then_later(running, "UPARENT", _home_click(running, "UPARENT", plan_views.EXTEND_ACTION))

    assert audited(running, "plan.extended") == 1
    plan = _plan(running)
    assert (plan.extension_weeks_taken, plan.version) == (allowance, 2)
    assert _outbox(running, "plan-to-manager") == 2  # the first plan, and the week once
    assert not _shows(seen.later_home, plan_views.EXTEND_ACTION)  # none left: what a later click sees
    assert all(home == seen.later_home for home in seen.homes)
    _no_traceback(running)


# -- HR admins -------------------------------------------------------------------------------


def test_appointing_one_hr_admin_from_twelve_submissions_at_once_is_recorded_once(running: Running) -> None:
    # The boss owns the workspace: Slack says so, and the Home offers to appoint HR admins.
    running.fake.add_user(
        "UBOSS", name="boss", real_name="boss@example.com", email="boss@example.com", is_owner=True
    )
    modal = _opened_modal(
        running,
        "UBOSS",
        _home_click(running, "UBOSS", home_views.APPOINT_ADMIN_ACTION),
        modals.APPOINT_ADMIN_CALLBACK,
    )
    appoint = _submission(
        running,
        "UBOSS",
        modal,
        {modals.APPOINTEE_BLOCK: {modals.APPOINTEE_ACTION: {"type": "users_select", "selected_user": "UHR"}}},
    )

    seen = _at_once_then_later(running, "UBOSS", appoint)

    assert audited(running, "admins.appointed") == 1
    with unit_of_work(running.factory) as session:
        assert session.scalar(select(func.count()).select_from(HrAdmin)) == 1
    assert _outbox(running, "admin-appointed") == 1  # the new admin is told once
    # An appointment already made is not an error: every modal closes, as a later one does.
    assert modal_errors(seen.later) == [] and not seen.later.body.strip()
    assert [answer.body for answer in seen.answers] == [seen.later.body] * AT_ONCE
    _no_traceback(running)


# -- help links ------------------------------------------------------------------------------


def test_adding_one_help_link_from_twelve_submissions_at_once_lists_it_once(running: Running) -> None:
    hr = _hr(running)
    modal = _opened_modal(
        running, hr, _home_click(running, hr, help_views.HELP_LINKS_ACTION), help_views.HELP_LINKS_CALLBACK
    )
    action = modal["blocks"][-1]["element"]["action_id"]  # the form's inputs share one action id
    add = _submission(
        running,
        hr,
        modal,
        {
            help_views.KIND_BLOCK: {
                action: {"type": "static_select", "selected_option": {"value": "crisis"}}
            },
            help_views.NAME_BLOCK: {action: {"type": "plain_text_input", "value": "Night line"}},
            help_views.URL_BLOCK: {action: {"type": "plain_text_input", "value": "tel:+441234567890"}},
        },
    )

    answers = all_at_once(AT_ONCE, add)
    later = add(0)

    assert [answer.status for answer in [*answers, later]] == [200] * (AT_ONCE + 1)
    with unit_of_work(running.factory) as session:
        assert session.scalar(select(func.count()).select_from(HelpResource)) == 1
    assert audited(running, "resources.added") == 1
    updated = [answer for answer in answers if (answer.json or {}).get("response_action") == "update"]
    refused = [answer for answer in answers if answer not in updated]
    assert len(updated) == 1 and "Night line" in json.dumps(updated[0].json)
    # Everyone else is told what a later submission is told: the link is there already.
    assert modal_errors(later) == ["This link is already listed for that country."]
    assert [answer.body for answer in refused] == [later.body] * (AT_ONCE - 1)
    _no_traceback(running)


def test_removing_one_help_link_clicked_twelve_times_at_once_removes_it_once(running: Running) -> None:
    hr = _hr(running)
    add_help_link(
        running.factory,
        SystemClock(),
        tenant_id=TEAM,
        actor_user_id=hr,
        fields={"kind": "crisis", "name": "Night line", "url": "tel:+441234567890"},
    )
    modal = _opened_modal(
        running, hr, _home_click(running, hr, help_views.HELP_LINKS_ACTION), help_views.HELP_LINKS_CALLBACK
    )
    (link_id,) = [block["accessory"]["value"] for block in modal["blocks"] if "accessory" in block]
    client = running.client()

    def remove(_: int) -> SignedResponse:
        return client.block_action(hr, help_views.REMOVE_LINK_ACTION, link_id, view=modal)

    answers = all_at_once(AT_ONCE, remove)
    wait_for(lambda: running.fake.calls_for("views.update", user=hr), 20, "the modal drawn again")
    later = remove(0)

    assert [answer.status for answer in [*answers, later]] == [200] * (AT_ONCE + 1)
    with unit_of_work(running.factory) as session:
        assert session.scalar(select(func.count()).select_from(HelpResource)) == 0
    assert audited(running, "resources.removed") == 1
    (update,) = running.fake.calls_for(
        "views.update", user=hr
    )  # drawn again once, by the click that removed it
    assert update["ok"] and "No help links yet." in json.dumps(update["params"]["view"])
    _no_traceback(running)
