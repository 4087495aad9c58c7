"""The states an outbox row moves through, and what the queue holds in each.

A row goes ``pending -> in_flight -> sent``, or ends ``failed`` (its error kept) or
``cancelled`` (withdrawn, or the person left or was deactivated). Nothing is dropped silently.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hr_plugin.models import OutboxMessage

PENDING, IN_FLIGHT, SENT, FAILED, CANCELLED = "pending", "in_flight", "sent", "failed", "cancelled"

FINISHED = (SENT, FAILED, CANCELLED)


def next_due(session: Session, after: datetime | None = None) -> datetime | None:
    """When the earliest waiting message falls due (the demo moves its clock to it); with
    ``after``, the earliest of those not yet due then."""
    query = select(func.min(OutboxMessage.not_before)).where(OutboxMessage.status == PENDING)
    if after is not None:
        query = query.where(OutboxMessage.not_before > after)
    return session.scalar(query)


def depth(session: Session) -> dict[str, int]:
    """How many rows are in each state (for health, metrics and the demo)."""
    rows = session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
    return {status: count for status, count in rows}
