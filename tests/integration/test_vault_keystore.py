"""The key store: per-employee data keys, crypto-shredding and master-key rotation.

Runs on a SQLite file of its own, or on the PostgreSQL database the suite is given (the table
``vault_data_keys`` lives beside the main tables there and is truncated with them).
"""

from __future__ import annotations

import base64
import multiprocessing
import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from hr_plugin.db import is_sqlite, make_engine
from hr_plugin.settings import Settings
from hr_plugin.vault.crypto import (
    DecryptionError,
    LocalKeyProvider,
    open_sealed,
    record_context,
    seal,
)
from hr_plugin.vault.keystore import KeyStore

CANARY = b"CANARY-what-small-act-of-vulnerability-91c2"
OLD_MASTER = bytes(range(32))
NEW_MASTER = bytes(range(100, 132))


@pytest.fixture
def keystore_url(database_url: str, tmp_path: Path) -> str:
    """The PostgreSQL test database when there is one (``database_url`` truncated it), else a file."""
    if is_sqlite(database_url):
        return f"sqlite:///{tmp_path / 'keys.db'}"
    return database_url


@pytest.fixture
def store(keystore_url: str) -> Iterator[KeyStore]:
    opened = KeyStore(keystore_url, LocalKeyProvider(OLD_MASTER))
    yield opened
    opened.dispose()


def _sealed_record(store: KeyStore, tenant: str, employee: int, record_id: str = "r1") -> bytes:
    key = store.data_key(tenant, employee, create=True)
    assert key is not None
    return seal(key, CANARY, record_context(tenant, employee, record_id, "checkin"))


def _open(store: KeyStore, sealed: bytes, tenant: str, employee: int, record_id: str = "r1") -> bytes:
    key = store.data_key(tenant, employee, create=False)
    assert key is not None
    return open_sealed(key, sealed, record_context(tenant, employee, record_id, "checkin"))


def test_no_key_until_one_is_created(store: KeyStore) -> None:
    assert store.data_key("T1", 1, create=False) is None
    assert store.count() == 0

    created = store.data_key("T1", 1, create=True)

    assert created is not None and len(created) == 32
    assert store.data_key("T1", 1, create=False) == created
    assert store.data_key("T1", 1, create=True) == created
    assert store.count() == 1


def test_each_employee_and_tenant_has_its_own_key(store: KeyStore) -> None:
    keys = [store.data_key(tenant, employee, create=True) for tenant in ("T1", "T2") for employee in (1, 2)]

    assert len(set(keys)) == 4
    assert store.count() == 4


def test_a_second_store_on_the_same_url_sees_the_same_key(store: KeyStore, keystore_url: str) -> None:
    first = store.data_key("T1", 1, create=True)
    other = KeyStore(keystore_url, LocalKeyProvider(OLD_MASTER))
    try:
        assert other.data_key("T1", 1, create=True) == first
    finally:
        other.dispose()


def test_destroy_shreds_the_records_for_good(store: KeyStore) -> None:
    sealed = _sealed_record(store, "T1", 7)
    neighbour = _sealed_record(store, "T1", 8)

    assert store.destroy("T1", 7) is True
    assert store.destroy("T1", 7) is False
    assert store.data_key("T1", 7, create=False) is None

    store.data_key("T1", 7, create=True)  # a fresh start gets a fresh key
    with pytest.raises(DecryptionError):
        _open(store, sealed, "T1", 7)
    assert _open(store, neighbour, "T1", 8) == CANARY


def test_a_destroyed_key_does_not_linger_in_the_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "keys.db"
    store = KeyStore(f"sqlite:///{path}", LocalKeyProvider(OLD_MASTER))
    store.data_key("T1", 7, create=True)
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        wrapped = bytes(connection.execute(text("SELECT wrapped_key FROM vault_data_keys")).scalar_one())
    engine.dispose()

    store.destroy("T1", 7)
    store.dispose()

    on_disk = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("keys.db"))
    assert wrapped not in on_disk


def test_another_master_key_cannot_unwrap(store: KeyStore, keystore_url: str) -> None:
    store.data_key("T1", 1, create=True)
    intruder = KeyStore(keystore_url, LocalKeyProvider(NEW_MASTER))
    try:
        with pytest.raises(DecryptionError) as caught:
            intruder.data_key("T1", 1, create=False)
    finally:
        intruder.dispose()
    assert "wrapped by master key" in str(caught.value)


def test_a_wrapped_key_moved_to_another_employee_does_not_unwrap(store: KeyStore, keystore_url: str) -> None:
    store.data_key("T1", 1, create=True)
    store.data_key("T1", 2, create=True)
    engine = make_engine(keystore_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE vault_data_keys SET wrapped_key = "
                "(SELECT wrapped_key FROM vault_data_keys WHERE employee_id = 1) WHERE employee_id = 2"
            )
        )
    engine.dispose()

    with pytest.raises(DecryptionError):
        store.data_key("T1", 2, create=False)


def test_rotation_rewraps_every_key_and_leaves_records_alone(store: KeyStore, keystore_url: str) -> None:
    records = {
        (tenant, employee): _sealed_record(store, tenant, employee)
        for tenant in ("T1", "T2")
        for employee in (1, 2, 3)
    }
    before = {subject: store.data_key(*subject, create=False) for subject in records}

    assert store.rotate(LocalKeyProvider(NEW_MASTER)) == 6

    rotated = KeyStore(keystore_url, LocalKeyProvider(NEW_MASTER))
    old = KeyStore(keystore_url, LocalKeyProvider(OLD_MASTER))
    try:
        for (tenant, employee), sealed in records.items():
            assert rotated.data_key(tenant, employee, create=False) == before[(tenant, employee)]
            assert _open(rotated, sealed, tenant, employee) == CANARY
            with pytest.raises(DecryptionError):
                old.data_key(tenant, employee, create=False)
        assert store.data_key("T1", 1, create=False) == before[("T1", 1)]  # the store moved on too
        assert rotated.count() == 6
        assert rotated.rotate(LocalKeyProvider(NEW_MASTER)) == 0  # a re-run changes nothing
    finally:
        rotated.dispose()
        old.dispose()


def test_rotation_is_all_or_nothing(store: KeyStore, keystore_url: str) -> None:
    for employee in (1, 2, 3):
        store.data_key("T1", employee, create=True)
    stranger = KeyStore(keystore_url, LocalKeyProvider(bytes(32)))
    stranger.data_key("T1", 4, create=True)  # wrapped by a key the rotation does not have
    stranger.dispose()
    before = _rows(keystore_url)

    with pytest.raises(DecryptionError):
        store.rotate(LocalKeyProvider(NEW_MASTER))

    assert _rows(keystore_url) == before
    assert store.data_key("T1", 1, create=False) is not None


def test_the_key_store_is_not_the_main_database_by_default(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("HR_PLUGIN_DATABASE_URL", "HR_PLUGIN_VAULT_KEYSTORE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    settings = Settings()
    main = make_engine(settings.database_url)
    store = KeyStore(settings.vault_keystore_url, LocalKeyProvider(OLD_MASTER))
    try:
        with main.connect() as connection:
            connection.execute(text("SELECT 1"))
        store.data_key("T1", 1, create=True)
        main_file, keys_file = main.url.database, settings.vault_keystore_url.removeprefix("sqlite:///")
        assert main_file and Path(main_file).resolve() != Path(keys_file).resolve()
        assert (tmp_path / "hr_plugin-keys.db").exists()
        with main.connect() as connection:
            tables = {row[0] for row in connection.execute(text("SELECT name FROM sqlite_master"))}
        assert "vault_data_keys" not in tables
    finally:
        main.dispose()
        store.dispose()
    # The migrated main database (SQLite or PostgreSQL) holds no key table of its own either.
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            tables = {row[0] for row in connection.execute(text("SELECT name FROM sqlite_master"))}
        assert "vault_data_keys" not in tables


def _rows(url: str) -> list[tuple[object, ...]]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return [
                (row[0], row[1], bytes(row[2]), row[3])
                for row in connection.execute(
                    text(
                        "SELECT tenant_id, employee_id, wrapped_key, key_id FROM vault_data_keys "
                        "ORDER BY tenant_id, employee_id"
                    )
                )
            ]
    finally:
        engine.dispose()


# --- the operator's command --------------------------------------------------------------------


def _key_file(path: Path, key: bytes) -> Path:
    path.write_text(base64.urlsafe_b64encode(key).decode() + "\n")
    path.chmod(0o600)
    return path


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hr_plugin.cli", "vault", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**{k: v for k, v in os.environ.items() if not k.startswith("HR_PLUGIN_")}, **env},
    )


@pytest.fixture
def cli_env(tmp_path: Path, keystore_url: str) -> dict[str, str]:
    return {
        "HR_PLUGIN_VAULT_KEY_FILE": str(_key_file(tmp_path / "old.key", OLD_MASTER)),
        "HR_PLUGIN_VAULT_KEYSTORE_URL": keystore_url,
        "HR_PLUGIN_DATABASE_URL": f"sqlite:///{tmp_path / 'main.db'}",
    }


def test_cli_rotates_the_master_key(
    store: KeyStore, keystore_url: str, cli_env: dict[str, str], tmp_path: Path
) -> None:
    sealed = {employee: _sealed_record(store, "T1", employee) for employee in (1, 2)}
    new_key_file = tmp_path / "new.key"
    made = _run("new-key", "--file", str(new_key_file), env=cli_env)
    assert made.returncode == 0, made.stderr

    result = _run("rotate-master-key", "--new-key-file", str(new_key_file), env=cli_env)

    assert result.returncode == 0, result.stderr
    assert "re-wrapped 2 data key" in result.stdout
    assert f"HR_PLUGIN_VAULT_KEY_FILE={new_key_file}" in result.stdout
    new_master = Settings(vault_key_file=new_key_file).master_key()
    rotated = KeyStore(keystore_url, LocalKeyProvider(new_master))
    try:
        for employee, record in sealed.items():
            assert _open(rotated, record, "T1", employee) == CANARY
    finally:
        rotated.dispose()
    with pytest.raises(DecryptionError):
        store.data_key("T1", 1, create=False)  # still holds the old master key


@pytest.mark.parametrize("problem", ["missing", "garbage", "short", "same"])
def test_cli_refuses_a_bad_new_key_file(
    problem: str, store: KeyStore, keystore_url: str, cli_env: dict[str, str], tmp_path: Path
) -> None:
    _sealed_record(store, "T1", 1)
    before = _rows(keystore_url)
    path = tmp_path / "new.key"
    if problem == "garbage":
        path.write_text("not base64 at all!\n")
    elif problem == "short":
        _key_file(path, bytes(16))
    elif problem == "same":
        _key_file(path, OLD_MASTER)

    result = _run("rotate-master-key", "--new-key-file", str(path), env=cli_env)

    assert result.returncode == 2
    assert result.stderr.startswith("error: ")
    assert "Traceback" not in result.stderr
    assert _rows(keystore_url) == before


def test_cli_refuses_when_the_current_key_cannot_unwrap(
    store: KeyStore, keystore_url: str, cli_env: dict[str, str], tmp_path: Path
) -> None:
    _sealed_record(store, "T1", 1)
    before = _rows(keystore_url)
    env = {**cli_env, "HR_PLUGIN_VAULT_KEY_FILE": str(_key_file(tmp_path / "wrong.key", bytes(32)))}

    result = _run(
        "rotate-master-key", "--new-key-file", str(_key_file(tmp_path / "new.key", NEW_MASTER)), env=env
    )

    assert result.returncode == 2
    assert "cannot unwrap" in result.stderr and "nothing was changed" in result.stderr
    assert "Traceback" not in result.stderr
    assert _rows(keystore_url) == before


def test_cli_refuses_without_a_current_key(cli_env: dict[str, str], tmp_path: Path) -> None:
    env = {k: v for k, v in cli_env.items() if k != "HR_PLUGIN_VAULT_KEY_FILE"}

    result = _run(
        "rotate-master-key", "--new-key-file", str(_key_file(tmp_path / "new.key", NEW_MASTER)), env=env
    )

    assert result.returncode == 2
    assert "no master key" in result.stderr


def test_cli_does_not_create_a_missing_sqlite_key_store(cli_env: dict[str, str], tmp_path: Path) -> None:
    missing = tmp_path / "typo-keys.db"
    env = {**cli_env, "HR_PLUGIN_VAULT_KEYSTORE_URL": f"sqlite:///{missing}"}

    result = _run(
        "rotate-master-key", "--new-key-file", str(_key_file(tmp_path / "new.key", NEW_MASTER)), env=env
    )

    assert result.returncode == 2
    assert "no key store" in result.stderr
    assert not missing.exists()


def test_racing_first_requests_all_get_the_one_stored_key(store: KeyStore, keystore_url: str) -> None:
    stores = [KeyStore(keystore_url, LocalKeyProvider(OLD_MASTER)) for _ in range(4)]
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            keys = list(pool.map(lambda i: stores[i % 4].data_key("T1", 9, create=True), range(16)))
    finally:
        for opened in stores:
            opened.dispose()

    assert len(set(keys)) == 1
    assert store.data_key("T1", 9, create=False) == keys[0]
    assert store.count() == 1


def _open_when_released(url: str, start: Any) -> None:
    start.wait()
    KeyStore(url, LocalKeyProvider(OLD_MASTER)).dispose()


def test_two_processes_opening_a_new_sqlite_key_store_together_both_start(tmp_path: Path) -> None:
    """Two processes (web workers, a worker and a scheduler) open a key store that does not exist yet at the
    same moment: one creates the table, and both start. (Pairs: two at once lost the race in
    about half the rounds before the fix; more at once happened not to.)"""
    context = multiprocessing.get_context("fork")
    for round_ in range(20):
        url = f"sqlite:///{tmp_path / f'keys-{round_}.db'}"
        start = context.Barrier(2)
        pair = [context.Process(target=_open_when_released, args=(url, start)) for _ in range(2)]
        for opener in pair:
            opener.start()
        for opener in pair:
            opener.join(60)
        assert [opener.exitcode for opener in pair] == [0, 0], f"round {round_}"
