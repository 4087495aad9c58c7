"""Slack's endpoint in the web app: ``POST /slack/events``, and Bolt's OAuth pages when the app
installs through OAuth (those through Bolt's Flask adapter).

Around Bolt, in order: the door check (``hr_plugin.slack.envelope``: a payload without Slack's
shape never reaches Bolt), the queue of Slack calls sent after the answer
(``hr_plugin.slack.deferred``), and the ack's time and count by surface in ``/metrics``, except
for a private feature's requests (``hr_plugin.slack.private_requests``).

The events do not go through Bolt's Flask adapter: it would read the body and parse it a second
time, after the door, and build Flask's response from Bolt's by hand. The door hands Bolt the
request it parsed, and Bolt's answer becomes a response directly; with the adapter this work
was about a quarter of the CPU time of a slash command's answer (``bench/README.md``).
"""

from __future__ import annotations

import time
from functools import partial

from flask import Flask, Response, request
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.request import BoltRequest

from hr_plugin.observability import metrics
from hr_plugin.observability.surfaces import surface_of
from hr_plugin.slack.deferred import SendAfterAnswer
from hr_plugin.slack.envelope import Refused, at_the_door
from hr_plugin.slack.private_requests import PrivateRequests

SLACK_EVENTS_PATH = "/slack/events"


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

    def events(self) -> Response:
        started = time.perf_counter()
        wsgi = WsgiHttpRequest(request.environ)  # read as Bolt's WSGI adapter reads it
        headers = {name: str(value) for name, value in wsgi.get_headers().items()}
        raw = request.get_data(cache=False)
        bolt_request = at_the_door(raw, headers, self.signing_secret, query=wsgi.query_string)
        if isinstance(bolt_request, Refused):
            payload = None
            answer = Response(bolt_request.text, status=bolt_request.status, mimetype="text/plain")
        else:
            payload = bolt_request.body
            submitted = payload.get("type") == "view_submission"  # its answer is its outcome
            answer = self.sender.answer(partial(self._dispatch, bolt_request), pace=not submitted)
            if payload in self.private:  # neither counted nor timed
                return answer
        surface = surface_of(payload)
        metrics.ACK_SECONDS.labels(surface=surface).observe(time.perf_counter() - started)
        metrics.SLACK_REQUESTS.labels(surface=surface, status=str(answer.status_code)).inc()
        return answer

    def _dispatch(self, bolt_request: BoltRequest) -> Response:
        """Bolt's answer as the response Flask sends (what its Flask adapter does, without
        reading the request again)."""
        bolt_response = self.bolt.dispatch(bolt_request)
        headers = [(name, value) for name, values in bolt_response.headers.items() for value in values]
        return Response(bolt_response.body, status=bolt_response.status, headers=headers)

    def oauth(self) -> Response:
        """Bolt's install page and its redirect (``hr_plugin.oauth.flow``)."""
        return self.oauth_handler.handle(request)


def add_slack_endpoint(web: Flask, endpoint: SlackEndpoint) -> None:
    """Slack's routes on ``web``: events always, the OAuth pages when Bolt has an OAuth flow."""
    web.add_url_rule(SLACK_EVENTS_PATH, "slack_events", endpoint.events, methods=["POST"])
    flow = endpoint.bolt.oauth_flow
    if flow is not None:
        web.add_url_rule(flow.install_path, "slack_install", endpoint.oauth, methods=["GET"])
        web.add_url_rule(flow.redirect_uri_path, "slack_oauth_redirect", endpoint.oauth, methods=["GET"])
