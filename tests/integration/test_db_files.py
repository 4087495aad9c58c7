"""SQLite files: made private whatever the umask, their journals too (checked against the SQLite
this Python links, not assumed), and migrated by one process at a time (``hr_plugin.db``).

Always on SQLite files of their own: this is about the embedded default, whatever database the
rest of the suite is given.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from hr_plugin.db import current_revision, make_engine, prepare
from hr_plugin.migrations import head_revision
from hr_plugin.vault.crypto import LocalKeyProvider
from hr_plugin.vault.keystore import KeyStore

UMASK = 0o022  # the usual default, under which SQLite makes its files 0644


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    previous = os.umask(UMASK)
    try:
        yield
    finally:
        os.umask(previous)


def test_a_new_database_and_its_write_ahead_log_are_private(tmp_path: Path) -> None:
    path = tmp_path / "app.db"
    engine = make_engine(f"sqlite:///{path}")
    assert not path.exists(), "nothing is made before the first connection"
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE t (x INTEGER)"))
            connection.execute(text("INSERT INTO t VALUES (1)"))
            # Looked at while the connection is open: SQLite removes the log at the last close.
            modes = {file.name: _mode(file) for file in tmp_path.iterdir()}
    finally:
        engine.dispose()
    assert set(modes) == {"app.db", "app.db-wal", "app.db-shm"}
    assert modes == dict.fromkeys(modes, 0o600)


def test_the_rollback_journal_follows_the_database_file(tmp_path: Path) -> None:
    """The app sets WAL, but SQLite writes a rollback journal before that and for other tools
    (the ``sqlite3`` shell, a backup script): it too gets the database file's mode."""
    path = tmp_path / "app.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA journal_mode=DELETE")
            connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
            connection.commit()
            connection.exec_driver_sql("INSERT INTO t VALUES (1)")  # a transaction is open
            journal = tmp_path / "app.db-journal"
            assert journal.exists()
            assert _mode(journal) == 0o600
            connection.rollback()
    finally:
        engine.dispose()


def test_a_database_open_to_others_is_narrowed_and_said_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A file left 0644 by an older version, with its write-ahead log and shared memory: each
    made 0600 when the app opens it, with a warning naming the file (and nothing from inside)."""
    path = tmp_path / "app.db"
    made_before = sqlite3.connect(path)  # held open, so its write-ahead log stays
    try:
        made_before.execute("PRAGMA journal_mode=WAL")
        made_before.execute("CREATE TABLE t (x TEXT)")
        made_before.execute("INSERT INTO t VALUES ('Olive Onesie')")
        made_before.commit()
        journals = [tmp_path / "app.db-wal", tmp_path / "app.db-shm"]
        assert [_mode(file) for file in (path, *journals)] == [0o644] * 3
        caplog.set_level(logging.WARNING, logger="hr_plugin.db")
        engine = make_engine(f"sqlite:///{path}")
        try:
            with engine.connect() as connection:
                assert connection.execute(text("SELECT x FROM t")).scalar_one() == "Olive Onesie"
            assert [_mode(file) for file in (path, *journals)] == [0o600] * 3
        finally:
            engine.dispose()
    finally:
        made_before.close()
    warned = [record.getMessage() for record in caplog.records if record.name == "hr_plugin.db"]
    assert warned == [
        f"{file} was open to other users (mode 644); it is now 600" for file in [path, *journals]
    ]
    assert "Olive" not in caplog.text


def test_a_missing_folder_is_sqlites_to_report_and_nothing_is_made(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'no-such-folder' / 'app.db'}")
    with pytest.raises(OperationalError, match="unable to open database file"):
        engine.connect()
    assert list(tmp_path.iterdir()) == []


def test_an_in_memory_database_makes_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for url in ("sqlite://", "sqlite:///:memory:"):
        engine = make_engine(url)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT 1")).scalar_one() == 1
        engine.dispose()
    assert list(tmp_path.iterdir()) == []


def test_the_key_store_is_private_too(tmp_path: Path) -> None:
    path = tmp_path / "keys.db"
    store = KeyStore(f"sqlite:///{path}", LocalKeyProvider(bytes(range(32))))
    try:
        assert store.data_key("T1", 1, create=True) is not None
        assert _mode(path) == 0o600
    finally:
        store.dispose()


# -- processes together on a new file ------------------------------------------------------------

PAIRS = 12
OPENING_ROUNDS = 80
OPENERS = 4


def _connect_when_released(url: str, start: Any) -> None:
    start.wait()
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    finally:
        engine.dispose()


def _all_start(target: Any, url: str, count: int) -> bool:
    """``count`` forked processes run ``target`` on ``url`` released together: did all exit 0?"""
    context = multiprocessing.get_context("fork")
    start = context.Barrier(count)
    processes = [context.Process(target=target, args=(url, start)) for _ in range(count)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
    return [process.exitcode for process in processes] == [0] * count


def test_processes_opening_a_new_file_together_all_connect(tmp_path: Path) -> None:
    """The first connection switches a new file to WAL, which SQLite does without waiting for
    a lock (busy timeout or not): one opening the file meanwhile was told "database is locked"."""
    failed = [
        round_
        for round_ in range(OPENING_ROUNDS)
        if not _all_start(_connect_when_released, f"sqlite:///{tmp_path / f'app-{round_}.db'}", OPENERS)
    ]
    assert failed == [], f"{len(failed)} of {OPENING_ROUNDS} rounds had a process fail to connect"


def _prepare_when_released(url: str, start: Any) -> None:
    start.wait()
    engine = make_engine(url)
    try:
        prepare(engine)
    finally:
        engine.dispose()


def test_processes_preparing_a_new_database_together_all_start(tmp_path: Path) -> None:
    """Two processes (two web workers, serve and a scheduler) prepare the same new
    file at the same moment: one migrates under the file lock, the other finds it done, and
    both start. Without the lock both saw no table and one was told it exists."""
    failed = []
    for round_ in range(PAIRS):
        url = f"sqlite:///{tmp_path / f'app-{round_}.db'}"
        if not _all_start(_prepare_when_released, url, 2):
            failed.append(round_)
        engine = make_engine(url)
        try:
            assert current_revision(engine) == head_revision()
        finally:
            engine.dispose()
    assert failed == [], f"{len(failed)} of {PAIRS} pairs had a process fail to start"
