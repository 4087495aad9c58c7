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
from urllib.parse import urlsplit


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
    """Until ``process`` answers ``/readyz`` at ``base_url`` with 200; fails at once if it has
    exited.

    A 200 from another process on that port does not count. ``free_port`` only finds a port
    nobody holds at that moment: a server started meanwhile elsewhere (the other database's
    pass of CI, say) may take it first, and gunicorn keeps retrying its bind for a few seconds
    while that server answers in its place."""
    port = urlsplit(base_url).port
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "serve exited early"
        try:
            with urllib.request.urlopen(base_url + "/readyz", timeout=1) as response:
                if response.status == 200 and (port is None or listens_on(process.pid, port)):
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError("serve did not come up")


def listens_on(pid: int, port: int) -> bool:
    """Whether the process ``pid`` (or one it started) holds the socket listening on TCP
    ``port`` on this host (Linux ``/proc``; True where that cannot be read)."""
    listeners = _listening_sockets(port)
    if listeners is None:
        return True
    return any(listeners & _sockets_of(member) for member in process_tree(pid))


def _listening_sockets(port: int) -> set[str] | None:
    """The inodes of the sockets listening on ``port``; None without ``/proc/net``."""
    found: set[str] = set()
    readable = False
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        readable = True
        for row in rows:
            fields = row.split()  # sl, local address, remote address, state, ..., inode
            if len(fields) > 9 and fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                found.add(fields[9])
    return found if readable else None


def _sockets_of(pid: int) -> set[str]:
    found: set[str] = set()
    try:
        descriptors = list((Path("/proc") / str(pid) / "fd").iterdir())
    except OSError:
        return found
    for descriptor in descriptors:
        try:
            target = os.readlink(descriptor)
        except OSError:
            continue
        if target.startswith("socket:["):
            found.add(target[len("socket:[") : -1])
    return found


def process_tree(root: int) -> list[int]:
    """``root`` and every process under it still there, parents before their children."""
    found, index = [root], 0
    while index < len(found):
        found.extend(children(found[index]))
        index += 1
    return found


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
    ``folder/serve.log``; stopped with SIGTERM on the way out unless it stopped already. When
    another process took its port first, it starts again on another (``wait_until_ready``)."""
    secret = secrets.token_hex(16)
    log = folder / "serve.log"
    for attempt in range(1, PORT_ATTEMPTS + 1):
        port = free_port()
        env = app_environment(
            database_url=database_url,
            slack_api_url=slack_api_url,
            bot_token=bot_token,
            folder=folder,
            signing_secret=secret,
            port=str(port),
            **settings,
        )
        with log.open("wb") as output:
            command = [sys.executable, "-m", "hr_plugin.cli", "serve"]
            process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_ready(base, process)
        except AssertionError:
            _stop(process)
            if attempt < PORT_ATTEMPTS and PORT_TAKEN in log.read_text(errors="replace"):
                continue
            raise
        break
    try:
        yield Served(base, secret, process, log)
    finally:
        _stop(process)


# gunicorn's words when the port it was given is held by another process.
PORT_TAKEN = "Connection in use"
PORT_ATTEMPTS = 3


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM (gunicorn's graceful stop), then SIGKILL after 30 s; nothing if it stopped."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
