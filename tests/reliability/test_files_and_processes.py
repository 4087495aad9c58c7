"""``hr-plugin serve``'s files and processes (issue 16, item 2): a fresh start on an empty SQLite
folder, the files it makes, and what is left of it after SIGTERM.

- Every process that opens the database or the key store used to migrate or create it for
  itself: a web worker and its companion starting together on a new file raced (``table
  processed_events already exists``, a traceback, the companion dead and replaced). ``serve``
  now migrates once in its own process before it starts any, and the scheduler takes the same
  file lock.
- SQLite made the database, the key store and their journals 0644 under the usual umask.
- A companion ignores SIGTERM (a stop sent to the whole group is its worker's to handle), so
  ``terminate`` never ended one that overran its worker's stop: it was left running, orphaned.

Serve runs in a session of its own here, so every process it starts, however deep and whatever
became of its parent, is found by its process group.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest

from hr_plugin.clock import SystemClock
from hr_plugin.db import make_engine, upgrade
from hr_plugin.slack import companion as companion_module
from hr_plugin.slack.companion import Companion
from hr_plugin.testing.fake_slack import FakeSlack
from hr_plugin.testing.processes import app_environment, children, free_port, wait_until_ready
from hr_plugin.testing.signed_client import SlackRequestClient
from tests.conftest import on_postgres
from tests.metrics import work_after_answer
from tests.waiting import wait_for

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="reads the process tree and file modes from Linux /proc"
)

sqlite_only = pytest.mark.skipif(
    on_postgres(), reason="about the embedded SQLite files; the SQLite run of the suite covers it"
)

TOKEN = "xoxb-fake-token"
STARTS = 3  # fresh starts per run (the 20-start measurement is in the closing note)
UMASK = 0o022  # the usual default, under which SQLite made every file 0644
SLOW_FOLLOW_UP_SECONDS = 8.0  # each Home the companion publishes, under the Slack client's 10 s
# Grace for the spawned companion's resource tracker, which exits when it reads the end of the
# pipe its last user closed: a process still there after this was left behind.
LEFT_BEHIND_SECONDS = 3.0


class _TellingFake(FakeSlack):
    """The fake Slack, saying when a slowed-down call has arrived, so the test knows the work
    that made it is in progress instead of guessing with a sleep."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.arrived: dict[str, threading.Event] = {}
        self._arrivals = threading.Lock()

    def arrival(self, method: str) -> threading.Event:
        with self._arrivals:
            return self.arrived.setdefault(method, threading.Event())

    def _sleep_if_delayed(self, method: str) -> None:
        self.arrival(method).set()
        super()._sleep_if_delayed(method)


def _stat_fields(pid: int) -> list[str] | None:
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _cmdline(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()[:120]
    except OSError:
        return ""


def _group(pgid: int) -> dict[int, str]:
    """Every live process (zombies are already gone) of process group ``pgid``, with its command."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(int(entry.name))
        if fields is not None and fields[0] != "Z" and int(fields[2]) == pgid:
            found[int(entry.name)] = _cmdline(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    fields = _stat_fields(pid)
    return fields is not None and fields[0] != "Z"


def _start(command: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """``hr-plugin COMMAND`` in a session (and process group) of its own, under ``UMASK``."""
    with log.open("wb") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "hr_plugin.cli", command],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            umask=UMASK,
        )


def _stop(*processes: subprocess.Popen[bytes], timeout: float = 60) -> tuple[int, ...]:
    """SIGTERM to each (together, so their graceful stops overlap) and their exit codes; SIGKILL
    for the whole group of one that will not stop."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    codes = []
    for process in processes:
        try:
            codes.append(process.wait(timeout=timeout))
        except subprocess.TimeoutExpired:
            _kill_group(process.pid)
            codes.append(process.wait())
    return tuple(codes)


def _kill_group(pgid: int) -> None:
    for pid in _group(pgid):
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _left_behind(pgid: int) -> dict[int, str]:
    """What of the group is still there ``LEFT_BEHIND_SECONDS`` after its leader exited."""
    deadline = time.monotonic() + LEFT_BEHIND_SECONDS
    while _group(pgid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return _group(pgid)


@contextmanager
def _fake_slack() -> Iterator[_TellingFake]:
    with _TellingFake(clock=SystemClock(), bot_tokens=[TOKEN]) as fake:
        fake.add_user("UONE", name="one", real_name="One", email="one@example.com")
        yield fake


def _environment(fake: FakeSlack, folder: Path, database_url: str, **settings: str) -> dict[str, str]:
    return app_environment(
        database_url=database_url,
        slack_api_url=fake.base_url,
        bot_token=TOKEN,
        folder=folder,
        signing_secret="s" * 32,
        **settings,
    )


def _problems(log: str) -> list[str]:
    """Lines of a log that say something went wrong: tracebacks, errors, a companion replaced."""
    return [
        line[:300]
        for line in log.splitlines()
        if "Traceback" in line
        or '"level":"ERROR"' in line
        or "already exists" in line
        or "companion process stopped" in line
    ]


# -- a fresh start -------------------------------------------------------------------------------


def _fresh_start(fake: FakeSlack, folder: Path) -> tuple[tuple[int, ...], str, str]:
    """Serve and a scheduler started together on the empty ``folder``, stopped once serve is
    ready and the scheduler leads: their exit codes and logs."""
    port = free_port()
    env = _environment(fake, folder, f"sqlite:///{folder / 'app.db'}", port=str(port), web_workers="1")
    serve_log, scheduler_log = folder / "serve.log", folder / "scheduler.log"
    serve = _start("serve", env, serve_log)
    scheduler = _start("scheduler", env, scheduler_log)
    try:
        wait_until_ready(f"http://127.0.0.1:{port}", serve, timeout=60)
        wait_for(
            lambda: "is the leader" in scheduler_log.read_text() or scheduler.poll() is not None,
            60,
            "the scheduler to lead",
        )
    finally:
        codes = _stop(serve, scheduler)
    return codes, serve_log.read_text(), scheduler_log.read_text()


@sqlite_only
def test_serve_and_a_scheduler_starting_together_on_an_empty_folder_start_cleanly(tmp_path: Path) -> None:
    """Several fresh starts, each on an empty folder: serve (its worker and companion) and a
    scheduler start at the same moment. Every start comes up without a traceback, serve
    migrates in its own process before its worker boots, and both stop with 0. Before, the
    worker and the companion raced to migrate: measured at 3 starts in 5 with a traceback."""
    with _fake_slack() as fake:
        for start in range(STARTS):
            folder = tmp_path / f"start-{start}"
            folder.mkdir()
            codes, serve_log, scheduler_log = _fresh_start(fake, folder)
            assert _problems(serve_log) == [], f"start {start}"
            assert _problems(scheduler_log) == [], f"start {start}"
            assert codes == (0, 0), f"start {start}: {serve_log[-3000:]}\n{scheduler_log[-3000:]}"
            lines = serve_log.splitlines()
            migrated = next(i for i, line in enumerate(lines) if "database schema at" in line)
            booted = next(i for i, line in enumerate(lines) if "Booting worker" in line)
            assert migrated < booted, "serve migrates before it starts a worker"


# -- the files -----------------------------------------------------------------------------------


@sqlite_only
def test_the_database_the_key_store_and_their_journals_are_private_under_the_usual_umask(
    tmp_path: Path,
) -> None:
    """Under umask 022 every file serve and the scheduler make in their folder (the database,
    the key store, their write-ahead logs and shared-memory files, the lock files) is 0600,
    looked at while they run (SQLite removes the write-ahead log at the last close)."""
    folder = tmp_path / "data"
    folder.mkdir()
    port = free_port()
    with _fake_slack() as fake:
        env = _environment(fake, folder, f"sqlite:///{folder / 'app.db'}", port=str(port), web_workers="1")
        serve = _start("serve", env, tmp_path / "serve.log")  # the log is the test's, not serve's
        scheduler = _start("scheduler", env, tmp_path / "scheduler.log")
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_ready(base, serve, timeout=60)
            client = SlackRequestClient(f"{base}/slack/events", "s" * 32, fake)
            assert client.app_home_opened("UONE").status == 200  # a write: the event's row
            wait_for(lambda: fake.calls_for("views.publish"), 10, "the Home")
            wait_for(lambda: "is the leader" in (tmp_path / "scheduler.log").read_text(), 60, "the scheduler")
            modes = {file.name: stat.S_IMODE(file.stat().st_mode) for file in folder.iterdir()}
        finally:
            codes = _stop(serve, scheduler)

    assert codes == (0, 0)
    expected = {"app.db", "app.db-wal", "app.db-shm", "keys.db", "app.migrate.lock", "keys.create.lock"}
    assert expected <= set(modes), f"the files looked at: {sorted(modes)}"
    assert {name: oct(mode) for name, mode in modes.items() if mode != 0o600} == {}


# -- after SIGTERM -------------------------------------------------------------------------------


def _companion_of(worker: int) -> int:
    [found] = [pid for pid in children(worker) if "resource_tracker" not in _cmdline(pid)]
    return found


def test_sigterm_leaves_no_process_behind_even_a_replacement_companion_busy_past_the_stop(
    database_url: str, tmp_path: Path
) -> None:
    """The companion is killed and replaced; the replacement is handed more work than it can
    finish in the stop's time (three rounds of slow Homes on its threads); then serve gets
    SIGTERM. When serve has exited, no process it started is left. Before, the overrunning
    replacement ignored the worker's SIGTERM and was left running, orphaned."""
    upgrade(make_engine(database_url))  # PostgreSQL is upgraded by the deploy step, not by serve
    port = free_port()
    with _fake_slack() as fake:
        env = _environment(fake, tmp_path, database_url, port=str(port), web_workers="1")
        serve = _start("serve", env, tmp_path / "serve.log")
        base = f"http://127.0.0.1:{port}"
        client = SlackRequestClient(f"{base}/slack/events", "s" * 32, fake)
        try:
            wait_until_ready(base, serve, timeout=60)
            [worker] = children(serve.pid)
            first = _companion_of(worker)
            os.kill(first, signal.SIGKILL)
            wait_for(lambda: not _alive(first), 5, "the companion to die")

            def a_replacement_takes_work() -> bool:
                published = len(fake.calls_for("views.publish"))
                assert client.app_home_opened("UONE").status == 200
                wait_for(lambda: len(fake.calls_for("views.publish")) > published, 10, "the Home")
                return work_after_answer(base).get("companion", 0.0) >= 1

            wait_for(a_replacement_takes_work, 30, "a replacement companion to take work")
            replacement = _companion_of(worker)
            assert replacement != first

            fake.delay("views.publish", SLOW_FOLLOW_UP_SECONDS)
            for _ in range(3 * companion_module.THREADS + 1):
                assert client.app_home_opened("UONE").status == 200
            assert fake.arrival("views.publish").wait(10), "the replacement is at work"
            assert _alive(replacement)
            running = _group(serve.pid)
            [exit_code] = _stop(serve)
            left = _left_behind(serve.pid)
        finally:
            _stop(serve)
            _kill_group(serve.pid)

    log = (tmp_path / "serve.log").read_text()
    assert left == {}, f"left behind after serve exited: {left} (running before SIGTERM: {running})"
    assert exit_code == 0, log[-3000:]
    assert "did not finish its work" in log, "the replacement was stopped because it overran"


def test_a_companion_that_never_became_ready_is_ended_at_once_when_its_worker_stops(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A companion still starting (here: held at Slack's ``auth.test``, which building the app
    asks) was handed nothing, so closing ends it at once, however long it would take to start.
    Before, SIGTERM was all it got, which it ignores, and it outlived the close."""
    upgrade(make_engine(database_url))
    with _fake_slack() as fake:
        for name, value in _environment(fake, tmp_path, database_url).items():
            monkeypatch.setenv(name, value)
        fake.delay("auth.test", 9)
        companion = Companion().start()
        pid = companion.pid
        assert pid is not None
        try:
            assert fake.arrival("auth.test").wait(60), "the companion is building its app"
            started = time.monotonic()
            companion.close(2)
            took = time.monotonic() - started
        finally:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        assert not _alive(pid), "the companion outlived its close"
        assert took < 2, f"closing waited {took:.1f} s for a companion that holds no work"
