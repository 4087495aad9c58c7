"""Slack retries an event it thinks we missed (up to 3 times); each ``event_id`` counts once.
And a signed request sent again byte for byte (a replay) is recognised by its signature.
"""

from __future__ import annotations

from datetime import datetime

from hr_plugin.db import SessionFactory, claim_without_waiting_for_disk, unit_of_work
from hr_plugin.models import ProcessedEvent


def claim_event(factory: SessionFactory, tenant_id: str, event_id: str, now: datetime) -> bool:
    """True the first time an event id is seen for a tenant, False for every retry of it.

    The claim is on the acknowledgement path, so it does not wait for the disk: a database
    crash could forget the last fraction of a second of claims, and a retry of one of those
    would be handled again. Every event handled is idempotent (a Home published again, a
    workspace's tokens purged again), and messages carry their own idempotency keys in the
    outbox, so that costs nothing a person would see; a replay guard forgetting a claim only
    falls back on the signature's 5-minute window."""
    with unit_of_work(factory) as session:
        return claim_without_waiting_for_disk(
            session,
            ProcessedEvent,
            {"tenant_id": tenant_id, "event_id": event_id, "received_at": now},
            ["tenant_id", "event_id"],
        )


# A replay is told apart by the request's signature (``v0=`` and 64 hex digits): an HMAC of its
# timestamp and body, the same for a replay and different for anything else. It is a keyed hash,
# not the request's content. Claims share ``processed_events`` (and its pruning) with event ids,
# under this prefix, cut to the column's 64 characters (224 bits of the HMAC).
REQUEST_PREFIX = "request:"


def claim_request(factory: SessionFactory, tenant_id: str, signature: str, now: datetime) -> bool:
    """True the first time a signed request is seen for a tenant, False when it is a replay."""
    digest = signature.removeprefix("v0=")
    key = (REQUEST_PREFIX + digest)[: ProcessedEvent.event_id.type.length or 64]
    return claim_event(factory, tenant_id, key, now)
