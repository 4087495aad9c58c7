"""Privacy slips (issue 16, item 4), through signed requests and what the fake Slack recorded.

- A shared need waits on the server as a draft between its preview and its send: the preview
  modal's ``private_metadata`` carries only an opaque id, the draft is spent by the send (in the
  sender's name as it is then), deleted when the preview is closed or after an hour, and
  nobody else can send it.
- The App Home never shows the mark that leaves baby and partner content out.
- The request a mentor receives about a mentee reads the same with or without that mark, and
  names no baby, child or partner.
- HR-only modals do not open for others; they are told so instead.
- Someone the directory does not know who clicks a mentoring button is told why nothing opens.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from hr_plugin import enrolment
from hr_plugin.admins import appoint_by_email
from hr_plugin.clock import SimulatedClock
from hr_plugin.db import unit_of_work
from hr_plugin.directory import find_by_slack_id
from hr_plugin.enrolment import views as enrolment_views
from hr_plugin.reintegration import drafts
from hr_plugin.reintegration import views as plan_views
from hr_plugin.reintegration.models import NeedDraft, SharedNeed
from hr_plugin.slack import refusals
from hr_plugin.slack.views.help_links import HELP_LINKS_ACTION
from hr_plugin.slack.views.home import APPOINT_ADMIN_ACTION, FAMILY_OPEN_ACTION, PROPOSE_ACTION
from hr_plugin.testing.signed_client import SignedResponse
from hr_plugin.testing.stack import AppStack
from huddles import views as huddle_views
from mentoring import listeners as mentoring_listeners
from mentoring import views as mentoring_views
from tests.e2e import vault_flows as flow
from tests.e2e.conftest import TEAM, propose_enrolment

HOME = {"type": "home", "blocks": []}
# What the employee types: unique, so any copy of it anywhere can be found.
WORDS = "Tuesdays, the school run: canary-need-4e1f"
FAMILY_WORDS = re.compile(r"baby|babies|child|partner|birth|born|pregnan|newborn|infant", re.IGNORECASE)


@pytest.fixture
def hr(stack: AppStack, org: dict[str, str]) -> str:
    appoint_by_email(
        stack.factory, stack.services.clock, tenant_id=TEAM, email="hr@example.com", actor="test"
    )
    return "UHR"


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every record the app logs, down to DEBUG, from any of its threads."""
    caplog.set_level(logging.DEBUG)
    yield caplog


def _drain(stack: AppStack) -> None:
    stack.ticks.context.drainer.drain(max_seconds=60)


def _messages_to(stack: AppStack, user: str) -> list[dict[str, Any]]:
    return [c for c in stack.fake.calls_for("chat.postMessage", user=user) if c["ok"]]


def _preview(stack: AppStack, user: str = "UPARENT", detail: str = WORDS) -> SignedResponse:
    stack.slack.block_action(user, plan_views.NEED_OPEN_ACTION, "open", view=HOME)
    return stack.slack.view_submission(
        user,
        plan_views.NEED_CALLBACK,
        {
            plan_views.TEMPLATE_BLOCK: {"value": {"selected_option": {"value": "remote_days"}}},
            plan_views.DETAIL_BLOCK: {"value": {"value": detail}},
        },
    )


def _preview_view(result: SignedResponse) -> dict[str, Any]:
    assert result.json is not None and result.json["response_action"] == "update", result.body
    return dict(result.json["view"])


def _send(stack: AppStack, user: str, draft_id: str) -> SignedResponse:
    return stack.slack.view_submission(user, plan_views.NEED_SEND_CALLBACK, {}, private_metadata=draft_id)


def _drafts(stack: AppStack) -> list[tuple[str, str, int]]:
    with unit_of_work(stack.factory) as session:
        return [(d.id, d.text, d.employee_id) for d in session.scalars(select(NeedDraft))]


def _shared(stack: AppStack) -> int:
    with unit_of_work(stack.factory) as session:
        return int(session.scalar(select(func.count()).select_from(SharedNeed)) or 0)


def _need_messages(stack: AppStack) -> list[str]:
    return [
        c["params"]["text"]
        for c in _messages_to(stack, "ULEAD")
        if "shared a work need" in c["params"]["text"]
    ]


def _metadata_anywhere(value: Any) -> list[str]:
    """Every ``private_metadata`` in a recorded call, at any depth."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "private_metadata":
                found.append(str(inner))
            else:
                found += _metadata_anywhere(inner)
    elif isinstance(value, list):
        for inner in value:
            found += _metadata_anywhere(inner)
    return found


@pytest.fixture
def parent(stack: AppStack, hr: str) -> str:
    """The parent has accepted HR's proposal: enrolled, with a plan and a manager (ULEAD)."""
    flow.enrol(stack, "UPARENT")
    _drain(stack)
    stack.fake.reset_calls()
    return "UPARENT"


# -- the need's draft ----------------------------------------------------------------------


def test_a_previewed_need_waits_on_the_server_and_only_an_opaque_id_travels(
    stack: AppStack, parent: str, logs: pytest.LogCaptureFixture
) -> None:
    preview = _preview_view(_preview(stack))

    (draft_id, text, _), *others = _drafts(stack)
    assert not others and WORDS in text
    assert preview["private_metadata"] == draft_id and WORDS not in draft_id
    assert preview["notify_on_close"] is True
    assert WORDS in json.dumps(preview["blocks"])  # the employee sees exactly what will be sent

    sent = _send(stack, parent, draft_id)
    assert sent.status == 200 and not sent.json, sent.body
    _drain(stack)

    assert _drafts(stack) == []  # spent by the send
    assert len(_need_messages(stack)) == 1 and WORDS in _need_messages(stack)[0]
    recorded = stack.fake.calls
    metadata = [m for call in recorded for m in _metadata_anywhere(call["params"])]
    assert metadata and not [m for m in metadata if "canary-need" in m]
    logged = [r.getMessage() for r in logs.records] + [str(r.args) for r in logs.records]
    assert logged and not [line for line in logged if "canary-need" in line]


def test_nobody_else_can_send_or_discard_a_draft(stack: AppStack, parent: str) -> None:
    draft_id = _preview_view(_preview(stack))["private_metadata"]

    stolen = _send(stack, "UPEER", draft_id)  # same manager: a missing check would send it
    closed_by_other = stack.slack.view_closed(
        "UPEER", {"callback_id": plan_views.NEED_SEND_CALLBACK, "private_metadata": draft_id}
    )
    _drain(stack)

    assert stolen.json is not None and stolen.json["view"]["callback_id"] == plan_views.NEED_NOT_SENT_CALLBACK
    assert closed_by_other.status == 200
    assert _shared(stack) == 0 and _need_messages(stack) == []
    assert [d[0] for d in _drafts(stack)] == [draft_id]  # still the parent's to send

    assert _send(stack, parent, draft_id).status == 200
    _drain(stack)
    assert _shared(stack) == 1 and len(_need_messages(stack)) == 1


def test_a_renamed_employee_keeps_their_words(stack: AppStack, parent: str) -> None:
    draft_id = _preview_view(_preview(stack))["private_metadata"]
    with unit_of_work(stack.factory) as session:
        person = find_by_slack_id(session, TEAM, parent)
        assert person is not None
        person.name = "Pat Renamed"
        session.commit()

    assert _send(stack, parent, draft_id).status == 200
    _drain(stack)

    (message,) = _need_messages(stack)
    assert message.startswith("Pat Renamed shared a work need with you:")
    assert WORDS in message


def test_closing_the_preview_deletes_the_draft_and_nothing_is_sent(stack: AppStack, parent: str) -> None:
    preview = _preview_view(_preview(stack))
    assert len(_drafts(stack)) == 1

    closed = stack.slack.view_closed(parent, preview)
    assert closed.status == 200
    assert _drafts(stack) == []

    late = _send(stack, parent, preview["private_metadata"])  # a send racing the close, after it
    _drain(stack)
    assert late.json is not None and late.json["view"]["callback_id"] == plan_views.NEED_NOT_SENT_CALLBACK
    assert _shared(stack) == 0 and _need_messages(stack) == []


def test_an_unsent_draft_is_gone_within_the_hour(stack: AppStack, parent: str, clock: SimulatedClock) -> None:
    draft_id = _preview_view(_preview(stack))["private_metadata"]

    clock.advance(drafts.LIFETIME - timedelta(minutes=1))
    stack.ticks.run("need-drafts-expire")
    assert [d[0] for d in _drafts(stack)] == [draft_id]  # not yet

    clock.advance(timedelta(minutes=1))
    removed = stack.ticks.run("need-drafts-expire")
    assert removed == 1 and _drafts(stack) == []
    # The tick runs at least every EXPIRE_EVERY: a draft is never kept past an hour.
    tick = next(t for t in stack.ticks.ticks if t.name == "need-drafts-expire")
    assert drafts.LIFETIME + tick.every <= timedelta(hours=1)

    late = _send(stack, parent, draft_id)
    _drain(stack)
    assert late.json is not None and late.json["view"]["callback_id"] == plan_views.NEED_NOT_SENT_CALLBACK
    assert _shared(stack) == 0


def test_an_expired_draft_is_not_sent_even_before_the_tick_deletes_it(
    stack: AppStack, parent: str, clock: SimulatedClock
) -> None:
    draft_id = _preview_view(_preview(stack))["private_metadata"]
    clock.advance(drafts.LIFETIME)

    late = _send(stack, parent, draft_id)
    _drain(stack)

    assert late.json is not None and late.json["view"]["callback_id"] == plan_views.NEED_NOT_SENT_CALLBACK
    assert _shared(stack) == 0 and _drafts(stack) == []  # and the refused send discarded it


# -- the Home and the leave-out mark --------------------------------------------------------


def _home_blocks(stack: AppStack, user: str) -> str:
    stack.slack.app_home_opened(user)
    stack.settle()
    home = stack.fake.home_view(user)
    assert home is not None
    return json.dumps(home["blocks"], sort_keys=True)


def test_the_home_reads_the_same_with_or_without_the_leave_out_mark(stack: AppStack, parent: str) -> None:
    unmarked = _home_blocks(stack, parent)
    enrolment.set_preferences(
        stack.factory, stack.services.clock, tenant_id=TEAM, user_id=parent, leave_out_family=True
    )
    marked = _home_blocks(stack, parent)

    assert marked == unmarked
    assert not FAMILY_WORDS.search(marked)
    # The person still sees and changes it, in a modal only they open.
    stack.slack.block_action(parent, FAMILY_OPEN_ACTION, "open", view=HOME)
    opened = stack.fake.calls_for("views.open", user=parent)[-1]
    assert (
        opened["ok"] and opened["params"]["view"]["callback_id"] == enrolment_views.CONTENT_CHOICES_CALLBACK
    )
    assert enrolment_views.FAMILY_CHOICE in json.dumps(opened["params"]["view"]["blocks"][1]["element"])
    assert "initial_options" in json.dumps(opened["params"]["view"]["blocks"][1]["element"])


# -- what others are told about a person ---------------------------------------------------


def _become_mentor(stack: AppStack, user: str) -> None:
    stack.slack.block_action(user, mentoring_views.BECOME_ACTION, "open", view=HOME)
    values: dict[str, Any] = {
        mentoring_views.CONFIRM_BLOCK: {"value": {"selected_options": [{"value": "yes"}]}},
        mentoring_views.CAPACITY_BLOCK: {"value": {"selected_option": {"value": "2"}}},
        mentoring_views.TAGS_BLOCK: {"value": {"selected_options": []}},
        mentoring_views.SHARE_BLOCK: {"value": {"selected_options": []}},
    }
    assert stack.slack.view_submission(user, mentoring_views.MENTOR_CALLBACK, values).status == 200


def _request_wording(stack: AppStack, mentee_name: str) -> list[str]:
    """The sentences of each request to mentor ``mentee_name``, the name and the reasons taken out."""
    found = []
    for call in stack.fake.calls_for("chat.postMessage"):
        text = json.dumps(call["params"].get("blocks") or [])
        if call["ok"] and f"Would you mentor {mentee_name}" in text:
            section = call["params"]["blocks"][0]["text"]["text"]
            head, _, _ = section.partition("Why we thought of you")
            found.append(
                head.replace(mentee_name, "NAME") + call["params"]["text"].replace(mentee_name, "NAME")
            )
    return found


def test_a_mentor_request_reads_the_same_for_a_marked_mentee_and_names_no_family(
    stack: AppStack, parent: str
) -> None:
    propose_enrolment(stack, "peer@example.com", date(2026, 6, 1), date(2026, 12, 7))
    flow.enrol(stack, "UPEER")  # a second returning parent, without the mark
    enrolment.set_preferences(
        stack.factory, stack.services.clock, tenant_id=TEAM, user_id=parent, leave_out_family=True
    )
    _become_mentor(stack, "UHR")  # outside both reporting lines, room for two
    stack.ticks.run("mentoring-match")
    _drain(stack)

    marked, unmarked = _request_wording(stack, "Pat Parent"), _request_wording(stack, "Pim Peer")
    assert len(marked) == 1 and len(unmarked) == 1
    assert marked == unmarked
    asks = [c for c in _messages_to(stack, "UHR") if "Would you mentor" in c["params"]["text"]]
    assert len(asks) == 2 and not FAMILY_WORDS.search(json.dumps([c["params"] for c in asks]))


# -- HR-only modals -----------------------------------------------------------------------

HR_ONLY = {
    "return policies": plan_views.POLICY_OPEN_ACTION,
    "huddle settings": huddle_views.SETTINGS_ACTION,
    "pairing by hand": mentoring_views.ASSIGN_ACTION,
    "proposing an enrolment": PROPOSE_ACTION,
    "appointing HR admins": APPOINT_ADMIN_ACTION,
    "help links": HELP_LINKS_ACTION,
}


@pytest.mark.parametrize("surface", list(HR_ONLY))
def test_an_hr_only_modal_does_not_open_for_others_who_are_told_why(
    stack: AppStack, hr: str, surface: str, logs: pytest.LogCaptureFixture
) -> None:
    action_id = HR_ONLY[surface]
    stack.fake.reset_calls()

    refused = stack.slack.block_action("UPEER", action_id, "open", view=HOME)
    _drain(stack)

    assert refused.status == 200
    assert stack.fake.calls_for("views.open", user="UPEER") == []
    told = [c["params"]["text"] for c in _messages_to(stack, "UPEER")]
    expected = refusals.ONLY_ADMINS if action_id == APPOINT_ADMIN_ACTION else refusals.ONLY_HR
    assert told == [expected]
    assert not [r for r in logs.records if r.levelno >= logging.ERROR]

    stack.slack.block_action(hr, action_id, "open", view=HOME)
    _drain(stack)
    opened = stack.fake.calls_for("views.open", user=hr)
    assert len(opened) == 1 and opened[0]["ok"]
    assert not [c for c in _messages_to(stack, hr) if c["params"]["text"] in (refusals.ONLY_HR, expected)]


def test_a_workspace_admin_who_is_not_hr_may_still_open_the_appointment(
    stack: AppStack, org: dict[str, str]
) -> None:
    stack.slack.block_action("UBOSS", APPOINT_ADMIN_ACTION, "open", view=HOME)  # the workspace owner
    _drain(stack)

    opened = stack.fake.calls_for("views.open", user="UBOSS")
    assert len(opened) == 1 and opened[0]["ok"]
    assert _messages_to(stack, "UBOSS") == []


# -- mentoring for someone the directory does not know ------------------------------------


@pytest.mark.parametrize("action_id", [mentoring_views.BECOME_ACTION, mentoring_views.PREFERENCES_ACTION])
def test_a_stranger_clicking_a_mentoring_button_is_told_why_nothing_opens(
    stack: AppStack, org: dict[str, str], action_id: str, logs: pytest.LogCaptureFixture
) -> None:
    stack.fake.add_user("UNEW", name="newcomer", real_name="New Comer", email="new@example.com")

    clicked = stack.slack.block_action("UNEW", action_id, "open", view=HOME)
    again = stack.slack.block_action("UNEW", action_id, "open", view=HOME)  # a second click: told again
    _drain(stack)

    assert clicked.status == 200 and again.status == 200
    assert stack.fake.calls_for("views.open", user="UNEW") == []
    told = [c["params"]["text"] for c in _messages_to(stack, "UNEW")]
    assert told == [mentoring_listeners.NOT_IN_DIRECTORY] * 2
    assert not [r for r in logs.records if r.levelno >= logging.ERROR]
