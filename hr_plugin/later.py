"""Work run after a delay, keyed, from one daemon thread that lives only while something waits.

Two users: the Home publishes waiting out Slack's ``Retry-After`` (``hr_plugin.slack.failures``)
and every click that keeps its trigger alive (``hr_plugin.slack.triggers``), which puts an alarm
on each click and almost always cancels it. So putting and cancelling are cheap: the thread is
woken only when the new work is due sooner than anything else, and finds the soonest in a heap
(a cancelled or replaced entry is skipped when it comes up). A forked child starts afresh, without
its parent's work or thread.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import os
import threading
import time
from collections.abc import Callable, Hashable

log = logging.getLogger(__name__)

Runner = Callable[[Callable[[], object]], object]


def on_own_thread(work: Callable[[], object]) -> None:
    """A runner for work that may wait long (a Slack call) and must not hold the next work."""
    threading.Thread(target=_logged, args=(work,), name="later-work", daemon=True).start()


class Later:
    """Runs work after a delay (``run(work)`` when it is due), on one daemon thread.

    Work is keyed: putting a key again replaces what waited under it, and ``cancel`` drops it.
    Delays are wall time on ``now`` (``time.monotonic``), whatever clock the app simulates.
    """

    def __init__(self, run: Runner, now: Callable[[], float] = time.monotonic) -> None:
        self._run = run
        self._now = now
        self._changed = threading.Condition()
        self._reset()

    def _reset(self) -> None:
        self._waiting: dict[Hashable, tuple[float, int, Callable[[], object]]] = {}
        self._heap: list[tuple[float, int, Hashable]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()

    def put(self, key: Hashable, seconds: float, work: Callable[[], object]) -> None:
        with self._changed:
            if self._pid != os.getpid():
                self._reset()  # forked: the parent's work and thread are not this process's
            at, order = self._now() + seconds, next(self._order)
            self._waiting[key] = (at, order, work)
            heapq.heappush(self._heap, (at, order, key))
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="later", daemon=True)
                self._thread.start()
            elif self._heap[0][1] == order:
                self._changed.notify()  # due sooner than what the thread waits for

    def cancel(self, key: Hashable) -> bool:
        """Drop what waits under ``key``; True if something did."""
        with self._changed:
            return self._waiting.pop(key, None) is not None

    def waiting(self) -> int:
        with self._changed:
            return len(self._waiting)

    def _loop(self) -> None:
        while True:
            with self._changed:
                due = self._take_due()
                if due is None:
                    if not self._waiting:
                        self._thread = None  # the next ``put`` starts another
                        return
                    self._changed.wait(max(self._heap[0][0] - self._now(), 0.0))
                    continue
            try:
                self._run(due)
            except Exception:
                log.exception("work put off for later failed")

    def _take_due(self) -> Callable[[], object] | None:
        """The work whose time has come, removed from the waiting; under the lock. Entries
        cancelled or replaced since are dropped from the heap's top on the way."""
        while self._heap:
            at, order, key = self._heap[0]
            current = self._waiting.get(key)
            if current is None or current[1] != order:
                heapq.heappop(self._heap)
                continue
            if at > self._now():
                return None
            heapq.heappop(self._heap)
            del self._waiting[key]
            return current[2]
        return None


def _logged(work: Callable[[], object]) -> None:
    try:
        work()
    except Exception:
        log.exception("work put off for later failed")
