"""The weekly reminder: its schedule, chosen by the person, paused or stopped by them, and the
reminders due written to the outbox.

The day and time are plaintext, beside the sealed records: the scheduler needs them to send
on time. The reminder itself says nothing about the check-in (``messages.reminder_blocks``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hr_plugin import outbox
from hr_plugin.clock import Clock
from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.models import Employee
from hr_plugin.vault import content
from hr_plugin.vault.messages import reminder_blocks
from hr_plugin.vault.models import VaultSpace
from hr_plugin.vault.service._common import VaultBase
from hr_plugin.vault.values import ModalToken, VaultError


class Reminders(VaultBase):
    """The part of ``Vault`` that keeps a person's reminder schedule."""

    def set_reminder(
        self,
        tenant_id: str,
        user_id: str,
        weekday: int | None,
        at: str | None,
        *,
        token: ModalToken | None = None,
    ) -> None:
        if weekday is None or not 0 <= weekday <= 6:
            raise VaultError("Pick a day.", "weekday")
        if not at or len(at) != 5 or at[2] != ":":
            raise VaultError("Pick a time.", "time")
        with unit_of_work(self.factory) as session:
            self._spend(session, tenant_id, user_id, token)
            space = self._own_space(session, tenant_id, user_id)
            space.reminder_weekday, space.reminder_time = weekday, at
            space.reminders_stopped, space.reminders_paused_until = False, None
            session.commit()

    def pause_reminders(self, tenant_id: str, user_id: str, weeks: int = 2) -> date:
        with unit_of_work(self.factory) as session:
            space = self._own_space(session, tenant_id, user_id)
            until = self.clock.now().date() + timedelta(weeks=weeks)
            space.reminders_paused_until = until
            session.commit()
            return until

    def stop_reminders(self, tenant_id: str, user_id: str) -> None:
        with unit_of_work(self.factory) as session:
            space = self._own_space(session, tenant_id, user_id)
            space.reminders_stopped = True
            session.commit()

    def reminder_settings(
        self, tenant_id: str, user_id: str
    ) -> tuple[int | None, str | None, bool, date | None]:
        with unit_of_work(self.factory) as session:
            space = self._own_space(session, tenant_id, user_id)
            return (
                space.reminder_weekday,
                space.reminder_time,
                space.reminders_stopped,
                space.reminders_paused_until,
            )


def enqueue_due_reminders(session: Session, now: datetime) -> int:
    """Write this week's reminder for everyone whose chosen local day and time have come.

    One query reads the schedules of reachable people (the columns needed, not whole rows),
    local time is worked out once per time zone, and the reminders go in with one bulk
    insert: 50,000 people due in the same minute take seconds, not minutes. Keys already
    written this week are skipped by the outbox's unique constraint, as before.
    """
    rows = session.execute(
        select(
            VaultSpace.tenant_id,
            VaultSpace.reminder_weekday,
            VaultSpace.reminder_time,
            VaultSpace.reminders_paused_until,
            Employee.id,
            Employee.slack_user_id,
            Employee.timezone,
        )
        .join(Employee, Employee.id == VaultSpace.employee_id)
        .where(
            VaultSpace.reminder_weekday.is_not(None),
            VaultSpace.reminder_time.is_not(None),
            VaultSpace.reminders_stopped.is_(False),
            Employee.reachable,
        )
    ).all()
    local_now: dict[str, datetime] = {}
    text, blocks = content.reminder_text(), reminder_blocks()
    due: list[outbox.Outgoing] = []
    for tenant_id, weekday, at, paused_until, employee_id, user_id, zone in rows:
        local = local_now.get(zone)
        if local is None:
            local = local_now[zone] = now.astimezone(ZoneInfo(zone))
        if paused_until is not None and local.date() < paused_until:
            continue
        if local.weekday() != weekday or local.strftime("%H:%M") < str(at):
            continue
        year, week, _ = local.isocalendar()
        due.append(
            outbox.Outgoing(
                tenant_id=tenant_id,
                key=f"checkin-reminder:{tenant_id}:{employee_id}:{year}-W{week:02d}",
                recipient=user_id,
                text=text,
                blocks=blocks,
                solicited=True,  # a reminder at a time the person chose is sent on time
            )
        )
    return outbox.enqueue_many(session, due, now=now)


def send_due_reminders(factory: SessionFactory, clock: Clock) -> int:
    """The reminder tick's one transaction: this week's reminders due now, written to the outbox."""
    with unit_of_work(factory) as session:
        added = enqueue_due_reminders(session, clock.now())
        session.commit()
    return added
