"""``hr_plugin.slack.failures`` in pieces: reading Slack's refusals, the retry timer, the watched
client, a queued call refused after the answer, and one DM per failed request."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from slack_bolt import Ack, App, BoltRequest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse
from sqlalchemy import select

from hr_plugin.clock import SimulatedClock
from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.later import Later
from hr_plugin.models import OutboxMessage
from hr_plugin.slack import deferred
from hr_plugin.slack.failures import (
    NOTICE,
    Notices,
    RequestFacts,
    WatchedClient,
    error_code,
    notice_key,
    retry_after,
)
from hr_plugin.slack.listening import listen
from hr_plugin.testing.fake_slack import FakeSlack
from hr_plugin.testing.stack import BOT_TOKEN
from tests.wsgi import KeptRequests, post_to_wsgi, slack_endpoint

SECRET = secrets.token_hex(16)
ACTION = "test.open"


def _refusal(
    error: str, *, status: int = 200, headers: dict[str, Any] | None = None, method: str = "views.open"
) -> SlackApiError:
    response = SlackResponse(
        client=None,
        http_verb="POST",
        api_url=method,
        req_args={},
        data={"ok": False, "error": error},
        headers=headers or {},
        status_code=status,
    )
    return SlackApiError("refused", response)


# -- reading Slack's answer ------------------------------------------------------------------


def test_a_rate_limit_says_how_long_to_wait_and_other_refusals_do_not() -> None:
    assert retry_after(_refusal("ratelimited", status=429, headers={"Retry-After": "7"})) == 7.0
    assert retry_after(_refusal("ratelimited", status=429, headers={"retry-after": ["3"]})) == 3.0
    assert retry_after(_refusal("ratelimited", status=429)) == 1.0  # no header: the shortest wait
    assert retry_after(_refusal("ratelimited", status=429, headers={"Retry-After": "0"})) == 1.0
    assert retry_after(_refusal("expired_trigger_id")) is None
    assert retry_after(TimeoutError()) is None


def test_the_error_code_is_slacks_or_the_exception_type_never_its_text() -> None:
    assert error_code(_refusal("expired_trigger_id")) == "expired_trigger_id"
    assert error_code(OSError("connection to someone's private thing refused")) == "OSError"


def test_a_long_request_reference_becomes_a_digest_in_the_key() -> None:
    short = notice_key("T1", "U1", "views.open", "123.456.abc")
    assert short == "view-not-shown:T1:U1:views.open:123.456.abc"
    long = notice_key("T1", "U1", "views.open", "x" * 500)
    assert len(long) < 100 and long == notice_key("T1", "U1", "views.open", "x" * 500)


# -- the retry timer -------------------------------------------------------------------------


def _collecting() -> tuple[Later, list[str], threading.Event]:
    ran: list[str] = []
    done = threading.Event()

    def run(work: Callable[[], object]) -> None:
        work()
        done.set()

    return Later(run), ran, done


def test_later_runs_work_once_its_time_has_come_and_then_its_thread_ends() -> None:
    later, ran, done = _collecting()
    started = time.monotonic()

    later.put("k", 0.1, lambda: ran.append("retry"))

    assert later.waiting() == 1 and ran == []
    assert done.wait(5)
    assert ran == ["retry"] and time.monotonic() - started >= 0.1
    deadline = time.monotonic() + 5
    while later._thread is not None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert later._thread is None, "no thread idles once nothing waits"


def test_putting_a_key_again_replaces_what_waited_and_cancel_drops_it() -> None:
    later, ran, done = _collecting()
    later.put("k", 0.05, lambda: ran.append("older"))
    later.put("k", 0.05, lambda: ran.append("newer"))
    later.put("other", 0.05, lambda: ran.append("dropped"))
    assert later.cancel("other") and not later.cancel("other")

    assert done.wait(5)
    time.sleep(0.2)  # anything else due would have run by now

    assert ran == ["newer"]


def test_a_sooner_retry_put_later_is_not_held_behind_a_longer_wait() -> None:
    later, ran, _ = _collecting()
    later.put("slow", 30, lambda: ran.append("slow"))
    started = time.monotonic()
    later.put("fast", 0.05, lambda: ran.append("fast"))

    deadline = time.monotonic() + 5
    while not ran and time.monotonic() < deadline:
        time.sleep(0.01)

    assert ran == ["fast"] and time.monotonic() - started < 5
    assert later.cancel("slow")


# -- the watched client ----------------------------------------------------------------------


class _Told:
    """Stands in for ``Notices``: records who would be told, runs retries at once when asked."""

    def __init__(self) -> None:
        self.told: list[tuple[str, str, str | None]] = []
        self.retries = Later(lambda work: None)

    def tell(self, request: Any, method: str, error: str, person: str | None) -> None:
        self.told.append((method, error, person))


class _Client:
    def __init__(self, *failures: BaseException) -> None:
        self.failures = list(failures)
        self.made: list[str] = []
        self.token = "xoxb-kept"

    def _call(self, name: str, **kwargs: Any) -> dict[str, bool]:
        self.made.append(name)
        if self.failures:
            raise self.failures.pop(0)
        return {"ok": True}

    def views_open(self, **kwargs: Any) -> dict[str, bool]:
        return self._call("views_open", **kwargs)

    def views_publish(self, **kwargs: Any) -> dict[str, bool]:
        return self._call("views_publish", **kwargs)

    def users_info(self, **kwargs: Any) -> dict[str, bool]:
        return self._call("users_info", **kwargs)


def _facts() -> RequestFacts:
    body = (
        "payload=" + '{"type":"block_actions","user":{"id":"UME"},"team":{"id":"T1"},"trigger_id":"1.2.abc"}'
    )
    request = BoltRequest(body=body, headers={"content-type": ["application/x-www-form-urlencoded"]})
    return RequestFacts(request.context, request.body, None)


def test_a_view_call_slack_refuses_tells_the_person_and_still_raises() -> None:
    told = _Told()
    client = WatchedClient(_Client(_refusal("expired_trigger_id")), _facts(), told)  # type: ignore[arg-type]

    with pytest.raises(SlackApiError):
        client.views_open(trigger_id="1.2.abc", view={})

    assert told.told == [("views.open", "expired_trigger_id", None)]


def test_other_calls_pass_through_unwatched() -> None:
    told = _Told()
    inner = _Client(_refusal("user_not_found"))
    client = WatchedClient(inner, _facts(), told)  # type: ignore[arg-type]

    with pytest.raises(SlackApiError):
        client.users_info(user="UX")

    assert told.told == [] and client.token == "xoxb-kept"


def test_a_rate_limited_publish_waits_for_a_retry_instead_of_telling() -> None:
    told = _Told()
    inner = _Client(_refusal("ratelimited", status=429, headers={"Retry-After": "2"}))
    client = WatchedClient(inner, _facts(), told)  # type: ignore[arg-type]

    with pytest.raises(SlackApiError):
        client.views_publish(user_id="UME", view={})

    assert told.told == [] and told.retries.waiting() == 1
    client.views_publish(user_id="UME", view={})  # a newer publish for the same person
    assert told.retries.waiting() == 0 and inner.made == ["views_publish", "views_publish"]


def test_a_publish_slack_asks_to_hold_off_for_long_is_told_at_once() -> None:
    told = _Told()
    inner = _Client(_refusal("ratelimited", status=429, headers={"Retry-After": "600"}))
    client = WatchedClient(inner, _facts(), told)  # type: ignore[arg-type]

    with pytest.raises(SlackApiError):
        client.views_publish(user_id="UME", view={})

    assert told.told == [("views.publish", "ratelimited", "UME")] and told.retries.waiting() == 0


# -- one DM per failed request ---------------------------------------------------------------


def test_telling_the_same_failure_twice_queues_one_dm(
    session_factory: SessionFactory, clock: SimulatedClock
) -> None:
    services = SimpleNamespace(factory=session_factory, clock=clock, lazy_pool=None, extensions={})
    notices = Notices(services)  # type: ignore[arg-type]
    facts = _facts()

    notices.tell(facts, "views.open", "expired_trigger_id", None)
    notices.tell(facts, "views.open", "expired_trigger_id", None)

    with unit_of_work(session_factory) as session:
        rows = list(session.scalars(select(OutboxMessage)))
    assert [(row.idempotency_key, row.recipient_user_id, row.payload) for row in rows] == [
        ("view-not-shown:T1:UME:views.open:1.2.abc", "UME", {"text": NOTICE})
    ]
    assert rows[0].solicited


# -- a call queued before the answer, refused after it ------------------------------------------


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(bot_tokens=[BOT_TOKEN]) as running:
        yield running


def _app(fake: FakeSlack, services: Any) -> App:
    app = App(
        signing_secret=SECRET,
        client=WebClient(token=BOT_TOKEN, base_url=fake.base_url),
        process_before_response=True,
    )
    deferred.register(app, services)

    def answer(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(
            trigger_id=body["trigger_id"],
            view={"type": "modal", "title": {"type": "plain_text", "text": "T"}, "blocks": []},
        )

    def after(body: dict[str, Any]) -> None:
        """Work after the answer, queued behind the ``views.open``."""

    listen(app.action(ACTION), services, ack=answer, after=[after])
    return app


def test_a_queued_view_slack_refuses_after_the_answer_is_told_in_an_ephemeral(fake: FakeSlack) -> None:
    served = slack_endpoint(_app(fake, SimpleNamespace(lazy_pool=None, extensions={})), None)
    recorder = KeptRequests(fake, SECRET)
    recorder.block_action("UCLICK", ACTION, "open")  # a button in a message: it has a response_url
    fake.fail_next("views.open", status=200, error="expired_trigger_id")

    assert post_to_wsgi(served, recorder.kept[0]) == "200 OK"

    [refused] = fake.calls_for("views.open")
    assert not refused["ok"]
    [reply] = fake.calls_for("response_url", user="UCLICK")
    assert reply["params"] == {"text": NOTICE, "response_type": "ephemeral", "replace_original": False}
