"""A synthetic company: the rows HR's directory import would write, loaded in bulk.

Person ``i`` (0-based) reports to person ``(i - 1) // FAN_OUT``, so the org is a tree about
six levels deep for 100,000 people; departments, countries and time zones come from fixed
lists. Names are made up (``Person 000042``) and every person has a Slack id.

Two ways in. ``import_company`` is HR's own path (the CSV through ``import_directory``,
offline since the file carries the Slack ids); it takes about 47 s for 100,000 people on the
machine in the README. ``load_company`` writes the same rows with bulk INSERTs in a few
seconds; the scenarios that need a large tenant use it, because what they measure is the
work on top of the directory, not the import.
"""

from __future__ import annotations

import io
import random
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, insert, text

from hr_plugin.clock import Clock
from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.directory import ImportReport, import_directory, parse_directory_csv
from hr_plugin.models import Employee
from hr_plugin.tenants import ensure_tenant

FAN_OUT = 8
DEPARTMENTS = (
    "Engineering",
    "Sales",
    "Support",
    "Finance",
    "People",
    "Marketing",
    "Legal",
    "Operations",
    "Design",
    "Research",
    "Product",
    "Security",
)
# (country, subdivision, time zone, weight)
PLACES: tuple[tuple[str, str, str, int], ...] = (
    ("GB", "ENG", "Europe/London", 10),
    ("DE", "BE", "Europe/Berlin", 6),
    ("FR", "", "Europe/Paris", 4),
    ("IE", "", "Europe/Dublin", 2),
    ("US", "NY", "America/New_York", 8),
    ("US", "CA", "America/Los_Angeles", 5),
    ("IN", "", "Asia/Kolkata", 6),
    ("SG", "", "Asia/Singapore", 2),
    ("AU", "NSW", "Australia/Sydney", 2),
    ("BR", "", "America/Sao_Paulo", 2),
)


def user_id(index: int) -> str:
    return f"U{index:08d}"


def email(index: int) -> str:
    return f"person{index:06d}@example.com"


def place(index: int, seed: int = 1) -> tuple[str, str, str]:
    """The country, subdivision and time zone of person ``index`` (stable for a seed)."""
    rng = random.Random(seed * 1_000_003 + index)
    country, subdivision, zone, _ = rng.choices(PLACES, weights=[p[3] for p in PLACES])[0]
    return country, subdivision, zone


def directory_csv(size: int, seed: int = 1) -> str:
    """The HRIS export of a company of ``size`` people."""
    out = io.StringIO()
    out.write("email,name,manager_email,department,country,subdivision,timezone,slack_user_id\n")
    for index in range(size):
        manager = email((index - 1) // FAN_OUT) if index else ""
        country, subdivision, zone = place(index, seed)
        department = DEPARTMENTS[index % len(DEPARTMENTS)]
        out.write(
            f"{email(index)},Person {index:06d},{manager},{department},{country},{subdivision},"
            f"{zone},{user_id(index)}\n"
        )
    return out.getvalue()


def import_company(
    factory: SessionFactory, clock: Clock, tenant_id: str, size: int, seed: int = 1
) -> ImportReport:
    """Import the company through the real directory import (offline: ids come from the file)."""
    rows = parse_directory_csv(directory_csv(size, seed))
    return import_directory(
        factory, tenant_id=tenant_id, rows=rows, slack=None, clock=clock, full=True, actor="bench"
    )


def load_company(
    engine: Engine, factory: SessionFactory, tenant_id: str, size: int, now: datetime, seed: int = 1
) -> None:
    """Write the company's rows with bulk INSERTs into an empty ``employees`` table.

    The rows are what ``import_company`` writes for the same file (ids 1..size in file
    order, managers by id, the import's defaults for working days and hours).
    """
    with unit_of_work(factory) as session:
        ensure_tenant(session, tenant_id, now)
        session.commit()

    def employees() -> Iterator[dict[str, Any]]:
        for index in range(size):
            country, subdivision, zone = place(index, seed)
            yield (
                {
                    "id": index + 1,
                    "tenant_id": tenant_id,
                    "email": email(index),
                    "name": f"Person {index:06d}",
                    "slack_user_id": user_id(index),
                    "timezone": zone,
                    "working_days": "0,1,2,3,4",
                    "work_start": "09:00",
                    "work_end": "17:00",
                    "country": country,
                    "subdivision": subdivision or None,
                    "department": DEPARTMENTS[index % len(DEPARTMENTS)],
                    "manager_id": (index - 1) // FAN_OUT + 1 if index else None,
                    "active": True,
                    "slack_deactivated": False,
                    "left_at": None,
                    "created_at": now,
                    "updated_at": now,
                }
            )

    with engine.begin() as connection:
        insert_in_chunks(connection, Employee, employees())
        if engine.dialect.name == "postgresql":
            connection.execute(
                text("SELECT setval(pg_get_serial_sequence('employees', 'id'), :n)"), {"n": size}
            )


def load_reminder_schedules(engine: Engine, tenant_id: str, people: int, due: int, at: datetime) -> None:
    """A weekly check-in reminder for each of the first ``people`` (employee ids 1..people).

    The first ``due`` chose the local day and minute that ``at`` is where they live, so all
    of them fall due in the same minute; the rest chose two days later. These are the rows
    ``Vault.set_reminder`` writes (the schedule is the vault's only plaintext).
    """
    from hr_plugin.vault.models import VaultSpace

    def spaces() -> Iterator[dict[str, Any]]:
        for index in range(people):
            _, _, zone = place(index)
            local = at.astimezone(ZoneInfo(zone))
            yield (
                {
                    "tenant_id": tenant_id,
                    "employee_id": index + 1,
                    "consented_at": at - timedelta(days=30),
                    "reminder_weekday": local.weekday() if index < due else (local.weekday() + 2) % 7,
                    "reminder_time": local.strftime("%H:%M"),
                    "reminders_paused_until": None,
                    "reminders_stopped": False,
                    "erase_after": None,
                    "erase_notice_sent": False,
                }
            )

    with engine.begin() as connection:
        insert_in_chunks(connection, VaultSpace, spaces())


def insert_in_chunks(connection: Connection, model: Any, rows: Iterable[dict[str, Any]]) -> None:
    """Bulk INSERTs of 5,000 rows at a time: the company never sits in memory as one list."""
    rows = iter(rows)
    while chunk := list(islice(rows, 5_000)):
        connection.execute(insert(model), chunk)


def add_to_fake(fake: object, indexes: Sequence[int], seed: int = 1) -> None:
    """Make these people members of the fake Slack workspace (views.publish checks they exist)."""
    for index in indexes:
        _, _, zone = place(index, seed)
        fake.add_user(  # type: ignore[attr-defined]
            user_id(index),
            name=f"person{index:06d}",
            real_name=f"Person {index:06d}",
            email=email(index),
            tz=zone,
        )
