"""The background process: one elected leader runs a few periodic ticks.

A tick reads due work from the database and writes outbox rows (or drains them); it never
keeps per-person jobs, so APScheduler's job store holds only a handful of rows whose
arguments are tick names, never personal data.

APScheduler 3 cannot share a job store between running schedulers, so only the leader
runs one. Leadership is a PostgreSQL advisory lock held on a dedicated connection (a file
lock on SQLite): when the leader dies its connection closes, the lock is released, and a
standby polling ``pg_try_advisory_lock`` takes over within a poll interval.

Ticks take the clock from their context, so the demo and the tests drive the same ticks
through simulated time with ``TickRunner.run_due``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine, delete, text
from sqlalchemy.pool import NullPool

from hr_plugin.db import unit_of_work
from hr_plugin.models import ProcessedEvent, SchedulerLeader
from hr_plugin.observability import metrics
from hr_plugin.observability.metrics import MetricsServer, serve_metrics
from hr_plugin.observability.outbox_gauges import OutboxGauges
from hr_plugin.outbox import forget_finished_text, recover_expired
from hr_plugin.settings import Settings
from hr_plugin.ticks import Tick, TickContext

log = logging.getLogger(__name__)

ADVISORY_LOCK_KEY = 0x48525F504C5547  # "HR_PLUG": one scheduler leader per database
LEADER_ROW = "scheduler"


def _drain(context: TickContext) -> object:
    return context.drainer.drain(max_seconds=5)


def _recover(context: TickContext) -> object:
    return recover_expired(context.factory, context.clock)


def _prune_events(context: TickContext) -> object:
    cutoff = context.clock.now() - timedelta(days=2)
    with unit_of_work(context.factory) as session:
        removed = session.execute(delete(ProcessedEvent).where(ProcessedEvent.received_at < cutoff))
        session.commit()
    return removed.rowcount  # type: ignore[attr-defined]


def _forget_text(context: TickContext) -> object:
    settings = context.settings or Settings()
    keep = timedelta(days=settings.outbox_text_days)
    return forget_finished_text(context.factory, context.clock.now(), keep)


CORE_TICKS: tuple[Tick, ...] = (
    Tick("outbox-recover", timedelta(seconds=5), _recover),
    Tick("outbox-drain", timedelta(seconds=1), _drain),
    Tick("processed-events-prune", timedelta(hours=1), _prune_events),
    Tick("outbox-forget-text", timedelta(hours=1), _forget_text),
)


def all_ticks() -> list[Tick]:
    """Every tick the product runs: the core's, each feature's in the order of the list, and
    the purge of uninstalled workspaces, which erases each feature's part first (the vault
    shreds the private spaces' keys, so every sealed record is unreadable at once)."""
    from hr_plugin.features import FEATURES
    from hr_plugin.oauth.uninstall import purge_tick

    def erase_first(settings: Settings, tenant_id: str) -> int:
        return sum(erase(settings, tenant_id) for feature in FEATURES for erase in feature.erase_tenant)

    feature_ticks = [tick for feature in FEATURES if feature.ticks for tick in feature.ticks()]
    return [*CORE_TICKS, *feature_ticks, purge_tick(erase_first)]


@dataclass
class TickRunner:
    """Runs ticks by name, and, for simulated time, every tick whose interval has passed."""

    context: TickContext
    ticks: list[Tick] = field(default_factory=all_ticks)
    last_run: dict[str, datetime] = field(default_factory=dict)

    def run(self, name: str) -> object:
        """Run one tick now, timing it (wall time, whatever the context's clock says)."""
        tick = next(t for t in self.ticks if t.name == name)
        self.last_run[name] = self.context.clock.now()
        started = time.perf_counter()
        try:
            return tick.run(self.context)
        except Exception:
            metrics.TICK_FAILURES.labels(tick=name).inc()
            raise
        finally:
            metrics.TICK_SECONDS.labels(tick=name).observe(time.perf_counter() - started)

    def run_logged(self, name: str) -> None:
        """Run one tick; a failure is logged (its type and where, never its text) and the
        tick runs again at its next interval."""
        try:
            self.run(name)
        except Exception:
            log.exception("tick %s failed; it runs again at its next interval", name, extra={"tick": name})

    def run_due(self) -> list[str]:
        """Run each tick whose interval has passed on the context's clock (drain last)."""
        now = self.context.clock.now()
        ran = []
        for tick in sorted(self.ticks, key=lambda t: t.name == "outbox-drain"):
            previous = self.last_run.get(tick.name)
            if previous is None or now - previous >= tick.every:
                self.run(tick.name)
                ran.append(tick.name)
        return ran


# -- leader election ------------------------------------------------------------------


class LeaderLock(Protocol):
    def try_acquire(self) -> bool: ...

    def still_held(self) -> bool: ...

    def release(self) -> None: ...


class PostgresAdvisoryLock:
    """Session-level advisory lock on a connection of its own (not from the app's pool)."""

    def __init__(self, url: str, key: int = ADVISORY_LOCK_KEY) -> None:
        from hr_plugin.db import make_engine

        self._engine = make_engine(url, poolclass=NullPool)
        self._key = key
        self._connection: Any = None

    def try_acquire(self) -> bool:
        try:
            if self._connection is None:
                self._connection = self._engine.connect()
            got = self._connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self._key}).scalar()
            self._connection.commit()
        except Exception as exc:
            log.warning("leader election: database not reachable (%s)", type(exc).__name__)
            self._drop()
            return False
        return bool(got)

    def still_held(self) -> bool:
        if self._connection is None:
            return False
        try:
            held = self._connection.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                    "AND pid = pg_backend_pid() AND objid = :lo AND classid = :hi"
                ),
                {"lo": self._key & 0xFFFFFFFF, "hi": self._key >> 32},
            ).scalar()
            self._connection.commit()
        except Exception:
            self._drop()
            return False
        return bool(held)

    def release(self) -> None:
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self._key})
                self._connection.commit()
            except Exception:
                pass
        self._drop()

    def _drop(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                self._connection.close()
        self._connection = None


class FileLeaderLock:
    """The embedded SQLite default: an OS file lock beside the database file."""

    def __init__(self, path: Path) -> None:
        from filelock import FileLock

        self._lock = FileLock(str(path), mode=0o600)  # anyone who can open it could hold it

    def try_acquire(self) -> bool:
        from filelock import Timeout

        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            return False
        return True

    def still_held(self) -> bool:
        return bool(self._lock.is_locked)

    def release(self) -> None:
        if self._lock.is_locked:
            self._lock.release(force=True)


def leader_lock_for(engine: Engine) -> LeaderLock:
    if engine.dialect.name == "postgresql":
        return PostgresAdvisoryLock(engine.url.render_as_string(hide_password=False))
    database = engine.url.database or "hr_plugin.db"
    return FileLeaderLock(Path(database).with_suffix(".scheduler.lock"))


# -- the process ----------------------------------------------------------------------

_runner: TickRunner | None = None


def run_tick(name: str) -> None:
    """APScheduler's job target: a tick name is all a job carries."""
    if _runner is None:
        raise RuntimeError("the scheduler's tick runner is not set up in this process")
    _runner.run_logged(name)


class SchedulerProcess:
    """Stand by until elected, then lead: run the ticks until the lock is lost or we are stopped.

    A stop (SIGTERM, SIGINT) is graceful: the scheduler starts no new tick; the drain in progress
    finishes the send it is making, records it and hands the rest of its batch back; the
    ticks running finish; then the leader lock is released, so a standby takes over within
    its poll interval instead of waiting for a lease to run out.
    """

    def __init__(
        self,
        engine: Engine,
        context: TickContext,
        *,
        lock: LeaderLock | None = None,
        poll_seconds: float = 1.0,
        ticks: Iterable[Tick] | None = None,
    ) -> None:
        self.engine = engine
        self.context = context
        self.lock = lock or leader_lock_for(engine)
        self.poll_seconds = poll_seconds
        self.ticks = list(ticks) if ticks is not None else all_ticks()
        self.holder = f"{socket.gethostname()}:{os.getpid()}"
        self.stopping = threading.Event()
        self.leading = threading.Event()

    def install_signal_handlers(self) -> None:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: self.stop())

    def stop(self) -> None:
        """Begin a graceful stop (safe to call from a signal handler)."""
        self.stopping.set()
        self.context.drainer.stop()

    def run(self) -> None:
        metrics_server = self._serve_metrics()
        log.info("scheduler %s standing by for leadership", self.holder, extra={"holder": self.holder})
        try:
            while not self.stopping.is_set():
                if self.lock.try_acquire():
                    self._lead()
                else:
                    self.stopping.wait(self.poll_seconds)
        finally:
            self.lock.release()
            log.info("scheduler %s stopped", self.holder, extra={"holder": self.holder})
            if metrics_server is not None:
                metrics_server.stop()

    def _serve_metrics(self) -> MetricsServer | None:
        """``/metrics`` on ``HR_PLUGIN_METRICS_PORT`` when set: leadership, ticks, sends, outbox."""
        settings = self.context.settings
        if settings is None or settings.metrics_port is None:
            return None
        gauges = OutboxGauges(self.context.factory, self.context.clock)
        server = serve_metrics(settings.metrics_port, settings.host, gauges)
        log.info("scheduler metrics on port %s", server.port, extra={"holder": self.holder})
        return server

    def _lead(self) -> None:
        from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
        from apscheduler.schedulers.background import BackgroundScheduler

        global _runner
        _runner = TickRunner(self.context, self.ticks)
        self._record_leadership()
        log.info("scheduler %s is the leader", self.holder, extra={"holder": self.holder})
        self.leading.set()
        metrics.SCHEDULER_LEADER.set(1)
        scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=self.engine)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30},
            timezone="UTC",
        )
        for tick in self.ticks:
            scheduler.add_job(
                run_tick,
                "interval",
                seconds=tick.every.total_seconds(),
                args=[tick.name],
                id=tick.name,
                replace_existing=True,
                next_run_time=self.context.clock.now(),
            )
        scheduler.start()
        try:
            while not self.stopping.wait(self.poll_seconds):
                if not self.lock.still_held():
                    log.error(
                        "scheduler %s lost leadership; stepping down",
                        self.holder,
                        extra={"holder": self.holder},
                    )
                    break
                self._heartbeat()
        finally:
            scheduler.pause()  # start no tick from now on
            scheduler.shutdown(wait=True)  # and wait for the ticks running now
            metrics.SCHEDULER_LEADER.set(0)
            self.leading.clear()

    def _record_leadership(self) -> None:
        now = self.context.clock.now()
        with unit_of_work(self.context.factory) as session:
            row = session.get(SchedulerLeader, LEADER_ROW)
            if row is None:
                session.add(
                    SchedulerLeader(
                        name=LEADER_ROW, holder=self.holder, pid=os.getpid(), since=now, heartbeat_at=now
                    )
                )
            else:
                row.holder, row.pid, row.since, row.heartbeat_at = self.holder, os.getpid(), now, now
            session.commit()

    def _heartbeat(self) -> None:
        try:
            with unit_of_work(self.context.factory) as session:
                row = session.get(SchedulerLeader, LEADER_ROW)
                if row is not None and row.holder == self.holder:
                    row.heartbeat_at = self.context.clock.now()
                    session.commit()
        except Exception as exc:
            log.warning("scheduler heartbeat failed (%s)", type(exc).__name__)
