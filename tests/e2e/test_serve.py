"""``hr-plugin serve`` as deployed: gunicorn workers, signed requests, health checks, SIGTERM."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from hr_plugin.clock import SystemClock
from hr_plugin.db import make_engine, upgrade
from hr_plugin.testing.fake_slack import FakeSlack
from hr_plugin.testing.processes import serving
from hr_plugin.testing.signed_client import SlackRequestClient

TOKEN = "xoxb-fake-token"


@pytest.fixture
def served(database_url: str, tmp_path: Path) -> Iterator[tuple[str, str, FakeSlack]]:
    upgrade(make_engine(database_url))  # PostgreSQL is upgraded by the deploy step, not by serve
    with FakeSlack(clock=SystemClock(), bot_tokens=[TOKEN]) as fake:
        fake.add_user("UONE", name="one", real_name="One", email="one@example.com")
        with serving(
            database_url=database_url,
            slack_api_url=fake.base_url,
            bot_token=TOKEN,
            folder=tmp_path,
            web_workers="2",
        ) as app:
            yield app.base, app.secret, fake
        assert app.process.returncode == 0, app.log.read_text()


def test_serve_answers_signed_requests_and_health_checks(served: tuple[str, str, FakeSlack]) -> None:
    base, secret, fake = served
    client = SlackRequestClient(f"{base}/slack/events", secret, fake)

    help_reply = client.slash_command("UONE", "/rtw", "help")
    forged = client.slash_command("UONE", "/rtw", "help", signature="v0=" + "1" * 64)

    assert help_reply.status == 200 and help_reply.json is not None
    assert "/rtw help" in str(help_reply.json["blocks"])
    assert forged.status == 401
    with urllib.request.urlopen(base + "/healthz", timeout=5) as response:
        assert response.read() == b"ok"
