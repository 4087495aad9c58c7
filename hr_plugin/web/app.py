"""The web app: every HTTP route, a rule of one Flask app.

Slack's endpoint (``hr_plugin.web.slack``, whose POSTs are answered before Flask's request
machinery: ``SlackFirst``); ``/healthz`` (the process is up), ``/readyz`` (the
database is reachable and the process is not stopping) and
``/metrics`` (Prometheus); and what the features add (``Feature.web``: the HR console under
``/hr/``, the private space's single-use links under ``/vault/``).

Requests to the routes other than Slack's and the probes' are counted in ``/metrics`` by the route's pattern
(``/vault/export/<secret>``, never the path a browser asked for, which may hold a link's
secret) and status; a private feature's routes are not counted at all, so ``/metrics`` says
nothing of whether anyone uses the private space. No request line is logged anywhere (gunicorn's
access log is off: ``hr_plugin.server``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Sequence
from typing import Any

from flask import Flask, Response, request
from slack_bolt import App
from werkzeug.exceptions import HTTPException

from hr_plugin.db import ping
from hr_plugin.feature_api import Feature
from hr_plugin.observability import metrics
from hr_plugin.observability.outbox_gauges import OutboxGauges
from hr_plugin.services import WEB_SERVICES, Services
from hr_plugin.slack.deadline import saves_settled
from hr_plugin.slack.deferred import SendAfterAnswer
from hr_plugin.slack.private_requests import PrivateRequests
from hr_plugin.web.slack import SlackEndpoint, add_slack_endpoint

log = logging.getLogger(__name__)

_UNCOUNTED = frozenset({"slack_events", "healthz", "readyz", "metrics"})


class WebApp:
    """The WSGI application ``serve`` runs, with the shutdown steps gunicorn's hooks call."""

    def __init__(
        self,
        app: App,
        services: Services,
        features: Sequence[Feature] | None = None,
    ) -> None:
        if features is None:
            from hr_plugin.features import FEATURES

            features = FEATURES
        self.services = services
        self.stopping = threading.Event()
        self.outbox_gauges = OutboxGauges(services.factory, services.clock)
        self.flask = Flask(__name__)
        self.flask.extensions[WEB_SERVICES] = services
        # Slack calls a listener makes before its answer go out right after it
        # (hr_plugin.slack.deferred).
        sender = SendAfterAnswer(services.lazy_pool)
        endpoint = SlackEndpoint(
            app,
            sender,
            signing_secret=services.settings.slack_signing_secret,
            private=PrivateRequests.of(features),
        )
        self.wsgi = add_slack_endpoint(self.flask, endpoint)
        self.flask.add_url_rule("/healthz", "healthz", self._healthz)
        self.flask.add_url_rule("/readyz", "readyz", self._readyz)
        self.flask.add_url_rule("/metrics", "metrics", self._metrics)
        for feature in features:
            if feature.web is not None:
                feature.web(self.flask, services)
        # Anything under a private feature's prefix, matched or not, is left out of /metrics.
        self.unmetered = tuple(feature.web_prefix for feature in features if feature.private and feature.web)
        self.flask.after_request(self._count)
        self.flask.register_error_handler(Exception, _on_error)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        return self.wsgi(environ, start_response)

    # -- shutdown ----------------------------------------------------------------------------

    def begin_shutdown(self) -> None:
        """The process is stopping: readiness fails so no new traffic is routed here."""
        self.stopping.set()

    def close(self, timeout: float) -> None:
        """After the last request: let late saves and the work after the answer finish (together
        up to ``timeout``), then disconnect."""
        self.stopping.set()
        deadline = time.monotonic() + timeout
        saves_settled(self.services, timeout)  # late saves first: their outcome joins the pool below
        pool = self.services.lazy_pool
        if pool is not None:
            pool.wait_idle(max(deadline - time.monotonic(), 0.1))
            pool.shutdown(wait=False)
        self.services.engine.dispose()

    # -- routes ------------------------------------------------------------------------------

    def _healthz(self) -> Response:
        return _plain(200, "ok")

    def _readyz(self) -> Response:
        if self.stopping.is_set():
            return _plain(503, "shutting down")
        if ping(self.services.engine):
            return _plain(200, "ready")
        return _plain(503, "database unreachable")

    def _metrics(self) -> Response:
        registry = metrics.scrape_registry(self.outbox_gauges, multiprocess=metrics.multiprocess_dir())
        body, content_type = metrics.exposition(registry)
        return Response(body, status=200, content_type=content_type)

    def _count(self, response: Response) -> Response:
        """Every answer but Slack's (timed by surface there), the probes' (polled every few
        seconds, they would drown the rest) and a private feature's."""
        if request.endpoint in _UNCOUNTED or (self.unmetered and request.path.startswith(self.unmetered)):
            return response
        route = request.url_rule.rule if request.url_rule is not None else "unmatched"
        metrics.HTTP_REQUESTS.labels(route=route, status=str(response.status_code)).inc()
        return response


def _on_error(error: Exception) -> HTTPException | Response:
    """An HTTP error is answered as itself; anything else is the app's own fault: a 500, and a
    log line naming the route, never the path (which may hold a link's secret), as Flask's own
    log line would. The console's pages answer their errors themselves
    (``hr_plugin.console.web.page_blueprint``)."""
    if isinstance(error, HTTPException):
        return error
    log.exception("a request to %s failed", request.endpoint or "an unknown route")
    return _plain(500, "internal error")


def _plain(status: int, text: str) -> Response:
    return Response(text, status=status, mimetype="text/plain")
