"""Slack retries an event it thinks we missed (up to 3 times); each ``event_id`` counts once."""

from __future__ import annotations

from datetime import datetime

from hr_plugin.db import SessionFactory, insert_if_absent, unit_of_work
from hr_plugin.models import ProcessedEvent


def claim_event(factory: SessionFactory, tenant_id: str, event_id: str, now: datetime) -> bool:
    """True the first time an event id is seen for a tenant, False for every retry of it."""
    with unit_of_work(factory) as session:
        first = insert_if_absent(
            session,
            ProcessedEvent,
            {"tenant_id": tenant_id, "event_id": event_id, "received_at": now},
            ["tenant_id", "event_id"],
        )
        session.commit()
    return first
