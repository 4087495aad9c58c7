"""The drain's pace over a long fan-out: the budget kept without drift, waiting rows left alone.

A real drainer wakes a little after the moment it slept until, and its work takes time, so
the clock here overshoots every sleep and moves a little on every reading. The fake Slack
enforces a workspace budget of its own, and every timing below is read from the simulated
clock: deterministic, not wall time.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event

from hr_plugin.clock import SimulatedClock
from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.models import Employee
from hr_plugin.outbox import Drainer, OutboxPolicy, enqueue
from hr_plugin.slack_clients import SingleWorkspaceClients
from hr_plugin.tenants import ensure_tenant
from hr_plugin.testing.fake_slack import FakeSlack

TEAM = "T0DEMO"
TOKEN = "xoxb-fake-token"
PEOPLE = 30


class BusyClock(SimulatedClock):
    """A simulated clock that wakes late from every sleep and on which every reading costs work."""

    def __init__(self, start: datetime, oversleep: timedelta, step: timedelta) -> None:
        super().__init__(start)
        self.oversleep, self.step = oversleep, step

    def now(self) -> datetime:
        self.advance(self.step)
        return super().now()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.advance(timedelta(seconds=seconds) + self.oversleep)


@pytest.fixture
def busy_clock(clock: SimulatedClock) -> BusyClock:
    return BusyClock(clock.now(), oversleep=timedelta(milliseconds=15), step=timedelta(milliseconds=1))


@pytest.fixture
def fake(busy_clock: BusyClock) -> Iterator[FakeSlack]:
    with FakeSlack(clock=busy_clock, bot_tokens=[TOKEN]) as running:
        for number in range(PEOPLE):
            running.add_user(f"U{number:03d}", name=f"u{number}", real_name=f"User {number}", email="")
        yield running


def _people(factory: SessionFactory, clock: SimulatedClock) -> None:
    with unit_of_work(factory) as session:
        ensure_tenant(session, TEAM, clock.now())
        for number in range(PEOPLE):
            session.add(
                Employee(
                    tenant_id=TEAM,
                    email=f"u{number}@example.com",
                    name=f"User {number}",
                    slack_user_id=f"U{number:03d}",
                    country="GB",
                    department="Eng",
                    created_at=clock.now(),
                    updated_at=clock.now(),
                )
            )
        session.commit()


def _reminders(factory: SessionFactory, clock: SimulatedClock) -> None:
    with unit_of_work(factory) as session:
        for number in range(PEOPLE):
            enqueue(
                session,
                tenant_id=TEAM,
                key=f"reminder:{TEAM}:{number}:2026-W48",
                now=clock.now(),
                recipient=f"U{number:03d}",
                text="Your weekly reflection is ready",
                solicited=True,
            )
        session.commit()


def _accepted(fake: FakeSlack) -> list[datetime]:
    return [datetime.fromisoformat(call["at"]) for call in fake.calls_for("chat.postMessage") if call["ok"]]


def test_a_fan_out_keeps_the_workspace_budget_without_drifting(
    session_factory: SessionFactory, busy_clock: BusyClock, fake: FakeSlack
) -> None:
    _people(session_factory, busy_clock)
    _reminders(session_factory, busy_clock)
    fake.set_rate_limit("chat.postMessage", 60)  # Slack's own count: 60 in any minute
    drainer = Drainer(
        session_factory,
        SingleWorkspaceClients(TOKEN, fake.base_url),
        busy_clock,
        drainer_id="test",
        policy=OutboxPolicy(workspace_per_minute=60),
    )

    report = drainer.drain(max_seconds=120)

    sent = _accepted(fake)
    assert report.sent == PEOPLE and len(sent) == PEOPLE
    assert report.rate_limited == 0
    # One a second, on the second: the drainer's late wake-ups and its own work do not add
    # a little to every gap (which made a long fan-out slower than its budget).
    gaps = [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(sent)]
    assert all(abs(gap - 1.0) < 0.003 for gap in gaps[1:]), gaps
    assert gaps[0] > 0.9  # no burst at the start either
    assert (sent[-1] - sent[0]).total_seconds() < PEOPLE - 1 + 0.1


def test_rows_waiting_for_the_workspace_budget_are_not_looked_at_on_every_pass(
    session_factory: SessionFactory, engine: Engine, busy_clock: BusyClock, fake: FakeSlack
) -> None:
    _people(session_factory, busy_clock)
    _reminders(session_factory, busy_clock)
    drainer = Drainer(
        session_factory,
        SingleWorkspaceClients(TOKEN, fake.base_url),
        busy_clock,
        drainer_id="test",
        policy=OutboxPolicy(workspace_per_minute=1, batch_size=PEOPLE),
    )
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        report = drainer.drain()  # one message goes; the budget then holds the other 29
    finally:
        event.remove(engine, "before_cursor_execute", count)

    assert report.sent == 1
    employee_lookups = [text for text in statements if "FROM employees" in text]
    assert len(employee_lookups) <= 2, employee_lookups  # not one per waiting row and pass
    assert len(statements) < PEOPLE
