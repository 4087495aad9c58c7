"""Due-work ticks: 50,000 weekly check-in reminders falling due in the same minute.

The tenant holds ``people`` employees; ``due`` of them chose a reminder that falls due in the
same UTC minute (each in their own time zone: 12:00 in London is 07:00 in New York and 17:30
in Kolkata), and a further tenth chose another day, so the tick has rows to pass over. The
timed call is the vault's real reminder tick (``hr_plugin.vault.ticks()``, the one the
scheduler runs every five minutes) on PostgreSQL: it reads who is due and writes one outbox
row each under its idempotency key. Then the same tick runs again within the minute, as the
next tick does: nothing more may be enqueued, and its time is reported too.

Between runs the outbox is emptied, so every run enqueues all of them. The reminder
schedules are loaded in bulk (the same rows ``Vault.set_reminder`` writes); the key store is
not involved, since a reminder carries nothing private.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, select, text

from bench.company import load_company, load_reminder_schedules
from bench.database import analyse, bench_url, fresh_schema, skipped_without_postgres
from bench.report import Line, ScenarioResult, median
from hr_plugin.clock import SimulatedClock
from hr_plugin.db import make_session_factory, unit_of_work
from hr_plugin.models import OutboxMessage

TENANT = "T0BENCH"
# A Wednesday, noon in London: the minute every due reminder falls in.
DUE_AT = datetime(2026, 11, 25, 12, 0, 30, tzinfo=UTC)
TARGET_SECONDS = 30.0


def scenario(quick: bool, runs: int) -> ScenarioResult:
    result = ScenarioResult("due_reminders")
    url = bench_url()
    if skipped_without_postgres(result, url, "due reminders enqueued (PostgreSQL)"):
        return result
    due = 50_000
    people = due + due // 10
    engine = fresh_schema(url)
    try:
        factory = make_session_factory(engine)
        started = time.perf_counter()
        load_company(engine, factory, TENANT, people, DUE_AT)
        load_reminder_schedules(engine, TENANT, people, due, DUE_AT)
        analyse(engine)
        print(
            f"  seeded {people:,} employees, {people:,} reminder schedules in "
            f"{time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )
        tick = _reminder_tick()
        first: list[float] = []
        again: list[float] = []
        added: list[Any] = []
        for _ in range(runs):
            _empty_outbox(engine)
            clock = SimulatedClock(DUE_AT)
            began = time.perf_counter()
            added.append(tick.run(_context(factory, clock)))
            first.append(time.perf_counter() - began)
            began = time.perf_counter()
            repeat = tick.run(_context(factory, clock))
            again.append(time.perf_counter() - began)
            rows, keys = _outbox_counts(engine)
            if repeat != 0 or rows != due or keys != due:
                result.status = "failed"
                result.note = (
                    f"expected {due} rows once each; first tick {added[-1]}, again {repeat}, rows {rows}"
                )
        seconds = median(first)
        result.lines.append(
            Line(
                f"{due:,} due reminders enqueued (PostgreSQL)",
                f"{seconds:.2f} s ({due / seconds:,.0f}/s)",
                f"limit {TARGET_SECONDS:.0f} s; next tick in the same minute {median(again):.2f} s, adds 0",
                f"< {TARGET_SECONDS:.0f} s",
                seconds < TARGET_SECONDS and result.status != "failed",
            )
        )
        result.data = {
            "employees": people,
            "due": due,
            "first_tick_seconds": first,
            "repeat_tick_seconds": again,
            "enqueued_per_run": added,
            "target_seconds": TARGET_SECONDS,
            "database": "postgresql",
        }
    finally:
        engine.dispose()
    return result


def _reminder_tick() -> Any:
    from hr_plugin import vault

    return next(tick for tick in vault.ticks() if tick.name == "vault-reminders")


def _context(factory: Any, clock: SimulatedClock) -> Any:
    from hr_plugin.ticks import TickContext

    # The reminder tick only enqueues; it never touches the drainer.
    return TickContext(factory, clock, drainer=None)  # type: ignore[arg-type]


def _empty_outbox(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM outbox"))
    analyse(engine)


def _outbox_counts(engine: Engine) -> tuple[int, int]:
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        rows = session.scalar(select(func.count()).select_from(OutboxMessage)) or 0
        keys = session.scalar(select(func.count(func.distinct(OutboxMessage.idempotency_key)))) or 0
    return int(rows), int(keys)
