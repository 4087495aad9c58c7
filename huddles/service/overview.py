"""What people see of huddles on the App Home: a member's (or facilitator's) next huddle and
group, whether they left, why they were not placed; and HR's schedule and monthly figures,
which count and never name (small numbers are suppressed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select
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


def hr_schedule(
    session: Session, tenant_id: str, now: datetime, limit: int | None = None
) -> list[ScheduleRow]:
    """The upcoming huddles, soonest first (the first ``limit`` of them when given).

    One grouped query, whatever the number of huddles: a count per huddle made HR's Home cost a
    statement per planned group (64 of its 97 at 100,000 employees)."""
    size = func.count(HuddleMember.id)
    query = (
        select(Huddle.start_utc, Huddle.facilitator_id, size)
        .outerjoin(HuddleMember, (HuddleMember.huddle_id == Huddle.id) & HuddleMember.facilitator.is_(False))
        .where(Huddle.tenant_id == tenant_id, Huddle.start_utc > now)
        .group_by(Huddle.id, Huddle.start_utc, Huddle.facilitator_id)
        .order_by(Huddle.start_utc, Huddle.id)
    )
    if limit is not None:
        query = query.limit(limit)
    return [
        ScheduleRow(start_utc, int(members), facilitator_id is not None)
        for start_utc, facilitator_id, members in session.execute(query)
    ]


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
    # Three grouped queries for all the months shown, joined through the cycle: neither the
    # statements nor their parameters grow with the number of huddles.
    mine = (Huddle.tenant_id == tenant_id, Huddle.cycle_id.in_([cycle.id for cycle in cycles]))
    huddles_by = {
        cycle_id: int(count)
        for cycle_id, count in session.execute(
            select(Huddle.cycle_id, func.count(Huddle.id)).where(*mine).group_by(Huddle.cycle_id)
        )
    }
    members_by = {
        cycle_id: (int(invited or 0), int(attended or 0))
        for cycle_id, invited, attended in session.execute(
            select(
                Huddle.cycle_id,
                func.sum(case((HuddleMember.facilitator.is_(False), 1), else_=0)),
                func.sum(case((HuddleMember.attended.is_(True), 1), else_=0)),
            )
            .join(HuddleMember, HuddleMember.huddle_id == Huddle.id)
            .where(*mine)
            .group_by(Huddle.cycle_id)
        )
    }
    ratings_by = {
        cycle_id: (int(rated), int(total or 0))
        for cycle_id, rated, total in session.execute(
            select(Huddle.cycle_id, func.count(HuddleRating.id), func.sum(HuddleRating.score))
            .join(HuddleRating, HuddleRating.huddle_id == Huddle.id)
            .where(*mine)
            .group_by(Huddle.cycle_id)
        )
    }
    for cycle in cycles:
        invited, attended = members_by.get(cycle.id, (0, 0))
        counts[cycle.month] = (huddles_by.get(cycle.id, 0), invited)
        attended_by[cycle.month], asked_by[cycle.month] = attended, invited
        rated, total = ratings_by.get(cycle.id, (0, 0))
        if rated:
            average_by[cycle.month], rated_by[cycle.month] = total / rated, rated
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
