"""The load generator: prepared, signed requests sent over N persistent connections.

It runs in a process of its own (``Loader``), so that its threads do not share a GIL with
the fake Slack, which answers the app's Web API calls in the parent process. Requests are
prepared (built and signed) before a cell starts, so the timed loop only writes a request
and reads its answer; each of the N threads holds one keep-alive HTTP/1.1 connection, as a
load balancer keeps connections to the app's upstream. A request's time runs from just
before it is written to the last byte of the answer: for Slack, that answer is the ack.
"""

from __future__ import annotations

import contextlib
import http.client
import multiprocessing
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any


@dataclass(frozen=True)
class Prepared:
    """One request ready to go: path, headers (signature included) and body."""

    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class CellResult:
    """What one cell measured: each request's seconds and status, and the cell's wall time.

    ``sent_at`` is when each request was written, on the wall clock (``time.time()``), to set
    beside when the fake Slack received the call the request led to (``FakeSlack.arrivals``)."""

    latencies: list[float] = field(default_factory=list)
    sent_at: list[float] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)
    wall_seconds: float = 0.0
    errors: list[str] = field(default_factory=list)


def run_cell(
    host: str, port: int, requests: list[Prepared], concurrency: int, timeout: float, keep_bodies: int = 0
) -> CellResult:
    """Send every request over ``concurrency`` connections, as fast as answers come back."""
    result = CellResult()
    lock = threading.Lock()
    next_index = iter(range(len(requests)))
    start = threading.Barrier(concurrency + 1)
    latencies: list[float] = [0.0] * len(requests)
    statuses: list[int] = [0] * len(requests)
    sent_at: list[float] = [0.0] * len(requests)
    bodies: dict[int, bytes] = {}

    def worker() -> None:
        connection = http.client.HTTPConnection(host, port, timeout=timeout)
        start.wait()
        while True:
            with lock:
                index = next(next_index, None)
            if index is None:
                break
            request = requests[index]
            sent_at[index] = time.time()
            began = time.perf_counter()
            try:
                connection.request("POST", request.path, body=request.body, headers=request.headers)
                response = connection.getresponse()
                body = response.read()
                latencies[index] = time.perf_counter() - began
                statuses[index] = response.status
                if index < keep_bodies:
                    bodies[index] = body
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
            except (OSError, http.client.HTTPException) as exc:
                latencies[index] = time.perf_counter() - began
                statuses[index] = 0
                with lock:
                    result.errors.append(f"{type(exc).__name__}: {exc}")
                connection.close()
        connection.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    result.wall_seconds = time.perf_counter() - began
    result.latencies, result.statuses, result.sent_at = latencies, statuses, sent_at
    result.bodies = [bodies[index] for index in sorted(bodies)]
    return result


def _serve(connection: Connection) -> None:
    """The loader process: run cells as the parent sends them, until it sends None."""
    while True:
        job: Any = connection.recv()
        if job is None:
            return
        connection.send(run_cell(*job))


class Loader:
    """A child process that runs cells for the parent (``spawn``, so nothing is inherited)."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._connection, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child,), name="bench-loader", daemon=True)
        self._process.start()
        child.close()

    def run(
        self,
        host: str,
        port: int,
        requests: list[Prepared],
        concurrency: int,
        timeout: float = 30.0,
        keep_bodies: int = 0,
    ) -> CellResult:
        self._connection.send((host, port, requests, concurrency, timeout, keep_bodies))
        result: CellResult = self._connection.recv()
        return result

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._connection.send(None)
        self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.kill()

    def __enter__(self) -> Loader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
