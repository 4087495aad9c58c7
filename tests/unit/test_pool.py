"""The pool for work after the answer: what a stopping process waits on."""

from __future__ import annotations

import threading
import time

from hr_plugin.slack.pool import LazyListenerPool


def test_an_idle_pool_says_so_even_with_no_time_left_to_wait() -> None:
    """``saves_settled`` gives the second pool what is left of its time, which may be none."""
    pool = LazyListenerPool(1)
    try:
        assert pool.wait_idle(0.0)
        release = threading.Event()
        pool.submit(release.wait, 5)
        assert not pool.wait_idle(0.0)
        assert not pool.wait_idle(0.05)
        release.set()
        assert pool.wait_idle(5)
    finally:
        pool.shutdown(wait=True)


def test_every_held_answer_goes_as_soon_as_the_pool_drains() -> None:
    """Several answers held at once (``SendAfterAnswer``) all go once the work has drained, not
    one per piece of work finished: the rest would sleep until their hold ran out (1 s), with
    nothing left running to wake them."""
    pool = LazyListenerPool(4)
    release = threading.Event()
    waited: list[float] = []
    try:
        for _ in range(4):
            pool.submit(release.wait, 5)

        def hold() -> None:
            started = time.monotonic()
            assert pool.wait_below(1, 5.0)
            waited.append(time.monotonic() - started)

        holders = [threading.Thread(target=hold) for _ in range(6)]
        for holder in holders:
            holder.start()
        time.sleep(0.1)  # all six are waiting on the full pool
        release.set()
        for holder in holders:
            holder.join(10)
        assert len(waited) == 6
        assert max(waited) < 1.0, waited
    finally:
        release.set()
        pool.shutdown(wait=True)
