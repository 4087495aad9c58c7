"""Engine, sessions and schema upgrades.

The embedded SQLite default upgrades itself when the app starts, so a first run needs no
extra step; PostgreSQL is upgraded by ``hr-plugin db upgrade`` (a deploy step, run once, not
by every replica racing at start).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any, cast

from alembic import command
from alembic.config import Config
from sqlalchemy import CursorResult, Engine, create_engine, event, func, literal, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

SessionFactory = sessionmaker[Session]


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
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)
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
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


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


def alembic_config(engine: Engine) -> Config:
    script_location = str(Path(str(resources.files("hr_plugin") / "migrations")))
    config = Config()
    config.set_main_option("script_location", script_location)
    config.attributes["connection"] = None
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (idempotent)."""
    with engine.begin() as connection:
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
    """Upgrade the embedded SQLite default on start; PostgreSQL must already be upgraded."""
    if engine.dialect.name == "sqlite":
        upgrade(engine)
        return
    from hr_plugin.migrations import head_revision

    found = current_revision(engine)
    if found != head_revision():
        raise RuntimeError(
            f"the database schema is at {found or 'nothing'}, the app needs {head_revision()}: "
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


def claim_without_waiting_for_disk(
    session: Session, model: Any, values: dict[str, Any], unique: list[str]
) -> bool:
    """``insert_if_absent``, committed without waiting for the write-ahead log to reach the
    disk (PostgreSQL; SQLite commits as usual). True when the row was really added.

    For rows whose loss in a database crash costs nothing worse than one repeated effect Slack's
    own rules already allow, and that sit on the acknowledgement path, where waiting for the
    disk (about a millisecond a commit here) is time Slack waits too. The commit is still
    atomic and seen by everyone at once; only the last fraction of a second before a crash can
    be lost. Never for anything a person entered or was promised.

    On PostgreSQL the setting rides in the INSERT itself (``set_config`` in a CTE, the same as
    ``SET LOCAL``), so the claim costs one round trip, not two.
    """
    if not _on_postgres(session):
        added = insert_if_absent(session, model, values, unique)
        session.commit()
        return added
    table = model.__table__
    no_wait = select(func.set_config("synchronous_commit", "off", True).label("setting")).cte("no_wait")
    names = list(values)
    row = select(*(literal(values[name], table.c[name].type) for name in names)).select_from(no_wait)
    statement = (
        postgresql.insert(table)
        .from_select(names, row)
        .on_conflict_do_nothing(index_elements=unique)
        .returning(*table.primary_key.columns)
    )
    added = session.execute(statement).first() is not None
    session.commit()
    return added
