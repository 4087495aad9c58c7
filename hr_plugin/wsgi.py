"""The few WSGI pieces the HTTP surface's layers share: types, the body read once, a plain answer."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any

StartResponse = Callable[..., Any]
Environ = dict[str, Any]
WsgiApp = Callable[[Environ, StartResponse], Iterable[bytes]]


def read_body(environ: Environ) -> bytes:
    """The request body, put back in ``environ`` so the next layer (Bolt) can read it again."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length) if length > 0 and "wsgi.input" in environ else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def plain_response(start_response: StartResponse, status: str, text: str) -> list[bytes]:
    body = text.encode()
    start_response(
        status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))]
    )
    return [body]
