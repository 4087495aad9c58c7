"""``hr_plugin.slack.triggers.Alarms``: the one thread that keeps every click's trigger."""

from __future__ import annotations

import threading
import time

from hr_plugin.slack.triggers import Alarms, TriggerKeeper
from tests.waiting import wait_for


def test_alarms_go_off_in_time_order_and_a_cancelled_one_never() -> None:
    alarms = Alarms()
    fired: list[str] = []
    now = time.monotonic()
    alarms.at(now + 0.30, lambda: fired.append("third"))
    cancelled = alarms.at(now + 0.10, lambda: fired.append("cancelled"))
    alarms.at(now + 0.20, lambda: fired.append("second"))
    alarms.at(now + 0.05, lambda: fired.append("first"))
    cancelled.cancel()

    wait_for(lambda: len(fired) == 3, timeout=5, what="three alarms")
    time.sleep(0.1)
    assert fired == ["first", "second", "third"]


def test_many_alarms_share_one_thread_and_a_slow_one_does_not_hold_the_next() -> None:
    """A click's alarm used to start a thread of its own; now only an alarm that goes off does,
    so its action (a Slack call, seconds when Slack is slow) cannot delay the next alarm."""
    alarms = Alarms()
    before = threading.active_count()
    kept = [alarms.at(time.monotonic() + 60, lambda: None) for _ in range(50)]
    assert threading.active_count() <= before + 1
    for alarm in kept:
        alarm.cancel()

    release = threading.Event()
    fired: list[str] = []
    now = time.monotonic()
    alarms.at(now + 0.05, lambda: release.wait(5))
    alarms.at(now + 0.10, lambda: fired.append("next"))
    wait_for(lambda: fired == ["next"], timeout=2, what="the alarm after a slow one")
    release.set()


def test_a_click_that_keeps_its_trigger_starts_no_thread() -> None:
    before = threading.active_count()
    keepers = [TriggerKeeper(object(), f"trigger-{n}", time.monotonic(), in_modal=False) for n in range(50)]
    started = threading.active_count() - before
    for keeper in keepers:
        keeper.finished()
    assert started <= 1, f"{started} threads for 50 clicks"
