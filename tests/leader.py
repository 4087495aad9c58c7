"""Which scheduler process leads, as it records itself (for the failover tests)."""

from __future__ import annotations

from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.models import SchedulerLeader


def leader_pid(factory: SessionFactory) -> int | None:
    with unit_of_work(factory) as session:
        row = session.get(SchedulerLeader, "scheduler")
        return row.pid if row else None
