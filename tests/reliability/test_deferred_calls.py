"""The queue that holds a request's showing calls to Slack until its answer is ready
(``hr_plugin.slack.deferred``), on its own: order, what happens after it was sent, failures."""

from __future__ import annotations

import logging

import pytest
from flask import Response
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from hr_plugin.slack import deferred
from hr_plugin.slack.deferred import DeferredCalls, SendAfterAnswer


def _refusal(error: str) -> SlackApiError:
    response = SlackResponse(
        client=None,
        http_verb="POST",
        api_url="views.open",
        req_args={},
        data={"ok": False, "error": error},
        headers={},
        status_code=200,
    )
    return SlackApiError("refused", response)


def test_calls_wait_for_the_answer_then_go_in_order() -> None:
    sent: list[str] = []
    calls = DeferredCalls()
    calls.call("views_open", lambda: sent.append("modal"))
    calls.call("respond", lambda: sent.append("reply"))
    assert sent == [] and len(calls) == 2

    calls.send()

    assert sent == ["modal", "reply"]


def test_a_call_made_after_the_answer_went_out_is_made_at_once() -> None:
    sent: list[str] = []
    calls = DeferredCalls()
    calls.send()

    calls.call("views_open", lambda: sent.append("late"))

    assert sent == ["late"]


def test_a_refused_call_is_a_warning_with_slacks_code_and_the_rest_still_go(
    caplog: pytest.LogCaptureFixture,
) -> None:
    sent: list[str] = []
    calls = DeferredCalls()

    def expired() -> None:
        raise _refusal("expired_trigger_id")

    calls.call("views_open", expired)
    calls.call("respond", lambda: sent.append("reply"))
    with caplog.at_level(logging.WARNING, logger="hr_plugin.slack.deferred"):
        calls.send()

    assert sent == ["reply"]
    assert [(record.levelname, record.getMessage()) for record in caplog.records] == [
        ("WARNING", "views_open after the ack failed (expired_trigger_id)")
    ]


def test_once_answered_a_request_sends_at_once_even_when_it_had_queued_nothing() -> None:
    """A listener that answers first and shows after (``hr_plugin.slack.showing``) holds the
    request's queue on the lazy pool; with nothing queued before the answer, its calls must
    still go out rather than wait for a send that never comes."""
    held: list[DeferredCalls] = []

    def answer_only() -> Response:
        queue = deferred._current.get()
        assert queue is not None
        held.append(queue)
        return Response("")

    SendAfterAnswer(pool=None).answer(answer_only)
    sent: list[str] = []
    held[0].call("views_open", lambda: sent.append("modal"))

    assert sent == ["modal"]
