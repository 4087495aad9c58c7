"""A witness between the app and the fake Slack: it forwards every Web API call and notes when
it arrived (on the test's clock) and what Slack answered, ``Retry-After`` included.

Why not read the fake's recording: that has a fixed shape (DESIGN.md's ``slack-calls.jsonl``)
without response headers, and the point here is what the app was told, over HTTP, and what it
did next. The witness sees exactly the bytes the app sent and received.
"""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast

from hr_plugin.clock import Clock

_FORWARDED_HEADERS = ("Content-Type", "Authorization")


@dataclass(frozen=True)
class Exchange:
    number: int
    method: str
    at: datetime
    status: int
    retry_after: int | None


class SlackWitness:
    """Listens on a local port and forwards ``/api/<method>`` to the fake Slack."""

    def __init__(self, target_base_url: str, clock: Clock) -> None:
        self.target = target_base_url.rstrip("/") + "/"
        self.clock = clock
        self._lock = threading.Lock()
        self._exchanges: list[Exchange] = []
        self._server = _WitnessServer(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="slack-witness",
            daemon=True,
        )

    def __enter__(self) -> SlackWitness:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/api/"

    @property
    def exchanges(self) -> list[Exchange]:
        with self._lock:
            return list(self._exchanges)

    def forward(self, method: str, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        at = self.clock.now()
        request = urllib.request.Request(self.target + method, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, answer_headers, answer = (
                    response.status,
                    dict(response.headers.items()),
                    response.read(),
                )
        except urllib.error.HTTPError as error:
            with error:
                status, answer_headers, answer = error.code, dict(error.headers.items()), error.read()
        retry_after = answer_headers.get("Retry-After")
        with self._lock:
            self._exchanges.append(
                Exchange(
                    number=len(self._exchanges),
                    method=method,
                    at=at,
                    status=status,
                    retry_after=int(retry_after) if retry_after is not None else None,
                )
            )
        return status, answer_headers, answer


class _WitnessServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, witness: SlackWitness) -> None:
        super().__init__(("127.0.0.1", 0), _WitnessHandler)
        self.witness = witness


class _WitnessHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        method = self.path.removeprefix("/api/").split("?")[0]
        headers = {name: self.headers[name] for name in _FORWARDED_HEADERS if self.headers.get(name)}
        witness = cast(_WitnessServer, self.server).witness
        status, answer_headers, answer = witness.forward(method, body, headers)
        self.send_response(status)
        for name in ("Content-Type", "Retry-After"):
            if answer_headers.get(name):
                self.send_header(name, answer_headers[name])
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the exchanges are the log."""
