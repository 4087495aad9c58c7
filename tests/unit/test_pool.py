"""The pool for work after the answer: what a stopping process waits on."""

from __future__ import annotations

import threading

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
