"""A signed Slack request put through a WSGI app in-process, as gunicorn would hand it over."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any


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

    b"".join(wsgi(environ, start_response))
    return statuses[0]
