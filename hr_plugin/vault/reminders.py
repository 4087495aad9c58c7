"""The vault's scheduler ticks: weekly reminders at the time each person chose, and retention.

A reminder says nothing about the check-in: the same discreet words every week, whether or
not a signal waits in the private space (signals never cause a message of their own).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hr_plugin import outbox
from hr_plugin.models import Employee
from hr_plugin.slack.blockkit import BlocksJson
from hr_plugin.ticks import Tick, TickContext
from hr_plugin.vault import content
from hr_plugin.vault.models import VaultSpace

OPEN_ACTION, PAUSE_ACTION, STOP_ACTION = "vault.open", "vault.pause", "vault.stop"
RETENTION = timedelta(days=90)
RETENTION_NOTICE = timedelta(days=14)


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


def reminder_blocks() -> BlocksJson:
    def button(label: str, action: str, value: str) -> dict[str, object]:
        return {
            "type": "button",
            "action_id": action,
            "value": value,
            "text": {"type": "plain_text", "text": label},
        }

    blocks: list[dict[str, object]] = [
        {"type": "section", "text": {"type": "plain_text", "text": content.reminder_text()}},
        {
            "type": "actions",
            "block_id": "reflection",
            "elements": [
                {**button("Open", OPEN_ACTION, "reminder"), "style": "primary"},
                button("Pause 2 weeks", PAUSE_ACTION, "2"),
                button("Stop reminders", STOP_ACTION, "stop"),
            ],
        },
    ]
    return BlocksJson(blocks)


def _reminders(context: TickContext) -> object:
    from hr_plugin.db import unit_of_work

    with unit_of_work(context.factory) as session:
        added = enqueue_due_reminders(session, context.clock.now())
        session.commit()
    return added


def retention_tick(vault_for: Callable[[TickContext], Any]) -> Tick:
    def run(context: TickContext) -> object:
        return vault_for(context).retention_pass(RETENTION, RETENTION_NOTICE, _notice)

    return Tick("vault-retention", timedelta(hours=6), run)


def _notice(session: Session, tenant_id: str, employee_id: int, erase_after: datetime, now: datetime) -> None:
    person = session.get(Employee, employee_id)
    if person is None or not person.reachable:
        return
    outbox.enqueue(
        session,
        tenant_id=tenant_id,
        key=f"vault-retention-notice:{tenant_id}:{employee_id}:{erase_after.date().isoformat()}",
        now=now,
        recipient=person.slack_user_id,
        text=content.retention_notice_text(erase_after.date()),
    )


def reminder_tick() -> Tick:
    return Tick("vault-reminders", timedelta(minutes=5), _reminders)
