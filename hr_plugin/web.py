"""The HTTP surface: Slack's endpoint, health checks and metrics, as one WSGI application."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from hr_plugin.db import ping
from hr_plugin.features import FEATURES
from hr_plugin.observability import metrics
from hr_plugin.observability.outbox_gauges import OutboxGauges
from hr_plugin.observability.surfaces import surface_of
from hr_plugin.services import Services
from hr_plugin.slack.companion import Companion
from hr_plugin.slack.deferred import SendAfterAnswer
from hr_plugin.slack.envelope import PARSED_BODY, SlackEnvelopeGuard
from hr_plugin.slack.private_requests import PrivateRequests
from hr_plugin.wsgi import Environ, StartResponse, plain_response

Route = Callable[[Environ, StartResponse], Iterable[bytes]]

SLACK_EVENTS_PATH = "/slack/events"


class WebApp:
    """Slack at ``/slack/events``; ``/healthz`` (process up), ``/readyz`` (database reachable,
    the companion process started, and not stopping), ``/metrics`` (Prometheus); and the
    routes the features declare under a path prefix (``Feature.web_routes``: the private
    space's export links).

    Exact paths live in ``routes``; a feature adds one with ``add_route``. Anything else goes
    to Bolt's handler, which also answers its OAuth paths when an OAuth flow is configured.
    """

    def __init__(self, app: App, services: Services, companion: Companion | None = None) -> None:
        # Malformed payloads are refused before Bolt parses them (see hr_plugin.slack.envelope).
        # Slack calls a listener makes before its answer go out right after it
        # (hr_plugin.slack.deferred), from the companion process when there is one.
        # A private feature's requests (the private space) are left out of /metrics.
        self.private = PrivateRequests.of(FEATURES)
        self.slack = SlackEnvelopeGuard(
            SendAfterAnswer(
                SlackRequestHandler(app, path=SLACK_EVENTS_PATH),
                services.lazy_pool,
                companion,
                metered=lambda environ: environ.get(PARSED_BODY) not in self.private,
            ),
            services.settings.slack_signing_secret,
        )
        self.services = services
        self.companion = companion
        self.stopping = threading.Event()
        self.outbox_gauges = OutboxGauges(services.factory, services.clock)
        self.routes: dict[str, Route] = {
            "/healthz": self._healthz,
            "/readyz": self._readyz,
            "/metrics": self._metrics,
            SLACK_EVENTS_PATH: self._slack_events,
        }
        self.prefixed_routes = [
            (prefix, answer) for feature in FEATURES for prefix, answer in (feature.web_routes or {}).items()
        ]

    def add_route(self, path: str, route: Route) -> None:
        self.routes[path] = route

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        route = self.routes.get(path)
        if route is not None:
            return route(environ, start_response)
        for prefix, answer in self.prefixed_routes:
            if path.startswith(prefix):
                return answer(self.services, environ, start_response, path.removeprefix(prefix))
        return self.slack(environ, start_response)

    # -- shutdown ----------------------------------------------------------------------------

    def begin_shutdown(self) -> None:
        """The process is stopping: readiness fails so no new traffic is routed here."""
        self.stopping.set()

    def close(self, timeout: float) -> None:
        """After the last request: let the work after the answer finish, here and in the
        companion process (together up to ``timeout``), then disconnect."""
        self.stopping.set()
        deadline = time.monotonic() + timeout
        pool = self.services.lazy_pool
        if pool is not None:
            pool.wait_idle(timeout)
            pool.shutdown(wait=False)
        if self.companion is not None:
            self.companion.close(max(deadline - time.monotonic(), 1.0))
        self.services.engine.dispose()

    # -- routes ------------------------------------------------------------------------------

    def _healthz(self, environ: Environ, start_response: StartResponse) -> list[bytes]:
        return plain_response(start_response, "200 OK", "ok")

    def _readyz(self, environ: Environ, start_response: StartResponse) -> list[bytes]:
        if self.stopping.is_set():
            return plain_response(start_response, "503 Service Unavailable", "shutting down")
        if self.companion is not None and not self.companion.ready:
            return plain_response(start_response, "503 Service Unavailable", "starting")
        if ping(self.services.engine):
            return plain_response(start_response, "200 OK", "ready")
        return plain_response(start_response, "503 Service Unavailable", "database unreachable")

    def _metrics(self, environ: Environ, start_response: StartResponse) -> list[bytes]:
        registry = metrics.scrape_registry(self.outbox_gauges, multiprocess=metrics.multiprocess_dir())
        body, content_type = metrics.exposition(registry)
        start_response("200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body)))])
        return [body]

    def _slack_events(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        """Bolt's handler, timed and counted by surface (a private feature's requests are not).
        With ``process_before_response`` the answer is ready when the handler returns, so this
        is the ack as Slack waits for it."""
        started = time.perf_counter()
        answered: list[str] = []

        def record_status(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            answered.append(status.split(" ", 1)[0])
            return start_response(status, headers, *exc_info)

        response = self.slack(environ, record_status)
        payload = environ.get(PARSED_BODY)  # left there by the door check
        if payload in self.private:
            return response  # neither counted nor timed: nobody learns whether the space is used
        surface = surface_of(payload)
        metrics.ACK_SECONDS.labels(surface=surface).observe(time.perf_counter() - started)
        metrics.SLACK_REQUESTS.labels(surface=surface, status=answered[0] if answered else "none").inc()
        return response
