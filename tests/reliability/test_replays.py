"""Replayed and stale signed requests.

Fault injected: someone who captured one signed request (from a proxy's log, say) sends the
same bytes again, with the same signature and timestamp, while the signature is still inside
Slack's 5-minute window; and a correctly signed request whose timestamp is older than that.

Properties: a replay is refused (an interactive request) or has no second effect (an event,
deduplicated like Slack's retries); a stale request is refused with 401
and leaves no trace (no row, no message, no Slack call). The effects checked are ones a replay
could really repeat: a work need sent to the manager (a new row and a new message each time),
the weekly check-in (a sealed record), an event's Home tab.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from hr_plugin.db import unit_of_work
from hr_plugin.enrolment import views as enrolment_views
from hr_plugin.models import AuditEntry, OutboxMessage, ProcessedEvent
from hr_plugin.reintegration import views as plan_views
from hr_plugin.reintegration.models import SharedNeed
from hr_plugin.testing.fake_slack import CONTENT_METHODS
from hr_plugin.testing.signed_client import SignedResponse, SlackRequestClient
from hr_plugin.testing.stack import AppStack
from tests.e2e import vault_flows as flow
from tests.reliability.conftest import AppErrors


class RecordingClient(SlackRequestClient):
    """The signed client, keeping the exact bytes and headers of what it last sent."""

    last: tuple[dict[str, str], bytes] | None = None

    def send(self, headers: dict[str, str], body: bytes) -> SignedResponse:
        self.last = (headers, body)
        return super().send(headers, body)

    def replay(self) -> SignedResponse:
        assert self.last is not None
        return super().send(*self.last)


@pytest.fixture
def recording(stack: AppStack) -> RecordingClient:
    slack = stack.slack
    return RecordingClient(
        slack.app_url,
        slack.signing_secret,
        stack.fake,
        team_id=slack.team_id,
        enterprise_id=slack.enterprise_id,
    )


def _counts(stack: AppStack) -> dict[str, int]:
    """Rows a repeated effect would add to (the audit log records every change people make)."""
    with unit_of_work(stack.factory) as session:
        return {
            model.__tablename__: int(session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (SharedNeed, OutboxMessage, AuditEntry, ProcessedEvent)
        }


def _content_calls(stack: AppStack) -> list[dict[str, Any]]:
    return [call for call in stack.fake.calls if call["method"] in CONTENT_METHODS and call["ok"]]


def _accept_plan(stack: AppStack) -> None:
    """The parent accepts HR's proposal (so they have a plan and a manager to tell)."""
    stack.slack.block_action("UPARENT", enrolment_views.ACCEPT_CALLBACK, "home", view=flow.HOME)
    accepted = stack.slack.view_submission(
        "UPARENT",
        enrolment_views.ACCEPT_CALLBACK,
        {enrolment_views.CHOICES_BLOCK: {"value": {"type": "checkboxes", "selected_options": []}}},
    )
    assert accepted.status == 200 and not accepted.json, accepted.body


def _preview_need(stack: AppStack) -> str:
    preview = stack.slack.view_submission(
        "UPARENT",
        plan_views.NEED_CALLBACK,
        {
            plan_views.TEMPLATE_BLOCK: {"value": {"selected_option": {"value": "remote_days"}}},
            plan_views.DETAIL_BLOCK: {"value": {"value": "Mondays"}},
        },
    )
    assert preview.json is not None and preview.json["response_action"] == "update", preview.body
    return str(preview.json["view"]["private_metadata"])


def _send_need(stack: AppStack, recording: RecordingClient) -> SignedResponse:
    previewed = _preview_need(stack)
    return recording.view_submission("UPARENT", plan_views.NEED_SEND_CALLBACK, {}, private_metadata=previewed)


def _check_in(stack: AppStack, recording: RecordingClient) -> SignedResponse:
    flow.consent(stack, "UPARENT")
    modal = flow.open_checkin(stack, "UPARENT")
    return recording.view_submission(
        "UPARENT", flow.CHECKIN, flow.checkin_values("a walk together"), view_id=modal["id"]
    )


def _open_home(stack: AppStack, recording: RecordingClient) -> SignedResponse:
    return recording.app_home_opened("UPARENT")


# What each replay is answered: interactive requests are refused (hr_plugin.slack.listeners.events
# keeps their signatures); an event is acknowledged again and deduplicated by its event_id,
# as Slack's own retries are.
EFFECTS: dict[str, tuple[Callable[[AppStack, RecordingClient], SignedResponse], int]] = {
    "a work need sent to the manager": (_send_need, 401),
    "a weekly check-in": (_check_in, 401),
    "an event": (_open_home, 200),
}


@pytest.mark.parametrize("effect", list(EFFECTS))
def test_a_replayed_request_has_no_second_effect(
    stack: AppStack, hr: str, recording: RecordingClient, app_errors: AppErrors, effect: str
) -> None:
    _accept_plan(stack)
    act, replay_answer = EFFECTS[effect]
    first = act(stack, recording)
    stack.settle()
    assert first.status == 200, first.body
    after_first = _counts(stack)
    seen_after_first = len(_content_calls(stack))

    replayed = recording.replay()
    stack.settle()

    assert replayed.status == replay_answer, replayed.body
    assert _counts(stack) == after_first
    assert len(_content_calls(stack)) == seen_after_first
    app_errors.assert_none()


def test_a_request_older_than_five_minutes_is_refused_without_a_trace(
    stack: AppStack, hr: str, app_errors: AppErrors
) -> None:
    _accept_plan(stack)
    previewed = _preview_need(stack)
    stack.settle()
    before, seen_before = _counts(stack), len(stack.fake.calls)
    six_minutes_ago = int(time.time()) - 6 * 60

    stale = stack.slack.view_submission(
        "UPARENT", plan_views.NEED_SEND_CALLBACK, {}, private_metadata=previewed, timestamp=six_minutes_ago
    )
    stale_click = stack.slack.block_action(
        "UPARENT", plan_views.EXTEND_ACTION, "plan", view=flow.HOME, timestamp=six_minutes_ago
    )
    stack.settle()

    assert (stale.status, stale_click.status) == (401, 401)
    assert _counts(stack) == before
    assert len(stack.fake.calls) == seen_before
    app_errors.assert_none()
