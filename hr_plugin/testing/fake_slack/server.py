"""The HTTP transport: a threaded server on 127.0.0.1 that hands every request to the fake.

``Serving`` starts and stops it and says where it listens (``url``, ``base_url``); what a
request means is decided by ``_handle_http``, which ``dispatch.Dispatch`` provides. The server
only turns bytes into a call of it and its ``Reply`` back into an HTTP answer.
"""

from __future__ import annotations

import json
import sys
import threading
from abc import ABC, abstractmethod
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self, cast
from urllib.parse import urlsplit

from hr_plugin.testing.fake_slack.replies import Reply
from hr_plugin.testing.fake_slack.state import SlackState


class Serving(SlackState, ABC):
    """Listening on an OS-chosen local port, in a daemon thread, for as long as the test needs."""

    def start(self) -> Self:
        """Listen on an OS-chosen port in a daemon thread (a second call is a no-op)."""
        if self._server is not None:
            return self
        server = _FakeSlackServer(self)
        # A short poll interval keeps stop() quick; tests start and stop many fakes.
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-slack", daemon=True
        )
        thread.start()
        self._server, self._thread = server, thread
        return self

    def stop(self) -> None:
        """Stop serving and free the port; the recorded calls stay readable."""
        server, thread = self._server, self._thread
        self._server, self._thread = None, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The server root, ``http://127.0.0.1:PORT`` (no trailing slash)."""
        if self._server is None:
            raise RuntimeError("FakeSlack is not started; call start() or use it as a context manager")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def base_url(self) -> str:
        """What the app passes as ``WebClient(base_url=...)``: it ends in ``/api/``."""
        return f"{self.url}/api/"

    @abstractmethod
    def _handle_http(self, path: str, query: str, headers: Mapping[str, str], body: bytes) -> Reply:
        """Answer one request (called from the server's threads); ``dispatch.Dispatch`` routes it."""


class _FakeSlackServer(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default listen backlog is 5: an app opening a dozen connections at once
    # (a benchmark at 50 connections, each worker's threads calling views.open) overflows it,
    # and the kernel drops the SYN, which the client resends only after a second. Slack does
    # not drop connections; a call's time should be the fake's answering, not a lost SYN.
    request_queue_size = 128

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (a timeout under test) is expected, not a server fault."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

    def __init__(self, fake: Serving) -> None:
        super().__init__(("127.0.0.1", 0), _FakeSlackHandler)
        self.fake = fake


class _FakeSlackHandler(BaseHTTPRequestHandler):
    server_version = "FakeSlack/1.0"

    def do_POST(self) -> None:
        self._answer()

    def do_GET(self) -> None:
        self._answer()

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        split = urlsplit(self.path)
        headers = {name.lower(): value for name, value in self.headers.items()}
        fake = cast(_FakeSlackServer, self.server).fake
        reply = fake._handle_http(split.path, split.query, headers, body)
        if reply.text is not None:
            data, content_type = reply.text.encode("utf-8"), "text/plain; charset=utf-8"
        else:
            data, content_type = json.dumps(reply.payload).encode("utf-8"), "application/json; charset=utf-8"
        self.send_response(reply.status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the recording in ``FakeSlack.calls`` is the log."""
