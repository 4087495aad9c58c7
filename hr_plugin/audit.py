"""The audit log: who did what and when, with ids, never content."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from sqlalchemy import Connection, insert
from sqlalchemy.orm import Session

from hr_plugin.models import AuditEntry

_INSERT: Final = insert(AuditEntry)  # built once, for the paths that write without the ORM


def record(
    into: Session | Connection,
    *,
    tenant_id: str,
    at: datetime,
    actor: str,
    action: str,
    subject: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """One audit row, in the caller's transaction: added to an ORM session, or inserted at once
    on a connection by a path that writes through prebuilt statements (the working-hours save)."""
    row = {
        "tenant_id": tenant_id,
        "at": at,
        "actor": actor,
        "action": action,
        "subject": subject,
        "details": details or {},
    }
    if isinstance(into, Connection):
        into.execute(_INSERT, row)
    else:
        into.add(AuditEntry(**row))
