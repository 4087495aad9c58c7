"""Fault injection: a Slack that fails or is slow when a test asks it to.

``fail_next`` queues refusals or outages for a method's next calls; ``delay`` makes a method
answer late, on the wall clock, for the app's own timeouts. The entry points (``dispatch``,
``files``, ``response_urls``) call ``_sleep_if_delayed`` before taking the lock and
``_inject_fault`` under it; tests subclass the fake and override ``_sleep_if_delayed`` to learn
that a slowed-down call has arrived.
"""

from __future__ import annotations

import time
from collections import deque

from hr_plugin.testing.fake_slack.replies import SlackError
from hr_plugin.testing.fake_slack.state import Fault, SlackState


class Faults(SlackState):
    """Injected failures and delays, per method (``"response_url"`` and ``"upload_url"`` too)."""

    def fail_next(
        self,
        method: str,
        *,
        status: int = 500,
        error: str = "internal_error",
        count: int = 1,
        retry_after: int = 1,
    ) -> None:
        """Make the next ``count`` calls of ``method`` fail with this HTTP status and error.

        ``status=200`` gives a Slack-level refusal (``ok: false``) instead of an outage; a 429
        says ``Retry-After: retry_after`` (whole seconds, as Slack does);
        ``"response_url"`` and ``"upload_url"`` (the POST of a file's bytes) are accepted too.
        """
        with self._lock:
            queue = self._faults.setdefault(method, deque())
            queue.extend(Fault(status=status, error=error, retry_after=retry_after) for _ in range(count))

    def delay(self, method: str, seconds: float) -> None:
        """Sleep (wall time) this long before answering ``method``; 0 removes the delay."""
        with self._lock:
            if seconds <= 0:
                self._delays.pop(method, None)
            else:
                self._delays[method] = seconds

    def _sleep_if_delayed(self, method: str) -> None:
        """Wait out the delay set for ``method``, outside the lock so other calls go on."""
        with self._lock:
            seconds = self._delays.get(method, 0.0)
        if seconds > 0:
            time.sleep(seconds)

    def _inject_fault(self, method: str) -> None:
        """Raise the next queued fault for ``method``, if any (called under the lock)."""
        queue = self._faults.get(method)
        if queue:
            fault = queue.popleft()
            headers = {"Retry-After": str(fault.retry_after)} if fault.status == 429 else {}
            raise SlackError(fault.error, status=fault.status, headers=headers)
