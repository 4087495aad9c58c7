"""The organisation's tables: tenants and their Slack installs, employees, leaves, HR admins, audit, outbox.

Every row carries its tenant (the enterprise id for an org-wide Enterprise Grid install,
otherwise the team id), and every index leads with it. Check-in content lives elsewhere,
encrypted, and never in these tables.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    and_,
)
from sqlalchemy import text as sql_text  # a model below has a column named text
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every database (SQLite would otherwise hand back naive ones)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: pass an aware UTC time")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Tenant(Base):
    __tablename__ = "tenants"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    team_id: Mapped[str | None] = mapped_column(String(32))
    enterprise_id: Mapped[str | None] = mapped_column(String(32))
    name: Mapped[str | None] = mapped_column(String(200))
    anonymity_minimum: Mapped[int] = mapped_column(Integer, default=5)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Set when the app is uninstalled or its token revoked (multi-workspace mode), cleared by a
    # reinstall: the tenant's work stops at once and its data is erased after the grace period.
    uninstalled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SlackInstallation(Base):
    """A workspace's (or an org-wide Enterprise Grid) installation of the app, one row per tenant.

    The bot token and its refresh token are sealed (AES-GCM under a key derived from the master
    key, bound to the tenant and the field), so a database backup holds no usable token. The app
    asks for no user scopes, so no user token is ever kept. A reinstall replaces the row; an
    uninstall or a revoked token deletes it at once.
    """

    __tablename__ = "slack_installations"

    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    team_id: Mapped[str | None] = mapped_column(String(32))
    enterprise_id: Mapped[str | None] = mapped_column(String(32))
    is_enterprise_install: Mapped[bool] = mapped_column(Boolean, default=False)
    app_id: Mapped[str | None] = mapped_column(String(32))
    bot_id: Mapped[str | None] = mapped_column(String(32))
    bot_user_id: Mapped[str | None] = mapped_column(String(32))
    bot_scopes: Mapped[str] = mapped_column(String(1000), default="")
    bot_token_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    bot_refresh_token_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    bot_token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    installer_user_id: Mapped[str | None] = mapped_column(String(32))
    installed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DeadBotToken(Base):
    """A bot token Slack revoked in single-workspace mode (``hr_plugin.bot_token``).

    The token itself comes from the settings and is never stored: a row holds its fingerprint
    (a SHA-256), so the same token configured again is recognised and stays unused. Sending
    waits while a death is not ``replaced_at``: a different token has passed ``auth.test``.
    A handful of rows ever, read whole.
    """

    __tablename__ = "dead_bot_tokens"

    fingerprint: Mapped[str] = mapped_column(String(64), primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(32))  # the workspace whose event said so
    cause: Mapped[str] = mapped_column(String(32))  # "uninstalled" or "token_revoked"
    died_at: Mapped[datetime] = mapped_column(UTCDateTime())
    replaced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class OAuthState(Base):
    """The ``state`` of an install in progress (``slack_sdk``'s SQLAlchemy state store's table,
    created here by our migrations): single use, expiring in minutes, no tenant yet."""

    __tablename__ = "slack_oauth_states"
    __table_args__ = (Index("ix_slack_oauth_states_state", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    state: Mapped[str] = mapped_column(String(200))
    # Naive UTC, as slack_sdk's store writes and compares it.
    expire_at: Mapped[datetime] = mapped_column(DateTime)


class Employee(Base):
    __tablename__ = "employees"
    __table_args__ = (
        UniqueConstraint("tenant_id", "email", name="uq_employees_tenant_email"),
        UniqueConstraint("tenant_id", "slack_user_id", name="uq_employees_tenant_slack_user"),
        Index("ix_employees_tenant_manager", "tenant_id", "manager_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(200))
    slack_user_id: Mapped[str | None] = mapped_column(String(32))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    working_days: Mapped[str] = mapped_column(String(20), default="0,1,2,3,4")
    work_start: Mapped[str] = mapped_column(String(5), default="09:00")
    work_end: Mapped[str] = mapped_column(String(5), default="17:00")
    country: Mapped[str] = mapped_column(String(2))
    subdivision: Mapped[str | None] = mapped_column(String(10))
    department: Mapped[str] = mapped_column(String(200))
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    slack_deactivated: Mapped[bool] = mapped_column(Boolean, default=False)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    manager: Mapped[Employee | None] = relationship(remote_side="Employee.id", lazy="raise")

    @hybrid_property
    def reachable(self) -> bool:
        """Whether anything may be sent to this person at all (in SQL too: ``Employee.reachable``)."""
        return self.active and not self.slack_deactivated and self.slack_user_id is not None

    @reachable.inplace.expression
    @classmethod
    def _reachable_in_sql(cls) -> ColumnElement[bool]:
        return and_(cls.active.is_(True), cls.slack_deactivated.is_(False), cls.slack_user_id.is_not(None))

    def working_weekdays(self) -> tuple[int, ...]:
        return weekdays_of(self.working_days)


def weekdays_of(working_days: str) -> tuple[int, ...]:
    """The weekdays (Monday 0) in ``Employee.working_days``' stored form, "0,1,2,3,4"."""
    return tuple(int(day) for day in working_days.split(",") if day != "")


class Leave(Base):
    __tablename__ = "leaves"
    __table_args__ = (Index("ix_leaves_tenant_employee", "tenant_id", "employee_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    leave_start: Mapped[date] = mapped_column(Date)
    expected_return: Mapped[date] = mapped_column(Date)
    actual_return: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class HrAdmin(Base):
    __tablename__ = "hr_admins"
    __table_args__ = (UniqueConstraint("tenant_id", "employee_id", name="uq_hr_admins_tenant_employee"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    appointed_by: Mapped[str] = mapped_column(String(64))
    appointed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AuditEntry(Base):
    """Who did what, when: ids and actions, never content."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_tenant_at", "tenant_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str | None] = mapped_column(String(200))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class OutboxMessage(Base):
    """A message to send to Slack, written in the same transaction as the change that caused it.

    ``status`` moves pending -> in_flight -> sent, or to failed / cancelled. A row found
    in flight after its lease ran out was cut off mid-send: it goes back to pending with
    ``possible_duplicate`` set, the one case where a person may see a message twice.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("tenant_id", "idempotency_key", name="uq_outbox_tenant_key"),
        Index("ix_outbox_status_not_before", "status", "not_before"),
        Index("ix_outbox_tenant_status", "tenant_id", "status"),
        Index(
            "ix_outbox_text_kept",
            "not_before",
            postgresql_where=sql_text("payload IS NOT NULL"),
            sqlite_where=sql_text("payload IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    idempotency_key: Mapped[str] = mapped_column(String(255))
    recipient_user_id: Mapped[str | None] = mapped_column(String(32))
    conversation_users: Mapped[list[str] | None] = mapped_column(JSON)
    # The message's text and blocks (or file); NULL once forgotten, some days after the row
    # is finished (``hr_plugin.outbox.forget_finished_text``).
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    solicited: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime())
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    possible_duplicate: Mapped[bool] = mapped_column(Boolean, default=False)
    last_error: Mapped[str | None] = mapped_column(Text)
    channel_id: Mapped[str | None] = mapped_column(String(32))
    slack_ts: Mapped[str | None] = mapped_column(String(32))
    # A file row's upload, once its bytes are with Slack (not yet shared): a retry of the
    # completion step shares this file instead of uploading it again.
    upload_file_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ConversationCache(Base):
    """DM and group-DM channel ids, so ``conversations.open`` is called once per set of people."""

    __tablename__ = "conversation_cache"
    __table_args__ = (UniqueConstraint("tenant_id", "users_key", name="uq_conversation_cache_tenant_users"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    users_key: Mapped[str] = mapped_column(String(400))
    channel_id: Mapped[str] = mapped_column(String(32))


class SendPace(Base):
    """When the next send may go, per channel and per workspace, shared by every drainer."""

    __tablename__ = "send_pace"
    __table_args__ = (UniqueConstraint("tenant_id", "pace_key", name="uq_send_pace_tenant_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    pace_key: Mapped[str] = mapped_column(String(64))
    next_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ProcessedEvent(Base):
    """Events already handled, so Slack's retries of the same ``event_id`` have one effect."""

    __tablename__ = "processed_events"
    __table_args__ = (
        UniqueConstraint("tenant_id", "event_id", name="uq_processed_events_tenant_event"),
        Index("ix_processed_events_received", "received_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SchedulerLeader(Base):
    """A record of who leads the scheduler. The lock is the truth; this row is for people."""

    __tablename__ = "scheduler_leader"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    pid: Mapped[int] = mapped_column(Integer)
    since: Mapped[datetime] = mapped_column(UTCDateTime())
    heartbeat_at: Mapped[datetime] = mapped_column(UTCDateTime())


class HelpResource(Base):
    """Help HR configures per country: crisis lines, perinatal support, counselling, safety.

    Shown as plain links on every private screen; nobody learns who opened them.
    """

    __tablename__ = "help_resources"
    __table_args__ = (
        Index("ix_help_resources_tenant_country", "tenant_id", "country"),
        # One link is listed once per country: a second "Add" of the same link (a double
        # submission, two HR admins at once) is refused by the database, not stored twice.
        Index("uq_help_resources_tenant_country_url", "tenant_id", "country", "url", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    country: Mapped[str] = mapped_column(String(2))  # "**" for every country
    kind: Mapped[str] = mapped_column(String(16))  # crisis | perinatal | safety | counselling
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(500))
    url: Mapped[str] = mapped_column(String(500))
    # For counselling: how many sessions the company offers, when HR says; the private screens
    # name a number only when it is set.
    sessions: Mapped[int | None] = mapped_column(Integer, nullable=True)
