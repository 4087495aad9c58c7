"""``hr-plugin serve`` under gunicorn: metrics added up across workers, JSON logs, and a SIGTERM
that answers the request in flight and lets the work after the ack finish before exiting."""

from __future__ import annotations

import json
import secrets
import signal
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from hr_plugin.clock import SystemClock
from hr_plugin.db import make_engine, upgrade
from hr_plugin.testing.fake_slack import FakeSlack
from hr_plugin.testing.processes import app_environment, free_port, wait_until_ready
from hr_plugin.testing.signed_client import SignedResponse, SlackRequestClient

TOKEN = "xoxb-fake-token"


class _TellingFake(FakeSlack):
    """The fake Slack, saying when a slowed-down call has arrived (so the request that made it
    is certainly in flight in the app) instead of the test guessing with a sleep."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.arrived: dict[str, threading.Event] = {}

    def _sleep_if_delayed(self, method: str) -> None:
        self.arrived.setdefault(method, threading.Event()).set()
        super()._sleep_if_delayed(method)


def _requests_counted(base: str) -> float:
    with urllib.request.urlopen(base + "/metrics", timeout=5) as response:
        text = response.read().decode()
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "hr_plugin_slack_requests_total"
        and sample.labels == {"surface": "command", "status": "200"}
    )


def test_metrics_add_up_across_workers_and_sigterm_finishes_the_work_in_flight(
    database_url: str, tmp_path: Path
) -> None:
    upgrade(make_engine(database_url))
    port = free_port()
    secret = secrets.token_hex(16)
    log_path = tmp_path / "serve.log"
    fake = _TellingFake(clock=SystemClock(), bot_tokens=[TOKEN])
    with fake:
        fake.add_user("UONE", name="one", real_name="Olive Onesie", email="one@example.com")
        env = app_environment(  # no log format: serve's default, JSON
            database_url=database_url,
            slack_api_url=fake.base_url,
            bot_token=TOKEN,
            folder=tmp_path,
            signing_secret=secret,
            port=str(port),
            web_workers="2",
        )
        env["PROMETHEUS_MULTIPROC_DIR"] = str(tmp_path / "metrics")
        process = subprocess.Popen(
            [sys.executable, "-m", "hr_plugin.cli", "serve"],
            env=env,
            stdout=log_path.open("wb"),
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        client = SlackRequestClient(f"{base}/slack/events", secret, fake)
        try:
            wait_until_ready(base, process)
            for _ in range(8):
                assert client.slash_command("UONE", "/rtw", "help").status == 200
            # Each scrape is answered by whichever worker accepts it; all must see the total.
            scraped = [_requests_counted(base) for _ in range(6)]

            fake.delay("views.open", 1.5)  # the shortcut's modal: answered inside the request
            fake.delay("views.publish", 1.5)  # the App Home: published after the ack
            assert client.app_home_opened("UONE").status == 200
            answers: list[SignedResponse] = []
            in_flight = threading.Thread(
                target=lambda: answers.append(client.global_shortcut("UONE", "vault.shortcut"))
            )
            in_flight.start()
            assert fake.arrived.setdefault("views.open", threading.Event()).wait(10), (
                "the shortcut reached Slack"
            )
            process.send_signal(signal.SIGTERM)
            exit_code = process.wait(timeout=30)
            in_flight.join(timeout=10)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()

    log = log_path.read_text()
    assert scraped == [8] * 6, scraped
    assert exit_code == 0, log
    assert [answer.status for answer in answers] == [200], "the request in flight was answered"
    assert [call["ok"] for call in fake.calls_for("views.open")] == [True]
    assert [call["ok"] for call in fake.calls_for("views.publish")] == [True], "the lazy listener finished"

    lines = [json.loads(line) for line in log.splitlines() if line.strip()]
    assert any(line["logger"] == "gunicorn.error" for line in lines), "gunicorn's lines share the format"
    assert "Olive Onesie" not in log and "one@example.com" not in log
