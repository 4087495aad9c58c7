"""``hr_plugin.web.slack``: Slack's endpoint reads each request once, through a real Bolt app
behind the same Flask route the server uses, and the fake Slack (Bolt checks the token with
it); no database."""

from __future__ import annotations

import io
import json
import logging
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
import slack_bolt.request.request as bolt_request_module
from flask import Flask
from slack_bolt import Ack, App
from slack_sdk import WebClient
from werkzeug.test import Client

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
    client = Client(slack_endpoint(_app(fake)))
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


def test_a_post_is_answered_without_flasks_request_machinery(
    fake: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``SlackFirst`` hands Slack's POSTs to the endpoint before Flask: no request context, no
    URL matching, no hooks (a quarter of the app's CPU time for a slash command in a gunicorn worker).
    Another method on the same path still meets Flask's rule, and Flask's 405."""
    contexts: list[str] = []
    original = Flask.request_context

    def counting(self: Flask, environ: dict[str, Any]) -> Any:
        contexts.append(environ["REQUEST_METHOD"])
        return original(self, environ)

    monkeypatch.setattr(Flask, "request_context", counting)
    recorder = KeptRequests(fake, SECRET)
    recorder.slash_command("UTYPE", "/rtw", "help me")
    client = Client(slack_endpoint(_app(fake)))

    answer = client.post("/slack/events", data=recorder.kept[0][1], headers=recorder.kept[0][0])
    assert json.loads(answer.data)["text"] == "you typed help me"
    assert contexts == []

    assert client.get("/slack/events").status_code == 405
    assert contexts == ["GET"]


def test_flasks_view_of_the_route_gives_the_same_answer(fake: FakeSlack) -> None:
    """The rule in Flask's map answers a POST that reaches it through Flask (a Flask test
    client) with the same endpoint."""
    recorder = KeptRequests(fake, SECRET)
    recorder.slash_command("UTYPE", "/rtw", "help me")
    headers, body = recorder.kept[0]

    answer = slack_endpoint(_app(fake)).web.test_client().post("/slack/events", data=body, headers=headers)

    assert answer.status_code == 200
    assert json.loads(answer.data)["text"] == "you typed help me"
    assert answer.content_type == "application/json;charset=utf-8"


def test_a_failure_in_the_endpoint_is_a_500_and_a_log_line_with_nothing_of_the_request(
    fake: FakeSlack, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Outside Flask, the endpoint answers its own failures as the web app's error handler
    would: a plain 500, and a log line that names the route, not what was sent."""

    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("the door fell off")

    monkeypatch.setattr("hr_plugin.web.slack.at_the_door", broken)
    recorder = KeptRequests(fake, SECRET)
    recorder.slash_command("UTYPE", "/rtw", "a private word")

    with caplog.at_level(logging.ERROR):
        answer = _post(fake, recorder.kept[0])

    assert (answer.status_code, answer.data) == (500, b"internal error")
    assert answer.content_type == "text/plain; charset=utf-8"
    assert "a request to slack_events failed" in caplog.text
    assert "private word" not in caplog.text


def test_a_body_sent_without_its_length_is_read_to_its_end(fake: FakeSlack) -> None:
    """A body with its length is read at once, as Bolt's WSGI adapter reads it; one sent
    chunked, which the server has already put together (``wsgi.input_terminated``, no
    ``CONTENT_LENGTH``), is read through Werkzeug's stream, not taken as empty."""
    recorder = KeptRequests(fake, SECRET)
    recorder.slash_command("UTYPE", "/rtw", "help me")
    headers, body = recorder.kept[0]
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/slack/events",
        "wsgi.input": io.BytesIO(body),
        "wsgi.input_terminated": True,
        "CONTENT_TYPE": headers["Content-Type"],
        **{
            "HTTP_" + name.upper().replace("-", "_"): value
            for name, value in headers.items()
            if name != "Content-Type"
        },
    }
    statuses: list[str] = []

    written = b"".join(slack_endpoint(_app(fake))(environ, lambda status, _headers: statuses.append(status)))

    assert statuses == ["200 OK"]
    assert json.loads(written)["text"] == "you typed help me"
