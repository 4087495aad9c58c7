"""The HTTP surface: Slack's endpoint plus health checks, as one WSGI application."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from hr_plugin import vault
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
        if path.startswith(EXPORT_PREFIX) and environ.get("REQUEST_METHOD") == "GET":
            return self._export(path.removeprefix(EXPORT_PREFIX), start_response)
        return self.slack(environ, start_response)

    def _export(self, secret: str, start_response: StartResponse) -> list[bytes]:
        """The employee's own export: a single-use link that expires in minutes."""
        body = vault.export_response(self.services, secret) if secret else None
        if body is None:
            return _plain(start_response, "404 Not Found", "This link has expired or was already used.")
        start_response("200 OK", _export_headers(body))
        return [body]


EXPORT_PREFIX = "/vault/export/"


def _export_headers(body: bytes) -> list[tuple[str, str]]:
    return [
        ("Content-Type", "application/json; charset=utf-8"),
        ("Content-Disposition", 'attachment; filename="my-private-space.json"'),
        ("Content-Length", str(len(body))),
        ("Cache-Control", "no-store"),
        ("Referrer-Policy", "no-referrer"),
    ]


def _plain(start_response: StartResponse, status: str, text: str) -> list[bytes]:
    body = text.encode()
    start_response(
        status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))]
    )
    return [body]
