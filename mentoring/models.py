"""Mentoring's tables: mentor profiles, mentees' private preferences, and matches.

Tags and preferences are stored as the disclosure matrix allows (plaintext to operators, never
shown to HR or managers). A match's reasons are stored per side, already filtered so that
neither side learns what the other did not choose to share.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from hr_plugin.models import Base, UTCDateTime


class MentorProfile(Base):
    __tablename__ = "mentor_profiles"
    __table_args__ = (
        UniqueConstraint("tenant_id", "employee_id", name="uq_mentor_profiles_tenant_employee"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    capacity: Mapped[int] = mapped_column(Integer, default=1)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    share_tags: Mapped[bool] = mapped_column(Boolean, default=False)
    returned_on: Mapped[date | None] = mapped_column(Date)
    facilitates_huddles: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MenteePreferences(Base):
    """Private to the mentee: what they would like, whom to avoid, whether their manager may know."""

    __tablename__ = "mentee_preferences"
    __table_args__ = (
        UniqueConstraint("tenant_id", "employee_id", name="uq_mentee_preferences_tenant_employee"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    preferences: Mapped[list[str]] = mapped_column(JSON, default=list)
    excluded: Mapped[list[int]] = mapped_column(JSON, default=list)
    wants_mentor: Mapped[bool] = mapped_column(Boolean, default=True)
    manager_may_know: Mapped[bool] = mapped_column(Boolean, default=False)


# The statuses of a match still open (``mentoring.service.OPEN_MATCH``), as the condition of
# the partial unique index below; the service checks the two agree.
OPEN_MATCH_SQL = "status IN ('asked', 'active')"


class Match(Base):
    """A pairing: asked (the mentor decides first), active, declined or ended."""

    __tablename__ = "mentor_matches"
    __table_args__ = (
        Index("ix_mentor_matches_tenant_mentee", "tenant_id", "mentee_id"),
        Index("ix_mentor_matches_tenant_mentor", "tenant_id", "mentor_id"),
        # One mentor asked or active per mentee, kept by the database: two HR pairings sent
        # at once (or HR and the matcher) cannot both pass the "no open match" check (migration 0012).
        Index(
            "uq_mentor_matches_one_open",
            "tenant_id",
            "mentee_id",
            unique=True,
            postgresql_where=text(OPEN_MATCH_SQL),
            sqlite_where=text(OPEN_MATCH_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    mentee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    mentor_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    status: Mapped[str] = mapped_column(String(16))
    origin: Mapped[str] = mapped_column(String(8))
    weight: Mapped[int] = mapped_column(Integer, default=0)
    reasons_for_mentee: Mapped[list[str]] = mapped_column(JSON, default=list)
    reasons_for_mentor: Mapped[list[str]] = mapped_column(JSON, default=list)
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    met_by_mentee: Mapped[bool | None] = mapped_column(Boolean)
    met_by_mentor: Mapped[bool | None] = mapped_column(Boolean)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class RematchDue(Base):
    """A mentee whose match was just declined or ended, waiting for the scheduler's rematch.

    Why a row and not a solve in the click: the solve reads the whole tenant's mentors and
    mentees, so it was the slowest thing a button did, and Slack wants an answer in 3 seconds.
    The click records the answer and this row in one transaction; the ``mentoring-rematch``
    tick solves each tenant that has rows and deletes them with the solve's own commit, so a
    crash before the commit leaves the row for the next tick. Until then the mentee's Home reads
    as it does while a mentor is being asked, so nobody learns from it that someone said no.
    Holds no reason and not who closed the match: the match row and the audit log say what happened.
    """

    __tablename__ = "mentor_rematches_due"
    __table_args__ = (
        UniqueConstraint("tenant_id", "mentee_id", name="uq_mentor_rematches_due_tenant_mentee"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    mentee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    since: Mapped[datetime] = mapped_column(UTCDateTime())
