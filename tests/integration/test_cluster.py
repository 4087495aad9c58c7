"""A cluster on one machine: three web processes and two schedulers on PostgreSQL.

Three ``hr-plugin serve`` processes (gunicorn, as deployed) take signed requests spread across
them: HR proposing enrolments from the modal, each of which writes an invitation to the outbox
in the same transaction. Two ``hr-plugin scheduler`` processes share the database; the leader is
killed with SIGKILL while it is sending. Every acknowledged request must have its effect, every
invitation must arrive, and none twice unless its own send was the one cut off (DESIGN.md).
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from hr_plugin.admins import appoint_by_email
from hr_plugin.clock import SystemClock
from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.directory import import_directory, parse_directory_csv
from hr_plugin.enrolment.models import Enrolment
from hr_plugin.enrolment.views import EMPLOYEE_BLOCK, LEAVE_START_BLOCK, PROPOSE_CALLBACK, RETURN_BLOCK
from hr_plugin.models import OutboxMessage
from hr_plugin.outbox import SENT
from hr_plugin.slack_clients import make_client
from hr_plugin.testing.fake_slack import FakeSlack
from hr_plugin.testing.processes import app_environment, free_port, wait_until_ready
from hr_plugin.testing.signed_client import SlackRequestClient
from tests.conftest import on_postgres
from tests.integration.test_scheduler import TEAM, TOKEN
from tests.leader import leader_pid
from tests.waiting import wait_for
from tests.zones import zone_where_it_is_about_noon

PEOPLE = 60
HR = "UHRLEAD"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(clock=SystemClock(), bot_tokens=[TOKEN]) as running:
        running.set_channel_rate_limit(None)
        yield running


def _seed(factory: SessionFactory, fake: FakeSlack) -> list[str]:
    """Everyone free at any hour: their day is 00:00-23:59 in a zone where it is now about noon."""
    zone = zone_where_it_is_about_noon(SystemClock().now())
    lines = ["email,name,manager_email,department,country,timezone,slack_user_id,working_days,working_hours"]
    users = [HR] + [f"UE{n:03d}" for n in range(PEOPLE)]
    for user in users:
        fake.add_user(
            user, name=user.lower(), real_name=f"Person {user}", email=f"{user.lower()}@example.com"
        )
        lines.append(
            f'{user.lower()}@example.com,Person {user},,Ops,GB,{zone},{user},"0,1,2,3,4,5,6",00:00-23:59'
        )
    import_directory(
        factory,
        tenant_id=TEAM,
        rows=parse_directory_csv("\n".join(lines) + "\n"),
        slack=make_client(TOKEN, fake.base_url, wait_on_rate_limit=True),
        clock=SystemClock(),
        full=True,
        actor="test",
    )
    appoint_by_email(factory, SystemClock(), tenant_id=TEAM, email=f"{HR.lower()}@example.com", actor="test")
    return users[1:]


def _start(command: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "hr_plugin.cli", command],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


def _proposal(user: str) -> dict[str, dict[str, dict[str, Any]]]:
    today = SystemClock().now().date()
    return {
        EMPLOYEE_BLOCK: {"value": {"type": "users_select", "selected_user": user}},
        LEAVE_START_BLOCK: {
            "value": {"type": "datepicker", "selected_date": (today + timedelta(days=30)).isoformat()}
        },
        RETURN_BLOCK: {
            "value": {"type": "datepicker", "selected_date": (today + timedelta(days=200)).isoformat()}
        },
    }


@pytest.mark.postgres_only
@pytest.mark.skipif(not on_postgres(), reason="the cluster shares one PostgreSQL database")
def test_three_web_processes_and_two_schedulers_lose_nothing_when_the_leader_dies(
    database_url: str, session_factory: SessionFactory, fake: FakeSlack, tmp_path: Path
) -> None:
    employees = _seed(session_factory, fake)
    fake.reset_calls()
    fake.delay("chat.postMessage", 0.1)
    secret = secrets.token_hex(16)
    env = app_environment(  # one vault key and key store for the whole cluster
        database_url=database_url,
        slack_api_url=fake.base_url,
        bot_token=TOKEN,
        folder=tmp_path,
        signing_secret=secret,
        outbox_lease_seconds="5",
        outbox_workspace_per_minute="6000",
        web_workers="1",
    )
    ports = [free_port() for _ in range(3)]
    processes: list[subprocess.Popen[bytes]] = []
    try:
        webs = [
            _start("serve", {**env, "HR_PLUGIN_PORT": str(port)}, tmp_path / f"web{port}.log")
            for port in ports
        ]
        processes += webs
        for port, web in zip(ports, webs, strict=True):
            wait_until_ready(f"http://127.0.0.1:{port}", web)
        leader = _start("scheduler", env, tmp_path / "scheduler-1.log")
        processes.append(leader)
        wait_for(lambda: leader_pid(session_factory) == leader.pid, 30, "the first scheduler to lead")
        standby = _start("scheduler", env, tmp_path / "scheduler-2.log")
        processes.append(standby)

        clients = [
            SlackRequestClient(f"http://127.0.0.1:{port}/slack/events", secret, fake) for port in ports
        ]
        acked: dict[str, int] = {}  # user -> the web process that acknowledged their proposal
        lock = threading.Lock()

        def propose(index: int) -> None:
            user, web = employees[index], index % len(clients)
            result = clients[web].view_submission(HR, PROPOSE_CALLBACK, _proposal(user))
            if result.status == 200 and not (result.json or {}).get("errors"):
                with lock:
                    acked[user] = web

        def invitations_sent() -> int:
            return len([c for c in fake.calls_for("chat.postMessage") if c["ok"] and c["audience"] != [HR]])

        with ThreadPoolExecutor(max_workers=6) as pool:
            futures = [pool.submit(propose, index) for index in range(PEOPLE)]
            wait_for(lambda: invitations_sent() >= 10, 60, "the invitations to start going out")
            os.kill(leader.pid, signal.SIGKILL)
            leader.wait(timeout=10)
            for future in futures:
                future.result()
        assert invitations_sent() < PEOPLE, "the kill must land mid-batch for this test to mean anything"
        assert len(acked) == PEOPLE, "every request was acknowledged"
        assert Counter(acked.values()) == {0: PEOPLE // 3, 1: PEOPLE // 3, 2: PEOPLE // 3}

        wait_for(lambda: leader_pid(session_factory) == standby.pid, 15, "the standby to take over")

        def all_sent() -> bool:
            invitations = OutboxMessage.idempotency_key.like("enrolment-invite:%")
            with unit_of_work(session_factory) as session:
                total = session.scalar(select(func.count()).select_from(OutboxMessage).where(invitations))
                waiting = session.scalar(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(invitations, OutboxMessage.status != SENT)
                )
                return total == PEOPLE and waiting == 0

        wait_for(all_sent, 90, "every invitation to be sent")
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=30)

    with unit_of_work(session_factory) as session:
        enrolled = set(
            session.scalars(select(Enrolment.employee_id).where(Enrolment.tenant_id == TEAM))
        )  # one enrolment per acknowledged proposal
        assert len(enrolled) == PEOPLE
        flagged = {
            str(row.recipient_user_id)
            for row in session.scalars(
                select(OutboxMessage).where(OutboxMessage.possible_duplicate.is_(True))
            )
        }
    received = Counter(
        c["audience"][0] for c in fake.calls_for("chat.postMessage") if c["ok"] and c["audience"] != [HR]
    )
    assert set(received) == set(acked), "an acknowledged request's message was lost"
    twice = {user for user, times in received.items() if times > 1}
    assert twice <= flagged, f"sent twice without being a cut-off send: {twice - flagged}"
    assert len(twice) <= 1, "only the one send cut off by the kill may arrive twice"
