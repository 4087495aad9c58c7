"""A huddle written straight into the database, for tests about what happens around one."""

from __future__ import annotations

from datetime import datetime, timedelta

from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.directory import find_by_slack_id
from huddles.models import Huddle, HuddleCycle, HuddleMember


def add_huddle(
    factory: SessionFactory, tenant_id: str, now: datetime, *, starts_in: timedelta, members: tuple[str, ...]
) -> int:
    """A one-off huddle of ``members`` (Slack user ids) starting ``starts_in`` after ``now``
    (negative: it has taken place); its id."""
    with unit_of_work(factory) as session:
        cycle = HuddleCycle(tenant_id=tenant_id, month=f"{now:%Y-%m}", planned_at=now)
        session.add(cycle)
        session.flush()
        huddle = Huddle(
            tenant_id=tenant_id,
            cycle_id=cycle.id,
            month=cycle.month,
            series=0,
            start_utc=now + starts_in,
            minutes=30,
        )
        session.add(huddle)
        session.flush()
        huddle.series = huddle.id
        for user_id in members:
            person = find_by_slack_id(session, tenant_id, user_id)
            assert person is not None
            session.add(HuddleMember(tenant_id=tenant_id, huddle_id=huddle.id, employee_id=person.id))
        session.commit()
        return huddle.id
