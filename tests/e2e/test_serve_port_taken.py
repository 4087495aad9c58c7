"""A server under test that finds its port taken by another process.

``free_port`` finds a port nobody holds at that moment; a server started meanwhile elsewhere
(CI runs the SQLite and PostgreSQL passes side by side) can take it before ``hr-plugin serve``
binds it. gunicorn then retries its bind for a few seconds, and the other server answers
``/readyz`` in its place: a test that took that answer for its own server's would send its
requests to a stranger (a CI run of ``tests/e2e/test_once_concurrent.py`` once saw twelve 404s
for a link its own server knew).
"""

from __future__ import annotations

import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from hr_plugin.clock import SystemClock
from hr_plugin.db import make_engine, upgrade
from hr_plugin.testing import processes
from hr_plugin.testing.fake_slack import FakeSlack
from hr_plugin.testing.processes import listens_on, serving, wait_until_ready

TOKEN = "xoxb-fake-token"


class _Ready(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ready")

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def _stranger() -> Iterator[int]:
    """Another server, in this process, answering 200 to everything: its port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ready)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def test_a_ready_answer_from_another_process_on_the_port_is_not_the_servers() -> None:
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        with _stranger() as port:
            assert not listens_on(sleeper.pid, port)
            with pytest.raises(AssertionError, match="did not come up"):
                wait_until_ready(f"http://127.0.0.1:{port}", sleeper, timeout=1.0)
    finally:
        sleeper.kill()
        sleeper.wait()


def test_serve_starts_again_on_another_port_when_its_own_was_taken(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    upgrade(make_engine(database_url))
    with _stranger() as taken, FakeSlack(clock=SystemClock(), bot_tokens=[TOKEN]) as fake:
        offered = iter([taken])
        real_free_port = processes.free_port
        monkeypatch.setattr(processes, "free_port", lambda: next(offered, None) or real_free_port())
        with serving(
            database_url=database_url,
            slack_api_url=fake.base_url,
            bot_token=TOKEN,
            folder=tmp_path,
            web_workers="1",
        ) as app:
            port = int(app.base.rsplit(":", 1)[1])
            assert port != taken
            assert listens_on(app.process.pid, port)
            with urllib.request.urlopen(f"{app.base}/healthz", timeout=5) as response:
                assert response.status == 200 and response.read() == b"ok"
        assert app.process.returncode == 0, app.log.read_text()
