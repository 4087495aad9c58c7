"""``hr-plugin serve`` as deployed: gunicorn workers, signed requests, health checks, SIGTERM."""

from __future__ import annotations

import secrets
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from hr_plugin.clock import SystemClock
from hr_plugin.db import make_engine, upgrade
from hr_plugin.testing.fake_slack import FakeSlack
from hr_plugin.testing.processes import app_environment, free_port, wait_until_ready
from hr_plugin.testing.signed_client import SlackRequestClient

TOKEN = "xoxb-fake-token"


@pytest.fixture
def served(database_url: str, tmp_path: Path) -> Iterator[tuple[str, str, FakeSlack]]:
    upgrade(make_engine(database_url))  # PostgreSQL is upgraded by the deploy step, not by serve
    port = free_port()
    secret = secrets.token_hex(16)
    with FakeSlack(clock=SystemClock(), bot_tokens=[TOKEN]) as fake:
        fake.add_user("UONE", name="one", real_name="One", email="one@example.com")
        env = app_environment(
            database_url=database_url,
            slack_api_url=fake.base_url,
            bot_token=TOKEN,
            folder=tmp_path,
            signing_secret=secret,
            port=str(port),
            web_workers="2",
        )
        log = (tmp_path / "serve.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "hr_plugin.cli", "serve"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_ready(base, process)
            yield base, secret, fake
        finally:
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=30) == 0, (tmp_path / "serve.log").read_text()


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
