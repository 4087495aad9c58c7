"""Shared fixtures: a real, migrated database per test, a simulated clock.

The suite runs on the embedded SQLite by default and on PostgreSQL when
``HR_PLUGIN_TEST_DATABASE_URL`` names one (CI runs both).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from hr_plugin.clock import SimulatedClock
from hr_plugin.db import SessionFactory, make_engine, make_session_factory, normalise_url, upgrade

POSTGRES_URL = os.environ.get("HR_PLUGIN_TEST_DATABASE_URL")

# A Monday morning in London, inside working hours.
START = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def on_postgres() -> bool:
    return bool(POSTGRES_URL) and normalise_url(POSTGRES_URL or "").startswith("postgresql")


@pytest.fixture(scope="session")
def _postgres_engine() -> Iterator[Engine | None]:
    if not on_postgres():
        yield None
        return
    engine = make_engine(POSTGRES_URL or "")
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated once per session; each test starts from a copy of it.

    Why: upgrading a new file from nothing costs about 0.6 s of CPU, a copy about a millisecond,
    and the suite asks for a database about a thousand times. ``engine`` still upgrades its copy
    (finding it at head), so a test sees the same schema as before.
    """
    path = tmp_path_factory.mktemp("schema") / "migrated.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture
def database_url(tmp_path: Path, _postgres_engine: Engine | None, _sqlite_template: Path) -> str:
    if _postgres_engine is not None:
        _truncate_all(_postgres_engine)
        return _postgres_engine.url.render_as_string(hide_password=False)
    target = tmp_path / "test.db"
    shutil.copyfile(_sqlite_template, target)
    target.chmod(0o600)  # as the app makes its own files: private to their owner
    return f"sqlite:///{target}"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> SessionFactory:
    return make_session_factory(engine)


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(START)


def _truncate_all(engine: Engine) -> None:
    with engine.begin() as connection:
        names = [
            row[0]
            for row in connection.execute(
                text(
                    "SELECT tablename FROM pg_tables "
                    "WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
                )
            )
        ]
        if names:
            connection.execute(text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))
