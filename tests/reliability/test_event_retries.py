"""Slack's retries of the same event, arriving at the same moment.

Fault injected: Slack thinks the app missed an event and delivers it again with
``X-Slack-Retry-Num`` (up to three retries, SLACK-FACTS.md), and the retries race the first
delivery: four copies of one ``event_id`` posted at once from four threads, for several events
and people together. ``tests/e2e/test_requests.py`` covers the same retries one after another.

Property: every copy is acknowledged, and each event has one effect (one claim in
``processed_events``, one Home tab published), whichever copy wins the race.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from hr_plugin.db import unit_of_work
from hr_plugin.models import ProcessedEvent
from hr_plugin.testing.stack import AppStack
from tests.reliability.conftest import AppErrors

COPIES = 4  # the first delivery and Slack's three retries
PEOPLE = ("UPARENT", "UPEER", "ULEAD", "UHR", "UBOSS")


def test_an_event_delivered_four_times_at_once_has_one_effect(
    stack: AppStack, org: dict[str, str], app_errors: AppErrors
) -> None:
    events = {f"Ev0RACE{number}": user for number, user in enumerate(PEOPLE)}
    start = threading.Barrier(COPIES * len(events))

    def deliver(event_id: str, user: str, attempt: int) -> int:
        start.wait(timeout=10)
        result = stack.slack.app_home_opened(
            user,
            event_id=event_id,
            retry_num=attempt or None,
            retry_reason="http_timeout" if attempt else None,
        )
        return result.status

    with ThreadPoolExecutor(max_workers=COPIES * len(events)) as pool:
        futures = [
            pool.submit(deliver, event_id, user, attempt)
            for event_id, user in events.items()
            for attempt in range(COPIES)
        ]
        statuses = [future.result(timeout=30) for future in futures]
    stack.settle()

    assert statuses == [200] * len(futures)
    published = Counter(call["params"]["user_id"] for call in stack.fake.calls_for("views.publish"))
    assert published == Counter(PEOPLE), "each event must publish its person's Home tab exactly once"
    with unit_of_work(stack.factory) as session:
        claimed = Counter(session.scalars(select(ProcessedEvent.event_id)))
    assert claimed == Counter(events.keys())
    app_errors.assert_none()
