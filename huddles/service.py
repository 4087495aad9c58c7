"""Huddle use cases: HR's settings, planning each cycle, the messages around each huddle, and
what members do (come, skip, leave, rejoin, rate). One transaction each; messages go through
the outbox in the same transaction as the change, under keys that make each one happen once.

Outbox keys (``<t>`` the tenant):

- ``huddle-invite:<t>:<huddle>`` and ``huddle-ics:<t>:<huddle>``: the invitation and its
  calendar file, in the group DM of that huddle's members and facilitator;
- ``huddle-unplaced:<t>:<month>:<employee>``: why someone was not placed this cycle;
- ``huddle-day:<t>:<huddle>:<employee>``: the reminder 24 hours before, to each member who
  has not skipped; ``huddle-soon:<t>:<huddle>:<employee>``: 10 minutes before, to those who
  said they are coming and the facilitator (a reminder of a meeting they accepted is sent on
  time, whatever the hour, so it goes only to them);
- ``huddle-notes:<t>:<huddle>``: the facilitator's notes, 24 hours before, to them alone;
- ``huddle-feedback:<t>:<huddle>:<employee>``: the rating question once the huddle is over.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, delete, func, or_, select, update
from sqlalchemy.orm import Session

from hr_plugin import audit, outbox
from hr_plugin.clock import Clock
from hr_plugin.db import SessionFactory, insert_if_absent, unit_of_work
from hr_plugin.directory import find_by_slack_id, org_map
from hr_plugin.enrolment import Enrolment
from hr_plugin.models import Employee, HrAdmin, Leave, Tenant
from hr_plugin.org_chart import chain_up
from hr_plugin.quiet_hours import parse_clock as parse_hhmm
from hr_plugin.reports import suppress
from huddles import messages as words
from huddles import series
from huddles.cohorts import Participant, form_cohorts
from huddles.models import (
    Huddle,
    HuddleCycle,
    HuddleMember,
    HuddleNotice,
    HuddleOptOut,
    HuddleRating,
    HuddleSettings,
)
from huddles.plan import Placed, place
from huddles.prompts import notes_for
from huddles.slots import SLOT_MINUTES, MonthGrid, Schedule

# Given a session and a tenant, the employee ids of mentors who offered to facilitate. The app
# wiring passes mentoring's answer in; huddles never reads mentoring's tables itself.
FacilitatorSource = Callable[[Session, str], list[int]]


def _nothing() -> None:
    """The default of the test seam below: nothing happens between a check and its write."""


# A test seam: called after a member's answer has read their row and before it writes. Tests
# replace it to hold one click there while another runs to the end
# (``tests/reliability/test_once_only.py``); in the app it does nothing.
_between_read_and_write: Callable[[], None] = _nothing

INVITED, ATTENDING, SKIPPED, LEFT = "invited", "attending", "skipped", "left"
ALREADY_ANSWERED = "You've already answered for this huddle. Thank you."
HAS_LEFT = "You've left peer huddles; rejoin from the app's Home tab first."
ANSWERS = {"attend": ATTENDING, "skip": SKIPPED, "leave": LEFT}
FEEDBACK_WINDOW = timedelta(days=7)


class HuddleError(ValueError):
    """Why something cannot be done, in words for the person; ``field`` names a modal input."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# -- HR's settings ------------------------------------------------------------------------


@dataclass(frozen=True)
class HuddleConfig:
    enabled: bool
    cadence: series.Cadence
    video_link: str | None


DEFAULT_CONFIG = HuddleConfig(True, series.Cadence(), None)


def config_of(session: Session, tenant_id: str) -> HuddleConfig:
    row = _settings_row(session, tenant_id)
    if row is None:
        return DEFAULT_CONFIG
    cadence = series.Cadence(
        every_months=row.every_months,
        week_of_month=row.week_of_month,
        avoided_weekdays=frozenset(row.avoided_weekdays),
        min_size=row.min_size,
        max_size=row.max_size,
        eligible_months=row.eligible_months,
    )
    return HuddleConfig(row.enabled, cadence, row.video_link)


def current_config(factory: SessionFactory, *, tenant_id: str) -> HuddleConfig:
    with unit_of_work(factory) as session:
        return config_of(session, tenant_id)


def save_config(
    factory: SessionFactory, clock: Clock, *, tenant_id: str, user_id: str, config: HuddleConfig
) -> None:
    """HR saves the settings; they apply from the next cycle that is not yet planned."""
    try:
        config.cadence.check()
    except series.SettingsError as exc:
        raise HuddleError(str(exc), exc.field) from None
    link = (config.video_link or "").strip() or None
    if link is not None and not link.startswith("https://"):
        raise HuddleError("A video link starts with https://", "video_link")
    now = clock.now()
    with unit_of_work(factory) as session:
        actor = _person(session, tenant_id, user_id)
        if (
            session.scalar(
                select(HrAdmin.id).where(HrAdmin.tenant_id == tenant_id, HrAdmin.employee_id == actor.id)
            )
            is None
        ):
            raise HuddleError("Only HR admins can change huddle settings.", "every_months")
        row = _settings_row(session, tenant_id)
        if row is None:
            row = HuddleSettings(tenant_id=tenant_id)
            session.add(row)
        cadence = config.cadence
        row.enabled, row.video_link, row.updated_at = config.enabled, link, now
        row.every_months, row.week_of_month = cadence.every_months, cadence.week_of_month
        row.avoided_weekdays = sorted(cadence.avoided_weekdays)
        row.min_size, row.max_size, row.eligible_months = (
            cadence.min_size,
            cadence.max_size,
            cadence.eligible_months,
        )
        audit.record(
            session,
            tenant_id=tenant_id,
            at=now,
            actor=user_id,
            action="huddles.settings_changed",
            details={
                "enabled": config.enabled,
                "every_months": cadence.every_months,
                "week_of_month": cadence.week_of_month,
                "avoided_weekdays": sorted(cadence.avoided_weekdays),
                "min_size": cadence.min_size,
                "max_size": cadence.max_size,
                "eligible_months": cadence.eligible_months,
                "video_link": link is not None,
            },
        )
        session.commit()


# -- planning -----------------------------------------------------------------------------


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


# -- around each huddle -------------------------------------------------------------------


def deliver(factory: SessionFactory, clock: Clock) -> int:
    """Enqueue what is due around each huddle, a few days ahead with each message's own time
    (the outbox holds it until then): the day-before reminders and the facilitator's notes, the
    10-minute reminders, and after the huddle the rating question."""
    now = clock.now()
    enqueued = 0
    with unit_of_work(factory) as session:
        upcoming = session.scalars(
            select(Huddle)
            .where(
                Huddle.reminded_at.is_(None),
                Huddle.start_utc > now,
                Huddle.start_utc <= now + series.LOOK_AHEAD,
            )
            .order_by(Huddle.id)
        ).all()
        for huddle in upcoming:
            enqueued += _remind(session, now, huddle)
            huddle.reminded_at = now
        session.commit()
    with unit_of_work(factory) as session:
        finished = session.scalars(
            select(Huddle)
            .where(
                Huddle.followed_up_at.is_(None),
                Huddle.start_utc <= now - timedelta(minutes=30),
                Huddle.start_utc > now - FEEDBACK_WINDOW,
            )
            .order_by(Huddle.id)
        ).all()
        for huddle in finished:
            if huddle.start_utc + timedelta(minutes=huddle.minutes) > now:
                continue
            enqueued += _ask_feedback(session, now, huddle)
            huddle.followed_up_at = now
        session.commit()
    return enqueued


def _remind(session: Session, now: datetime, huddle: Huddle, *, only: int | None = None) -> int:
    """Enqueue the day-before message (the facilitator's notes, or a reminder) and the
    10-minute reminder for everyone still coming; ``only`` one person, who has just said they
    will come after the day-before messages went: they get the 10-minute reminder alone."""
    rows = _members(session, huddle)
    meeting = _meeting(huddle, [person for _, person in rows])
    tenant_id = huddle.tenant_id
    group_size = sum(1 for member, _ in rows if not member.facilitator)
    enqueued = 0
    for member, person in rows:
        if member.rsvp in (SKIPPED, LEFT) or not person.reachable:
            continue
        if only is not None and person.id != only:
            continue
        solicited = member.rsvp == ATTENDING or member.facilitator
        if member.facilitator or only is None:
            if member.facilitator:
                key = f"huddle-notes:{tenant_id}:{huddle.id}"
                text = words.notes_text(meeting)
                blocks = words.notes_blocks(meeting, notes_for(huddle.month), group_size)
            else:
                key = f"huddle-day:{tenant_id}:{huddle.id}:{person.id}"
                text, blocks = words.day_reminder_text(meeting, answered=solicited), None
            enqueued += outbox.enqueue(
                session,
                tenant_id=tenant_id,
                key=key,
                now=now,
                recipient=person.slack_user_id,
                solicited=solicited,
                not_before=series.day_before_moment(_schedule(person), huddle.start_utc, now),
                text=text,
                blocks=blocks,
            )
        if not solicited:
            continue  # the 10-minute reminder is for people who said they are coming
        enqueued += outbox.enqueue(
            session,
            tenant_id=tenant_id,
            key=f"huddle-soon:{tenant_id}:{huddle.id}:{person.id}",
            now=now,
            recipient=person.slack_user_id,
            solicited=solicited,
            text=words.soon_reminder_text(meeting),
            not_before=max(huddle.start_utc - series.SOON_REMINDER, now),
        )
    return enqueued


def _ask_feedback(session: Session, now: datetime, huddle: Huddle) -> int:
    enqueued = 0
    for member, person in _members(session, huddle):
        if member.facilitator or member.rsvp in (SKIPPED, LEFT) or not person.reachable:
            continue
        enqueued += outbox.enqueue(
            session,
            tenant_id=huddle.tenant_id,
            key=f"huddle-feedback:{huddle.tenant_id}:{huddle.id}:{person.id}",
            now=now,
            recipient=person.slack_user_id,
            text=words.feedback_text(),
            blocks=words.feedback_blocks(huddle.id),
        )
    return enqueued


# -- what members do -----------------------------------------------------------------------


def answer(
    factory: SessionFactory, clock: Clock, *, tenant_id: str, user_id: str, huddle_id: int, choice: str
) -> str:
    """``attend``, ``skip`` (this month) or ``leave`` (huddles); the reply for the person."""
    if choice not in ANSWERS:
        raise HuddleError("Unknown answer.")
    now = clock.now()
    with unit_of_work(factory) as session:
        person = _person(session, tenant_id, user_id)
        huddle, member = _membership(session, tenant_id, huddle_id, person.id)
        if choice == "leave":
            _between_read_and_write()
            if not _leave(session, now, tenant_id, person.id):
                return words.rsvp_reply(choice)  # left already (a second click): nothing changes
        else:
            if huddle.start_utc <= now:
                raise HuddleError("This huddle has already started.")
            if member.rsvp == LEFT:
                raise HuddleError(HAS_LEFT)
            _between_read_and_write()
            changed = _change_rsvp(session, member, ANSWERS[choice])
            if changed is None:
                raise HuddleError(HAS_LEFT)  # left from another device meanwhile
            if not changed:
                return words.rsvp_reply(choice)  # the same answer again: nothing to do
            for key in _reminder_keys(huddle, person.id, member.facilitator):
                if choice == "skip":
                    outbox.cancel(session, tenant_id=tenant_id, key=key, reason="skipped this month")
                else:
                    outbox.reinstate(session, tenant_id=tenant_id, key=key)
            if choice == "attend" and huddle.reminded_at is not None:
                _remind(session, now, huddle, only=person.id)  # the day-before round has gone
        audit.record(
            session,
            tenant_id=tenant_id,
            at=now,
            actor=user_id,
            action=f"huddles.{choice}",
            subject=str(huddle.id),
        )
        session.commit()
    return words.rsvp_reply(choice)


def rejoin(factory: SessionFactory, clock: Clock, *, tenant_id: str, user_id: str) -> None:
    """Back into planning. Only the call that removes the opt-out records it, so a double
    click (or two at once: the DELETE's row count decides) leaves one audit row."""
    with unit_of_work(factory) as session:
        person = _person(session, tenant_id, user_id)
        _between_read_and_write()
        removed = session.execute(
            delete(HuddleOptOut).where(
                HuddleOptOut.tenant_id == tenant_id, HuddleOptOut.employee_id == person.id
            )
        )
        if cast(CursorResult[Any], removed).rowcount == 0:
            return  # not opted out (any more): nothing to record
        audit.record(session, tenant_id=tenant_id, at=clock.now(), actor=user_id, action="huddles.rejoined")
        session.commit()


def rate(
    factory: SessionFactory, clock: Clock, *, tenant_id: str, user_id: str, huddle_id: int, score: int
) -> str:
    """A member rates a huddle they were in (1 to 5), or says they missed it (0). The score is
    stored apart from the person; the member row only remembers that they answered."""
    if not 0 <= score <= 5:
        raise HuddleError("Ratings run from 1 to 5.")
    with unit_of_work(factory) as session:
        person = _person(session, tenant_id, user_id)
        huddle, member = _membership(session, tenant_id, huddle_id, person.id)
        if member.facilitator:
            raise HuddleError("Facilitators don't rate their own huddle. Thank you for holding it.")
        if huddle.start_utc > clock.now():
            raise HuddleError("You can rate the huddle once it has taken place.")
        if member.rated or member.attended is False:
            raise HuddleError(ALREADY_ANSWERED)
        _between_read_and_write()
        if not _claim_answer(session, member.id, score):
            raise HuddleError(ALREADY_ANSWERED)  # a simultaneous click answered first
        if score > 0:
            session.add(HuddleRating(tenant_id=tenant_id, huddle_id=huddle.id, score=score))
        session.commit()
    return words.rating_reply(score)


def _claim_answer(session: Session, member_id: int, score: int) -> bool:
    """Record on the member row that they answered, if nobody has yet; True for the one who did.

    The rating row carries no person, so it cannot hold a unique key for "once per member";
    this conditional UPDATE is that key. Its WHERE is checked again under the row's write lock
    (PostgreSQL re-reads the row after the lock holder commits; SQLite has one writer), so of
    simultaneous clicks exactly one changes the row and stores a score.
    """
    claimed = session.execute(
        update(HuddleMember)
        .where(
            HuddleMember.id == member_id,
            HuddleMember.rated.is_(False),
            or_(HuddleMember.attended.is_(None), HuddleMember.attended.is_(True)),
        )
        .values(attended=score > 0, rated=score > 0)
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult[Any], claimed).rowcount == 1


def on_enrolment_change(session: Session, clock: Clock, enrolment: Enrolment, change: str) -> None:
    """Someone who leaves the program leaves their upcoming huddles too (quietly)."""
    if change == "ended":
        _leave(session, clock.now(), enrolment.tenant_id, enrolment.employee_id, opt_out=False)


def _change_rsvp(session: Session, member: HuddleMember, rsvp: str) -> bool | None:
    """Set the member's answer if it differs and they have not left huddles: True when this
    call changed it, False when it was already so, None when they have left.

    One conditional UPDATE, so of simultaneous clicks only one changes the row (and records,
    cancels or reinstates anything); the row lock it takes also puts an "attend" and a "skip"
    sent together in one order, so the reminders match the answer that stays.
    """
    changed = session.execute(
        update(HuddleMember)
        .where(HuddleMember.id == member.id, HuddleMember.rsvp.not_in((rsvp, LEFT)))
        .values(rsvp=rsvp)
        .execution_options(synchronize_session=False)
    )
    session.refresh(member)  # what the row holds now, for the reminders read after this
    if cast(CursorResult[Any], changed).rowcount == 1:
        return True
    return None if member.rsvp == LEFT else False


def _leave(
    session: Session, now: datetime, tenant_id: str, employee_id: int, *, opt_out: bool = True
) -> bool:
    """Out of upcoming huddles (and, with ``opt_out``, out of planning until they rejoin).

    True unless ``opt_out`` found them opted out already: the unique opt-out row decides which
    of simultaneous "leave" clicks is the one that counts.
    """
    if opt_out and not insert_if_absent(
        session,
        HuddleOptOut,
        {"tenant_id": tenant_id, "employee_id": employee_id, "left_at": now},
        ["tenant_id", "employee_id"],
    ):
        return False
    upcoming = session.execute(
        select(HuddleMember, Huddle)
        .join(Huddle, Huddle.id == HuddleMember.huddle_id)
        .where(
            HuddleMember.tenant_id == tenant_id,
            HuddleMember.employee_id == employee_id,
            Huddle.start_utc > now,
        )
    ).all()
    for member, huddle in upcoming:
        member.rsvp = LEFT
        for key in _reminder_keys(huddle, employee_id, member.facilitator):
            outbox.cancel(session, tenant_id=tenant_id, key=key, reason="left huddles")
    return True


def _reminder_keys(huddle: Huddle, employee_id: int, facilitator: bool) -> list[str]:
    t = huddle.tenant_id
    first = f"huddle-notes:{t}:{huddle.id}" if facilitator else f"huddle-day:{t}:{huddle.id}:{employee_id}"
    return [first, f"huddle-soon:{t}:{huddle.id}:{employee_id}"]


# -- what people see ------------------------------------------------------------------------


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


# -- internals -----------------------------------------------------------------------------


def _count(session: Session, *conditions: ColumnElement[bool]) -> int:
    return int(session.scalar(select(func.count()).select_from(HuddleMember).where(*conditions)) or 0)


def _person(session: Session, tenant_id: str, user_id: str) -> Employee:
    person = find_by_slack_id(session, tenant_id, user_id)
    if person is None or not person.active:
        raise HuddleError("You are not in the HR directory yet.")
    return person


def _membership(
    session: Session, tenant_id: str, huddle_id: int, employee_id: int
) -> tuple[Huddle, HuddleMember]:
    huddle = session.get(Huddle, huddle_id)
    member = session.scalars(
        select(HuddleMember).where(
            HuddleMember.huddle_id == huddle_id, HuddleMember.employee_id == employee_id
        )
    ).first()
    if huddle is None or huddle.tenant_id != tenant_id or member is None:
        raise HuddleError("That huddle isn't one of yours.")
    return huddle, member


def _members(session: Session, huddle: Huddle) -> list[tuple[HuddleMember, Employee]]:
    return [
        (member, person)
        for member, person in session.execute(
            select(HuddleMember, Employee)
            .join(Employee, Employee.id == HuddleMember.employee_id)
            .where(HuddleMember.huddle_id == huddle.id)
            .order_by(HuddleMember.facilitator, Employee.name)
        )
    ]


def _meeting(huddle: Huddle, people: Iterable[Employee]) -> words.Meeting:
    return words.Meeting(
        huddle.id, huddle.start_utc, huddle.minutes, huddle.video_link, tuple(p.timezone for p in people)
    )


def _schedule(person: Employee) -> Schedule:
    end = 24 * 60 if person.work_end == "24:00" else _minutes(person.work_end)
    return Schedule(
        person.timezone,
        _minutes(person.work_start),
        end,
        frozenset(person.working_weekdays()),
        person.country or None,
        person.subdivision or None,
    )


def _minutes(clock_text: str) -> int:
    moment = parse_hhmm(clock_text)
    return moment.hour * 60 + moment.minute


def _settings_row(session: Session, tenant_id: str) -> HuddleSettings | None:
    return session.scalars(select(HuddleSettings).where(HuddleSettings.tenant_id == tenant_id)).first()
