"""The queue that holds a request's showing calls to Slack until its answer is ready
(``hr_plugin.slack.deferred``), on its own: order, what happens after it was sent, failures."""

from __future__ import annotations

import logging
import threading
import time

import pytest
from flask import Response
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from hr_plugin.slack import deferred
from hr_plugin.slack.deferred import DeferredCalls, SendAfterAnswer
from hr_plugin.slack.pool import LazyListenerPool


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


def _answer_with_work(done: list[str], name: str) -> Response:
    """A request's answer that leaves one piece of work for after it."""
    queue = deferred._current.get()
    assert queue is not None
    queue.call("views_open", lambda: done.append(name))
    return Response("")


def test_an_answer_waits_while_the_pool_holds_more_work_than_threads_then_goes() -> None:
    """The answers pace the clicks to the work after them: with the pool's one thread busy and
    its one place taken, the next answer waits until the work drains, and nothing is lost."""
    pool = LazyListenerPool(1)
    release = threading.Event()
    done: list[str] = []
    try:
        pool.submit(release.wait, 10)  # the thread is busy
        sender = SendAfterAnswer(pool, backlog=1, hold=10.0)
        threading.Timer(0.3, release.set).start()
        started = time.monotonic()
        sender.answer(lambda: _answer_with_work(done, "first"))
        waited = time.monotonic() - started
        assert waited >= 0.25, f"answered after {waited:.2f} s, with the pool still full"
        assert pool.wait_idle(5) and done == ["first"]

        started = time.monotonic()
        sender.answer(lambda: _answer_with_work(done, "second"))
        assert time.monotonic() - started < 0.25, "an idle pool held the answer"
        assert pool.wait_idle(5) and done == ["first", "second"]
    finally:
        release.set()
        pool.shutdown(wait=True)


def test_an_answer_is_held_no_longer_than_its_hold_after_the_request_came_in() -> None:
    """Slack waits 3 s: however long the queue, the answer goes ``hold`` seconds after the
    request arrived, and its work still runs once the pool drains."""
    pool = LazyListenerPool(1)
    release = threading.Event()
    done: list[str] = []
    try:
        pool.submit(release.wait, 10)
        sender = SendAfterAnswer(pool, backlog=1, hold=0.4)
        started = time.monotonic()
        sender.answer(lambda: _answer_with_work(done, "held"))
        waited = time.monotonic() - started
        assert 0.3 <= waited < 2.0, f"answered after {waited:.2f} s"
        assert done == []
        release.set()
        assert pool.wait_idle(5) and done == ["held"]
    finally:
        release.set()
        pool.shutdown(wait=True)
