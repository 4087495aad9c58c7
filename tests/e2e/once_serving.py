"""A running ``hr-plugin serve`` and requests fired at it all at once, for the once-only tests.

The fixture ``running`` (registered in ``tests/e2e/conftest.py``) starts the real server
(gunicorn, two workers) on the suite's database, with a fake Slack
and a vault that shares the server's master key and key store.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TypeVar

from sqlalchemy import func, select

from hr_plugin.clock import SystemClock
from hr_plugin.db import SessionFactory, make_engine, make_session_factory, unit_of_work, upgrade
from hr_plugin.directory import find_by_email, import_directory, parse_directory_csv
from hr_plugin.enrolment import accept, propose
from hr_plugin.models import AuditEntry
from hr_plugin.settings import decode_master_key
from hr_plugin.slack_clients import make_client
from hr_plugin.testing.fake_slack import FakeSlack
from hr_plugin.testing.processes import Served, serving
from hr_plugin.testing.signed_client import SignedResponse, SlackRequestClient
from hr_plugin.vault.crypto import LocalKeyProvider
from hr_plugin.vault.keystore import KeyStore
from hr_plugin.vault.service import Vault
from tests.e2e.conftest import ORG_CSV, TEAM, USERS

TOKEN = "xoxb-fake-token"
AT_ONCE = 12
CANARY = "CANARY-once-5d1e"

T = TypeVar("T")


@dataclass
class Running:
    app: Served
    fake: FakeSlack
    factory: SessionFactory
    vault: Vault  # the same master key and key store as the server's

    def client(self) -> SlackRequestClient:
        return SlackRequestClient(f"{self.app.base}/slack/events", self.app.secret, self.fake)


@contextmanager
def start_running(database_url: str, tmp_path: Path) -> Iterator[Running]:
    engine = make_engine(database_url)
    upgrade(engine)  # PostgreSQL is upgraded by the deploy step, not by serve
    factory = make_session_factory(engine)
    clock = SystemClock()
    vault_key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    master = decode_master_key(vault_key, "test")
    keystore = KeyStore(f"sqlite:///{tmp_path / 'keys.db'}", LocalKeyProvider(master))
    with FakeSlack(clock=clock, bot_tokens=[TOKEN]) as fake:
        for email, user_id in USERS.items():
            fake.add_user(user_id, name=email.split("@")[0], real_name=email, email=email, tz="Europe/London")
        import_directory(
            factory,
            tenant_id=TEAM,
            rows=parse_directory_csv(ORG_CSV),
            slack=make_client(TOKEN, fake.base_url, wait_on_rate_limit=True),
            clock=clock,
            full=True,
            actor="test",
        )
        fake.reset_calls()
        with serving(
            database_url=database_url,
            slack_api_url=fake.base_url,
            bot_token=TOKEN,
            folder=tmp_path,
            web_workers="2",
            vault_key=vault_key,
        ) as app:
            yield Running(app, fake, factory, Vault(factory, keystore, clock, master))
        assert app.process.returncode == 0, app.log.read_text()
    keystore.dispose()
    engine.dispose()


def all_at_once(count: int, send: Callable[[int], T]) -> list[T]:
    """``send(i)`` from ``count`` threads released together; their results in order."""
    start = threading.Barrier(count)
    results: list[T | None] = [None] * count
    failures: list[BaseException] = []

    def run(index: int) -> None:
        start.wait(10)
        try:
            results[index] = send(index)
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not failures, failures[:3]
    return [result for result in results if result is not None]


def enrol(running: Running, email: str, user_id: str) -> None:
    clock = SystemClock()
    with unit_of_work(running.factory) as session:
        employee = find_by_email(session, TEAM, email)
        assert employee is not None
        today = clock.now().date()
        propose(
            session,
            clock,
            tenant_id=TEAM,
            employee=employee,
            leave_start=date(today.year - 1, 1, 5),
            expected_return=today,
            actor="test",
        )
        session.commit()
    accept(
        running.factory,
        clock,
        [],
        tenant_id=TEAM,
        user_id=user_id,
        contact_during_leave=True,
        leave_out_family=False,
    )


def audited(running: Running, action: str) -> int:
    with unit_of_work(running.factory) as session:
        return int(
            session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action))
            or 0
        )


def modal_errors(answer: SignedResponse) -> list[str]:
    """The sentences a submitted modal shows under its inputs (none: it closed)."""
    body = answer.json or {}
    return list(body.get("errors", {}).values()) if body.get("response_action") == "errors" else []


def replies(running: Running, user_id: str) -> list[str]:
    return [str(call["params"].get("text")) for call in running.fake.calls_for("response_url", user=user_id)]


def nothing_failed(running: Running) -> None:
    """No traceback and no error in the server's log. ``serve`` logs JSON, where a listener's
    failure is a record at level ERROR with its stack as a list: the word "Traceback" never
    appears, so looking for it alone would miss a click that failed."""
    text = running.app.log.read_text()
    assert "Traceback" not in text, text[-4000:]
    records = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    failed = [record for record in records if record.get("level") in ("ERROR", "CRITICAL")]
    assert failed == [], failed[:3]
