"""When a request reached this process, before it waited for a thread to handle it.

Under load, gunicorn's threaded worker queues each connection that is ready for one of its
threads (``hr_plugin.gunicorn_worker``), and a request can wait there while Slack's 3 seconds
already run. The submission's deadline (``hr_plugin.slack.deadline``) counts from this moment,
not from when a thread picked the request up; outside gunicorn (the local server starts a
thread per connection at once) there is no queue, and nothing is recorded.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_QUEUED: ContextVar[float | None] = ContextVar("request_queued_at", default=None)


def queued_at() -> float | None:
    """When the request this thread handles was queued for it (``time.monotonic``), if known."""
    return _QUEUED.get()


@contextmanager
def queued(at: float | None) -> Iterator[None]:
    """Handle a request queued at ``at`` inside this block."""
    token = _QUEUED.set(at)
    try:
        yield
    finally:
        _QUEUED.reset(token)
