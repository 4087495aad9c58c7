"""Engine, sessions and schema upgrades.

The embedded SQLite default upgrades itself when the app starts, so a first run needs no
extra step; PostgreSQL is upgraded by ``hr-plugin db upgrade`` (a deploy step, run once, not
by every replica racing at start). Processes that start together on one SQLite file (``serve``
and a scheduler, say) take turns through a file lock beside it, so one migrates and the others
find the work done.

A SQLite database is a file of personal data (names, emails, who reports to whom, sealed
check-ins), so it is made readable by its owner alone, whatever the umask, and so are the
journals SQLite keeps beside it.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
import time
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, cast

from sqlalchemy import ColumnElement, Connection, CursorResult, Engine, create_engine, event, literal, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import QueryableAttribute, Session, sessionmaker

if TYPE_CHECKING:
    from alembic.config import Config

SessionFactory = sessionmaker[Session]

log = logging.getLogger(__name__)

PRIVATE_MODE = 0o600
# What SQLite keeps beside a database: the write-ahead log and its shared-memory index (WAL, the
# mode the app sets) and the rollback journal (before WAL is set, and for other tools).
JOURNAL_SUFFIXES = ("-wal", "-shm", "-journal")
# Beside a SQLite database: held while its schema is upgraded, so processes migrate one at a time.
MIGRATION_LOCK = ".migrate.lock"


class SchemaNotReady(RuntimeError):
    """PostgreSQL's schema is not the one this code needs: ``hr-plugin db upgrade`` first."""


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def normalise_url(url: str) -> str:
    """Let people write ``postgresql://`` and still get the psycopg 3 driver we ship."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = normalise_url(url)
    if is_sqlite(url):
        if url in ("sqlite://", "sqlite:///:memory:"):  # one connection a thread: no pool size
            kwargs.pop("pool_size", None)
            kwargs.pop("max_overflow", None)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)
        path = sqlite_file(engine)
        if path is not None:
            event.listen(engine, "do_connect", _keep_private_before_connecting(path))
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    if "poolclass" not in kwargs:
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 10)
    return create_engine(url, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the web process read while the scheduler writes; foreign keys are off by default.
    _write_ahead_log(cursor)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


WAL_ATTEMPTS = 10


def _write_ahead_log(cursor: Any) -> None:
    """Set WAL mode. Switching a new file to it takes a lock SQLite does not wait for, busy
    timeout or not: a process opening the file while another switches it (a scheduler starting
    beside ``serve`` on a new folder) is told "database is locked" at once. It looks again,
    briefly; the mode lasts in the file, so once one has switched it the others find it set."""
    for attempt in range(1, WAL_ATTEMPTS + 1):
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == WAL_ATTEMPTS:
                raise
            time.sleep(0.02 * attempt)


def sqlite_file(engine: Engine) -> Path | None:
    """The file a SQLite engine opens; None for an in-memory database or a ``file:`` URI (which
    SQLite resolves itself; the app never writes one)."""
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def _keep_private_before_connecting(path: Path) -> Any:
    """A ``do_connect`` listener: the file is made private before SQLite opens (or creates) it."""

    def before_connecting(*_args: Any) -> None:
        keep_private(path)

    return before_connecting


def keep_private(path: Path) -> None:
    """Create the database file ``PRIVATE_MODE`` before SQLite would (0644 less the umask), and
    narrow it and its journals if they are open to others.

    SQLite gives the journals it creates the database file's mode (``tests/integration/test_db_files.py``
    checks this build does), so a private database keeps private journals. A file found wider
    (made by an older version, or copied in) is narrowed and the change logged rather than left
    alone: it holds personal data, and nothing but this app, as the file's owner, has reason to
    read it (a backup runs as that user or as root). One this process may not narrow (another
    user's) is logged and used as it is.
    """
    try:
        created = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, PRIVATE_MODE)
    except FileExistsError:
        pass
    except OSError:
        return  # a missing folder, say: SQLite says so in its own words when it opens the file
    else:
        try:
            os.fchmod(created, PRIVATE_MODE)  # a umask may have taken the owner's bits too
        finally:
            os.close(created)
    for file in (path, *(path.with_name(path.name + suffix) for suffix in JOURNAL_SUFFIXES)):
        _narrow(file)


def _narrow(file: Path) -> None:
    """Take the group's and everyone's bits off ``file`` if it has any (and exists)."""
    try:
        mode = stat.S_IMODE(file.stat().st_mode)
    except FileNotFoundError:
        return
    if not mode & 0o077:
        return
    try:
        os.chmod(file, mode & 0o700)
    except OSError as exc:
        log.warning(
            "%s is open to other users (mode %o) and cannot be narrowed: %s", file, mode, exc.strerror
        )
        return
    log.warning("%s was open to other users (mode %o); it is now %o", file, mode, mode & 0o700)


def file_lock(engine: Engine, suffix: str) -> AbstractContextManager[object]:
    """An OS file lock beside a SQLite database file (``suffix`` replaces its extension), for
    work that processes on one machine must do one at a time; nothing to lock for another
    database or an in-memory one (one process). The lock file is private too: anyone who can
    open it can hold the lock."""
    path = sqlite_file(engine)
    if path is None:
        return nullcontext()
    from filelock import FileLock

    return FileLock(str(path.with_suffix(suffix)), mode=PRIVATE_MODE)


def make_session_factory(engine: Engine) -> SessionFactory:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def unit_of_work(factory: SessionFactory) -> Iterator[Session]:
    """One transaction: the caller commits explicitly; anything not committed is rolled back.

    Closing (rather than rolling back first) leaves loaded objects readable after the block.
    """
    session = factory()
    try:
        yield session
    finally:
        session.close()


# SQLAlchemy's isolation level for a connection without transactions (``autocommit_connection``).
AUTOCOMMIT: Final = "AUTOCOMMIT"


def autocommit_connection(factory: SessionFactory) -> Connection:
    """A connection of the factory's engine on which each statement is a transaction of its
    own: no BEGIN goes before it and no COMMIT or ROLLBACK after it, two round trips fewer
    around a single statement (measured with strace: 4 messages to PostgreSQL for a read on a
    plain connection, the pool's ping included, against 2).

    For reads that need no transaction, and for a write that is one statement (an event's
    claim). Reads lose no consistency by it on PostgreSQL: under its READ COMMITTED each
    statement of a transaction takes its own snapshot anyway."""
    engine: Engine = factory.kw["bind"]
    return engine.connect().execution_options(isolation_level=AUTOCOMMIT)


def in_autocommit(connection: Connection) -> bool:
    """Whether ``connection`` runs each statement as its own transaction
    (``autocommit_connection``): nothing waits there to be committed with anything else."""
    return bool(connection.get_execution_options().get("isolation_level") == AUTOCOMMIT)


@contextmanager
def autocommit(factory: SessionFactory) -> Iterator[Session]:
    """A session on an ``autocommit_connection``, for reading. It never flushes on its own, so
    an object changed by mistake while reading is never written; it is dropped at the end."""
    with autocommit_connection(factory) as connection:
        session = factory(bind=connection, autoflush=False)
        try:
            yield session
        finally:
            session.close()


def one_of(
    column: ColumnElement[Any] | QueryableAttribute[Any], values: Iterable[Any]
) -> ColumnElement[bool]:
    """``column IN (...)`` with a bound value of its own for each of ``values``, for a statement
    built once and run often. ``column.in_(values)`` binds the list as one expanding parameter,
    which SQLAlchemy writes into the statement's text anew at every execution."""
    return column.in_([literal(value, column.type) for value in values])


def alembic_config(engine: Engine) -> Config:
    # Alembic is imported here, not with the module: a process whose schema is already at head
    # (every web worker) never loads it (hr_plugin.migrations.head_revision).
    from alembic.config import Config

    from hr_plugin.migrations import script_location

    config = Config()
    config.set_main_option("script_location", script_location())
    config.attributes["connection"] = None
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (idempotent). On SQLite under the migration lock: Alembic
    reads the version inside, so a process that waited for another finds nothing left to do."""
    from alembic import command

    with file_lock(engine, MIGRATION_LOCK), engine.begin() as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        try:
            row = connection.execute(text("SELECT version_num FROM alembic_version")).first()
        except Exception:
            return None
    return row[0] if row else None


def prepare(engine: Engine) -> None:
    """Upgrade the embedded SQLite default on start; PostgreSQL must already be upgraded.

    On SQLite a schema already at head is only read (every web worker prepares, after ``serve``
    migrated once before starting them); otherwise it is upgraded under the migration lock.
    Without the lock two processes starting on a new file both saw no table and both created it
    (``table ... already exists``).
    """
    from hr_plugin.migrations import head_revision

    head = head_revision()
    found = current_revision(engine)
    if found == head:
        return
    if engine.dialect.name == "sqlite":
        upgrade(engine)
        return
    raise SchemaNotReady(
        f"the database schema is at {found or 'nothing'}, the app needs {head}: "
        "run `hr-plugin db upgrade` first"
    )


def ping(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


def _on_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _insert(session: Session) -> Any:
    """The dialect's INSERT, the one with ``on_conflict_do_nothing``."""
    return postgresql.insert if _on_postgres(session) else sqlite.insert


def insert_if_absent(session: Session, model: Any, values: dict[str, Any], unique: list[str]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING on ``unique``; True when a row was really added.

    ``RETURNING`` tells the two outcomes apart on every backend (an ORM-level rowcount
    does not), which is what idempotency keys and event deduplication rely on.
    """
    table = model.__table__
    statement = _insert(session)(table).values(**values).on_conflict_do_nothing(index_elements=unique)
    added = session.execute(statement.returning(*table.primary_key.columns)).first()
    return added is not None


def insert_many_if_absent(
    session: Session, model: Any, rows: list[dict[str, Any]], unique: list[str], *, chunk: int = 5_000
) -> int:
    """``insert_if_absent`` for many rows: how many were really added.

    One INSERT ... ON CONFLICT DO NOTHING executed for every row in a single DBAPI
    ``executemany`` per chunk (psycopg sends them pipelined), counted by the driver's summed
    row count. ``RETURNING`` is left out on purpose: with it SQLAlchemy builds one huge
    multi-row statement per thousand rows, which psycopg then spends seconds parsing. A key
    repeated within ``rows`` is added once.
    """
    if not rows:
        return 0
    statement = (
        _insert(session)(model.__table__)
        .on_conflict_do_nothing(index_elements=unique)
        .execution_options(preserve_rowcount=True)
    )
    added = 0
    for start in range(0, len(rows), chunk):
        result = session.execute(statement, rows[start : start + chunk])
        added += cast(CursorResult[Any], result).rowcount
    return added
