"""The pool for a request's work after its answer, and how many threads it has."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

# Listeners run in the request thread (process_before_response); this pool serves only the
# work after the answer (showing what was read, Slack calls, republishing a Home; see
# hr_plugin.slack.listening). Sized to stay under the database pool, so a burst of that work
# cannot starve request handling of connections.
LAZY_LISTENER_THREADS = 8


class LazyListenerPool(ThreadPoolExecutor):
    """The pool for work after the answer, counting what is still running so a shutdown (or the
    demo, before it moves its simulated clock) can wait for it to finish."""

    def __init__(self, max_workers: int, thread_name_prefix: str = "lazy") -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix=thread_name_prefix)
        self._running = 0
        self._lock = threading.Lock()
        self._fewer = threading.Condition(self._lock)

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._lock:
            self._running += 1
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(self._done)
        return future

    def _done(self, _future: Future[Any]) -> None:
        with self._lock:
            self._running -= 1
            # Every holder looks again: waking one per piece of work finished would leave the
            # rest asleep, the pool drained, until their hold ran out.
            self._fewer.notify_all()

    def wait_below(self, limit: int, timeout: float) -> bool:
        """Wait up to ``timeout`` until fewer than ``limit`` pieces of work are waiting or
        running (``hr_plugin.slack.deferred.SendAfterAnswer`` holds an answer so); True if so."""
        with self._lock:
            return self._fewer.wait_for(lambda: self._running < limit, max(timeout, 0.0))

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait up to ``timeout`` until nothing is running (looked at least once); True if so."""
        return self.wait_below(1, timeout)
