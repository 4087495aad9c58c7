"""Huddles' tables: HR's settings, each month's cycle, the huddles, who is in them, and ratings.

What the disclosure matrix allows, and how the tables keep to it:

- membership and time are plaintext to operators and shown to the member, their own group and
  the facilitator; HR sees only counts (``huddles.service.hr_schedule``, ``hr_figures``);
- a rating is stored in ``huddle_ratings`` with the huddle and the score only: no person, no
  time. ``HuddleMember.rated`` only remembers that someone has answered, so they cannot rate
  twice; nothing links the two.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hr_plugin.models import Base, UTCDateTime


class HuddleSettings(Base):
    """HR's choices for a workspace; a tenant without a row uses the defaults in ``series``."""

    __tablename__ = "huddle_settings"
    __table_args__ = (UniqueConstraint("tenant_id", name="uq_huddle_settings_tenant"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    every_months: Mapped[int] = mapped_column(Integer, default=1)
    week_of_month: Mapped[int] = mapped_column(Integer, default=0)  # 0: any week, else 1 to 4
    avoided_weekdays: Mapped[list[int]] = mapped_column(JSON, default=list)
    min_size: Mapped[int] = mapped_column(Integer, default=4)
    max_size: Mapped[int] = mapped_column(Integer, default=7)
    eligible_months: Mapped[int] = mapped_column(Integer, default=9)
    video_link: Mapped[str | None] = mapped_column(String(500))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class HuddleCycle(Base):
    """One month's planning run; the unique month makes planning happen once per tenant."""

    __tablename__ = "huddle_cycles"
    __table_args__ = (UniqueConstraint("tenant_id", "month", name="uq_huddle_cycles_tenant_month"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    planned_at: Mapped[datetime] = mapped_column(UTCDateTime())
    unplaced: Mapped[int] = mapped_column(Integer, default=0)


class Huddle(Base):
    """One 30-minute meeting of one group. ``series`` carries a group on from month to month."""

    __tablename__ = "huddles"
    __table_args__ = (
        Index("ix_huddles_tenant_start", "tenant_id", "start_utc"),
        Index("ix_huddles_tenant_month", "tenant_id", "month"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    cycle_id: Mapped[int] = mapped_column(ForeignKey("huddle_cycles.id"))
    month: Mapped[str] = mapped_column(String(7))
    series: Mapped[int] = mapped_column(Integer)  # the id of the group's first huddle
    start_utc: Mapped[datetime] = mapped_column(UTCDateTime())
    minutes: Mapped[int] = mapped_column(Integer, default=30)
    facilitator_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))
    video_link: Mapped[str | None] = mapped_column(String(500))
    # Set by the delivery tick once each step has been enqueued (the keys make it once anyway).
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    followed_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class HuddleMember(Base):
    """A person in a huddle. ``rsvp``: invited, attending, skipped (this month) or left (huddles)."""

    __tablename__ = "huddle_members"
    __table_args__ = (
        UniqueConstraint("huddle_id", "employee_id", name="uq_huddle_members_huddle_employee"),
        Index("ix_huddle_members_tenant_employee", "tenant_id", "employee_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    huddle_id: Mapped[int] = mapped_column(ForeignKey("huddles.id"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    facilitator: Mapped[bool] = mapped_column(Boolean, default=False)
    rsvp: Mapped[str] = mapped_column(String(12), default="invited")
    attended: Mapped[bool | None] = mapped_column(Boolean)
    rated: Mapped[bool] = mapped_column(Boolean, default=False)


class HuddleRating(Base):
    """A score from 1 to 5 for a huddle, deliberately without who gave it or when."""

    __tablename__ = "huddle_ratings"
    __table_args__ = (Index("ix_huddle_ratings_tenant_huddle", "tenant_id", "huddle_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    huddle_id: Mapped[int] = mapped_column(ForeignKey("huddles.id"))
    score: Mapped[int] = mapped_column(Integer)


class HuddleNotice(Base):
    """Why someone was not placed this cycle, kept so their App Home can say so too."""

    __tablename__ = "huddle_notices"
    __table_args__ = (UniqueConstraint("cycle_id", "employee_id", name="uq_huddle_notices_cycle_employee"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    cycle_id: Mapped[int] = mapped_column(ForeignKey("huddle_cycles.id"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    reason: Mapped[str] = mapped_column(Text)


class HuddleOptOut(Base):
    """Someone who chose "leave huddles"; they are not grouped again until they rejoin."""

    __tablename__ = "huddle_opt_outs"
    __table_args__ = (
        UniqueConstraint("tenant_id", "employee_id", name="uq_huddle_opt_outs_tenant_employee"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    left_at: Mapped[datetime] = mapped_column(UTCDateTime())
