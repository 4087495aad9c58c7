"""``hr_plugin.slack.listening``: a listener's answer first, its work after, through a real Bolt
app behind the same WSGI layers the server uses, and the fake Slack (Bolt checks the token
with it); no database."""

from __future__ import annotations

import logging
import pickle
import secrets
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask
from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from hr_plugin.slack import deferred
from hr_plugin.slack.listening import listen, named_work
from hr_plugin.testing.fake_slack import FakeSlack
from hr_plugin.testing.signed_client import SignedResponse, SlackRequestClient
from hr_plugin.testing.stack import BOT_TOKEN
from tests.wsgi import post_to_wsgi, slack_endpoint

SECRET = secrets.token_hex(16)
ACTION = "test.click"


class _Recorder(SlackRequestClient):
    """Signed requests as Slack sends them, kept instead of sent."""

    def __init__(self, fake: FakeSlack) -> None:
        super().__init__("http://unused/slack/events", SECRET, fake, team_id="T0TEST")
        self.kept: list[tuple[dict[str, str], bytes]] = []

    def send(self, headers: dict[str, str], body: bytes) -> SignedResponse:
        self.kept.append((headers, body))
        return SignedResponse(0, {}, "", None)


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(bot_tokens=[BOT_TOKEN]) as running:
        yield running


def _click(fake: FakeSlack, user: str = "UCLICK") -> tuple[dict[str, str], bytes]:
    recorder = _Recorder(fake)
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


class _TakingCompanion:
    """Takes every handoff, as a started companion process would, and keeps it."""

    def __init__(self) -> None:
        self.handoffs: list[deferred.Handoff] = []

    def submit(self, handoff: deferred.Handoff) -> bool:
        self.handoffs.append(handoff)
        return True


def _deferring_app(fake: FakeSlack, *, verify: bool = True) -> App:
    app = App(
        signing_secret=SECRET,
        client=WebClient(token=BOT_TOKEN, base_url=fake.base_url),
        process_before_response=True,
        request_verification_enabled=verify,
    )
    deferred.register(app)
    return app


def _services() -> SimpleNamespace:
    """What ``listen`` and the companion read of ``Services`` here: no pool, the registry."""
    return SimpleNamespace(lazy_pool=None, extensions={})


def _wire_click(app: App, services: Any, events: list[str]) -> None:
    def answer(ack: Ack, respond: Any) -> None:
        events.append("ack function")
        ack()
        respond(text="Saved.")  # queued: it goes out after the answer, wherever that work runs

    def show(body: dict[str, Any], context: BoltContext, action: dict[str, Any]) -> None:
        events.append(f"work after for {body['user']['id']} ({context.user_id}, {action['action_id']})")

    listen(app.action(ACTION), services, ack=answer, after=[show], name=f"action:{ACTION}")


def test_a_listened_request_crosses_to_the_companion_which_runs_only_the_work_after(fake: FakeSlack) -> None:
    web_events: list[str] = []
    web_app = _deferring_app(fake)
    _wire_click(web_app, _services(), web_events)
    companion = _TakingCompanion()
    served = slack_endpoint(web_app, None, companion)

    assert _post(served, web_events, _click(fake, "UCLICK")) == "200 OK"
    assert web_events == ["ack function", "answered"], "nothing after the answer ran on the worker"
    assert fake.calls_for("response_url") == []
    [handoff] = companion.handoffs
    assert [(call.target, call.kwargs) for call in handoff.calls] == [("respond", {"text": "Saved."})]

    # The companion's side: the same listeners wired, the work found by name and run.
    companion_events: list[str] = []
    companion_services = _services()
    follow_up_app = _deferring_app(fake, verify=False)
    _wire_click(follow_up_app, companion_services, companion_events)
    from hr_plugin.slack.companion import FollowUps

    FollowUps(follow_up_app, companion_services).run(handoff)  # type: ignore[arg-type]

    assert companion_events == ["work after for UCLICK (UCLICK, test.click)"], "the part before did not run"
    assert [call["params"]["text"] for call in fake.calls_for("response_url")] == ["Saved."]


def test_the_companion_gets_a_small_command_and_runs_it_without_dispatching_through_bolt(
    fake: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's point: no raw request crosses, and the companion does not make Bolt parse,
    authorize, run middleware and match it again."""
    web_app = _deferring_app(fake)
    _wire_click(web_app, _services(), [])
    companion = _TakingCompanion()
    headers, raw = _click(fake, "UCLICK")
    assert _post(slack_endpoint(web_app, None, companion), [], (headers, raw)) == "200 OK"
    [handoff] = companion.handoffs

    crossed = pickle.dumps(handoff)
    assert headers["X-Slack-Signature"].encode() not in crossed, "no headers cross"
    assert raw not in crossed and b"payload=" not in crossed, "nor the raw body"
    assert [step.key for step in handoff.steps if isinstance(step, deferred.Named)] == [
        "action:test.click _wire_click.<locals>.show"
    ]
    assert handoff.body["user"]["id"] == "UCLICK" and handoff.context["user_id"] == "UCLICK"
    assert set(handoff.context) <= set(deferred.CONTEXT_KEYS)

    events: list[str] = []
    services = _services()
    follow_up_app = _deferring_app(fake, verify=False)
    _wire_click(follow_up_app, services, events)

    def never(*_: Any, **__: Any) -> None:
        raise AssertionError("the companion dispatched the request through Bolt")

    monkeypatch.setattr(App, "dispatch", never)
    from hr_plugin.slack.companion import FollowUps

    FollowUps(follow_up_app, services).run(pickle.loads(crossed))  # type: ignore[arg-type]

    assert events == ["work after for UCLICK (UCLICK, test.click)"]
    assert [call["params"]["text"] for call in fake.calls_for("response_url")] == ["Saved."]


def test_a_listener_not_wired_with_listen_keeps_its_work_on_the_worker(fake: FakeSlack) -> None:
    """Its part before the answer could not be skipped elsewhere, so nothing of it crosses."""
    app, events = _deferring_app(fake), []

    def click(ack: Ack, respond: Any) -> None:
        events.append("listener")
        ack()
        respond(text="Done.")

    app.action(ACTION)(click)
    companion = _TakingCompanion()
    served = slack_endpoint(app, None, companion)

    assert _post(served, events, _click(fake)) == "200 OK"
    assert companion.handoffs == []
    assert events == ["listener", "answered"]
    assert [call["params"]["text"] for call in fake.calls_for("response_url")] == ["Done."]


def test_a_companion_that_cannot_take_the_work_leaves_it_on_the_worker(fake: FakeSlack) -> None:
    app, events = _deferring_app(fake), []

    def show(body: dict[str, Any]) -> None:
        events.append("work after")

    listen(app.action(ACTION), SimpleNamespace(lazy_pool=None), ack=lambda ack: ack(), after=[show])  # type: ignore[arg-type]

    class Starting:
        def submit(self, handoff: deferred.Handoff) -> bool:
            return False

    served = slack_endpoint(app, None, Starting())
    assert _post(served, events, _click(fake)) == "200 OK"
    assert events == ["answered", "work after"]


def test_a_private_features_request_never_crosses_to_the_companion(fake: FakeSlack) -> None:
    """The private space's work stays in the web worker, though it could be named: the door
    knows its routes (``PrivateRequests``) and keeps its queue here."""
    from hr_plugin.slack.declare import Route
    from hr_plugin.slack.private_requests import PrivateRequests
    from hr_plugin.web import SlackEndpoint, add_slack_endpoint

    app, events = _deferring_app(fake), []
    _wire_click(app, _services(), events)
    companion = _TakingCompanion()
    web = Flask(__name__)
    private = PrivateRequests(frozenset({Route("action", ACTION)}), frozenset())
    sender = deferred.SendAfterAnswer(None, companion)
    add_slack_endpoint(web, SlackEndpoint(app, sender, signing_secret=None, private=private))

    assert _post(web, events, _click(fake, "UCLICK")) == "200 OK"

    assert companion.handoffs == []
    assert events == ["ack function", "answered", "work after for UCLICK (UCLICK, test.click)"]
    assert [call["params"]["text"] for call in fake.calls_for("response_url")] == ["Saved."]


def test_a_private_features_listeners_are_not_named_for_the_companion(fake: FakeSlack) -> None:
    from hr_plugin.slack.declare import Changes, Shows, action, wire

    def open_it(body: dict[str, Any]) -> None:
        """Shows something."""

    def save(ack: Ack) -> None:
        ack()

    services = SimpleNamespace(lazy_pool=None, extensions={}, show_only_actions=set())
    wire(_app(fake), services, Shows(action("private.open"), open_it), private=True)  # type: ignore[arg-type]
    wire(_app(fake), services, Changes(action("private.save"), save, after=(open_it,)), private=True)  # type: ignore[arg-type]
    assert named_work(services) == {}  # type: ignore[arg-type]

    wire(_app(fake), services, Shows(action("shared.open"), open_it))  # type: ignore[arg-type]
    [key] = named_work(services)  # type: ignore[arg-type]
    assert key.startswith("action:shared.open ") and key.endswith(".open_it")


def test_work_a_first_part_leaves_for_later_is_named_and_runs_in_the_companion(
    fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    """``/rtw``'s way: the first part decides whether something runs after its answer."""

    def show(body: dict[str, Any], client: Any) -> None:
        shown.append(f"shown to {body['user']['id']} with a {type(client).__name__}")

    def undeclared(body: dict[str, Any]) -> None:
        raise AssertionError("never run")

    def wire(app: App, services: Any, events: list[str]) -> None:
        def answer(ack: Ack, action: dict[str, Any], later: Any) -> None:
            ack()
            events.append("ack function")
            if action["value"] == "show":
                later(show)
            else:
                later(undeclared)

        listen(app.action(ACTION), services, ack=answer, later=[show], name=f"action:{ACTION}")

    shown: list[str] = []
    web_app, web_events = _deferring_app(fake), []
    wire(web_app, _services(), web_events)
    companion = _TakingCompanion()
    served = slack_endpoint(web_app, None, companion)
    recorder = _Recorder(fake)
    recorder.block_action("UCLICK", ACTION, "show")

    assert _post(served, web_events, recorder.kept[0]) == "200 OK"
    assert web_events == ["ack function", "answered"] and shown == []
    [handoff] = companion.handoffs

    services = _services()
    follow_up_app = _deferring_app(fake, verify=False)
    wire(follow_up_app, services, [])
    from hr_plugin.slack.companion import FollowUps

    FollowUps(follow_up_app, services).run(handoff)  # type: ignore[arg-type]
    assert shown == ["shown to UCLICK with a TriggerKeeper"], "the click's trigger is kept alive"

    recorder.block_action("UCLICK", ACTION, "other")  # leaves a function it did not declare
    with caplog.at_level(logging.ERROR):
        assert _post(served, [], recorder.kept[1]).startswith("500")
    assert "undeclared is not among the listener's `later`" in caplog.text
    assert len(companion.handoffs) == 1, "nothing unnamed crossed"
