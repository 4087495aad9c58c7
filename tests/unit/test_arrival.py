"""A request that waited for one of gunicorn's threads counts its deadline from when it was
queued (``hr_plugin.arrival``, ``hr_plugin.gunicorn_worker``): Slack's 3 seconds were already
running while it waited."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace
from typing import Any

import pytest
from gunicorn.workers.gthread import ThreadWorker

from hr_plugin.arrival import queued, queued_at
from hr_plugin.gunicorn_worker import QueueTimedThreadWorker
from hr_plugin.slack.deadline import saves_settled, within_deadline
from hr_plugin.slack.deferred import arrived_at, deferring
from hr_plugin.slack.views.saving import SAVING

MODAL = {
    "id": "V1",
    "type": "modal",
    "callback_id": "settings.working_hours",
    "title": {"type": "plain_text", "text": "Working hours"},
    "blocks": [],
}


def test_the_worker_hands_the_app_the_moment_a_request_was_queued(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[float | None] = []
    monkeypatch.setattr(ThreadWorker, "enqueue_req", lambda self, conn: None)
    monkeypatch.setattr(ThreadWorker, "handle_request", lambda self, req, conn: seen.append(queued_at()))
    worker = QueueTimedThreadWorker.__new__(QueueTimedThreadWorker)
    connection = SimpleNamespace()

    worker.enqueue_req(connection)
    worker.handle_request(None, connection)

    assert seen == [connection.hr_plugin_queued_at]
    assert queued_at() is None  # only while that request is handled


def test_a_request_counts_from_when_it_was_queued() -> None:
    at = time.monotonic() - 2.5
    with queued(at), deferring():
        assert arrived_at() == at
    with deferring():
        assert arrived_at() > at + 2


def test_a_submission_that_waited_for_a_thread_answers_saving_without_waiting_more() -> None:
    """Queued 2.5 s ago, its 2-second deadline has passed: "Saving..." goes at once, though
    the save finishes a moment later. Counted from when a thread picked it up (the old way),
    it would have waited for that save and answered with its outcome past Slack's limit."""
    services: Any = SimpleNamespace(settings=SimpleNamespace(web_threads=2), extensions={}, lazy_pool=None)
    answered: list[dict[str, Any]] = []
    updated: list[dict[str, Any]] = []
    release = threading.Event()

    def save(args: Any) -> None:
        release.wait(5)
        args.ack()

    client = SimpleNamespace(views_update=lambda **kwargs: updated.append(kwargs))
    args = SimpleNamespace(
        body={"view": MODAL}, ack=lambda **kwargs: answered.append(kwargs), client=client, context=None
    )
    threading.Timer(0.5, release.set).start()
    with queued(time.monotonic() - 2.5), deferring():
        on_time = within_deadline(services, args, save, lambda: updated.append({"view_id": "work after"}))
    release.set()
    assert saves_settled(services)

    [answer] = answered
    assert answer["response_action"] == "update" and SAVING in str(answer["view"].to_dict())
    assert not on_time
    assert [call["view_id"] for call in updated] == ["V1", "work after"], "outcome, then work after"
