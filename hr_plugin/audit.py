"""The audit log: who did what and when, with ids, never content."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

from sqlalchemy import Connection, Table
from sqlalchemy.orm import Session

from hr_plugin.models import AuditEntry


def record(
    session: Session,
    *,
    tenant_id: str,
    at: datetime,
    actor: str,
    action: str,
    subject: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditEntry(
            tenant_id=tenant_id, at=at, actor=actor, action=action, subject=subject, details=details or {}
        )
    )


_TABLE: Final[Table] = AuditEntry.__table__  # type: ignore[assignment]
_INSERT: Final = _TABLE.insert()


def record_on(
    connection: Connection,
    *,
    tenant_id: str,
    at: datetime,
    actor: str,
    action: str,
    subject: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """``record`` on a connection, for a path that writes through prebuilt statements rather
    than the ORM (a statement built once; same row)."""
    connection.execute(
        _INSERT,
        {
            "tenant_id": tenant_id,
            "at": at,
            "actor": actor,
            "action": action,
            "subject": subject,
            "details": details or {},
        },
    )
