"""The check-in done together, through signed requests: what the partner shared is noted by the
employee, sealed like the rest, and read by the signals as the second voice; a good sign is
shown only when it is true."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from hr_plugin.db import unit_of_work
from hr_plugin.models import Base
from hr_plugin.testing.stack import AppStack
from tests.e2e import vault_flows as flow

CANARY = "CANARY-together-91c2"
BOTH = "Two hard weeks for both"
ONE = "Two hard weeks"
GOOD = "A good sign"


@pytest.fixture
def enrolled(stack: AppStack, org: dict[str, str]) -> str:
    flow.enrol(stack, "UPARENT")
    flow.consent(stack, "UPARENT")
    return "UPARENT"


def _check_in(stack: AppStack, user: str, rating: str, partner: str | None, words: str = "") -> None:
    modal = flow.open_checkin(stack, user)
    values = flow.checkin_values("our week", rating)
    if partner is not None:
        values["partner_rating"] = {"value": {"type": "radio_buttons", "selected_option": {"value": partner}}}
        values["partner_words"] = {"value": {"type": "plain_text_input", "value": words}}
    answer = stack.slack.view_submission(user, flow.CHECKIN, values, view_id=modal["id"])
    assert answer.status == 200 and "errors" not in (answer.json or {}), answer.body


def _space_text(stack: AppStack, user: str) -> str:
    stack.slack.block_action(user, flow.OPEN, "home", view=flow.HOME)
    modal = stack.fake.last_modal(user)
    assert modal is not None and modal["callback_id"] == "vault.space", modal
    return json.dumps(modal)


def _next_week(stack: AppStack) -> None:
    stack.services.clock.advance(timedelta(weeks=1))  # type: ignore[attr-defined]


def _titles(text: str) -> list[str]:
    return [title for title in (BOTH, ONE, GOOD) if f"*{title}*" in text]


def test_the_check_in_offers_the_partners_part_and_names_its_inputs(stack: AppStack, enrolled: str) -> None:
    modal = flow.open_checkin(stack, enrolled)
    inputs = [block["block_id"] for block in modal["blocks"] if block["type"] == "input"]

    assert "partner_rating" in inputs and "partner_words" in inputs
    assert "What your partner shared" in json.dumps(modal)
    assert all(b.get("optional") for b in modal["blocks"] if b.get("block_id", "").startswith("partner_"))


def test_both_saying_nothing_felt_good_two_weeks_running_shows_the_signal_for_both(
    stack: AppStack, enrolled: str
) -> None:
    _check_in(stack, enrolled, "none_good", "none_good", f"{CANARY}:partner")
    _next_week(stack)
    _check_in(stack, enrolled, "none_good", "none_good", f"{CANARY}:partner")

    assert _titles(_space_text(stack, enrolled)) == [BOTH]
    # What the partner shared reached no Slack call and no column in plaintext.
    assert not [call for call in stack.fake.calls if CANARY in json.dumps(call)]
    with unit_of_work(stack.factory) as session:
        for table in Base.metadata.sorted_tables:
            for row in session.execute(select(table)).all():
                assert CANARY not in repr(tuple(row)), table.name


def test_one_persons_answers_keep_the_one_person_signal(stack: AppStack, enrolled: str) -> None:
    _check_in(stack, enrolled, "none_good", None)
    _next_week(stack)
    _check_in(stack, enrolled, "none_good", "neutral")

    assert _titles(_space_text(stack, enrolled)) == [ONE]


def test_a_bad_partner_rating_is_refused_inline(stack: AppStack, enrolled: str) -> None:
    modal = flow.open_checkin(stack, enrolled)
    values: dict[str, Any] = flow.checkin_values("our week", "neutral")
    values["partner_rating"] = {"value": {"type": "radio_buttons", "selected_option": {"value": "wonderful"}}}

    answer = stack.slack.view_submission(enrolled, flow.CHECKIN, values, view_id=modal["id"])

    assert answer.json == {
        "response_action": "errors",
        "errors": {"partner_rating": "Choose one of the options, or leave it empty."},
    }


def test_a_good_sign_only_for_someone_reminders_would_reach(stack: AppStack, enrolled: str) -> None:
    _check_in(stack, enrolled, "neutral", None)
    assert GOOD not in _titles(_space_text(stack, enrolled))  # reminders are off: nothing to beat

    flow.set_reminder(stack, enrolled, 4, "20:30")
    _next_week(stack)
    _check_in(stack, enrolled, "neutral", None)

    assert _titles(_space_text(stack, enrolled)) == [GOOD]
    _next_week(stack)  # a week later the check-in is last week's: no "you checked in this week"
    assert GOOD not in _titles(_space_text(stack, enrolled))


def test_look_back_offers_the_warning_signs_after_repeated_hard_weeks_and_shows_the_partners_words(
    stack: AppStack, enrolled: str
) -> None:
    _check_in(stack, enrolled, "neutral", "neutral", "a quiet evening")
    before = json.dumps(flow.look_back(stack, enrolled))
    assert "Worth noticing" not in before and "a quiet evening" in before

    _next_week(stack)
    _check_in(stack, enrolled, "none_good", None)
    _next_week(stack)
    _check_in(stack, enrolled, "neutral", "none_good", "tired")

    after = json.dumps(flow.look_back(stack, enrolled))
    assert "Worth noticing" in after and "parallel lives" in after
    # shown in the private space only: no message says it
    messages = stack.fake.calls_for("chat.postMessage")
    assert not [call for call in messages if "Worth noticing" in json.dumps(call)]
