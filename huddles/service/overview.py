"""What people see of huddles on the App Home: a member's (or facilitator's) next huddle and
group, whether they left, why they were not placed; and HR's schedule and monthly figures,
which count and never name (small numbers are suppressed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from hr_plugin.models import Tenant
from hr_plugin.reports import suppress
from huddles.models import Huddle, HuddleCycle, HuddleMember, HuddleNotice, HuddleOptOut, HuddleRating
from huddles.service._common import _members


@dataclass(frozen=True)
class MemberView:
    """A member's (or facilitator's) next huddle, as their App Home shows it."""

    huddle_id: int
    start_utc: datetime
    minutes: int
    rsvp: str
    facilitator: bool
    group_size: int
    has_facilitator: bool
    video_link: str | None
    names: tuple[str, ...]  # the group, shown to its members and its facilitator


@dataclass(frozen=True)
class PersonState:
    next_huddle: MemberView | None
    left: bool
    unplaced_reason: str | None


def person_state(session: Session, tenant_id: str, employee_id: int, now: datetime) -> PersonState:
    row = session.execute(
        select(HuddleMember, Huddle)
        .join(Huddle, Huddle.id == HuddleMember.huddle_id)
        .where(
            HuddleMember.tenant_id == tenant_id,
            HuddleMember.employee_id == employee_id,
            Huddle.start_utc > now - timedelta(minutes=30),
        )
        .order_by(Huddle.start_utc)
    ).first()
    view = None
    if row is not None:
        member, huddle = row
        rows = _members(session, huddle)
        view = MemberView(
            huddle.id,
            huddle.start_utc,
            huddle.minutes,
            member.rsvp,
            member.facilitator,
            sum(1 for m, _ in rows if not m.facilitator),
            huddle.facilitator_id is not None,
            huddle.video_link,
            tuple(person.name for m, person in rows if not m.facilitator),
        )
    left = (
        session.scalar(
            select(HuddleOptOut.id).where(
                HuddleOptOut.tenant_id == tenant_id, HuddleOptOut.employee_id == employee_id
            )
        )
        is not None
    )
    reason = session.scalar(
        select(HuddleNotice.reason)
        .join(HuddleCycle, HuddleCycle.id == HuddleNotice.cycle_id)
        .where(HuddleNotice.tenant_id == tenant_id, HuddleNotice.employee_id == employee_id)
        .order_by(HuddleCycle.month.desc())
    )
    return PersonState(view, left, reason if view is None else None)


@dataclass(frozen=True)
class ScheduleRow:
    """One huddle as HR sees it: when, how many, whether facilitated. Never who."""

    start_utc: datetime
    group_size: int
    has_facilitator: bool


def hr_schedule(session: Session, tenant_id: str, now: datetime) -> list[ScheduleRow]:
    rows = []
    for huddle in session.scalars(
        select(Huddle).where(Huddle.tenant_id == tenant_id, Huddle.start_utc > now).order_by(Huddle.start_utc)
    ):
        size = session.scalar(
            select(func.count())
            .select_from(HuddleMember)
            .where(HuddleMember.huddle_id == huddle.id, HuddleMember.facilitator.is_(False))
        )
        rows.append(ScheduleRow(huddle.start_utc, int(size or 0), huddle.facilitator_id is not None))
    return rows


@dataclass(frozen=True)
class MonthFigures:
    """A month's totals across every group. ``None`` where too few people would be behind it."""

    month: str
    huddles: int
    invited: int
    attended: int | None
    ratings: int | None
    average_rating: float | None
    unplaced: int | None


def hr_figures(session: Session, tenant_id: str) -> list[MonthFigures]:
    """Attendance and ratings per month, across groups, with small numbers suppressed."""
    minimum = session.scalar(select(Tenant.anonymity_minimum).where(Tenant.id == tenant_id)) or 5
    cycles = session.scalars(
        select(HuddleCycle)
        .where(HuddleCycle.tenant_id == tenant_id)
        .order_by(HuddleCycle.month.desc())
        .limit(6)
    ).all()
    figures = []
    attended_by: dict[str, float] = {}
    asked_by: dict[str, int] = {}
    average_by: dict[str, float] = {}
    rated_by: dict[str, int] = {}
    counts: dict[str, tuple[int, int]] = {}
    for cycle in cycles:
        huddle_ids = list(session.scalars(select(Huddle.id).where(Huddle.cycle_id == cycle.id)))
        invited = _count(session, HuddleMember.huddle_id.in_(huddle_ids), HuddleMember.facilitator.is_(False))
        attended = _count(session, HuddleMember.huddle_id.in_(huddle_ids), HuddleMember.attended.is_(True))
        scores = list(
            session.scalars(select(HuddleRating.score).where(HuddleRating.huddle_id.in_(huddle_ids)))
        )
        counts[cycle.month] = (len(huddle_ids), invited)
        attended_by[cycle.month], asked_by[cycle.month] = attended, invited
        if scores:
            average_by[cycle.month], rated_by[cycle.month] = sum(scores) / len(scores), len(scores)
    shown_attendance = suppress(attended_by, asked_by, minimum)
    shown_ratings = suppress(average_by, rated_by, minimum)
    for cycle in cycles:
        huddles, invited = counts[cycle.month]
        came = shown_attendance.get(cycle.month)
        average = shown_ratings.get(cycle.month)
        figures.append(
            MonthFigures(
                cycle.month,
                huddles,
                invited,
                int(came) if came is not None else None,
                rated_by.get(cycle.month) if average is not None else None,
                round(average, 1) if average is not None else None,
                cycle.unplaced if cycle.unplaced == 0 or cycle.unplaced >= minimum else None,
            )
        )
    return figures


def _count(session: Session, *conditions: ColumnElement[bool]) -> int:
    return int(session.scalar(select(func.count()).select_from(HuddleMember).where(*conditions)) or 0)
