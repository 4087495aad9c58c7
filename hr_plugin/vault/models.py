"""The vault's tables in the main database: ciphertext, and the little plaintext the scheduler needs.

Plaintext here is only what DESIGN.md's disclosure matrix allows an operator to see: that a
space exists (its consent time), the reminder schedule (day and time), and opaque record ids.
Every answer, rating, date the person gave, signal or experiment is inside ``sealed``, bound by
its associated data to tenant, employee, record id and kind.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hr_plugin.models import Base, UTCDateTime


class VaultSpace(Base):
    __tablename__ = "vault_spaces"
    __table_args__ = (UniqueConstraint("tenant_id", "employee_id", name="uq_vault_spaces_tenant_employee"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reminder_weekday: Mapped[int | None] = mapped_column(Integer)
    reminder_time: Mapped[str | None] = mapped_column(String(5))
    reminders_paused_until: Mapped[date | None] = mapped_column(Date)
    reminders_stopped: Mapped[bool] = mapped_column(Boolean, default=False)
    erase_after: Mapped[datetime | None] = mapped_column(UTCDateTime())
    erase_notice_sent: Mapped[bool] = mapped_column(Boolean, default=False)


class VaultRecord(Base):
    __tablename__ = "vault_records"
    __table_args__ = (Index("ix_vault_records_tenant_employee", "tenant_id", "employee_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    kind: Mapped[str] = mapped_column(String(16))
    sealed: Mapped[bytes] = mapped_column(LargeBinary)


class VaultNonce(Base):
    """Single-use tokens for modal submissions and export links, so a replay is refused."""

    __tablename__ = "vault_nonces"
    __table_args__ = (UniqueConstraint("tenant_id", "nonce", name="uq_vault_nonces_tenant_nonce"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(32))
    nonce: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime] = mapped_column(UTCDateTime())


class VaultExport(Base):
    """A single-use link: only a hash of its secret is kept, and it expires in minutes.

    ``kind`` says what it downloads: the person's entries (``export``), the questions on paper
    (``questions``) or the weekly ritual for both calendars (``ritual``).
    """

    __tablename__ = "vault_exports"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="export", server_default="export")
    tenant_id: Mapped[str] = mapped_column(String(32))
    employee_id: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
