"""gunicorn's threaded worker, noting when each request was queued for a thread.

``hr_plugin.arrival`` says why. gunicorn queues a connection for its thread pool when it is
accepted, and again each time a kept-alive connection has a new request to read; that is the
moment recorded here, as near as the worker can see to when Slack sent the request.
"""

from __future__ import annotations

import time
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

from hr_plugin.arrival import queued


class QueueTimedThreadWorker(ThreadWorker):
    def enqueue_req(self, conn: Any) -> None:
        conn.hr_plugin_queued_at = time.monotonic()
        super().enqueue_req(conn)

    def handle_request(self, req: Any, conn: Any) -> Any:
        with queued(getattr(conn, "hr_plugin_queued_at", None)):
            return super().handle_request(req, conn)
