"""``hr-plugin serve``'s files and processes (issue 16, item 2): a fresh start on an empty SQLite
folder, and the files it makes.

- Every process that opens the database or the key store used to migrate or create it for
  itself: processes starting together on a new file raced (``table processed_events already
  exists``, a traceback, a process dead at start). ``serve`` now migrates once in its own
  process before it starts any worker, and the scheduler takes the same file lock.
- SQLite made the database, the key store and their journals 0644 under the usual umask.

(A test here once checked that SIGTERM left no companion process behind; the companion was
removed with issue 20, and a web worker now starts no process of its own.)
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

from hr_plugin.clock import SystemClock
from hr_plugin.testing.fake_slack import FakeSlack
from hr_plugin.testing.processes import app_environment, free_port, wait_until_ready
from hr_plugin.testing.signed_client import SlackRequestClient
from tests.conftest import on_postgres
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


@contextmanager
def _fake_slack() -> Iterator[FakeSlack]:
    with FakeSlack(clock=SystemClock(), bot_tokens=[TOKEN]) as fake:
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
    """Lines of a log that say something went wrong: tracebacks, errors, a table made twice."""
    return [
        line[:300]
        for line in log.splitlines()
        if "Traceback" in line or '"level":"ERROR"' in line or "already exists" in line
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
    """Several fresh starts, each on an empty folder: serve and a scheduler start at the same
    moment. Every start comes up without a traceback, serve migrates in its own process before
    its worker boots, and both stop with 0. Before, the processes raced to migrate: measured at
    3 starts in 5 with a traceback."""
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
