"""The private space's timing (#18), through signed requests: the optional arrival date given at
setup, milestones counted from it (or from the leave's start), the first conversation, the
expectations at first use, the quarterly rhythm with past reviews readable, up to three
micro-experiments a week with their follow-ups, and closeness outside the plan."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from hr_plugin import vault as vault_package
from hr_plugin.testing.signed_client import SignedResponse
from hr_plugin.testing.stack import AppStack
from tests.e2e import vault_flows as flow
from tests.e2e.conftest import TEAM


@pytest.fixture
def enrolled(stack: AppStack, org: dict[str, str]) -> str:
    flow.enrol(stack, "UPARENT")
    return "UPARENT"


def _today(stack: AppStack) -> date:
    return stack.services.clock.now().date()


def _consent_with(stack: AppStack, user: str, arrival: str | None) -> tuple[dict[str, Any], SignedResponse]:
    stack.slack.block_action(user, flow.OPEN, "home", view=flow.HOME)
    modal = stack.fake.last_modal(user)
    assert modal is not None and modal["callback_id"] == flow.CONSENT, modal
    values = {"arrival_date": {"value": {"type": "datepicker", "selected_date": arrival}}} if arrival else {}
    return modal, stack.slack.view_submission(user, flow.CONSENT, values, view_id=modal["id"])


def _profile(stack: AppStack, user: str) -> Any:
    return vault_package.vault_for(stack.services).profile(TEAM, user)


# -- 1. the arrival date at setup ----------------------------------------------------------


def test_the_arrival_date_given_at_consent_is_sealed_with_it(stack: AppStack, enrolled: str) -> None:
    arrival = _today(stack) - timedelta(days=20)
    modal, answer = _consent_with(stack, enrolled, arrival.isoformat())

    picker = next(block for block in modal["blocks"] if block.get("block_id") == "arrival_date")
    assert picker["optional"] is True and "(optional)" in picker["label"]["text"]
    assert "only here" in picker["hint"]["text"]
    assert answer.json is not None and answer.json["response_action"] == "update", answer.body
    assert answer.json["view"]["callback_id"] == "vault.space"
    assert _profile(stack, enrolled).arrival_date == arrival.isoformat()


def test_no_arrival_date_is_fine_and_nothing_is_stored_for_it(stack: AppStack, enrolled: str) -> None:
    _, answer = _consent_with(stack, enrolled, None)
    assert answer.json is not None and answer.json["view"]["callback_id"] == "vault.space"
    assert _profile(stack, enrolled).arrival_date is None


@pytest.mark.parametrize("bad", ["far_ahead", "2026-02-30", "yesterday"])
def test_a_date_far_ahead_or_not_a_date_is_an_inline_error_and_the_screen_stays_usable(
    stack: AppStack, enrolled: str, bad: str
) -> None:
    raw = (_today(stack) + timedelta(days=400)).isoformat() if bad == "far_ahead" else bad
    modal, refused = _consent_with(stack, enrolled, raw)

    assert refused.json is not None and refused.json["response_action"] == "errors", refused.body
    assert set(refused.json["errors"]) == {"arrival_date"}
    assert vault_package.vault_for(stack.services).has_consented(TEAM, enrolled) is False

    soon = _today(stack) + timedelta(days=30)  # a little ahead is fine: set up before the arrival
    values = {"arrival_date": {"value": {"type": "datepicker", "selected_date": soon.isoformat()}}}
    again = stack.slack.view_submission(enrolled, flow.CONSENT, values, view_id=modal["id"])
    assert again.json is not None and again.json["view"]["callback_id"] == "vault.space", again.body
    assert _profile(stack, enrolled).arrival_date == soon.isoformat()


def test_my_settings_keep_changing_the_arrival_date_with_the_same_check(
    stack: AppStack, enrolled: str
) -> None:
    _consent_with(stack, enrolled, (_today(stack) - timedelta(days=3)).isoformat())
    stack.slack.block_action(enrolled, "vault.profile_open", "open", view=flow.space())
    settings = stack.fake.last_modal(enrolled)
    assert settings is not None and settings["callback_id"] == "vault.profile"
    picker = next(block for block in settings["blocks"] if block.get("block_id") == "arrival_date")
    assert picker["element"]["initial_date"] == (_today(stack) - timedelta(days=3)).isoformat()

    def save(day: str) -> SignedResponse:
        return stack.slack.view_submission(
            enrolled,
            "vault.profile",
            {
                "partner_questions": {"value": {"selected_option": {"value": "yes"}}},
                "arrival_date": {"value": {"selected_date": day}},
            },
            view_id=settings["id"],
        )

    refused = save((_today(stack) + timedelta(days=500)).isoformat())
    assert refused.json is not None and refused.json["response_action"] == "errors", refused.body
    assert set(refused.json["errors"]) == {"arrival_date"}
    changed = (_today(stack) - timedelta(days=10)).isoformat()
    saved = save(changed)
    assert saved.json is not None and saved.json["response_action"] == "update", saved.body
    assert _profile(stack, enrolled).arrival_date == changed
