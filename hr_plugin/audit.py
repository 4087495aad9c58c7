"""The audit log: who did what and when, with ids, never content."""

from __future__ import annotations

from datetime import datetime
from typing import Any

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
