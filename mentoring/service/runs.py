"""Matching runs: who is due for a mentor, which mentors have a free place, the solver's choice,
and the mentor asked first. A decline or an ending marks the mentee (``mark_rematch``) and the
scheduler's frequent rematch tick runs the tenant's solve (``run_rematches``), for the next best."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hr_plugin import audit, outbox
from hr_plugin.clock import Clock
from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.directory import org_map
from hr_plugin.enrolment import ACTIVE, Enrolment
from hr_plugin.models import Employee, Leave, Tenant
from hr_plugin.org_chart import chain_down, chain_up, reports_of
from mentoring import messages as words
from mentoring import scoring
from mentoring.models import Match, MentorProfile, RematchDue
from mentoring.service._common import (
    ASKED,
    MATCH_LEAD,
    MATCHER,
    closed_pairs,
    has_free_place,
    load_of,
    lock_mentor,
    open_match,
    preferences_of,
    scoring_mentee,
    scoring_mentor,
)


def run_matching(factory: SessionFactory, clock: Clock, *, lead: timedelta = MATCH_LEAD) -> int:
    """Propose mentors for everyone due, tenant by tenant; the mentor is asked first."""
    asked = 0
    with unit_of_work(factory) as session:
        # An uninstalled workspace's work has stopped (its data waits out the grace period).
        tenants = list(session.scalars(select(Tenant.id).where(Tenant.uninstalled_at.is_(None))))
    for tenant_id in tenants:
        with unit_of_work(factory) as session:
            asked += match_tenant(session, clock, tenant_id, lead)
            session.commit()
    return asked


def mark_rematch(session: Session, tenant_id: str, mentee_id: int, now: datetime) -> None:
    """Inside a decline's or an ending's transaction: the mentee waits for the rematch tick.

    A mark already waiting (a second match closed before the tick ran) is moved to ``now``, so
    a tick that read the older one and is solving meanwhile leaves this one for the next tick
    (``run_rematches`` deletes only the marks it read, as it read them). The insert sits in a
    savepoint: the unique constraint refuses a mark made at the same moment by another click."""
    moved = session.execute(
        update(RematchDue)
        .where(RematchDue.tenant_id == tenant_id, RematchDue.mentee_id == mentee_id)
        .values(since=now)
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[Any], moved).rowcount:
        return
    try:
        with session.begin_nested():
            session.add(RematchDue(tenant_id=tenant_id, mentee_id=mentee_id, since=now))
    except IntegrityError:
        pass  # marked by another click just now: one mark is all the tick needs


def run_rematches(factory: SessionFactory, clock: Clock, *, lead: timedelta = MATCH_LEAD) -> int:
    """The rematch tick: solve each tenant with marked mentees, one transaction per tenant.

    Cheap when nothing waits (one query on a table that is empty most of the time), so it can
    run often and a person whose mentor said no is asked about within seconds. Idempotent: the
    marks a run read are deleted by the commit that holds its matches, so a second run finds
    nothing to do; a run that fails leaves them for the next. Two runs at once (a leader handing
    over) are safe for the same reasons ``run_matching`` is: the mentor's row lock and the
    one-open-match index. How many mentors were asked."""
    with unit_of_work(factory) as session:
        tenants = list(
            session.scalars(
                select(RematchDue.tenant_id)
                .join(Tenant, Tenant.id == RematchDue.tenant_id)
                .where(Tenant.uninstalled_at.is_(None))  # its work has stopped; the purge erases the marks
                .distinct()
                .order_by(RematchDue.tenant_id)
            )
        )
    asked = 0
    for tenant_id in tenants:
        with unit_of_work(factory) as session:
            marks = session.execute(
                select(RematchDue.id, RematchDue.since).where(RematchDue.tenant_id == tenant_id)
            ).all()
            if not marks:
                continue  # another run has just done this tenant
            asked += match_tenant(session, clock, tenant_id, lead)
            for mark_id, since in marks:
                session.execute(
                    delete(RematchDue)
                    .where(RematchDue.id == mark_id, RematchDue.since == since)
                    .execution_options(synchronize_session=False)
                )
            session.commit()
    return asked


def match_tenant(session: Session, clock: Clock, tenant_id: str, lead: timedelta) -> int:
    """One tenant's run, inside the caller's transaction (the periodic matching tick's, or the
    rematch tick's after a decline or an ending). How many mentors were asked."""
    today = clock.now().date()
    due = _due_mentees(session, tenant_id, today, lead)
    if not due:
        return 0
    mentors = _available_mentors(session, tenant_id)
    managers = org_map(session, tenant_id)
    edges: list[tuple[str, str, int]] = []
    scored: dict[tuple[str, str], scoring.Scored] = {}
    reports = reports_of(managers)
    for mentee_row, mentee in due:
        chain = frozenset(
            str(i)
            for i in (
                *chain_up(managers, mentee_row.id),
                *chain_down(managers, mentee_row.id, reports=reports),
            )
        )
        declined = closed_pairs(session, tenant_id, mentee_row.id)
        for mentor in mentors:
            if scoring.eligible(mentee, mentor, chain=chain, declined_pairs=declined):
                result = scoring.score(mentee, mentor, today=today, config=scoring.ScoringConfig())
                scored[(mentee.person.id, mentor.person.id)] = result
                edges.append((mentee.person.id, mentor.person.id, result.weight))
    # The solver is imported here, where matching runs, not at the top: this module is imported
    # by every process that builds the app (the web workers), and the solver
    # brings numpy and scipy (about 49 MB of resident memory) that only a run needs.
    from mentoring import matching

    solution = matching.solve(
        [mentee.person.id for _, mentee in due],
        [(mentor.person.id, mentor.capacity - mentor.load) for mentor in mentors],
        edges,
    )
    now = clock.now()
    asked = 0
    for locked in sorted({int(mentor) for _, mentor in solution.assignments}):
        lock_mentor(session, tenant_id, locked)  # all first, in one order: no deadlock
    for mentee_id, mentor_id in solution.assignments:
        if not has_free_place(session, tenant_id, int(mentor_id)):
            continue  # filled since the loads were read (HR paired someone): the next round
        asked += (
            ask_mentor(
                session,
                now,
                tenant_id,
                int(mentee_id),
                int(mentor_id),
                scored[(mentee_id, mentor_id)],
                origin=MATCHER,
                actor=MATCHER,
            )
            is not None
        )  # None: HR paired this mentee by hand meanwhile
    for mentee_id in solution.unmatched:
        person = session.get(Employee, int(mentee_id))
        if person is not None and person.reachable:
            outbox.enqueue(
                session,
                tenant_id=tenant_id,
                key=f"mentor-waiting:{tenant_id}:{mentee_id}",
                now=now,
                recipient=person.slack_user_id,
                text=words.waiting_text(),
            )
    return asked


def _due_mentees(
    session: Session, tenant_id: str, today: date, lead: timedelta
) -> list[tuple[Employee, scoring.MenteeProfile]]:
    rows = session.execute(
        select(Employee, Enrolment.contact_during_leave, Leave.expected_return)
        .join(Enrolment, Enrolment.employee_id == Employee.id)
        .join(Leave, Leave.id == Enrolment.leave_id)
        .where(Enrolment.tenant_id == tenant_id, Enrolment.status == ACTIVE, Employee.active.is_(True))
        .order_by(Employee.id)
    ).all()
    due = []
    for person, contact, back in rows:
        if not person.reachable:
            continue
        starts = back - lead if contact else back
        if today < starts:
            continue
        if open_match(session, tenant_id, person.id) is not None:
            continue
        prefs = preferences_of(session, tenant_id, person.id, create=False)
        if prefs is not None and not prefs.wants_mentor:
            continue
        due.append((person, scoring_mentee(person, prefs)))
    return due


def _available_mentors(session: Session, tenant_id: str) -> list[scoring.MentorProfile]:
    rows = session.execute(
        select(MentorProfile, Employee)
        .join(Employee, Employee.id == MentorProfile.employee_id)
        .where(
            MentorProfile.tenant_id == tenant_id,
            MentorProfile.active.is_(True),
            MentorProfile.paused.is_(False),
            Employee.active.is_(True),
        )
        .order_by(Employee.id)
    ).all()
    mentors = []
    for profile, person in rows:
        if not person.reachable:
            continue
        load = load_of(session, tenant_id, person.id)
        if load < profile.capacity:
            mentors.append(scoring_mentor(profile, person, load))
    return mentors


def ask_mentor(
    session: Session,
    now: datetime,
    tenant_id: str,
    mentee_id: int,
    mentor_id: int,
    result: scoring.Scored,
    *,
    origin: str,
    actor: str,
) -> Match | None:
    """``origin`` says how the pair was made (``MATCHER`` or ``BY_HR``, kept on the match);
    ``actor`` who made it, for the audit log (the matcher, or the HR admin's Slack user id).

    None, with nothing written, if the mentee has an open match after all: the callers check
    first, but a pairing sent at the same moment may have made one since, and the partial
    unique index ``uq_mentor_matches_one_open`` refuses the second inside a savepoint.
    """
    try:
        with session.begin_nested():
            match = _insert_match(session, now, tenant_id, mentee_id, mentor_id, result, origin=origin)
    except IntegrityError:
        return None
    mentee, mentor = session.get(Employee, mentee_id), session.get(Employee, mentor_id)
    assert mentee is not None and mentor is not None
    outbox.enqueue(
        session,
        tenant_id=tenant_id,
        key=f"mentor-ask:{tenant_id}:{match.id}",
        now=now,
        recipient=mentor.slack_user_id,
        text=words.ask_text(mentee.name),
        blocks=words.ask_blocks(match.id, mentee.name, match.reasons_for_mentor),
    )
    audit.record(
        session,
        tenant_id=tenant_id,
        at=now,
        actor=actor,
        action="mentoring.mentor_asked",
        subject=str(match.id),
    )
    return match


def _insert_match(
    session: Session,
    now: datetime,
    tenant_id: str,
    mentee_id: int,
    mentor_id: int,
    result: scoring.Scored,
    *,
    origin: str,
) -> Match:
    match = Match(
        tenant_id=tenant_id,
        mentee_id=mentee_id,
        mentor_id=mentor_id,
        status=ASKED,
        origin=origin,
        weight=result.weight,
        reasons_for_mentee=list(result.reasons_for_mentee),
        reasons_for_mentor=list(result.reasons_for_mentor),
        proposed_at=now,
        extra={},
    )
    session.add(match)
    session.flush()
    return match
