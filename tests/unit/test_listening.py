"""``hr_plugin.slack.listening``: a listener's answer first, its work after, through a real Bolt
app behind the same WSGI layers the server uses, and the fake Slack (Bolt checks the token
with it); no database."""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask
from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from hr_plugin.slack import deferred
from hr_plugin.slack.deferred import BACKLOG, HOLD_SECONDS
from hr_plugin.slack.listening import listen
from hr_plugin.slack.pool import LazyListenerPool
from hr_plugin.testing.fake_slack import FakeSlack
from hr_plugin.testing.stack import BOT_TOKEN
from tests.wsgi import KeptRequests, post_to_wsgi, slack_endpoint

SECRET = secrets.token_hex(16)
ACTION = "test.click"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(bot_tokens=[BOT_TOKEN]) as running:
        yield running


def _click(fake: FakeSlack, user: str = "UCLICK") -> tuple[dict[str, str], bytes]:
    recorder = KeptRequests(fake, SECRET)
    recorder.block_action(user, ACTION, "open")
    return recorder.kept[0]


def _post(wsgi: Any, events: list[str], request: tuple[dict[str, str], bytes]) -> str:
    """The request through the WSGI stack; ``events`` gets "answered" when the status is set."""
    return post_to_wsgi(wsgi, request, lambda _status: events.append("answered"))


def _app(fake: FakeSlack) -> App:
    return App(
        signing_secret=SECRET,
        client=WebClient(token=BOT_TOKEN, base_url=fake.base_url),
        process_before_response=True,
    )


def _served(app: App) -> Flask:
    # pool=None: what was queued runs in this thread right after the answer, so order shows.
    return slack_endpoint(app)


def test_the_answer_comes_first_and_the_work_after_gets_bolts_arguments(fake: FakeSlack) -> None:
    app, events, seen = _app(fake), [], {}
    services = SimpleNamespace(lazy_pool=None)

    def answer(ack: Ack) -> None:
        events.append("ack function")
        ack()

    def show(body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        events.append("work after")
        seen.update(user=body["user"]["id"], context_user=context.user_id, client=client)

    listen(app.action(ACTION), services, ack=answer, after=[show])  # type: ignore[arg-type]

    assert _post(_served(app), events, _click(fake, "UCLICK")) == "200 OK"
    assert events == ["ack function", "answered", "work after"]
    assert seen["user"] == seen["context_user"] == "UCLICK"
    assert seen["client"] is not None


def test_the_work_after_runs_even_when_the_answer_failed(
    fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    """As with Bolt's lazy listeners: it refreshes what the person sees after a refused change."""
    app, events = _app(fake), []

    def refuse(ack: Ack) -> None:
        events.append("ack function")
        raise RuntimeError("the change could not be saved")

    def refresh(body: dict[str, Any]) -> None:
        events.append("work after")

    listen(app.action(ACTION), SimpleNamespace(lazy_pool=None), ack=refuse, after=[refresh])  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR):
        status = _post(_served(app), events, _click(fake))

    assert status.startswith("500")
    assert events == ["ack function", "answered", "work after"]


def test_a_failure_after_the_answer_is_logged_and_the_rest_still_runs(
    fake: FakeSlack,
    caplog: pytest.LogCaptureFixture,
) -> None:
    app, events = _app(fake), []

    def answer(ack: Ack) -> None:
        ack()

    def broken(body: dict[str, Any]) -> None:
        raise LookupError("a read failed")

    def refresh(body: dict[str, Any]) -> None:
        events.append("refresh")

    listen(app.action(ACTION), SimpleNamespace(lazy_pool=None), ack=answer, after=[broken, refresh])  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR, logger="hr_plugin.slack.deferred"):
        assert _post(_served(app), events, _click(fake)) == "200 OK"

    assert events == ["answered", "refresh"]
    assert [record.getMessage() for record in caplog.records] == ["broken after the ack failed"]
    assert caplog.records[0].exc_info is not None


def test_outside_a_request_the_work_goes_to_the_pool_at_once() -> None:
    """Socket Mode and direct dispatch have no answer to wait for: nothing is held back."""
    submitted: list[Future[Any]] = []

    class CountingPool(ThreadPoolExecutor):
        def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
            future = super().submit(fn, *args, **kwargs)
            submitted.append(future)
            return future

    ran: list[str] = []
    with CountingPool(max_workers=1) as pool:
        assert deferred._current.get() is None
        deferred.after_answer("refresh", lambda: ran.append("refresh"), pool)
        submitted[0].result(timeout=5)

    assert ran == ["refresh"] and len(submitted) == 1


def test_an_argument_bolt_does_not_give_is_refused_when_wired(fake: FakeSlack) -> None:
    def show(bdoy: dict[str, Any]) -> None:  # a typo, which Bolt would quietly pass as None
        raise AssertionError("never called")

    with pytest.raises(TypeError, match=r"show asks for arguments Bolt does not give: \['bdoy'\]"):
        listen(
            _app(fake).action(ACTION), SimpleNamespace(lazy_pool=None), ack=lambda ack: ack(), after=[show]
        )  # type: ignore[arg-type]


def _deferring_app(fake: FakeSlack) -> App:
    app = App(
        signing_secret=SECRET,
        client=WebClient(token=BOT_TOKEN, base_url=fake.base_url),
        process_before_response=True,
    )
    deferred.register(app)
    return app


def _services() -> SimpleNamespace:
    """What ``listen`` reads of ``Services`` here: no pool."""
    return SimpleNamespace(lazy_pool=None, extensions={})


def test_a_listener_not_wired_with_listen_sends_its_queued_calls_after_the_answer(fake: FakeSlack) -> None:
    app, events = _deferring_app(fake), []

    def click(ack: Ack, respond: Any) -> None:
        events.append("listener")
        ack()
        respond(text="Done.")

    app.action(ACTION)(click)
    served = slack_endpoint(app, None)

    assert _post(served, events, _click(fake)) == "200 OK"
    assert events == ["listener", "answered"]
    assert [call["params"]["text"] for call in fake.calls_for("response_url")] == ["Done."]


def test_work_a_first_part_leaves_for_later_runs_after_the_answer(
    fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    """``/rtw``'s way: the first part decides whether something runs after its answer, and may
    leave only what its listener declared."""

    def show(body: dict[str, Any], client: Any) -> None:
        events.append(f"shown to {body['user']['id']} with a {type(client).__name__}")

    def undeclared(body: dict[str, Any]) -> None:
        raise AssertionError("never run")

    def answer(ack: Ack, action: dict[str, Any], later: Any) -> None:
        ack()
        events.append("ack function")
        if action["value"] == "show":
            later(show)
        else:
            later(undeclared)

    events: list[str] = []
    app = _deferring_app(fake)
    listen(app.action(ACTION), _services(), ack=answer, later=[show])  # type: ignore[arg-type]
    served = slack_endpoint(app, None)
    recorder = KeptRequests(fake, SECRET)
    recorder.block_action("UCLICK", ACTION, "show")

    assert _post(served, events, recorder.kept[0]) == "200 OK"
    # The click's trigger is kept alive for it (``hr_plugin.slack.triggers``).
    assert events == ["ack function", "answered", "shown to UCLICK with a TriggerKeeper"]

    recorder.block_action("UCLICK", ACTION, "other")  # leaves a function it did not declare
    with caplog.at_level(logging.ERROR):
        assert _post(served, [], recorder.kept[1]).startswith("500")
    assert "undeclared is not among the listener's `later`" in caplog.text


def test_with_the_pool_full_a_clicks_answer_waits_for_it_and_a_submissions_does_not(fake: FakeSlack) -> None:
    """The answers pace the clicks to the work after them (``SendAfterAnswer``), but a modal's
    submission is answered at once: its answer is what the person waits for."""
    app = _app(fake)
    pool = LazyListenerPool(1)
    release = threading.Event()
    services = SimpleNamespace(lazy_pool=pool)

    def answer(ack: Ack) -> None:
        ack()

    def refresh(body: dict[str, Any]) -> None:
        pass

    listen(app.action(ACTION), services, ack=answer, after=[refresh])  # type: ignore[arg-type]
    listen(app.view("test.form"), services, ack=answer, after=[refresh])  # type: ignore[arg-type]
    recorder = KeptRequests(fake, SECRET)
    recorder.view_submission("USUBMIT", "test.form", {})
    [submission] = recorder.kept
    served = slack_endpoint(app, pool)
    try:
        for _ in range(BACKLOG):
            pool.submit(release.wait, 10)  # more work than the pool's one thread

        started = time.monotonic()
        assert post_to_wsgi(served, submission) == "200 OK"
        assert time.monotonic() - started < 0.5 * HOLD_SECONDS, "the submission's answer waited"

        started = time.monotonic()
        assert post_to_wsgi(served, _click(fake)) == "200 OK"
        held = time.monotonic() - started
        assert 0.8 * HOLD_SECONDS <= held < HOLD_SECONDS + 1.0, f"the click was answered after {held:.2f} s"
    finally:
        release.set()
        assert pool.wait_idle(10), "work after an answer was lost"
        pool.shutdown(wait=True)
