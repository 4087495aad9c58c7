"""The key store: each employee's data key, wrapped by the master key, apart from the main database.

It has its own engine, URL (``HR_PLUGIN_VAULT_KEYSTORE_URL``) and schema, so a backup of the main
database alone decrypts nothing, and deleting one row here erases everything the live system
holds for that person (crypto-shredding).

The table is created on open instead of by Alembic: it is one table with its own life cycle,
often in a file of its own, and the main migrations must not know it exists.

Nothing here logs: even "employee 42 has a data key" would tell whether someone uses the check-in.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    delete,
    event,
    func,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError

from hr_plugin.db import file_lock, make_engine
from hr_plugin.vault.crypto import DecryptionError, KeyProvider, new_data_key, subject_context

metadata = MetaData()

data_keys = Table(
    "vault_data_keys",
    metadata,
    Column("tenant_id", String(32), nullable=False),
    Column("employee_id", Integer, nullable=False),
    Column("wrapped_key", LargeBinary, nullable=False),
    Column("key_id", String(128), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("tenant_id", "employee_id", name="pk_vault_data_keys"),
)


CREATE_ATTEMPTS = 5
# Beside a SQLite key store: held while its table is created, so processes create it one at a time.
CREATE_LOCK = ".create.lock"


def _create_table(engine: Engine) -> None:
    """The table, unless it exists. Processes starting together (web workers, replicas, a
    scheduler) can all see no table. On SQLite they take turns through a file lock
    beside the store, so the second finds the table the first made. On PostgreSQL (replicas on
    other machines) a loser is told the table exists; each failure is followed by a fresh look,
    until one finds the table there."""
    with file_lock(engine, CREATE_LOCK):
        for attempt in range(1, CREATE_ATTEMPTS + 1):
            try:
                metadata.create_all(engine)
                return
            except DBAPIError:
                if attempt == CREATE_ATTEMPTS:
                    raise
                time.sleep(0.05 * attempt)


def create_store(url: str) -> None:
    """Make the key store's table (and, on SQLite, its private file) now: ``serve`` does this
    before it starts its workers, so none of them creates it."""
    engine = make_engine(url)
    try:
        _create_table(engine)
    finally:
        engine.dispose()


class KeyStore:
    """Wrapped data keys, one per (tenant, employee), unwrapped on demand and never cached.

    Not caching keeps a plaintext data key in memory only for the request that needs it, and
    means a ``destroy`` elsewhere takes effect at once in every process.
    """

    def __init__(self, url: str, provider: KeyProvider) -> None:
        self.provider = provider
        self._engine = make_engine(url)
        if self._engine.dialect.name == "sqlite":
            event.listen(self._engine, "connect", _sqlite_secure_delete)
        _create_table(self._engine)

    def data_key(self, tenant_id: str, employee_id: int, *, create: bool) -> bytes | None:
        """The employee's data key; with ``create``, make one first when there is none.

        Creation is insert-if-absent and then a re-read, so two requests racing to create the
        first key both end up with the one that was stored, never with two different keys.
        Raises :class:`DecryptionError` when the provider's master key did not wrap this key.
        """
        context = subject_context(tenant_id, employee_id)
        row = self._read(tenant_id, employee_id)
        if row is None:
            if not create:
                return None
            self._insert_if_absent(tenant_id, employee_id, self.provider.wrap(new_data_key(), context))
            row = self._read(tenant_id, employee_id)
            if row is None:  # destroyed between our insert and the re-read
                return None
        wrapped, key_id = row
        try:
            return self.provider.unwrap(wrapped, context)
        except DecryptionError:
            if key_id != self.provider.key_id:
                raise DecryptionError(
                    f"the data key cannot be unwrapped: it was wrapped by master key {key_id}, "
                    f"the current master key is {self.provider.key_id}"
                ) from None
            raise DecryptionError("the data key cannot be unwrapped") from None

    def destroy(self, tenant_id: str, employee_id: int) -> bool:
        """Delete the employee's data key: every record sealed under it is unreadable for good.

        On SQLite, ``secure_delete`` zeroes the freed bytes and a WAL checkpoint truncates the
        log, so the wrapped key does not linger in the file. (On PostgreSQL the dead row stays on
        disk until VACUUM; key-store backups keep it too, which is why they should be short-lived.)
        """
        with self._engine.begin() as connection:
            deleted = connection.execute(
                delete(data_keys).where(
                    data_keys.c.tenant_id == tenant_id, data_keys.c.employee_id == employee_id
                )
            ).rowcount
        if self._engine.dialect.name == "sqlite":
            with self._engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return bool(deleted)

    def destroy_tenant(self, tenant_id: str) -> int:
        """Delete every data key of one tenant (a workspace being erased); how many there were."""
        with self._engine.begin() as connection:
            deleted = connection.execute(delete(data_keys).where(data_keys.c.tenant_id == tenant_id)).rowcount
        if self._engine.dialect.name == "sqlite":
            with self._engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return int(deleted or 0)

    def rotate(self, new_provider: KeyProvider) -> int:
        """Re-wrap every data key with ``new_provider``'s master key, all or nothing.

        Records are untouched: only the wrapping changes, so rotation costs one row per employee.
        Keys already wrapped by the new master key (say, a re-run) are left as they are. Any key
        the current provider cannot unwrap aborts the whole rotation with :class:`DecryptionError`
        and changes nothing. Returns how many keys were re-wrapped. Afterwards this store uses the
        new provider.
        """
        with self._engine.begin() as connection:
            _lock_for_rotation(connection)
            rows = connection.execute(
                select(data_keys.c.tenant_id, data_keys.c.employee_id, data_keys.c.wrapped_key)
                .where(data_keys.c.key_id != new_provider.key_id)
                .order_by(data_keys.c.tenant_id, data_keys.c.employee_id)
            ).all()
            for tenant_id, employee_id, wrapped in rows:
                context = subject_context(tenant_id, employee_id)
                try:
                    data_key = self.provider.unwrap(wrapped, context)
                except DecryptionError:
                    raise DecryptionError(
                        "the current master key cannot unwrap every data key; nothing was rotated"
                    ) from None
                connection.execute(
                    update(data_keys)
                    .where(data_keys.c.tenant_id == tenant_id, data_keys.c.employee_id == employee_id)
                    .values(wrapped_key=new_provider.wrap(data_key, context), key_id=new_provider.key_id)
                )
        self.provider = new_provider
        return len(rows)

    def count(self) -> int:
        with self._engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(data_keys)).scalar_one())

    def dispose(self) -> None:
        self._engine.dispose()

    def _read(self, tenant_id: str, employee_id: int) -> tuple[bytes, str] | None:
        with self._engine.connect() as connection:
            row = connection.execute(
                select(data_keys.c.wrapped_key, data_keys.c.key_id).where(
                    data_keys.c.tenant_id == tenant_id, data_keys.c.employee_id == employee_id
                )
            ).first()
        return None if row is None else (bytes(row[0]), str(row[1]))

    def _insert_if_absent(self, tenant_id: str, employee_id: int, wrapped: bytes) -> None:
        values = {
            "tenant_id": tenant_id,
            "employee_id": employee_id,
            "wrapped_key": wrapped,
            "key_id": self.provider.key_id,
            "created_at": datetime.now(UTC),
        }
        dialect = self._engine.dialect.name
        if dialect in ("postgresql", "sqlite"):
            insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
            statement = insert(data_keys).values(**values)
            with self._engine.begin() as connection:
                connection.execute(
                    statement.on_conflict_do_nothing(index_elements=["tenant_id", "employee_id"])
                )
            return
        try:
            with self._engine.begin() as connection:
                connection.execute(data_keys.insert().values(**values))
        except IntegrityError:
            pass  # another request stored the first key; the caller re-reads it


def _lock_for_rotation(connection: Connection) -> None:
    """Block concurrent writers for the rotation, so no key is added with the old master key
    between reading the rows and committing."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("LOCK TABLE vault_data_keys IN SHARE ROW EXCLUSIVE MODE"))
    elif connection.dialect.name == "sqlite":
        # A write statement, even one that touches no row, takes SQLite's write lock at once.
        connection.execute(update(data_keys).where(text("0")).values(key_id=data_keys.c.key_id))


def _sqlite_secure_delete(dbapi_connection: Any, _record: Any) -> None:
    """Overwrite deleted rows with zeros, so a destroyed key cannot be carved out of the file."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()
