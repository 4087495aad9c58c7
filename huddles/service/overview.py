"""What people see of huddles on the App Home: a member's (or facilitator's) next huddle and
group, whether they left, why they were not placed; and HR's schedule and monthly figures,
which count and never name (small numbers are suppressed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    SQLColumnExpression,
    bindparam,
    case,
    exists,
    func,
    literal,
    select,
)
from sqlalchemy.orm import Session

from hr_plugin.models import Employee, Tenant, UTCDateTime
from hr_plugin.reports import suppress
from huddles.models import Huddle, HuddleCycle, HuddleMember, HuddleNotice, HuddleOptOut, HuddleRating


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
    probe = person_probe(
        literal(tenant_id), literal(employee_id), literal(next_huddle_since(now), UTCDateTime())
    )
    return person_state_from(session, employee_id, tuple(session.execute(select(*probe)).one()))


def next_huddle_since(now: datetime) -> datetime:
    """A huddle that started less than 30 minutes ago is still a person's next one."""
    return now - timedelta(minutes=30)


def person_probe(
    tenant_id: SQLColumnExpression[str],
    employee_id: SQLColumnExpression[int],
    since: SQLColumnExpression[datetime],
) -> tuple[ColumnElement[Any], ...]:
    """The person's next huddle (the first starting after ``since``: ``next_huddle_since``),
    whether they left huddles, and why they were last not placed: scalar subqueries correlated
    to ``employee_id``, which the App Home reads in its first statement (``person_state_from``
    turns them into the state)."""
    return (
        select(HuddleMember.huddle_id)
        .join(Huddle, Huddle.id == HuddleMember.huddle_id)
        .where(
            HuddleMember.tenant_id == tenant_id,
            HuddleMember.employee_id == employee_id,
            Huddle.start_utc > since,
        )
        .order_by(Huddle.start_utc)
        .limit(1)
        .scalar_subquery()
        .label("huddles_next"),
        exists()
        .where(HuddleOptOut.tenant_id == tenant_id, HuddleOptOut.employee_id == employee_id)
        .label("huddles_left"),
        select(HuddleNotice.reason)
        .join(HuddleCycle, HuddleCycle.id == HuddleNotice.cycle_id)
        .where(HuddleNotice.tenant_id == tenant_id, HuddleNotice.employee_id == employee_id)
        .order_by(HuddleCycle.month.desc())
        .limit(1)
        .scalar_subquery()
        .label("huddles_unplaced_reason"),
    )


def person_state_from(session: Session, employee_id: int, probed: tuple[Any, ...]) -> PersonState:
    """The state ``person_probe``'s values describe; the next huddle's group is read (with the
    huddle) in one statement, only when there is one."""
    huddle_id, left, reason = probed
    view = None
    if huddle_id is not None:
        rows = session.execute(_GROUP, {"huddles_huddle": huddle_id}).all()
        own = next((member for member, _, _ in rows if member.employee_id == employee_id), None)
        if own is not None:
            huddle = rows[0][2]
            view = MemberView(
                huddle.id,
                huddle.start_utc,
                huddle.minutes,
                own.rsvp,
                own.facilitator,
                sum(1 for m, _, _ in rows if not m.facilitator),
                huddle.facilitator_id is not None,
                huddle.video_link,
                tuple(person.name for m, person, _ in rows if not m.facilitator),
            )
    return PersonState(view, bool(left), reason if view is None else None)


# The next huddle's group with the huddle, built once: the App Home reads it for every member.
_GROUP = (
    select(HuddleMember, Employee, Huddle)
    .join(Employee, Employee.id == HuddleMember.employee_id)
    .join(Huddle, Huddle.id == HuddleMember.huddle_id)
    .where(HuddleMember.huddle_id == bindparam("huddles_huddle", type_=Integer()))
    .order_by(HuddleMember.facilitator, Employee.name)
)


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
