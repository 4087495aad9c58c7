"""The benchmark's own PostgreSQL database.

``HR_PLUGIN_BENCH_DATABASE_URL`` names it (default ``postgresql://postgres@127.0.0.1:5432/bench``).
Every scenario that uses it starts from an empty schema, so never point this at a database
that holds anything you want: the benchmark drops its ``public`` schema.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine, text

from bench.report import SKIPPED, Line, ScenarioResult
from hr_plugin.db import make_engine, normalise_url, upgrade

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/bench"
ENVIRONMENT = "HR_PLUGIN_BENCH_DATABASE_URL"


def bench_url() -> str:
    return os.environ.get(ENVIRONMENT) or DEFAULT_URL


def skipped_without_postgres(result: ScenarioResult, url: str, what: str) -> bool:
    """Mark ``result`` skipped, with a line saying why, when PostgreSQL at ``url`` is unreachable."""
    reason = unreachable(url)
    if reason:
        result.status, result.note = SKIPPED, reason
        result.lines.append(Line(what, "skipped", reason))
    return reason is not None


def unreachable(url: str) -> str | None:
    """Why PostgreSQL at ``url`` cannot be used, or None when it can."""
    if not normalise_url(url).startswith("postgresql"):
        return f"{ENVIRONMENT} is not a PostgreSQL URL"
    import psycopg

    plain = normalise_url(url).replace("postgresql+psycopg://", "postgresql://")
    try:
        with psycopg.connect(plain, connect_timeout=5) as connection:
            connection.execute("SELECT 1")
    except Exception as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"PostgreSQL unreachable at {_without_password(url)} ({first})"
    return None


def fresh_schema(url: str, **engine_options: object) -> Engine:
    """An engine on an empty, fully migrated schema."""
    engine = make_engine(url, **engine_options)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    return engine


def analyse(engine: Engine) -> None:
    """Fresh statistics after a bulk load, as autovacuum would give a live database."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))


def _without_password(url: str) -> str:
    head, at, tail = url.rpartition("@")
    if not at or ":" not in head.split("//", 1)[-1]:
        return url
    scheme, _, credentials = head.partition("//")
    return f"{scheme}//{credentials.split(':', 1)[0]}:***@{tail}"


@contextlib.contextmanager
def postgres_or_sqlite(prefix: str) -> Iterator[tuple[str, str]]:
    """PostgreSQL when reachable (as deployed), its schema made afresh, else a SQLite file in a
    temporary folder named with ``prefix``; yields (url, "postgresql" or "sqlite").
    ``python -m bench --require-peers`` refuses to start without PostgreSQL instead."""
    url = bench_url()
    if unreachable(url) is None:
        fresh_schema(url).dispose()
        yield url, "postgresql"
        return
    with tempfile.TemporaryDirectory(prefix=prefix) as folder:
        yield f"sqlite:///{Path(folder) / 'bench.db'}", "sqlite"


def missing_peers() -> list[str]:
    """What ``--require-peers`` needs and this machine lacks: PostgreSQL (the database every
    request scenario and its peers run on) and OR-Tools (the matcher's peer)."""
    missing = []
    reason = unreachable(bench_url())
    if reason:
        missing.append(f"PostgreSQL: {reason}")
    if importlib.util.find_spec("ortools") is None:
        missing.append("OR-Tools: not installed (pip install -e '.[dev,bench]')")
    return missing
