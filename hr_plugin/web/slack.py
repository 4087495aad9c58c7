"""Slack's endpoint in the web app: ``POST /slack/events``, and Bolt's OAuth pages when the app
installs through OAuth, through Bolt's Flask adapter.

Around Bolt, in order: the door check (``hr_plugin.slack.envelope``: a payload without Slack's
shape never reaches Bolt), the queue of Slack calls sent after the answer
(``hr_plugin.slack.deferred``), and the ack's time and count by surface in ``/metrics``, except
for a private feature's requests (``hr_plugin.slack.private_requests``).
"""

from __future__ import annotations

import time

from flask import Flask, Response, request
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler

from hr_plugin.observability import metrics
from hr_plugin.observability.surfaces import surface_of
from hr_plugin.slack.deferred import SendAfterAnswer
from hr_plugin.slack.envelope import at_the_door
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
        self.handler = SlackRequestHandler(bolt)
        self.sender = sender
        self.signing_secret = signing_secret
        self.private = private or PrivateRequests(frozenset(), frozenset())

    def events(self) -> Response:
        started = time.perf_counter()
        payload, refused = at_the_door(
            request.get_data(cache=True), request.content_type, request.headers, self.signing_secret
        )
        if refused is not None:
            response = Response(refused.text, status=refused.status, mimetype="text/plain")
        else:
            submitted = payload.get("type") == "view_submission"  # its answer is its outcome
            response = self.sender.answer(lambda: self.handler.handle(request), pace=not submitted)
            if payload in self.private:  # neither counted nor timed
                return response
        surface = surface_of(payload)
        metrics.ACK_SECONDS.labels(surface=surface).observe(time.perf_counter() - started)
        metrics.SLACK_REQUESTS.labels(surface=surface, status=str(response.status_code)).inc()
        return response

    def oauth(self) -> Response:
        """Bolt's install page and its redirect (``hr_plugin.oauth.flow``)."""
        return self.handler.handle(request)


def add_slack_endpoint(web: Flask, endpoint: SlackEndpoint) -> None:
    """Slack's routes on ``web``: events always, the OAuth pages when Bolt has an OAuth flow."""
    web.add_url_rule(SLACK_EVENTS_PATH, "slack_events", endpoint.events, methods=["POST"])
    flow = endpoint.handler.app.oauth_flow
    if flow is not None:
        web.add_url_rule(flow.install_path, "slack_install", endpoint.oauth, methods=["GET"])
        web.add_url_rule(flow.redirect_uri_path, "slack_oauth_redirect", endpoint.oauth, methods=["GET"])
