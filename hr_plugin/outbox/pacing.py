"""The pace of sending: Slack allows about one message per second per channel, and a budget
per workspace.

``OutboxPolicy`` holds the knobs (pacing, and the leases, attempts and backoff of retries). The
pace itself is shared by every drainer through the ``send_pace`` table: one row per workspace
and one per channel, each saying when the next send there may go. ``PaceBook`` reads those rows
once per batch and writes them back as sends are claimed; a ``Retry-After`` pushes the
workspace's row, so every drainer waits it out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hr_plugin.models import OutboxMessage, SendPace


@dataclass(frozen=True)
class OutboxPolicy:
    """Pacing and retry knobs. Slack allows about one message per second per channel."""

    per_channel_interval: timedelta = timedelta(seconds=1)
    workspace_per_minute: int = 300
    lease: timedelta = timedelta(seconds=60)
    max_attempts: int = 8
    batch_size: int = 50
    max_backoff: timedelta = timedelta(minutes=10)

    @property
    def workspace_interval(self) -> timedelta:
        return timedelta(seconds=60 / self.workspace_per_minute)

    def backoff(self, attempt: int) -> timedelta:
        return min(timedelta(seconds=2 ** min(attempt, 20)), self.max_backoff)


class PaceBook:
    """The shared pace table, read once per batch and written back as sends are claimed."""

    def __init__(self, session: Session, now: datetime) -> None:
        self.session = session
        self.now = now
        self._rows: dict[tuple[str, str], SendPace] = {}

    def _row(self, tenant_id: str, key: str) -> SendPace:
        found = self._rows.get((tenant_id, key))
        if found is None:
            found = self.session.scalars(
                select(SendPace).where(SendPace.tenant_id == tenant_id, SendPace.pace_key == key)
            ).first()
            if found is None:
                found = SendPace(tenant_id=tenant_id, pace_key=key, next_at=self.now)
                self.session.add(found)
            self._rows[(tenant_id, key)] = found
        return found

    def next_at(self, tenant_id: str, key: str) -> datetime:
        return self._row(tenant_id, key).next_at

    def push(self, tenant_id: str, key: str, moment: datetime) -> None:
        row = self._row(tenant_id, key)
        row.next_at = max(row.next_at, moment)


def next_slot(slot: datetime, now: datetime, interval: timedelta) -> datetime:
    """When the next send may go, after one that took ``slot`` and was claimed at ``now``.

    One interval after the slot, not after ``now``: a send claimed a little late (the drainer
    woke late, the claim took a few milliseconds) keeps the schedule instead of pushing every
    later send back by its delay, which would make a long fan-out slower than its budget by
    that delay on every message. After a pause longer than an interval the schedule restarts
    from ``now``, so at most one message more than the interval allows goes at once, within
    the short bursts Slack accepts.
    """
    return max(slot + interval, now)


def channel_key(row: OutboxMessage) -> str:
    """The pace key of the conversation a row goes to: the person's DM, or the group's."""
    if row.recipient_user_id:
        return f"dm:{row.recipient_user_id}"
    return "group:" + ",".join(row.conversation_users or [])
