"""Slack's endpoint in the web app: ``POST /slack/events``, and Bolt's OAuth pages when the app
installs through OAuth (those through Bolt's Flask adapter).

Around Bolt, in order: the door check (``hr_plugin.slack.envelope``: a payload without Slack's
shape never reaches Bolt), the queue of Slack calls sent after the answer
(``hr_plugin.slack.deferred``), and the ack's time and count by surface in ``/metrics``, except
for a private feature's requests (``hr_plugin.slack.private_requests``).

The endpoint is a WSGI app of its own, and ``SlackFirst`` hands it Slack's POSTs before Flask
sees them. The route is still a rule in Flask's map (its other methods get Flask's 405, a
Flask test client reaches it), but a POST does not pay for Flask's request and application
contexts, its URL matching, its hooks and a Werkzeug response: in a gunicorn worker they were
a quarter of the app's CPU time for a slash command (``bench/README.md``, 2026-12-05,
"Slack's POSTs around Flask's request machinery"). Nor does it go through Bolt's Flask adapter:
that would read the body and parse it a second time, after the door. The answer is written with
Bolt's own WSGI response (``WsgiHttpResponse``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any

from flask import Flask, Response, request
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse
from slack_bolt.request import BoltRequest
from werkzeug.wrappers import Response as BaseResponse
from werkzeug.wsgi import get_content_length, get_input_stream

from hr_plugin.observability import metrics
from hr_plugin.observability.surfaces import surface_of
from hr_plugin.slack.deferred import SendAfterAnswer
from hr_plugin.slack.envelope import Refused, at_the_door
from hr_plugin.slack.private_requests import PrivateRequests

log = logging.getLogger(__name__)

SLACK_EVENTS_PATH = "/slack/events"
_PLAIN: dict[str, Sequence[str]] = {"content-type": ["text/plain; charset=utf-8"]}


class SlackAnswer:
    """An answer to Slack as WSGI: Bolt's WSGI response for the status line, headers and body,
    and the functions to run once the server has written it and closed it (WSGI's ``close()``),
    as ``SendAfterAnswer`` asks of an answer (``call_on_close``)."""

    __slots__ = ("_after", "_written", "status_code")

    def __init__(self, status: int, body: str, headers: dict[str, Sequence[str]] | None = None) -> None:
        self.status_code = status
        self._written = WsgiHttpResponse(status, headers or _PLAIN, body)
        self._after: list[Callable[[], Any]] = []

    def call_on_close(self, func: Callable[[], Any]) -> Callable[[], Any]:
        self._after.append(func)
        return func

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        start_response(self._written.status, self._written.get_headers())
        return _Body(self._written.get_body(), self._after)


class _Body(list[bytes]):
    """The body's bytes, with the ``close()`` every WSGI server calls once it has sent them."""

    def __init__(self, chunks: Iterable[bytes], after: list[Callable[[], Any]]) -> None:
        super().__init__(chunks)
        self._after = after

    def close(self) -> None:
        for func in self._after:
            func()


class SlackEndpoint:
    """The view for ``POST /slack/events``. With ``process_before_response`` the answer is
    ready when Bolt returns, so the time measured is the ack as Slack waits for it."""

    def __init__(
        self,
        bolt: App,
        sender: SendAfterAnswer,
        *,
        signing_secret: str | None,
        private: PrivateRequests | None = None,
    ) -> None:
        self.bolt = bolt
        self.oauth_handler = SlackRequestHandler(bolt)
        self.sender = sender
        self.signing_secret = signing_secret
        self.private = private or PrivateRequests(frozenset(), frozenset())

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        """A POST to ``/slack/events`` (``SlackFirst`` sends nothing else here)."""
        try:
            answer = self.answer(environ)
        except Exception:
            # As the web app's error handler says it: the route's name, nothing of the request.
            log.exception("a request to slack_events failed")
            answer = SlackAnswer(500, "internal error")
        return answer(environ, start_response)

    def answer(self, environ: dict[str, Any]) -> SlackAnswer:
        started = time.perf_counter()
        wsgi = WsgiHttpRequest(environ)  # read as Bolt's WSGI adapter reads it
        headers = {name: str(value) for name, value in wsgi.get_headers().items()}
        raw = _body(environ)
        bolt_request = at_the_door(raw, headers, self.signing_secret, query=wsgi.query_string)
        if isinstance(bolt_request, Refused):
            payload = None
            answer = SlackAnswer(bolt_request.status, bolt_request.text)
        else:
            payload = bolt_request.body
            submitted = payload.get("type") == "view_submission"  # its answer is its outcome
            answer = self.sender.answer(partial(self._dispatch, bolt_request), pace=not submitted)
            if payload in self.private:  # neither counted nor timed
                return answer
        surface = surface_of(payload)
        metrics.slack_answered(surface, answer.status_code, time.perf_counter() - started)
        return answer

    def _dispatch(self, bolt_request: BoltRequest) -> SlackAnswer:
        bolt_response = self.bolt.dispatch(bolt_request)
        return SlackAnswer(bolt_response.status, bolt_response.body, bolt_response.headers)

    def events(self) -> BaseResponse:
        """The Flask view of the same route, for whatever reaches it through Flask (a Flask
        test client); ``SlackFirst`` answers the server's POSTs without it."""
        return Response.from_app(self, request.environ)

    def oauth(self) -> Response:
        """Bolt's install page and its redirect (``hr_plugin.oauth.flow``)."""
        return self.oauth_handler.handle(request)


def _body(environ: dict[str, Any]) -> bytes:
    """The request's body: read at once when its length is given, as Bolt's WSGI adapter
    reads it, else through Werkzeug's stream (a chunked body the server has put together).
    A length that is no number gives an empty body, as Werkzeug reads it."""
    length = get_content_length(environ)
    if length is not None and not environ.get("wsgi.input_terminated"):
        return bytes(environ["wsgi.input"].read(length))
    return bytes(get_input_stream(environ, safe_fallback=True).read())


class SlackFirst:
    """The web app's WSGI entry: Slack's POSTs go straight to its endpoint, everything else
    (its other methods included) to Flask, whose map holds Slack's routes too."""

    def __init__(self, web: Flask, endpoint: SlackEndpoint) -> None:
        self.web = web
        self.endpoint = endpoint

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == SLACK_EVENTS_PATH and environ.get("REQUEST_METHOD") == "POST":
            return self.endpoint(environ, start_response)
        return self.web.wsgi_app(environ, start_response)


def add_slack_endpoint(web: Flask, endpoint: SlackEndpoint) -> SlackFirst:
    """Slack's routes on ``web`` (events always, the OAuth pages when Bolt has an OAuth flow),
    and the WSGI entry to serve ``web`` through, which answers Slack's POSTs itself."""
    web.add_url_rule(SLACK_EVENTS_PATH, "slack_events", endpoint.events, methods=["POST"])
    flow = endpoint.bolt.oauth_flow
    if flow is not None:
        web.add_url_rule(flow.install_path, "slack_install", endpoint.oauth, methods=["GET"])
        web.add_url_rule(flow.redirect_uri_path, "slack_oauth_redirect", endpoint.oauth, methods=["GET"])
    return SlackFirst(web, endpoint)
