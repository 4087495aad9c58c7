"""SIGTERM to the scheduler: the send in progress finishes, nothing is left in flight, a standby
takes over at once, and the process exits cleanly; its metrics and JSON logs along the way."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from hr_plugin.clock import SystemClock
from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.models import OutboxMessage
from hr_plugin.outbox import IN_FLIGHT, PENDING, SENT, Drainer, OutboxPolicy, enqueue
from hr_plugin.slack_clients import SingleWorkspaceClients
from hr_plugin.tenants import ensure_tenant
from hr_plugin.testing.fake_slack import FakeSlack
from hr_plugin.testing.processes import app_environment, free_port
from tests.leader import leader_pid
from tests.waiting import wait_for

TEAM = "T0DEMO"
TOKEN = "xoxb-fake-token"
CANARY = "CANARY-2b9a hello"


HELD_AFTER = 3  # messages Slack takes before it holds the next one until the test lets it go


class _HoldingFake(FakeSlack):
    """The fake Slack holding each message after the first ``HELD_AFTER`` until ``let_go``.

    A stop must land mid-batch for these tests to mean anything. Holding the sends, instead of
    racing a fixed delay, keeps the batch unfinished however slow the machine is at starting
    the standby; the send being held is the one in progress when the stop comes.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._let_go = threading.Event()
        self._arrivals = 0
        self._counting = threading.Lock()

    def let_go(self) -> None:
        self._let_go.set()

    def _sleep_if_delayed(self, method: str) -> None:
        if method == "chat.postMessage":
            with self._counting:
                self._arrivals += 1
                held = self._arrivals > HELD_AFTER
            if held and not self._let_go.wait(timeout=120):
                raise AssertionError("the test never let the held messages go")
        super()._sleep_if_delayed(method)


@pytest.fixture
def fake() -> Iterator[_HoldingFake]:
    with _HoldingFake(clock=SystemClock(), bot_tokens=[TOKEN]) as running:
        running.set_channel_rate_limit(None)
        yield running
        running.let_go()


def _enqueue_batch(factory: SessionFactory, fake: FakeSlack, count: int) -> None:
    now = SystemClock().now()
    with unit_of_work(factory) as session:
        ensure_tenant(session, TEAM, now)
        for number in range(count):
            user = f"U{number:03d}"
            fake.add_user(user, name=user, real_name=f"Person {user}", email=f"{user}@example.com")
            enqueue(
                session,
                tenant_id=TEAM,
                key=f"shutdown:{TEAM}:{user}",
                now=now,
                text=f"{CANARY} {user}",
                recipient=user,
                solicited=True,
            )
        session.commit()


def _delivered(fake: FakeSlack) -> Counter[str]:
    return Counter(str(call["params"]["text"]) for call in fake.calls_for("chat.postMessage") if call["ok"])


def _rows(factory: SessionFactory) -> list[OutboxMessage]:
    with unit_of_work(factory) as session:
        rows = list(session.scalars(select(OutboxMessage)))
        session.expunge_all()
        return rows


def _check_every_claimed_row_was_sent_and_recorded(factory: SessionFactory, fake: FakeSlack) -> None:
    rows = _rows(factory)
    delivered = _delivered(fake)
    assert not [row.id for row in rows if row.status == IN_FLIGHT or row.lease_until is not None]
    sent = {row.payload["text"] for row in rows if row.status == SENT}
    assert set(delivered) == sent, "every send Slack took is recorded as sent, and only those"
    assert all(times == 1 for times in delivered.values())
    handed_back = [row for row in rows if row.status == PENDING]
    assert all(row.attempts == 0 and row.claimed_by is None for row in handed_back)


def _left_behind_by(factory: SessionFactory, drainer_id: str) -> list[int]:
    """Rows a stopped drainer still holds: claimed by it and in flight or under its lease."""
    return [
        row.id
        for row in _rows(factory)
        if row.claimed_by == drainer_id and (row.status == IN_FLIGHT or row.lease_until is not None)
    ]


# -- the drainer on its own ----------------------------------------------------------------------


def test_a_stopped_drain_finishes_its_send_and_hands_back_the_rest(
    session_factory: SessionFactory, fake: _HoldingFake
) -> None:
    _enqueue_batch(session_factory, fake, 12)
    fake.delay("chat.postMessage", 0.1)
    drainer = Drainer(
        session_factory,
        SingleWorkspaceClients(TOKEN, fake.base_url),
        SystemClock(),
        drainer_id="stopping",
        policy=OutboxPolicy(workspace_per_minute=6000),
    )
    reports = []
    worker = threading.Thread(target=lambda: reports.append(drainer.drain(max_seconds=30)))
    worker.start()
    wait_for(lambda: len(_delivered(fake)) >= HELD_AFTER, 20, "the batch to start")
    drainer.stop()
    fake.let_go()
    worker.join(timeout=20)

    assert not worker.is_alive()
    _check_every_claimed_row_was_sent_and_recorded(session_factory, fake)
    assert HELD_AFTER <= reports[0].sent < 12, "the stop must land mid-batch for this test to mean anything"
    assert reports[0].sent == len(_delivered(fake))
    assert drainer.drain().sent == 0, "a stopped drainer claims nothing more"


# -- the scheduler process -----------------------------------------------------------------------


def _spawn(database_url: str, fake: FakeSlack, log: Path, metrics_port: int) -> subprocess.Popen[bytes]:
    env = app_environment(  # both schedulers share the vault key and key store; JSON logs
        database_url=database_url,
        slack_api_url=fake.base_url,
        bot_token=TOKEN,
        folder=log.parent,
        vault_key="Y2hhbmdlLW1lLWNoYW5nZS1tZS1jaGFuZ2UtbWUtMzI=",
        outbox_workspace_per_minute="6000",
        metrics_port=str(metrics_port),
    )
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    return subprocess.Popen(
        [sys.executable, "-m", "hr_plugin.cli", "scheduler"],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


def _scrape(port: int) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        text = response.read().decode()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _answers(port: int) -> bool:
    try:
        _scrape(port)
    except OSError:
        return False
    return True


def _stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is not None and process.poll() is None:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)


def test_sigterm_mid_batch_finishes_the_send_and_the_standby_takes_over(
    database_url: str, session_factory: SessionFactory, fake: _HoldingFake, tmp_path: Path
) -> None:
    count = 30
    ports = free_port(), free_port()
    first = _spawn(database_url, fake, tmp_path / "first.log", ports[0])
    second = None
    try:
        # Both up before the batch, so the sends are held only for as long as the stop takes.
        wait_for(lambda: leader_pid(session_factory) == first.pid, 30, "the first scheduler to lead")
        second = _spawn(database_url, fake, tmp_path / "second.log", ports[1])
        wait_for(lambda: _answers(ports[1]), 30, "the standby's metrics")
        standing_by = _scrape(ports[1])
        _enqueue_batch(session_factory, fake, count)
        fake.delay("chat.postMessage", 0.1)
        wait_for(lambda: len(_delivered(fake)) >= HELD_AFTER, 30, "the first scheduler to start the batch")
        assert leader_pid(session_factory) == first.pid
        leading = _scrape(ports[0])

        first.send_signal(signal.SIGTERM)
        fake.let_go()  # the send in progress finishes; the stop has come first
        exit_code = first.wait(timeout=15)
        # The standby may already be sending: look only at what the first one claimed.
        left_behind = _left_behind_by(session_factory, f"drainer-{first.pid}")
        sent_by_first = sum(
            row.status == SENT and row.claimed_by == f"drainer-{first.pid}" for row in _rows(session_factory)
        )

        wait_for(lambda: leader_pid(session_factory) == second.pid, 15, "the standby to take over")
        wait_for(lambda: len(_delivered(fake)) == count, 60, "the standby to send the rest")
    finally:
        _stop(first)
        _stop(second)

    assert exit_code == 0, (tmp_path / "first.log").read_text()
    assert left_behind == [], "each row the stopped scheduler claimed was sent and recorded, or handed back"
    assert HELD_AFTER <= sent_by_first < count, "the stop must land mid-batch for this test to mean anything"
    assert sorted(_delivered(fake).values()) == [1] * count, "none lost, none twice"
    assert all(row.status == SENT and not row.possible_duplicate for row in _rows(session_factory))
    _check_every_claimed_row_was_sent_and_recorded(session_factory, fake)

    assert leading[("hr_plugin_scheduler_leader", frozenset())] == 1
    assert standing_by[("hr_plugin_scheduler_leader", frozenset())] == 0
    sent = ("hr_plugin_outbox_sends_total", frozenset({("method", "chat.postMessage"), ("outcome", "sent")}))
    assert leading[sent] >= 1
    assert ("hr_plugin_outbox_rows", frozenset({("status", "pending")})) in leading
    ticks_timed = {
        dict(labels)["tick"]
        for (name, labels), runs in leading.items()
        if name == "hr_plugin_tick_seconds_count" and runs
    }
    assert "outbox-recover" in ticks_timed, "ticks that ran are timed (the drain is still running)"

    log = (tmp_path / "first.log").read_text()
    lines = [json.loads(line) for line in log.splitlines() if line.strip()]
    assert any(line["message"].endswith("stopped") and line.get("holder") for line in lines)
    assert CANARY not in log and "Person U" not in log
