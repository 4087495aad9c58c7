"""Leader election and the scheduler process: one leader, a standby that takes over."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from hr_plugin.clock import SimulatedClock, SystemClock
from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.models import OutboxMessage
from hr_plugin.outbox import SENT, enqueue
from hr_plugin.scheduler import FileLeaderLock, PostgresAdvisoryLock, TickRunner, leader_lock_for
from hr_plugin.tenants import ensure_tenant
from hr_plugin.testing.fake_slack import FakeSlack
from tests.conftest import on_postgres
from tests.leader import leader_pid
from tests.waiting import wait_for

TEAM = "T0DEMO"
TOKEN = "xoxb-fake-token"


def test_only_one_lock_holder_at_a_time(engine: Engine) -> None:
    first, second = leader_lock_for(engine), leader_lock_for(engine)
    try:
        assert first.try_acquire() is True
        assert second.try_acquire() is False
        assert first.still_held() is True
        first.release()
        assert second.try_acquire() is True
        assert first.try_acquire() is False
    finally:
        first.release()
        second.release()


def test_the_lock_kind_follows_the_database(engine: Engine) -> None:
    lock = leader_lock_for(engine)
    expected = PostgresAdvisoryLock if engine.dialect.name == "postgresql" else FileLeaderLock
    assert isinstance(lock, expected)


def test_ticks_run_on_simulated_time(session_factory: SessionFactory, clock: SimulatedClock) -> None:
    from hr_plugin.outbox import Drainer
    from hr_plugin.ticks import Tick, TickContext

    seen: list[str] = []
    runner = TickRunner(
        TickContext(session_factory, clock, Drainer(session_factory, _NoSlack(), clock, drainer_id="t")),
        ticks=[
            Tick("hourly", __import__("datetime").timedelta(hours=1), lambda ctx: seen.append("hourly")),
            Tick("daily", __import__("datetime").timedelta(days=1), lambda ctx: seen.append("daily")),
        ],
    )
    for _ in range(48):
        runner.run_due()
        clock.advance(__import__("datetime").timedelta(hours=1))

    assert Counter(seen) == {"hourly": 48, "daily": 2}


class _NoSlack:
    def client_for(self, tenant_id: str):  # type: ignore[no-untyped-def]
        raise AssertionError("no Slack call expected")


# -- two real scheduler processes on PostgreSQL ------------------------------------------------


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(clock=SystemClock(), bot_tokens=[TOKEN]) as running:
        running.set_channel_rate_limit(None)
        yield running


def _spawn(database_url: str, fake: FakeSlack, log: Path) -> subprocess.Popen[bytes]:
    env = {
        "HR_PLUGIN_VAULT_KEY": "Y2hhbmdlLW1lLWNoYW5nZS1tZS1jaGFuZ2UtbWUtMzI=",
        "HR_PLUGIN_VAULT_KEYSTORE_URL": f"sqlite:///{log.parent / 'keys.db'}",
        **os.environ,
        "HR_PLUGIN_DATABASE_URL": database_url,
        "HR_PLUGIN_SLACK_BOT_TOKEN": TOKEN,
        "HR_PLUGIN_SLACK_API_URL": fake.base_url,
        "HR_PLUGIN_OUTBOX_LEASE_SECONDS": "5",
        "HR_PLUGIN_OUTBOX_WORKSPACE_PER_MINUTE": "6000",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "hr_plugin.cli", "scheduler"],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


@pytest.mark.postgres_only
@pytest.mark.skipif(not on_postgres(), reason="advisory-lock failover needs PostgreSQL")
def test_kill_the_leader_mid_batch_and_the_standby_finishes_without_loss(
    database_url: str, session_factory: SessionFactory, fake: FakeSlack, tmp_path: Path
) -> None:
    count = 80
    now = SystemClock().now()
    with unit_of_work(session_factory) as session:
        ensure_tenant(session, TEAM, now)
        for number in range(count):
            user = f"U{number:03d}"
            fake.add_user(user, name=user, real_name=user, email=f"{user}@example.com")
            enqueue(
                session,
                tenant_id=TEAM,
                key=f"batch:{user}",
                now=now,
                text=f"hello {user}",
                recipient=user,
                solicited=True,
            )
        session.commit()
    fake.delay("chat.postMessage", 0.05)

    first = _spawn(database_url, fake, tmp_path / "first.log")
    second = None
    try:
        wait_for(lambda: leader_pid(session_factory) == first.pid, 30, "the first scheduler to lead")
        second = _spawn(database_url, fake, tmp_path / "second.log")
        wait_for(lambda: len(fake.calls_for("chat.postMessage")) >= 10, 30, "the batch to start")
        assert leader_pid(session_factory) == first.pid, "the standby must not lead while the leader lives"

        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        sent_at_kill = len([c for c in fake.calls_for("chat.postMessage") if c["ok"]])
        assert sent_at_kill < count, "the kill must land mid-batch for this test to mean anything"

        takeover = wait_for(lambda: leader_pid(session_factory) == second.pid, 15, "the standby to take over")
        assert takeover < 10

        def all_sent() -> bool:
            with unit_of_work(session_factory) as session:
                return (
                    session.scalar(
                        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status != SENT)
                    )
                    == 0
                )

        wait_for(all_sent, 60, "every message to be sent")
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=20)

    deliveries = Counter(call["params"]["text"] for call in fake.calls_for("chat.postMessage") if call["ok"])
    assert set(deliveries) == {f"hello U{number:03d}" for number in range(count)}, "a message was lost"
    with unit_of_work(session_factory) as session:
        flagged = {
            row.idempotency_key.split(":")[1]
            for row in session.scalars(
                select(OutboxMessage).where(OutboxMessage.possible_duplicate.is_(True))
            )
        }
    twice = {text.split()[1] for text, times in deliveries.items() if times > 1}
    assert twice <= flagged, f"sent twice without being a cut-off send: {twice - flagged}"
    assert len(twice) <= 1, "only the one send cut off by the kill may arrive twice"
