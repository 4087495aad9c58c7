"""The environment for running the real `hr-plugin` commands as processes against a fake Slack.

Tests and benchmarks that start `hr-plugin serve` or `hr-plugin scheduler` (gunicorn, signals,
failover) need the same settings each time; only what a test is about should differ.
"""

from __future__ import annotations

import base64
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    """A TCP port nobody listens on now (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def app_environment(
    *,
    database_url: str,
    slack_api_url: str,
    bot_token: str,
    folder: Path,
    signing_secret: str | None = None,
    vault_key: str | None = None,
    **settings: str,
) -> dict[str, str]:
    """This process's environment without any ``HR_PLUGIN_`` setting, then the app's own.

    The key store is a SQLite file in ``folder``; ``vault_key`` and ``signing_secret`` are fresh
    unless given (processes that must share them, a web tier and its schedulers, pass the same
    ones). ``settings`` are further settings by name: ``web_workers="1"`` is
    ``HR_PLUGIN_WEB_WORKERS=1``.
    """
    env = {name: value for name, value in os.environ.items() if not name.startswith("HR_PLUGIN_")}
    env.update(
        {
            "HR_PLUGIN_DATABASE_URL": database_url,
            "HR_PLUGIN_SLACK_BOT_TOKEN": bot_token,
            "HR_PLUGIN_SLACK_SIGNING_SECRET": signing_secret or secrets.token_hex(16),
            "HR_PLUGIN_SLACK_API_URL": slack_api_url,
            "HR_PLUGIN_VAULT_KEY": vault_key or base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
            "HR_PLUGIN_VAULT_KEYSTORE_URL": f"sqlite:///{folder / 'keys.db'}",
        }
    )
    env.update({f"HR_PLUGIN_{name.upper()}": value for name, value in settings.items()})
    return env


def wait_until_ready(base_url: str, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    """Until ``base_url``'s ``/readyz`` answers 200; fails at once if ``process`` has exited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "serve exited early"
        try:
            with urllib.request.urlopen(base_url + "/readyz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("serve did not come up")


def children(pid: int) -> list[int]:
    """The processes ``pid`` started that are still there (Linux ``/proc``; empty elsewhere).
    Each thread keeps its own list: a process started from a request thread is on that one's."""
    found: list[int] = []
    try:
        threads = list((Path("/proc") / str(pid) / "task").iterdir())
    except OSError:
        return found
    for thread in threads:
        try:
            found.extend(int(child) for child in (thread / "children").read_text().split())
        except OSError:
            continue
    return found


@dataclass(frozen=True)
class Served:
    """A running ``hr-plugin serve``: where it answers, its signing secret, process and log."""

    base: str
    secret: str
    process: subprocess.Popen[bytes]
    log: Path


@contextmanager
def serving(
    *, database_url: str, slack_api_url: str, bot_token: str, folder: Path, **settings: str
) -> Iterator[Served]:
    """``hr-plugin serve`` in a process of its own, ready (``/readyz``), its output in
    ``folder/serve.log``; stopped with SIGTERM on the way out unless it stopped already."""
    port = free_port()
    secret = secrets.token_hex(16)
    env = app_environment(
        database_url=database_url,
        slack_api_url=slack_api_url,
        bot_token=bot_token,
        folder=folder,
        signing_secret=secret,
        port=str(port),
        **settings,
    )
    log = folder / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "hr_plugin.cli", "serve"], env=env, stdout=output, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(base, process)
        yield Served(base, secret, process, log)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
