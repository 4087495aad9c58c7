"""The scheduler's leader killed in the middle of a tick that enqueues work.

Already covered elsewhere, and not repeated here: the leader killed while the outbox drains
a batch (``tests/integration/test_scheduler.py``) and while huddle invitations and reminders go
out (``tests/integration/test_huddle_failover.py``); both check that nothing is lost and that
only the one send cut off by the kill may arrive twice.

Fault injected here: the leader dies while its weekly-reminder tick is inside its transaction.
To stop it there on purpose, the test holds a row lock on one of the keys the tick is about to
write (an uncommitted outbox row), waits until PostgreSQL shows the leader's connection waiting
on that lock, kills the leader with SIGKILL, and only then lets go of the lock. A standby
scheduler takes over and runs the same tick.

Properties: the dead leader's half-done tick leaves nothing behind, the standby's run enqueues
every due reminder, and each person receives exactly one (no send was cut off, so none may come
twice). PostgreSQL only: it takes two scheduler processes and an advisory lock.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select, text

from hr_plugin.clock import SystemClock
from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.models import Employee, OutboxMessage
from hr_plugin.outbox import PENDING, SENT
from hr_plugin.tenants import ensure_tenant
from hr_plugin.testing.fake_slack import FakeSlack
from hr_plugin.vault.models import VaultSpace
from tests.conftest import on_postgres
from tests.integration.test_scheduler import TEAM, TOKEN, _spawn
from tests.leader import leader_pid
from tests.waiting import wait_for

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not on_postgres(), reason="scheduler failover needs PostgreSQL"),
]

PEOPLE = [f"UREMIND{number:02d}" for number in range(40)]
LEADER_APP_NAME = "scheduler-killed-mid-tick"
ZONES = ("Europe/London", "Pacific/Auckland", "America/Los_Angeles", "Asia/Kolkata", "Pacific/Honolulu")


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(clock=SystemClock(), bot_tokens=[TOKEN]) as running:
        running.set_channel_rate_limit(None)
        yield running


def _daytime_zone(now: datetime) -> str:
    """A zone where it is the middle of the day, so the reminders stay due for the whole test."""
    return next(zone for zone in ZONES if 2 <= now.astimezone(ZoneInfo(zone)).hour <= 20)


def _seed(factory: SessionFactory, fake: FakeSlack, zone: str) -> list[str]:
    """People whose weekly reminder is due today from midnight (their local time): the rows the
    private space's reminder settings write, without the space's content, which a reminder never
    touches. Returns the reminder keys the tick will write."""
    now = SystemClock().now()
    local = now.astimezone(ZoneInfo(zone))
    year, week, _ = local.isocalendar()
    keys = []
    with unit_of_work(factory) as session:
        ensure_tenant(session, TEAM, now)
        for user in PEOPLE:
            fake.add_user(user, name=user.lower(), real_name=user, email=f"{user.lower()}@example.com")
            person = Employee(
                tenant_id=TEAM,
                email=f"{user.lower()}@example.com",
                name=f"Person {user}",
                slack_user_id=user,
                timezone=zone,
                country="GB",
                department="Ops",
                created_at=now,
                updated_at=now,
            )
            session.add(person)
            session.flush()
            session.add(
                VaultSpace(
                    tenant_id=TEAM,
                    employee_id=person.id,
                    consented_at=now,
                    reminder_weekday=local.weekday(),
                    reminder_time="00:00",
                )
            )
            keys.append(f"checkin-reminder:{TEAM}:{person.id}:{year}-W{week:02d}")
        session.commit()
    return keys


def _waiting_on_a_lock(engine: Engine) -> bool:
    with engine.connect() as connection:
        waiting = connection.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = :name "
                "AND wait_event_type = 'Lock' AND query ILIKE 'INSERT INTO outbox%'"
            ),
            {"name": LEADER_APP_NAME},
        ).scalar()
    return bool(waiting)


def _reminders(factory: SessionFactory) -> dict[str, int]:
    with unit_of_work(factory) as session:
        rows = session.execute(
            select(OutboxMessage.status, func.count())
            .where(OutboxMessage.idempotency_key.startswith("checkin-reminder:"))
            .group_by(OutboxMessage.status)
        )
        return {status: count for status, count in rows}


def test_a_leader_killed_inside_its_enqueue_tick_leaves_nothing_half_done(
    database_url: str, engine: Engine, session_factory: SessionFactory, fake: FakeSlack, tmp_path: Path
) -> None:
    keys = _seed(session_factory, fake, _daytime_zone(SystemClock().now()))
    blocker = session_factory()
    blocker.add(
        OutboxMessage(
            tenant_id=TEAM,
            idempotency_key=keys[len(keys) // 2],
            recipient_user_id=PEOPLE[len(keys) // 2],
            payload={"text": "held by the test"},
            solicited=True,
            status=PENDING,
            attempts=0,
            possible_duplicate=False,
            not_before=SystemClock().now(),
            created_at=SystemClock().now(),
        )
    )
    blocker.flush()  # the row is written, not committed: the tick's insert of that key waits

    first = _spawn(f"{database_url}?application_name={LEADER_APP_NAME}", fake, tmp_path / "first.log")
    second: subprocess.Popen[bytes] | None = None
    try:
        wait_for(lambda: leader_pid(session_factory) == first.pid, 30, "the first scheduler to lead")
        wait_for(lambda: _waiting_on_a_lock(engine), 30, "the reminder tick to reach the held key")
        second = _spawn(database_url, fake, tmp_path / "second.log")
        assert _reminders(session_factory) == {}, "nothing of the tick may be visible before it commits"

        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        blocker.rollback()
        blocker.close()

        wait_for(lambda: leader_pid(session_factory) == second.pid, 15, "the standby to take over")
        wait_for(lambda: _reminders(session_factory) == {SENT: len(PEOPLE)}, 60, "every reminder to be sent")
    finally:
        blocker.close()
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=20)

    received = Counter(
        call["audience"][0] for call in fake.calls_for("chat.postMessage") if call["ok"] and call["audience"]
    )
    assert received == Counter(PEOPLE), "each person gets their reminder exactly once"
    with unit_of_work(session_factory) as session:
        flagged = session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.possible_duplicate.is_(True))
        )
    assert flagged == 0
