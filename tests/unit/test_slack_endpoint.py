"""``hr_plugin.web.slack``: Slack's endpoint reads each request once, through a real Bolt app
behind the same Flask route the server uses, and the fake Slack (Bolt checks the token with
it); no database."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
import slack_bolt.request.request as bolt_request_module
from slack_bolt import Ack, App
from slack_sdk import WebClient

from hr_plugin.slack import envelope
from hr_plugin.testing.fake_slack import FakeSlack
from hr_plugin.testing.stack import BOT_TOKEN
from tests.wsgi import KeptRequests, slack_endpoint

SECRET = secrets.token_hex(16)


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(bot_tokens=[BOT_TOKEN]) as running:
        yield running


def _app(fake: FakeSlack) -> App:
    app = App(
        signing_secret=SECRET,
        client=WebClient(token=BOT_TOKEN, base_url=fake.base_url),
        process_before_response=True,
    )

    def on_rtw(ack: Ack, command: dict[str, Any]) -> None:
        said = f"you typed {command['text']}"
        ack(text=said, blocks=[{"type": "section", "text": {"type": "plain_text", "text": said}}])

    app.command("/rtw")(on_rtw)
    return app


def _post(fake: FakeSlack, request: tuple[dict[str, str], bytes], **extra: str) -> Any:
    headers, body = request
    client = slack_endpoint(_app(fake)).test_client()
    return client.post("/slack/events", data=body, headers={**headers, **extra})


def test_a_command_is_parsed_once_and_answered(fake: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> None:
    """The door checks what Bolt parsed, and Bolt dispatches that very request. Bolt's Flask
    adapter read the body and parsed it again after the door: a tenth of a slash command's
    answer's CPU time (``bench/README.md``)."""
    parsed: list[str] = []
    for module in (bolt_request_module, envelope):
        original = module.parse_body

        def counting(body: str, content_type: str | None, original: Any = original) -> Any:
            parsed.append(body[:20])
            return original(body, content_type)

        monkeypatch.setattr(module, "parse_body", counting)
    recorder = KeptRequests(fake, SECRET)
    recorder.slash_command("UTYPE", "/rtw", "help me")

    answer = _post(fake, recorder.kept[0])

    assert answer.status_code == 200
    assert json.loads(answer.data)["text"] == "you typed help me"
    assert answer.content_type == "application/json;charset=utf-8"
    assert len(parsed) == 1


def test_a_forged_signature_is_refused_by_bolt_after_the_door(fake: FakeSlack) -> None:
    """A well-formed payload passes the door unsigned (the door checks the signature only to
    choose between 400 and 401); Bolt's own check still refuses it, with no listener run."""
    recorder = KeptRequests(fake, SECRET)
    recorder.slash_command("UTYPE", "/rtw", "help me")

    answer = _post(fake, recorder.kept[0], **{"X-Slack-Signature": "v0=" + "0" * 64})

    assert answer.status_code == 401
    assert b"you typed" not in answer.data


def test_a_malformed_payload_is_refused_at_the_door(fake: FakeSlack) -> None:
    recorder = KeptRequests(fake, SECRET)
    recorder.slash_command("UTYPE", "/rtw", "help me")
    headers, _body = recorder.kept[0]

    answer = _post(fake, (headers, b"{oops"), **{"Content-Type": "application/json"})

    assert (answer.status_code, answer.data) == (401, b"invalid request")  # and unsigned
