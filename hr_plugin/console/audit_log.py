"""The audit log as the console shows it: one tenant's entries of the kinds HR may see, newest
first, by kind and dates, a page at a time. Read-only, one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.models import AuditEntry

PER_PAGE = 50

# What HR may see of the audit log (DESIGN.md's disclosure matrix), by kind; nothing else is
# shown, so a kind added later stays hidden until someone decides it may be shown. Left out on
# purpose: a mentor's decline and who was asked (never shown to HR), who ended a pairing (the
# other side is told without a reason), each person's huddle answers and rejoining (aggregates
# only), matching preferences, working hours, and needs shared with a manager.
SHOWN_PREFIXES = (
    "enrolment.",
    "plan.",
    "policy.",
    "resources.",
    "admins.",
    "console.",
    "app.",
    "directory.",
)
SHOWN_KINDS = frozenset(
    {"huddles.settings_changed", "huddles.planned", "mentoring.accepted", "mentoring.mentor_opted_in"}
)
HIDDEN_KINDS = frozenset({"enrolment.preferences_changed", "plan.need_shared"})


def shown_to_hr(kind: str) -> bool:
    """Whether an audit entry of this kind may be shown on the HR console."""
    if kind in HIDDEN_KINDS:
        return False
    return kind in SHOWN_KINDS or kind.startswith(SHOWN_PREFIXES)


@dataclass(frozen=True)
class Line:
    at: datetime
    actor: str
    action: str
    subject: str | None
    details: dict[str, Any]


@dataclass(frozen=True)
class AuditPage:
    lines: list[Line]
    page: int
    has_next: bool
    kinds: list[str]


def audit_page(
    factory: SessionFactory,
    *,
    tenant_id: str,
    kind: str | None = None,
    start: date | None = None,
    end: date | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> AuditPage:
    """Entries of ``tenant_id`` only; ``start`` and ``end`` are whole days (UTC), both included."""
    page = max(page, 1)
    with unit_of_work(factory) as session:
        query = select(AuditEntry).where(AuditEntry.tenant_id == tenant_id)
        if kind:
            query = query.where(AuditEntry.action == kind)
        if start is not None:
            query = query.where(AuditEntry.at >= datetime.combine(start, time(), UTC))
        if end is not None:
            query = query.where(AuditEntry.at < datetime.combine(end + timedelta(days=1), time(), UTC))
        kinds = [
            found
            for found in session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.tenant_id == tenant_id)
                .distinct()
                .order_by(AuditEntry.action)
            )
            if shown_to_hr(found)
        ]
        query = query.where(AuditEntry.action.in_(kinds))
        rows = session.scalars(
            query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .offset((page - 1) * per_page)
            .limit(per_page + 1)
        ).all()
        lines = [Line(row.at, row.actor, row.action, row.subject, dict(row.details or {})) for row in rows]
        return AuditPage(lines[:per_page], page, len(lines) > per_page, list(kinds))
