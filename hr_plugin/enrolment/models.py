"""Enrolment's table: who takes part in the program, with what consent, and its statuses.

The statuses live beside the table because the database keeps one of them per person open
(the partial unique index below), so the words and the index's condition are written once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from hr_plugin.models import Base, UTCDateTime

PROPOSED, AWAITING_HR, ACTIVE = "proposed", "awaiting_hr", "active"
DECLINED, WITHDRAWN, LEFT = "declined", "withdrawn", "left"
# An enrolment still in progress: at most one per person.
OPEN_STATUSES = (PROPOSED, AWAITING_HR, ACTIVE)

# ``OPEN_STATUSES`` as the condition of the partial unique index below (migration 0011 wrote
# the same words: "status IN ('proposed', 'awaiting_hr', 'active')").
OPEN_ENROLMENT_SQL = "status IN (" + ", ".join(f"'{status}'" for status in OPEN_STATUSES) + ")"


class Enrolment(Base):
    """Taking part in the program, by the employee's choice.

    HR proposes (``origin="hr"``) and the employee accepts or declines, or the employee enrols
    themselves (``origin="self"``) and HR confirms. ``contact_during_leave`` stays None until
    the employee says; until they return, nothing they did not ask for reaches someone who
    did not say yes. ``leave_out_family`` keeps content about the baby and a partner out of
    everything the program shows them (after a loss, for example).
    """

    __tablename__ = "enrolments"
    __table_args__ = (
        Index("ix_enrolments_tenant_employee", "tenant_id", "employee_id"),
        # One open enrolment per person, kept by the database: two requests to enrol the
        # same person at once (a double click, HR proposing while the employee self-enrols)
        # cannot both pass the "none open yet" check (migration 0011).
        Index(
            "uq_enrolments_one_open",
            "tenant_id",
            "employee_id",
            unique=True,
            postgresql_where=text(OPEN_ENROLMENT_SQL),
            sqlite_where=text(OPEN_ENROLMENT_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(ForeignKey("tenants.id"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id"))
    leave_id: Mapped[int] = mapped_column(ForeignKey("leaves.id"))
    status: Mapped[str] = mapped_column(String(16))
    origin: Mapped[str] = mapped_column(String(8))
    proposed_by: Mapped[str] = mapped_column(String(64))
    contact_during_leave: Mapped[bool | None] = mapped_column(Boolean)
    leave_out_family: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
