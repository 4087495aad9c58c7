"""Prometheus metrics: the numbers an operator alerts on, labelled only from fixed vocabularies.

Labels are surfaces (``hr_plugin.observability.surfaces``), Slack method names, outcomes,
tick names and HTTP status codes: all chosen by the code, none by a request. No tenant or
user is a label (ids would be allowed, but they multiply series without bound).

Several processes: gunicorn runs a few workers, each with its own counters. When
``PROMETHEUS_MULTIPROC_DIR`` names a directory, ``prometheus_client`` keeps every process's
values in files there and a scrape of any worker adds them up (its multiprocess mode); the
directory must be empty when ``serve`` starts, which ``serve`` sees to. Without it, each
process reports its own values (fine for one worker, the tests and the scheduler).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from threading import Thread
from typing import Any, Protocol
from wsgiref.simple_server import WSGIServer

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    start_http_server,
)
from prometheus_client.core import Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def multiprocess_dir() -> str | None:
    """The shared metrics directory when multiprocess mode is on."""
    return os.environ.get(MULTIPROC_ENV) or None


if multiprocess_dir():  # the gauge below writes its file as soon as it exists
    Path(multiprocess_dir() or "").mkdir(parents=True, exist_ok=True)

# Slack expects an answer within 3 seconds; the buckets are dense below that.
ACK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)
TICK_BUCKETS = (0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)

SLACK_REQUESTS = Counter(
    "hr_plugin_slack_requests",
    "Requests to /slack/events, by surface and the HTTP status the app answered.",
    ["surface", "status"],
)
ACK_SECONDS = Histogram(
    "hr_plugin_slack_ack_seconds",
    "Time from receiving a Slack request to answering it (the ack), by surface.",
    ["surface"],
    buckets=ACK_BUCKETS,
)


def slack_answered(surface: str, status: int, seconds: float) -> None:
    """One answer to Slack: its time to the ack, and its count by surface and status."""
    _ack_seconds(surface).observe(seconds)
    _slack_requests(surface, status).inc()


# Each label set's child, found once: ``labels()`` checks and joins its arguments and takes a
# lock on every call (with the body read at once, ``hr_plugin.web.slack``, 8% of the app's own
# CPU time for a slash command, in process).
# Both vocabularies are fixed (surfaces, HTTP statuses), so the caches stay small.
@cache
def _ack_seconds(surface: str) -> Any:
    return ACK_SECONDS.labels(surface=surface)


@cache
def _slack_requests(surface: str, status: int) -> Any:
    return SLACK_REQUESTS.labels(surface=surface, status=str(status))


HTTP_REQUESTS = Counter(
    "hr_plugin_http_requests",
    "Requests to the web app's other routes (the HR console, Slack's install pages), by the route's "
    "pattern (never a path as requested) and the HTTP status; a private feature's are not counted.",
    ["route", "status"],
)

# Outcomes mirror the drain report: ``possible_duplicate`` also counts under ``sent``.
SEND_OUTCOMES = ("sent", "retried", "rate_limited", "failed", "possible_duplicate")
SEND_METHODS = ("conversations.open", "chat.postMessage", "files.upload")
OUTBOX_SENDS = Counter(
    "hr_plugin_outbox_sends",
    "Outbox deliveries by Slack method and outcome; conversations.open counts only when it fails.",
    ["method", "outcome"],
)

SCHEDULER_LEADER = Gauge(
    "hr_plugin_scheduler_leader",
    "1 while this scheduler process holds the leader lock and runs the ticks.",
    multiprocess_mode="livemax",
)
TICK_SECONDS = Histogram(
    "hr_plugin_tick_seconds",
    "How long each run of a background tick took, by tick name.",
    ["tick"],
    buckets=TICK_BUCKETS,
)
TICK_FAILURES = Counter(
    "hr_plugin_tick_failures",
    "Tick runs that raised (the tick runs again at its next interval).",
    ["tick"],
)


def count_send(method: str, outcome: str) -> None:
    """One outbox delivery attempt's outcome. Labels outside the fixed lists count as ``other``
    rather than raise: the drain calls this after recording a send, where an error would
    strand the rest of its batch."""
    OUTBOX_SENDS.labels(
        method=method if method in SEND_METHODS else "other",
        outcome=outcome if outcome in SEND_OUTCOMES else "other",
    ).inc()


class Collector(Protocol):
    """What ``prometheus_client`` asks of a custom collector."""

    def collect(self) -> Iterable[Metric]: ...


class _ThisProcess:
    """This process's own metrics (the default registry), as one collector among others."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


def scrape_registry(*collectors: Collector, multiprocess: str | None = None) -> CollectorRegistry:
    """A registry for one scrape: every worker's values in multiprocess mode, else this
    process's; plus the collectors that compute their values at scrape time (the outbox)."""
    registry = CollectorRegistry(auto_describe=False)
    if multiprocess:
        MultiProcessCollector(registry, path=multiprocess)
    else:
        registry.register(_ThisProcess())
    for collector in collectors:
        registry.register(collector)
    return registry


def exposition(registry: CollectorRegistry) -> tuple[bytes, str]:
    """The text Prometheus scrapes, and its content type."""
    return generate_latest(registry), CONTENT_TYPE_LATEST


def serve_metrics(port: int, host: str, *collectors: Collector) -> MetricsServer:
    """A small HTTP server for ``/metrics`` in a process without a web app (the scheduler)."""
    server, thread = start_http_server(port, addr=host, registry=scrape_registry(*collectors))
    return MetricsServer(server, thread)


class MetricsServer:
    def __init__(self, server: WSGIServer, thread: Thread) -> None:
        self._server = server
        self._thread = thread

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def clear_multiprocess_dir(path: str) -> None:
    """Forget the values of a previous run (prometheus_client wants an empty directory)."""
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink(missing_ok=True)


def forget_process(pid: int) -> None:
    """A gunicorn worker exited: drop its live gauges (its counters keep counting in the sum)."""
    path = multiprocess_dir()
    if path:
        mark_process_dead(pid, path)
