"""``hr_plugin.later.Later`` as the trigger keeper uses it: an alarm on every click, almost
always cancelled, from one thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from hr_plugin.later import Later, on_own_thread
from hr_plugin.slack.triggers import TriggerKeeper
from tests.waiting import wait_for


def _inline(work: Callable[[], object]) -> None:
    work()


def test_alarms_go_off_in_time_order_and_a_cancelled_one_never() -> None:
    alarms = Later(_inline)
    fired: list[str] = []
    alarms.put("third", 0.30, lambda: fired.append("third"))
    alarms.put("cancelled", 0.10, lambda: fired.append("cancelled"))
    alarms.put("second", 0.20, lambda: fired.append("second"))
    alarms.put("first", 0.05, lambda: fired.append("first"))
    alarms.cancel("cancelled")

    wait_for(lambda: len(fired) == 3, timeout=5, what="three alarms")
    time.sleep(0.1)
    assert fired == ["first", "second", "third"]


def test_many_alarms_share_one_thread_and_a_slow_one_does_not_hold_the_next() -> None:
    """A click's alarm used to start a thread of its own; now only an alarm that goes off does,
    so its action (a Slack call, seconds when Slack is slow) cannot delay the next alarm."""
    alarms = Later(on_own_thread)
    before = threading.active_count()
    for n in range(50):
        alarms.put(n, 60, lambda: None)
    assert threading.active_count() <= before + 1
    for n in range(50):
        alarms.cancel(n)

    release = threading.Event()
    fired: list[str] = []
    alarms.put("slow", 0.05, lambda: release.wait(5))
    alarms.put("next", 0.10, lambda: fired.append("next"))
    wait_for(lambda: fired == ["next"], timeout=2, what="the alarm after a slow one")
    release.set()


def test_a_click_that_keeps_its_trigger_starts_no_thread() -> None:
    before = threading.active_count()
    keepers = [TriggerKeeper(object(), f"trigger-{n}", time.monotonic(), in_modal=False) for n in range(50)]
    started = threading.active_count() - before
    for keeper in keepers:
        keeper.finished()
    assert started <= 1, f"{started} threads for 50 clicks"
