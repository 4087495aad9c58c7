"""Waiting for work that happens elsewhere (after the ack, in another process), without fixed sleeps."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_for(condition: Callable[[], object], timeout: float = 5.0, what: str = "the condition") -> float:
    """Poll ``condition`` until it holds; the seconds it took. Fails naming ``what``."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")
