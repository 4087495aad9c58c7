"""Forgetting a message's text once it has done its work.

A finished row keeps its key (so it is never sent again), its recipients, its outcome and its
times; its text, blocks and file go after ``HR_PLUGIN_OUTBOX_TEXT_DAYS`` (the scheduler's
``outbox-forget-text`` tick). Only finished rows lose it; a row found without it is cancelled.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, null, select, update
from sqlalchemy.orm import Session

from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.models import OutboxMessage
from hr_plugin.outbox.states import FINISHED


def forget_finished_text(factory: SessionFactory, now: datetime, keep: timedelta, chunk: int = 1000) -> int:
    """Drop the text (and blocks, or file) of rows finished more than ``keep`` ago; how many.

    Why: a sent message has done its work, and its text says who is on leave, returning or
    in a huddle. What stays is what operations need: the key (so it is never sent again), the
    recipients, the outcome and its times. A row is finished when it was sent, or when it
    failed or was cancelled (then its last scheduled time counts). Chunked, so the first run
    over a long history holds no lock for long.
    """
    cutoff = now - keep
    forgotten = 0
    while True:
        with unit_of_work(factory) as session:
            ids = list(
                session.scalars(
                    select(OutboxMessage.id)
                    .where(
                        OutboxMessage.payload.is_not(None),
                        OutboxMessage.not_before < cutoff,
                        OutboxMessage.status.in_(FINISHED),
                        func.coalesce(OutboxMessage.sent_at, OutboxMessage.not_before) < cutoff,
                    )
                    .limit(chunk)
                )
            )
            if not ids:
                return forgotten
            session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(payload=null()))
            session.commit()
        forgotten += len(ids)


def text_forgotten(session: Session) -> int:
    """How many rows no longer hold their text (``forget_finished_text``)."""
    return session.scalar(select(func.count()).where(OutboxMessage.payload.is_(None))) or 0
