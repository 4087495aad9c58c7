"""Planning each cycle: once a month's planning opens, who takes part, the groups (``cohorts``),
their facilitators and slots (``plan``), the huddles with their invitation and calendar file,
and a word to each person who could not be placed. A month is claimed first, so it is planned
once even with two schedulers at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hr_plugin import audit, outbox
from hr_plugin.clock import Clock
from hr_plugin.db import SessionFactory, insert_if_absent, unit_of_work
from hr_plugin.directory import org_map
from hr_plugin.enrolment import Enrolment
from hr_plugin.models import Employee, Leave, Tenant
from hr_plugin.org_chart import chain_up
from huddles import messages as words
from huddles import series
from huddles.cohorts import Participant, form_cohorts
from huddles.models import Huddle, HuddleCycle, HuddleMember, HuddleNotice, HuddleOptOut
from huddles.plan import Placed, place
from huddles.service._common import INVITED, LEFT, _meeting, _schedule
from huddles.service.settings import HuddleConfig, config_of
from huddles.slots import SLOT_MINUTES, MonthGrid

# Given a session and a tenant, the employee ids of mentors who offered to facilitate. The app
# wiring passes mentoring's answer in; huddles never reads mentoring's tables itself.
FacilitatorSource = Callable[[Session, str], list[int]]


def plan_cycles(factory: SessionFactory, clock: Clock, find_facilitators: FacilitatorSource) -> int:
    """Plan every cycle whose planning has opened, tenant by tenant; the number of huddles made."""
    made = 0
    with unit_of_work(factory) as session:
        # An uninstalled workspace's work has stopped (its data waits out the grace period).
        tenants = list(
            session.scalars(select(Tenant.id).where(Tenant.uninstalled_at.is_(None)).order_by(Tenant.id))
        )
    for tenant_id in tenants:
        today = clock.now().date()
        for month in (series.month_of(today), series.next_month(series.month_of(today))):
            with unit_of_work(factory) as session:
                made += _plan_month(session, clock, tenant_id, month, find_facilitators)
                session.commit()
    return made


def _plan_month(
    session: Session, clock: Clock, tenant_id: str, month: str, find_facilitators: FacilitatorSource
) -> int:
    config = config_of(session, tenant_id)
    cadence = config.cadence
    now = clock.now()
    today = now.date()
    if not config.enabled or not series.is_cycle_month(month, cadence.every_months):
        return 0
    if (
        not series.planning_opens(month, cadence)
        <= today
        < series.allowed_days(month, cadence.week_of_month)[0]
    ):
        return 0  # planning opens two weeks ahead; a month whose allowed days began is left alone
    grid = MonthGrid.parse(month)
    grid.window = series.window(grid, cadence, now)
    if not grid.window:
        return 0  # too late for this month: its allowed days have (nearly) passed
    # Claiming the month first makes planning happen once, even with two schedulers at once.
    claimed = insert_if_absent(
        session,
        HuddleCycle,
        {"tenant_id": tenant_id, "month": month, "planned_at": now, "unplaced": 0},
        ["tenant_id", "month"],
    )
    if not claimed:
        return 0
    cycle = session.scalars(
        select(HuddleCycle).where(HuddleCycle.tenant_id == tenant_id, HuddleCycle.month == month)
    ).one()
    managers = org_map(session, tenant_id)
    people = _eligible(session, tenant_id, month, today, cadence)
    participants = [
        Participant(
            str(person.id),
            series.without_avoided(_schedule(person), cadence.avoided_weekdays),
            series.stage_weeks(returned, month),
            frozenset(str(boss) for boss in chain_up(managers, person.id)),
        )
        for person, returned in people
    ]
    by_id = {person.id: person for person, _ in people}
    volunteers = [
        person
        for person in _facilitators(session, tenant_id, find_facilitators(session, tenant_id))
        if person.id not in by_id  # someone back from leave themselves takes part as a member
    ]
    facilitators = [
        Participant(
            str(person.id),
            series.without_avoided(_schedule(person), cadence.avoided_weekdays),
            0,
            frozenset(str(boss) for boss in chain_up(managers, person.id)),
        )
        for person in volunteers
    ]
    by_id.update({person.id: person for person in volunteers})
    previous = _previous_huddles(session, tenant_id, month)
    cohorts = form_cohorts(
        participants,
        grid,
        min_size=cadence.min_size,
        max_size=cadence.max_size,
        previous_groups=[members for _, members, _ in previous],
    )
    preferred = [_previous_of(group.members, previous) for group in cohorts.groups]
    excluded = {person.id: person.excluded for person in participants}
    placed = place(
        cohorts.groups,
        facilitators,
        excluded,
        grid,
        [earlier[2] if earlier else None for earlier in preferred],
    )
    for group, earlier in zip(placed, preferred, strict=True):
        _create_huddle(session, now, cycle, group, earlier[0] if earlier else None, config, by_id)
    label = f"{date(grid.year, grid.month, 1):%B %Y}"
    for pid, reason in cohorts.unplaced.items():
        person = by_id[int(pid)]
        session.add(
            HuddleNotice(tenant_id=tenant_id, cycle_id=cycle.id, employee_id=person.id, reason=reason)
        )
        outbox.enqueue(
            session,
            tenant_id=tenant_id,
            key=f"huddle-unplaced:{tenant_id}:{month}:{person.id}",
            now=now,
            recipient=person.slack_user_id,
            text=words.unplaced_text(label, reason),
        )
    cycle.unplaced = len(cohorts.unplaced)
    audit.record(
        session,
        tenant_id=tenant_id,
        at=now,
        actor="scheduler",
        action="huddles.planned",
        subject=month,
        details={"huddles": len(placed), "unplaced": len(cohorts.unplaced)},
    )
    return len(placed)


def _create_huddle(
    session: Session,
    now: datetime,
    cycle: HuddleCycle,
    group: Placed,
    series_id: int | None,
    config: HuddleConfig,
    by_id: dict[int, Employee],
) -> None:
    tenant_id = cycle.tenant_id
    facilitator = by_id[int(group.facilitator.id)] if group.facilitator is not None else None
    huddle = Huddle(
        tenant_id=tenant_id,
        cycle_id=cycle.id,
        month=cycle.month,
        series=series_id or 0,
        start_utc=group.start_utc,
        minutes=SLOT_MINUTES,
        facilitator_id=facilitator.id if facilitator else None,
        video_link=config.video_link,
    )
    session.add(huddle)
    session.flush()
    if not huddle.series:
        huddle.series = huddle.id
    members = [by_id[int(pid)] for pid in group.members]
    for person in members:
        session.add(
            HuddleMember(tenant_id=tenant_id, huddle_id=huddle.id, employee_id=person.id, rsvp=INVITED)
        )
    if facilitator is not None:
        session.add(
            HuddleMember(
                tenant_id=tenant_id,
                huddle_id=huddle.id,
                employee_id=facilitator.id,
                facilitator=True,
                rsvp=INVITED,
            )
        )
    everyone = [*members, *([facilitator] if facilitator else [])]
    meeting = _meeting(huddle, everyone)
    users = [person.slack_user_id or "" for person in everyone]
    opens = series.first_shared_moment([_schedule(person) for person in everyone], now)
    outbox.enqueue(
        session,
        tenant_id=tenant_id,
        key=f"huddle-invite:{tenant_id}:{huddle.id}",
        now=now,
        conversation=users,
        text=words.invitation_text(meeting),
        blocks=words.invitation_blocks(meeting),
        not_before=opens,
    )
    filename, content = words.ics_file(meeting, now, tenant_id)
    outbox.enqueue(
        session,
        tenant_id=tenant_id,
        key=f"huddle-ics:{tenant_id}:{huddle.id}",
        now=now,
        conversation=users,
        text=words.ics_comment(),
        file=outbox.Attachment(filename=filename, content=content, title=words.TITLE),
        not_before=opens + timedelta(seconds=1),
    )


def _eligible(
    session: Session, tenant_id: str, month: str, today: date, cadence: series.Cadence
) -> list[tuple[Employee, date]]:
    """Enrolled, back at work, inside the window after their return, reachable, not opted out."""
    rows = session.execute(
        select(Employee, Leave.expected_return, Leave.actual_return)
        .join(Enrolment, Enrolment.employee_id == Employee.id)
        .join(Leave, Leave.id == Enrolment.leave_id)
        .where(Enrolment.tenant_id == tenant_id, Enrolment.status == "active", Employee.active.is_(True))
        .order_by(Employee.id)
    ).all()
    opted_out = set(
        session.scalars(select(HuddleOptOut.employee_id).where(HuddleOptOut.tenant_id == tenant_id))
    )
    chosen: dict[int, tuple[Employee, date]] = {}
    for person, expected, actual in rows:
        returned = actual or expected
        if (
            person.reachable
            and person.id not in opted_out
            and series.is_eligible(returned, month, today, cadence.eligible_months)
        ):
            chosen[person.id] = (person, returned)
    return list(chosen.values())


def _facilitators(session: Session, tenant_id: str, employee_ids: Iterable[int]) -> list[Employee]:
    ids = list(employee_ids)
    if not ids:
        return []
    people = session.scalars(
        select(Employee).where(Employee.tenant_id == tenant_id, Employee.id.in_(ids)).order_by(Employee.id)
    )
    return [person for person in people if person.reachable]


def _previous_huddles(
    session: Session, tenant_id: str, month: str
) -> list[tuple[int, list[str], str | None]]:
    """The latest earlier cycle's groups: (series, member ids still taking part, facilitator id)."""
    latest = session.scalar(
        select(func.max(HuddleCycle.month)).where(
            HuddleCycle.tenant_id == tenant_id, HuddleCycle.month < month
        )
    )
    if latest is None:
        return []
    found = []
    for huddle in session.scalars(
        select(Huddle).where(Huddle.tenant_id == tenant_id, Huddle.month == latest).order_by(Huddle.id)
    ):
        members = session.scalars(
            select(HuddleMember.employee_id).where(
                HuddleMember.huddle_id == huddle.id,
                HuddleMember.facilitator.is_(False),
                HuddleMember.rsvp != LEFT,
            )
        )
        facilitator = str(huddle.facilitator_id) if huddle.facilitator_id is not None else None
        found.append((huddle.series, [str(member) for member in members], facilitator))
    return found


def _previous_of(
    members: Iterable[str], previous: list[tuple[int, list[str], str | None]]
) -> tuple[int, list[str], str | None] | None:
    """The earlier group most of this one came from, if at least half of it did."""
    now_in = set(members)
    best = max(previous, key=lambda item: len(now_in & set(item[1])), default=None)
    if best is None or 2 * len(now_in & set(best[1])) < len(now_in):
        return None
    return best
