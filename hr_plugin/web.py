"""The HTTP surface: Slack's endpoint plus health checks, as one WSGI application."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from hr_plugin.db import ping
from hr_plugin.services import Services

StartResponse = Callable[..., Any]


class WebApp:
    """Slack at ``/slack/events``; ``/healthz`` (process up) and ``/readyz`` (database reachable)."""

    def __init__(self, app: App, services: Services) -> None:
        self.slack = SlackRequestHandler(app, path="/slack/events")
        self.services = services

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/healthz":
            return _plain(start_response, "200 OK", "ok")
        if path == "/readyz":
            if ping(self.services.engine):
                return _plain(start_response, "200 OK", "ready")
            return _plain(start_response, "503 Service Unavailable", "database unreachable")
        return self.slack(environ, start_response)


def _plain(start_response: StartResponse, status: str, text: str) -> list[bytes]:
    body = text.encode()
    start_response(
        status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))]
    )
    return [body]
