"""A signed Slack request put through a WSGI app in-process, as gunicorn would hand it over."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from flask import Flask

from hr_plugin.slack.deferred import SendAfterAnswer
from hr_plugin.testing.fake_slack import FakeSlack
from hr_plugin.testing.signed_client import SignedResponse, SlackRequestClient
from hr_plugin.web import SlackEndpoint, SlackFirst, add_slack_endpoint


class KeptRequests(SlackRequestClient):
    """Signed requests as Slack sends them to team ``T0TEST``, kept in ``kept`` (headers, body)
    instead of sent, for ``post_to_wsgi``."""

    def __init__(self, fake: FakeSlack, signing_secret: str) -> None:
        super().__init__("http://unused/slack/events", signing_secret, fake, team_id="T0TEST")
        self.kept: list[tuple[dict[str, str], bytes]] = []

    def send(self, headers: dict[str, str], body: bytes) -> SignedResponse:
        self.kept.append((headers, body))
        return SignedResponse(0, {}, "", None)


def post_to_wsgi(
    wsgi: Any, request: tuple[dict[str, str], bytes], on_status: Callable[[str], None] | None = None
) -> str:
    """POST ``request`` (headers, body) to ``/slack/events`` of ``wsgi``; its status line.

    ``on_status`` is called when the app sets its status, which is when Slack would have its
    answer: tests of work after the answer record that moment."""
    headers, body = request
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/slack/events",
        "QUERY_STRING": "",
        "SERVER_NAME": "test",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": headers["Content-Type"],
    }
    for name, value in headers.items():
        if name != "Content-Type":
            environ["HTTP_" + name.upper().replace("-", "_")] = value
    statuses: list[str] = []

    def start_response(status: str, _headers: Any, *_: Any) -> None:
        statuses.append(status)
        if on_status is not None:
            on_status(status)

    answer = wsgi(environ, start_response)
    try:
        b"".join(answer)
    finally:
        close = getattr(answer, "close", None)
        if close is not None:
            close()  # as every WSGI server does once the answer is written (PEP 3333)
    return statuses[0]


def slack_endpoint(bolt: Any, pool: Any = None) -> SlackFirst:
    """A web app with Slack's endpoint alone, as the real one serves it (``hr_plugin.web``):
    the door check, the Slack calls queued and sent after the answer (by ``pool``, or in the
    request's thread when None, so order shows), Bolt's answer written as the server writes it."""
    web = Flask(__name__)
    return add_slack_endpoint(web, SlackEndpoint(bolt, SendAfterAnswer(pool), signing_secret=None))
