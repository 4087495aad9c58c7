"""The tables of return plans: HR's budgets (``Policy``), each return's plan (``Plan``), requests
for more reduced time (``ExtensionRequest``), the needs an employee sent their manager
(``SharedNeed``) and the ones only previewed so far (``NeedDraft``).

Why here and not in ``hr_plugin.models``: they are this feature's, and the core never reads
them. They stay on the core's ``Base`` (one metadata, so the migrations and the foreign keys to
``tenants``, ``employees`` and ``enrolments`` see them all), and ``FEATURE.tables`` names this
module so it is imported with the feature. A workspace's erasure needs nothing from here: it
deletes every table with a ``tenant_id`` column as the database itself lists them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hr_plugin.models import Base, UTCDateTime


class Policy(Base):
    """An HR budget for returns: reduced weeks at a percent, a ramp, an allowed extension."""

    __tablename__ = "policies"
    __table_args__ = (
        UniqueConstraint("tenant_id", "name", name="uq_policies_tenant_name"),
        UniqueConstraint("tenant_id", "scope_kind", "scope_value", name="uq_policies_tenant_scope"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    name: Mapped[str] = mapped_column(String(100))
    scope_kind: Mapped[str] = mapped_column(String(16))  # all | country | department
    scope_value: Mapped[str] = mapped_column(String(200), default="")
    reduced_weeks: Mapped[int] = mapped_column(Integer)
    reduced_percent: Mapped[int] = mapped_column(Integer)
    ramp_percents: Mapped[list[int]] = mapped_column(JSON)
    extension_weeks: Mapped[int] = mapped_column(Integer)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Plan(Base):
    """A return's week-by-week capacity, generated from a policy; what the manager may see."""

    __tablename__ = "plans"
    __table_args__ = (
        UniqueConstraint("enrolment_id", name="uq_plans_enrolment"),
        Index("ix_plans_tenant_manager", "tenant_id", "manager_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))
    policy_name: Mapped[str] = mapped_column(String(100))
    budget: Mapped[dict[str, Any]] = mapped_column(JSON)
    extension_weeks_taken: Mapped[int] = mapped_column(Integer, default=0)
    extra_weeks_granted: Mapped[int] = mapped_column(Integer, default=0)
    return_date: Mapped[date] = mapped_column(Date)
    full_capacity_from: Mapped[date] = mapped_column(Date)
    days: Mapped[list[list[Any]]] = mapped_column(JSON)
    version: Mapped[int] = mapped_column(Integer, default=1)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    acknowledged_version: Mapped[int | None] = mapped_column(Integer)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ExtensionRequest(Base):
    """An employee asks HR for more reduced time: HR sees the length, never a reason."""

    __tablename__ = "extension_requests"
    __table_args__ = (Index("ix_extension_requests_tenant_status", "tenant_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    weeks: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(64))


class SharedNeed(Base):
    """A work need the employee chose to send their manager: the need, not the story."""

    __tablename__ = "shared_needs"
    __table_args__ = (Index("ix_shared_needs_tenant_employee", "tenant_id", "employee_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    manager_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    text: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())


class NeedDraft(Base):
    """A need the employee previewed but has not sent yet (``hr_plugin.reintegration.drafts``).

    Why a row: the words stay on the server between the preview and the send, never in the
    modal's ``private_metadata``, which carries only this row's random id. The row is deleted
    when the need is sent, when the preview is closed, and by a tick once it expires, so an
    unsent draft is kept in plaintext for at most an hour (DESIGN.md's disclosure matrix).
    """

    __tablename__ = "need_drafts"
    __table_args__ = (
        Index("ix_need_drafts_tenant_employee", "tenant_id", "employee_id"),
        Index("ix_need_drafts_expires_at", "expires_at"),  # the expiry tick scans every tenant
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # random, unguessable
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
