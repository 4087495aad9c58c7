"""The signed client sends what Slack sends, signed so that Slack's own verifier accepts it.

A tiny HTTP server stands in for the app: it checks every request with
``slack_sdk.signature.SignatureVerifier`` (the check Bolt runs) and answers with whatever the
test queued, so both the signing and the payload shapes are checked from the receiving side.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import parse_qs

import pytest
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from hr_plugin.clock import SimulatedClock
from hr_plugin.testing import FakeSlack, SlackRequestClient
from hr_plugin.testing.signed_client import sign_request

SECRET = "test-signing-secret"
TOKEN = "xoxb-fake-token"


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    valid: bool

    def form(self) -> dict[str, str]:
        return {
            name: values[0] for name, values in parse_qs(self.body.decode(), keep_blank_values=True).items()
        }

    def payload(self) -> dict[str, Any]:
        return cast(dict[str, Any], json.loads(self.form()["payload"]))

    def json(self) -> dict[str, Any]:
        return cast(dict[str, Any], json.loads(self.body))


@dataclass
class EchoApp:
    """What the stand-in app saw, and the answers it should give next."""

    url: str = ""
    received: list[Received] = field(default_factory=list)
    replies: deque[tuple[int, str, str]] = field(default_factory=deque)

    def reply_next(self, body: str, *, status: int = 200, content_type: str = "application/json") -> None:
        self.replies.append((status, content_type, body))


class _VerifyingServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, app: EchoApp) -> None:
        super().__init__(("127.0.0.1", 0), _VerifyingHandler)
        self.app = app


class _VerifyingHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        app = cast(_VerifyingServer, self.server).app
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {name.lower(): value for name, value in self.headers.items()}
        valid = SignatureVerifier(SECRET).is_valid_request(body, headers)
        app.received.append(Received(headers=headers, body=body, valid=valid))
        if not valid:
            status, content_type, answer = 401, "text/plain", "invalid signature"
        elif app.replies:
            status, content_type, answer = app.replies.popleft()
        else:
            status, content_type, answer = 200, "text/plain", ""
        data = answer.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def echo_app() -> Iterator[EchoApp]:
    app = EchoApp()
    server = _VerifyingServer(app)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    app.url = f"http://127.0.0.1:{server.server_address[1]}/slack/events"
    yield app
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(SimulatedClock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))) as server:
        server.add_user("U1", name="ann", real_name="Ann A", email="ann@example.com")
        server.add_user("U2", name="bob", real_name="Bob B", email="bob@example.com")
        yield server


@pytest.fixture
def slack(echo_app: EchoApp, fake: FakeSlack) -> SlackRequestClient:
    return SlackRequestClient(echo_app.url, SECRET, fake)


# -- signing -------------------------------------------------------------------------------------


def test_signature_matches_slack_sdk_verifier() -> None:
    body = b"command=%2Frtw&text=hello"
    stamp = str(int(time.time()))
    expected = SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=body)
    assert sign_request(SECRET, stamp, body) == expected
    assert sign_request("another-secret", stamp, body) != expected


def test_good_signature_is_accepted(slack: SlackRequestClient, echo_app: EchoApp) -> None:
    result = slack.slash_command("U1")
    assert result.status == 200
    assert echo_app.received[-1].valid is True
    stamp = int(echo_app.received[-1].headers["x-slack-request-timestamp"])
    assert abs(stamp - time.time()) < 60
    assert echo_app.received[-1].headers["x-slack-signature"].startswith("v0=")


def test_tampered_body_is_rejected(slack: SlackRequestClient, echo_app: EchoApp) -> None:
    stamp = str(int(time.time()))
    signed_for_other_body = sign_request(SECRET, stamp, b"text=harmless")
    result = slack.post(
        b"text=tampered",
        "application/x-www-form-urlencoded",
        timestamp=stamp,
        signature=signed_for_other_body,
    )
    assert result.status == 401
    assert echo_app.received[-1].valid is False


def test_old_timestamp_is_rejected_even_when_correctly_signed(
    slack: SlackRequestClient, echo_app: EchoApp
) -> None:
    result = slack.slash_command("U1", timestamp=int(time.time()) - 6 * 60)
    assert result.status == 401
    assert echo_app.received[-1].valid is False


def test_bad_signature_override_is_rejected(slack: SlackRequestClient, echo_app: EchoApp) -> None:
    result = slack.app_home_opened("U1", signature="v0=" + "0" * 64)
    assert result.status == 401
    assert echo_app.received[-1].headers["x-slack-signature"] == "v0=" + "0" * 64


def test_wrong_secret_is_rejected(echo_app: EchoApp, fake: FakeSlack) -> None:
    result = SlackRequestClient(echo_app.url, "not-the-secret", fake).global_shortcut("U1", "private_space")
    assert result.status == 401


# -- payload shapes ----------------------------------------------------------------------------------


def test_slash_command_is_a_signed_form_with_slack_fields(
    slack: SlackRequestClient, echo_app: EchoApp, fake: FakeSlack
) -> None:
    slack.slash_command("U1", "/rtw", "pause")
    received = echo_app.received[-1]
    form = received.form()

    assert received.headers["content-type"] == "application/x-www-form-urlencoded"
    assert form["command"] == "/rtw"
    assert form["text"] == "pause"
    assert form["user_id"] == "U1"
    assert form["user_name"] == "ann"
    assert form["team_id"] == "T0DEMO"
    assert form["api_app_id"] == "A0DEMO"
    assert form["channel_id"] == fake.dm_channel_for("U1")
    assert form["is_enterprise_install"] == "false"
    assert "enterprise_id" not in form
    assert form["response_url"].startswith(fake.url + "/response/")
    # The trigger id is one the fake minted for U1: a modal opened with it reaches U1.
    opened = WebClient(token=TOKEN, base_url=fake.base_url).views_open(
        trigger_id=form["trigger_id"],
        view={
            "type": "modal",
            "title": {"type": "plain_text", "text": "Hi"},
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hello"}}],
        },
    )
    assert opened["ok"] is True
    assert fake.calls_for("views.open")[0]["audience"] == ["U1"]


def test_enterprise_fields_when_installed_on_a_grid(echo_app: EchoApp, fake: FakeSlack) -> None:
    slack = SlackRequestClient(echo_app.url, SECRET, fake, enterprise_id="E0GRID")
    slack.slash_command("U1")
    slack.block_action("U1", "open_space")
    slack.app_home_opened("U1")

    assert echo_app.received[0].form()["enterprise_id"] == "E0GRID"
    assert echo_app.received[1].payload()["enterprise"]["id"] == "E0GRID"
    envelope = echo_app.received[2].json()
    assert envelope["enterprise_id"] == "E0GRID"
    assert envelope["authorizations"][0]["enterprise_id"] == "E0GRID"


def test_block_action_in_a_message(slack: SlackRequestClient, echo_app: EchoApp, fake: FakeSlack) -> None:
    slack.block_action("U2", "accept_match", "match-7", block_id="match")
    received = echo_app.received[-1]
    payload = received.payload()

    assert received.headers["content-type"] == "application/x-www-form-urlencoded"
    assert set(received.form()) == {"payload"}
    assert payload["type"] == "block_actions"
    assert payload["user"] == {"id": "U2", "username": "bob", "name": "bob", "team_id": "T0DEMO"}
    assert payload["team"] == {"id": "T0DEMO", "domain": "demo"}
    assert payload["enterprise"] is None
    assert payload["api_app_id"] == "A0DEMO"
    assert payload["trigger_id"]
    action = payload["actions"][0]
    assert (action["action_id"], action["block_id"], action["type"], action["value"]) == (
        "accept_match",
        "match",
        "button",
        "match-7",
    )
    assert action["action_ts"]
    assert payload["container"]["type"] == "message"
    assert payload["container"]["channel_id"] == fake.dm_channel_for("U2")
    assert payload["response_url"].startswith(fake.url + "/response/")
    assert "view" not in payload


def test_block_action_in_app_home_carries_the_view(slack: SlackRequestClient, echo_app: EchoApp) -> None:
    home_view = {"id": "V123", "type": "home", "callback_id": "home", "private_metadata": "", "blocks": []}
    slack.block_action("U1", "pick_mentor", selected_user="U2", view=home_view)
    payload = echo_app.received[-1].payload()

    assert payload["view"]["id"] == "V123"
    assert payload["view"]["type"] == "home"
    assert payload["container"] == {"type": "view", "view_id": "V123"}
    assert payload["actions"][0]["type"] == "users_select"
    assert payload["actions"][0]["selected_user"] == "U2"
    assert "response_url" not in payload


def test_view_submission_carries_state_and_the_stored_metadata(
    slack: SlackRequestClient, echo_app: EchoApp, fake: FakeSlack
) -> None:
    trigger = fake.register_trigger("U1")
    opened = WebClient(token=TOKEN, base_url=fake.base_url).views_open(
        trigger_id=trigger,
        view={
            "type": "modal",
            "callback_id": "checkin",
            "private_metadata": "week-48",
            "title": {"type": "plain_text", "text": "Reflection"},
            "submit": {"type": "plain_text", "text": "Save"},
            "blocks": [
                {
                    "type": "input",
                    "block_id": "q1",
                    "label": {"type": "plain_text", "text": "Question"},
                    "element": {"type": "plain_text_input", "action_id": "answer"},
                }
            ],
        },
    )["view"]
    values = {"q1": {"answer": {"type": "plain_text_input", "value": "a walk"}}}

    slack.view_submission("U1", "checkin", values, view_id=opened["id"])
    payload = echo_app.received[-1].payload()

    assert payload["type"] == "view_submission"
    assert payload["view"]["id"] == opened["id"]
    assert payload["view"]["callback_id"] == "checkin"
    assert payload["view"]["private_metadata"] == "week-48"
    assert payload["view"]["state"] == {"values": values}
    assert payload["view"]["blocks"][0]["block_id"] == "q1"
    assert payload["user"]["id"] == "U1"

    slack.view_submission("U1", "checkin", values, private_metadata="override", view_id=opened["id"])
    assert echo_app.received[-1].payload()["view"]["private_metadata"] == "override"


def test_global_shortcut_payload(slack: SlackRequestClient, echo_app: EchoApp) -> None:
    slack.global_shortcut("U1", "private_space")
    payload = echo_app.received[-1].payload()
    assert payload["type"] == "shortcut"
    assert payload["callback_id"] == "private_space"
    assert payload["trigger_id"]
    assert payload["user"]["id"] == "U1"


def test_event_is_json_with_envelope_and_optional_retry_headers(
    slack: SlackRequestClient, echo_app: EchoApp, fake: FakeSlack
) -> None:
    slack.app_home_opened("U1")
    first = echo_app.received[-1]
    slack.app_home_opened("U1", event_id="Ev42", retry_num=1, retry_reason="http_timeout")
    retried = echo_app.received[-1]

    assert first.headers["content-type"] == "application/json"
    assert "x-slack-retry-num" not in first.headers
    assert "x-slack-retry-reason" not in first.headers
    assert retried.headers["x-slack-retry-num"] == "1"
    assert retried.headers["x-slack-retry-reason"] == "http_timeout"
    envelope = first.json()
    assert envelope["type"] == "event_callback"
    assert envelope["team_id"] == "T0DEMO"
    assert envelope["authorizations"] == [
        {
            "enterprise_id": None,
            "team_id": "T0DEMO",
            "user_id": "UBOT",
            "is_bot": True,
            "is_enterprise_install": False,
        }
    ]
    assert envelope["event"]["type"] == "app_home_opened"
    assert envelope["event"]["user"] == "U1"
    assert envelope["event"]["tab"] == "home"
    assert envelope["event"]["channel"] == fake.dm_channel_for("U1")
    assert retried.json()["event_id"] == "Ev42"


def test_event_ids_are_unique(slack: SlackRequestClient, echo_app: EchoApp) -> None:
    for _ in range(5):
        slack.event({"type": "app_mention", "user": "U1", "text": "hi", "ts": "1.000001", "channel": "C1"})
    ids = {received.json()["event_id"] for received in echo_app.received}
    assert len(ids) == 5


def test_url_verification(slack: SlackRequestClient, echo_app: EchoApp) -> None:
    echo_app.reply_next(json.dumps({"challenge": "abc"}))
    result = slack.url_verification("abc")
    assert echo_app.received[-1].json() == {
        "token": "fake-verification-token",
        "challenge": "abc",
        "type": "url_verification",
    }
    assert result.json == {"challenge": "abc"}


# -- acks that show content --------------------------------------------------------------------------


def test_ack_with_content_is_recorded_for_the_actor(
    slack: SlackRequestClient, echo_app: EchoApp, fake: FakeSlack
) -> None:
    echo_app.reply_next(json.dumps({"text": "You are paused"}))
    result = slack.slash_command("U2", text="pause")
    echo_app.reply_next(json.dumps({"response_action": "errors", "errors": {"q1": "Too long"}}))
    slack.view_submission("U2", "checkin", {})

    assert result.status == 200
    assert result.json == {"text": "You are paused"}
    acks = fake.calls_for("ack")
    assert [ack["params"] for ack in acks] == [
        {"text": "You are paused"},
        {"response_action": "errors", "errors": {"q1": "Too long"}},
    ]
    assert all(ack["audience"] == ["U2"] for ack in acks)
    assert fake.messages_seen_by("U1") == []


def test_empty_acks_record_nothing(slack: SlackRequestClient, echo_app: EchoApp, fake: FakeSlack) -> None:
    result = slack.block_action("U1", "noop")
    echo_app.reply_next(json.dumps({"response_action": "clear"}))
    slack.view_submission("U1", "checkin", {})
    echo_app.reply_next(json.dumps({"ok": True}))
    slack.app_home_opened("U1")

    assert (result.status, result.body, result.json) == (200, "", None)
    assert fake.calls_for("ack") == []
