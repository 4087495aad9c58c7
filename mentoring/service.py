"""Mentoring use cases: mentors opt in, the matcher proposes, the mentor decides first,
either side can step back quietly, HR can pair by hand. Hard constraints hold everywhere.

Nobody is ever told why someone declined or ended a match: no reason is asked, none stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from hr_plugin import audit, outbox
from hr_plugin.clock import Clock
from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.directory import find_by_slack_id, org_map
from hr_plugin.enrolment import ACTIVE, Enrolment
from hr_plugin.models import Employee, HrAdmin, Leave, Tenant
from hr_plugin.org_chart import chain_down, chain_up, reports_of
from mentoring import matching, scoring
from mentoring import messages as words
from mentoring.models import OPEN_MATCH_SQL, Match, MenteePreferences, MentorProfile

ASKED, MATCHED, DECLINED, ENDED = "asked", "active", "declined", "ended"
# How a pair was made (``Match.origin``, 8 characters at most): by the matcher or by HR's hand.
# Who did it goes to the audit log, not here.
MATCHER, BY_HR = "matcher", "hr"
OPEN_MATCH = (ASKED, MATCHED)
assert "status IN (" + ", ".join(f"'{status}'" for status in OPEN_MATCH) + ")" == OPEN_MATCH_SQL
MATCH_LEAD = timedelta(weeks=4)
MET_CHECK_AFTER = timedelta(weeks=2)


def _nothing() -> None:
    """The default of the test seam below: nothing happens between a check and its write."""


# A test seam: called after an answer to a match (or HR's pairing) has read what it checks and
# before it writes. Tests replace it to hold one click there while another runs
# (``tests/reliability/test_once_only.py``).
_between_read_and_write: Callable[[], None] = _nothing


class MentoringError(ValueError):
    """Why something cannot be done, in words for the person; ``field`` names the modal input."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class MentorForm:
    confirmed_transition: bool
    capacity: int
    tags: frozenset[str]
    share_tags: bool
    returned_on: date | None
    facilitates_huddles: bool = False


# -- mentors ----------------------------------------------------------------------------


def opt_in(factory: SessionFactory, clock: Clock, *, tenant_id: str, user_id: str, form: MentorForm) -> None:
    if not form.confirmed_transition:
        raise MentoringError(
            "Mentors are colleagues who went through their own parental transition.", "confirm"
        )
    if not 1 <= form.capacity <= 3:
        raise MentoringError("Choose 1 to 3 mentees.", "capacity")
    unknown = form.tags - set(scoring.TAGS)
    if unknown:
        raise MentoringError("Choose experiences from the list.", "tags")
    now = clock.now()
    with unit_of_work(factory) as session:
        person = _person(session, tenant_id, user_id)
        profile = _mentor_profile(session, tenant_id, person.id)
        if profile is None:
            profile = MentorProfile(tenant_id=tenant_id, employee_id=person.id, created_at=now)
            session.add(profile)
        profile.capacity, profile.tags, profile.share_tags = form.capacity, sorted(form.tags), form.share_tags
        profile.returned_on, profile.facilitates_huddles = form.returned_on, form.facilitates_huddles
        profile.paused, profile.active, profile.updated_at = False, True, now
        audit.record(
            session,
            tenant_id=tenant_id,
            at=now,
            actor=user_id,
            action="mentoring.mentor_opted_in",
            subject=str(person.id),
        )
        session.commit()


def set_mentor_state(
    factory: SessionFactory, clock: Clock, *, tenant_id: str, user_id: str, state: str
) -> None:
    """``pause``, ``resume`` or ``stop`` (stop keeps current mentees; nobody new is asked)."""
    with unit_of_work(factory) as session:
        person = _person(session, tenant_id, user_id)
        profile = _mentor_profile(session, tenant_id, person.id)
        if profile is None:
            raise MentoringError("You are not a mentor yet.")
        profile.paused = state == "pause"
        profile.active = state != "stop"
        profile.updated_at = clock.now()
        session.commit()


def huddle_facilitators(session: Session, tenant_id: str) -> list[int]:
    """Employee ids of mentors who offered to facilitate huddles and are not paused or stopped.

    The app wiring hands this to the huddles feature, which does not read mentoring's tables."""
    return list(
        session.scalars(
            select(MentorProfile.employee_id)
            .where(
                MentorProfile.tenant_id == tenant_id,
                MentorProfile.facilitates_huddles.is_(True),
                MentorProfile.active.is_(True),
                MentorProfile.paused.is_(False),
            )
            .order_by(MentorProfile.employee_id)
        )
    )


def is_mentor(session: Session, tenant_id: str, employee_id: int) -> bool:
    profile = _mentor_profile(session, tenant_id, employee_id)
    return profile is not None and profile.active


# -- mentees ----------------------------------------------------------------------------


def set_preferences(
    factory: SessionFactory,
    clock: Clock,
    *,
    tenant_id: str,
    user_id: str,
    preferences: Iterable[str],
    excluded_user_ids: Iterable[str],
    wants_mentor: bool,
    manager_may_know: bool,
) -> None:
    wanted = frozenset(preferences)
    if wanted - set(scoring.TAGS):
        raise MentoringError("Choose experiences from the list.", "preferences")
    with unit_of_work(factory) as session:
        person = _person(session, tenant_id, user_id)
        excluded = []
        for other in excluded_user_ids:
            found = find_by_slack_id(session, tenant_id, other)
            if found is not None and found.id != person.id:
                excluded.append(found.id)
        prefs = _preferences(session, tenant_id, person.id, create=True)
        prefs.preferences, prefs.excluded = sorted(wanted), sorted(set(excluded))
        prefs.wants_mentor, prefs.manager_may_know = wants_mentor, manager_may_know
        session.commit()


# -- matching ---------------------------------------------------------------------------


def run_matching(factory: SessionFactory, clock: Clock, *, lead: timedelta = MATCH_LEAD) -> int:
    """Propose mentors for everyone due, tenant by tenant; the mentor is asked first."""
    asked = 0
    with unit_of_work(factory) as session:
        # An uninstalled workspace's work has stopped (its data waits out the grace period).
        tenants = list(session.scalars(select(Tenant.id).where(Tenant.uninstalled_at.is_(None))))
    for tenant_id in tenants:
        with unit_of_work(factory) as session:
            asked += _match_tenant(session, clock, tenant_id, lead)
            session.commit()
    return asked


def _match_tenant(session: Session, clock: Clock, tenant_id: str, lead: timedelta) -> int:
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
        declined = _closed_pairs(session, tenant_id, mentee_row.id)
        for mentor in mentors:
            if scoring.eligible(mentee, mentor, chain=chain, declined_pairs=declined):
                result = scoring.score(mentee, mentor, today=today, config=scoring.ScoringConfig())
                scored[(mentee.person.id, mentor.person.id)] = result
                edges.append((mentee.person.id, mentor.person.id, result.weight))
    solution = matching.solve(
        [mentee.person.id for _, mentee in due],
        [(mentor.person.id, mentor.capacity - mentor.load) for mentor in mentors],
        edges,
    )
    now = clock.now()
    asked = 0
    for locked in sorted({int(mentor) for _, mentor in solution.assignments}):
        _lock_mentor(session, tenant_id, locked)  # all first, in one order: no deadlock
    for mentee_id, mentor_id in solution.assignments:
        if not _has_free_place(session, tenant_id, int(mentor_id)):
            continue  # filled since the loads were read (HR paired someone): the next round
        asked += (
            _ask_mentor(
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
        if _open_match(session, tenant_id, person.id) is not None:
            continue
        prefs = _preferences(session, tenant_id, person.id, create=False)
        if prefs is not None and not prefs.wants_mentor:
            continue
        due.append((person, _mentee_profile(person, prefs)))
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
        load = _load(session, tenant_id, person.id)
        if load < profile.capacity:
            mentors.append(_mentor_view(profile, person, load))
    return mentors


def _ask_mentor(
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


def respond(
    factory: SessionFactory, clock: Clock, *, tenant_id: str, user_id: str, match_id: int, accept: bool
) -> str:
    """The mentor accepts (an introduction follows) or declines (the next best mentor is asked)."""
    now = clock.now()
    with unit_of_work(factory) as session:
        person = _person(session, tenant_id, user_id)
        match = session.get(Match, match_id)
        if match is None or match.tenant_id != tenant_id or match.mentor_id != person.id:
            raise MentoringError("That request is not yours.")
        if match.status != ASKED:
            raise MentoringError("You have already answered this request.")
        _between_read_and_write()
        if not _move(session, match, (ASKED,), MATCHED if accept else DECLINED, decided_at=now):
            raise MentoringError("You have already answered this request.")  # a click just before
        mentee = session.get(Employee, match.mentee_id)
        assert mentee is not None
        if accept:
            outbox.enqueue(
                session,
                tenant_id=tenant_id,
                key=f"mentor-intro:{tenant_id}:{match.id}",
                now=now,
                conversation=[mentee.slack_user_id or "", person.slack_user_id or ""],
                solicited=True,
                text=words.intro_text(mentee.name, person.name),
                blocks=words.intro_blocks(mentee.name, person.name, match.reasons_for_mentee),
            )
        audit.record(
            session,
            tenant_id=tenant_id,
            at=now,
            actor=user_id,
            action="mentoring.accepted" if accept else "mentoring.declined",
            subject=str(match.id),
        )
        if not accept:
            _match_tenant(session, clock, tenant_id, MATCH_LEAD)
        session.commit()
        return match.status


def end(factory: SessionFactory, clock: Clock, *, tenant_id: str, user_id: str, match_id: int) -> None:
    """Either side ends quietly; the other is told kindly, without a reason; a rematch starts."""
    now = clock.now()
    with unit_of_work(factory) as session:
        person = _person(session, tenant_id, user_id)
        match = session.get(Match, match_id)
        if (
            match is None
            or match.tenant_id != tenant_id
            or person.id not in (match.mentee_id, match.mentor_id)
        ):
            raise MentoringError("That match is not yours.")
        if match.status not in OPEN_MATCH:
            raise MentoringError("That match has already ended.")
        _between_read_and_write()
        if not _move(session, match, OPEN_MATCH, ENDED, ended_at=now):
            raise MentoringError("That match has already ended.")  # the other side, just now
        other = session.get(Employee, match.mentor_id if person.id == match.mentee_id else match.mentee_id)
        if other is not None and other.reachable:
            outbox.enqueue(
                session,
                tenant_id=tenant_id,
                key=f"mentor-ended:{tenant_id}:{match.id}:{other.id}",
                now=now,
                recipient=other.slack_user_id,
                text=words.ended_text(person.name, to_mentee=other.id == match.mentee_id),
            )
        audit.record(
            session,
            tenant_id=tenant_id,
            at=now,
            actor=user_id,
            action="mentoring.ended",
            subject=str(match.id),
        )
        session.flush()
        _match_tenant(session, clock, tenant_id, MATCH_LEAD)
        session.commit()


def _move(session: Session, match: Match, expected: tuple[str, ...], status: str, **values: datetime) -> bool:
    """Move the match to ``status`` if it is still in one of ``expected``; True for the one
    call that did. A conditional UPDATE, checked again under the row's write lock, so an
    accept and a decline (or two ends) sent at once cannot both take effect."""
    moved = session.execute(
        update(Match)
        .where(Match.id == match.id, Match.status.in_(expected))
        .values(status=status, **values)
        .execution_options(synchronize_session=False)
    )
    session.refresh(match)
    return cast(CursorResult[Any], moved).rowcount == 1


def record_met(
    factory: SessionFactory, clock: Clock, *, tenant_id: str, user_id: str, match_id: int, met: bool
) -> None:
    with unit_of_work(factory) as session:
        person = _person(session, tenant_id, user_id)
        match = session.get(Match, match_id)
        if (
            match is None
            or match.tenant_id != tenant_id
            or person.id not in (match.mentee_id, match.mentor_id)
        ):
            raise MentoringError("That match is not yours.")
        if person.id == match.mentee_id:
            match.met_by_mentee = met
        else:
            match.met_by_mentor = met
        session.commit()


def send_met_checks(factory: SessionFactory, clock: Clock) -> int:
    """Two weeks after the introduction, each side is asked privately whether they met."""
    now = clock.now()
    sent = 0
    with unit_of_work(factory) as session:
        matches = session.scalars(
            select(Match).where(Match.status == MATCHED, Match.decided_at <= now - MET_CHECK_AFTER)
        ).all()
        for match in matches:
            for employee_id, other_id in (
                (match.mentee_id, match.mentor_id),
                (match.mentor_id, match.mentee_id),
            ):
                person, other = session.get(Employee, employee_id), session.get(Employee, other_id)
                if person is None or other is None or not person.reachable:
                    continue
                sent += outbox.enqueue(
                    session,
                    tenant_id=match.tenant_id,
                    key=f"mentor-met:{match.tenant_id}:{match.id}:{person.id}",
                    now=now,
                    recipient=person.slack_user_id,
                    text=words.met_text(other.name),
                    blocks=words.met_blocks(match.id, other.name),
                )
        session.commit()
    return sent


def hr_assign(
    factory: SessionFactory,
    clock: Clock,
    *,
    tenant_id: str,
    actor_user_id: str,
    mentee_user_id: str | None,
    mentor_user_id: str | None,
) -> None:
    """HR pairs two people by hand; the hard constraints still apply and the mentor still decides.

    The mentor's free place is counted again under their lock (``_lock_mentor``) just before
    the ask: two pairings of different mentees at once would otherwise both see it free."""
    with unit_of_work(factory) as session:
        actor = _person(session, tenant_id, actor_user_id)
        is_hr = session.scalar(
            select(HrAdmin.id).where(HrAdmin.tenant_id == tenant_id, HrAdmin.employee_id == actor.id)
        )
        if is_hr is None:
            raise MentoringError("Only HR admins can pair people by hand.", "mentee")
        if not mentee_user_id or not mentor_user_id:
            raise MentoringError("Choose both people.", "mentee" if not mentee_user_id else "mentor")
        mentee_row = find_by_slack_id(session, tenant_id, mentee_user_id)
        mentor_row = find_by_slack_id(session, tenant_id, mentor_user_id)
        if mentee_row is None or not mentee_row.reachable:
            raise MentoringError("That person is not in the directory.", "mentee")
        if (
            session.scalar(
                select(Enrolment.id).where(
                    Enrolment.tenant_id == tenant_id,
                    Enrolment.employee_id == mentee_row.id,
                    Enrolment.status == ACTIVE,
                )
            )
            is None
        ):
            raise MentoringError("That person is not enrolled in the program.", "mentee")
        has_one = MentoringError("That person already has a mentor, or one is being asked.", "mentee")
        if _open_match(session, tenant_id, mentee_row.id) is not None:
            raise has_one
        profile = _mentor_profile(session, tenant_id, mentor_row.id) if mentor_row else None
        if mentor_row is None or profile is None or not profile.active:
            raise MentoringError("That person has not opted in as a mentor.", "mentor")
        mentee = _mentee_profile(mentee_row, _preferences(session, tenant_id, mentee_row.id, create=False))
        mentor = _mentor_view(profile, mentor_row, _load(session, tenant_id, mentor_row.id))
        managers = org_map(session, tenant_id)
        chain = frozenset(
            str(i) for i in (*chain_up(managers, mentee_row.id), *chain_down(managers, mentee_row.id))
        )
        cannot_pair = MentoringError(
            "These two cannot be paired: same reporting line, no free place, paused, excluded, "
            "or they were paired before.",
            "mentor",
        )
        if not scoring.eligible(
            mentee, mentor, chain=chain, declined_pairs=_closed_pairs(session, tenant_id, mentee_row.id)
        ):
            if _open_match(session, tenant_id, mentee_row.id) is not None:
                raise has_one  # paired since the first look (perhaps filling the mentor)
            raise cannot_pair
        result = scoring.score(mentee, mentor, today=clock.now().date(), config=scoring.ScoringConfig())
        _between_read_and_write()
        _lock_mentor(session, tenant_id, mentor_row.id)
        if _open_match(session, tenant_id, mentee_row.id) is not None:
            raise has_one  # paired just now, to this mentor: what a second click is told
        if not _has_free_place(session, tenant_id, mentor_row.id):
            raise cannot_pair  # another mentee took the mentor's last place just now
        asked = _ask_mentor(
            session,
            clock.now(),
            tenant_id,
            mentee_row.id,
            mentor_row.id,
            result,
            origin=BY_HR,
            actor=actor_user_id,
        )
        if asked is None:
            raise has_one  # another admin (or the matcher) paired this person just now
        session.commit()


# -- what people see ---------------------------------------------------------------------


@dataclass(frozen=True)
class PairView:
    match_id: int
    other_name: str
    status: str
    reasons: tuple[str, ...]


def mentee_view(session: Session, tenant_id: str, employee_id: int) -> PairView | None:
    match = _open_match(session, tenant_id, employee_id)
    if match is None:
        return None
    mentor = session.get(Employee, match.mentor_id)
    # Until the mentor has said yes, the mentee only knows someone is being asked.
    name = mentor.name if mentor is not None and match.status == MATCHED else ""
    return PairView(match.id, name, match.status, tuple(match.reasons_for_mentee) if name else ())


def mentor_views(session: Session, tenant_id: str, employee_id: int) -> list[PairView]:
    matches = session.scalars(
        select(Match)
        .where(Match.tenant_id == tenant_id, Match.mentor_id == employee_id, Match.status.in_(OPEN_MATCH))
        .order_by(Match.id)
    ).all()
    views = []
    for match in matches:
        mentee = session.get(Employee, match.mentee_id)
        views.append(
            PairView(match.id, mentee.name if mentee else "", match.status, tuple(match.reasons_for_mentor))
        )
    return views


def mentor_profile_of(session: Session, tenant_id: str, employee_id: int) -> MentorProfile | None:
    return _mentor_profile(session, tenant_id, employee_id)


@dataclass(frozen=True)
class HrFigures:
    matched: int
    waiting: int
    unmatched: int
    pairs: tuple[tuple[str, str, str], ...]


def hr_figures(session: Session, tenant_id: str, today: date) -> HrFigures:
    """Counts and pairs for running the program: never why anyone declined."""
    mentee, mentor = aliased(Employee), aliased(Employee)
    pairs = [
        (mentee_name, mentor_name, status)
        for mentee_name, mentor_name, status in session.execute(
            select(mentee.name, mentor.name, Match.status)
            .join(mentee, mentee.id == Match.mentee_id)
            .join(mentor, mentor.id == Match.mentor_id)
            .where(Match.tenant_id == tenant_id, Match.status.in_(OPEN_MATCH))
        )
    ]
    enrolled = (
        session.scalar(
            select(func.count())
            .select_from(Enrolment)
            .where(Enrolment.tenant_id == tenant_id, Enrolment.status == ACTIVE)
        )
        or 0
    )
    matched = sum(1 for *_, status in pairs if status == MATCHED)
    waiting = sum(1 for *_, status in pairs if status == ASKED)
    return HrFigures(matched, waiting, max(int(enrolled) - matched - waiting, 0), tuple(sorted(pairs)))


def manager_sees_mentor(session: Session, tenant_id: str, manager_id: int) -> list[tuple[str, str]]:
    """(report, mentor) for reports who chose to let their manager know.

    One query, whatever the team's size: it runs on every manager's App Home."""
    report, mentor = aliased(Employee), aliased(Employee)
    rows = session.execute(
        select(report.name, mentor.name)
        .join(
            MenteePreferences,
            (MenteePreferences.tenant_id == tenant_id) & (MenteePreferences.employee_id == report.id),
        )
        .join(Match, (Match.tenant_id == tenant_id) & (Match.mentee_id == report.id))
        .join(mentor, mentor.id == Match.mentor_id)
        .where(
            report.tenant_id == tenant_id,
            report.manager_id == manager_id,
            MenteePreferences.manager_may_know.is_(True),
            Match.status == MATCHED,
        )
        .order_by(report.id)
    )
    return [(report_name, mentor_name) for report_name, mentor_name in rows]


# -- internals ---------------------------------------------------------------------------


def _person(session: Session, tenant_id: str, user_id: str) -> Employee:
    person = find_by_slack_id(session, tenant_id, user_id)
    if person is None or not person.active:
        raise MentoringError("You are not in the HR directory yet.")
    return person


def _mentor_profile(session: Session, tenant_id: str, employee_id: int) -> MentorProfile | None:
    return session.scalars(
        select(MentorProfile).where(
            MentorProfile.tenant_id == tenant_id, MentorProfile.employee_id == employee_id
        )
    ).first()


def _preferences(session: Session, tenant_id: str, employee_id: int, *, create: bool) -> MenteePreferences:
    prefs = session.scalars(
        select(MenteePreferences).where(
            MenteePreferences.tenant_id == tenant_id, MenteePreferences.employee_id == employee_id
        )
    ).first()
    if prefs is None and create:
        prefs = MenteePreferences(
            tenant_id=tenant_id,
            employee_id=employee_id,
            preferences=[],
            excluded=[],
            wants_mentor=True,
            manager_may_know=False,
        )
        session.add(prefs)
    return prefs  # type: ignore[return-value]


def _open_match(session: Session, tenant_id: str, mentee_id: int) -> Match | None:
    return session.scalars(
        select(Match).where(
            Match.tenant_id == tenant_id, Match.mentee_id == mentee_id, Match.status.in_(OPEN_MATCH)
        )
    ).first()


def _load(session: Session, tenant_id: str, mentor_id: int) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(Match)
            .where(Match.tenant_id == tenant_id, Match.mentor_id == mentor_id, Match.status.in_(OPEN_MATCH))
        )
        or 0
    )


def _lock_mentor(session: Session, tenant_id: str, mentor_id: int) -> None:
    """Hold the mentor's profile row until this transaction ends, so that counting their open
    matches and asking them happen as one step for every pairing of this mentor.

    Why a write and not ``SELECT ... FOR UPDATE``: SQLite has no row locks (SQLAlchemy leaves
    FOR UPDATE out there), and the app's reads before its first write run outside any
    transaction. An UPDATE that changes nothing works on both with one code path: on
    PostgreSQL it takes the row's lock, a second pairing of the same mentor waits for the
    first to commit, and its next statement (READ COMMITTED) sees the first's match. On SQLite
    it takes the database's one write lock (the busy timeout waits for it), and the reads after
    it in this transaction see the latest commit. Why not a counter of places taken: it would
    need a migration and to be kept right wherever a match opens or closes.

    The count must be a statement of its own after this one: a count inside the UPDATE's WHERE
    would, on PostgreSQL, come from the snapshot taken before the wait.
    """
    session.execute(
        update(MentorProfile)
        .where(MentorProfile.tenant_id == tenant_id, MentorProfile.employee_id == mentor_id)
        .values(updated_at=MentorProfile.updated_at)
        .execution_options(synchronize_session=False)
    )


def _has_free_place(session: Session, tenant_id: str, mentor_id: int) -> bool:
    """Whether the mentor has fewer open matches than places; call it after ``_lock_mentor``,
    so that two pairings at once cannot both see the last place free."""
    capacity = session.scalar(
        select(MentorProfile.capacity).where(
            MentorProfile.tenant_id == tenant_id, MentorProfile.employee_id == mentor_id
        )
    )
    return capacity is not None and _load(session, tenant_id, mentor_id) < capacity


def _closed_pairs(session: Session, tenant_id: str, mentee_id: int) -> frozenset[tuple[str, str]]:
    rows = session.execute(
        select(Match.mentee_id, Match.mentor_id).where(
            Match.tenant_id == tenant_id, Match.mentee_id == mentee_id, Match.status.in_((DECLINED, ENDED))
        )
    )
    return frozenset((str(a), str(b)) for a, b in rows)


def _person_view(person: Employee) -> scoring.Person:
    return scoring.Person(
        id=str(person.id),
        timezone=person.timezone,
        work_start=person.work_start,
        work_end=person.work_end,
        working_days=person.working_weekdays(),
        department=person.department,
    )


def _mentee_profile(person: Employee, prefs: MenteePreferences | None) -> scoring.MenteeProfile:
    return scoring.MenteeProfile(
        person=_person_view(person),
        preferences=frozenset(prefs.preferences if prefs else ()),
        excluded=frozenset(str(i) for i in (prefs.excluded if prefs else ())),
    )


def _mentor_view(profile: MentorProfile, person: Employee, load: int) -> scoring.MentorProfile:
    return scoring.MentorProfile(
        person=_person_view(person),
        tags=frozenset(profile.tags),
        share_tags=profile.share_tags,
        returned_on=profile.returned_on,
        capacity=profile.capacity,
        load=load,
        paused=profile.paused,
    )


def current_mentor_form(factory: SessionFactory, *, tenant_id: str, user_id: str) -> MentorForm | None:
    with unit_of_work(factory) as session:
        person = _person(session, tenant_id, user_id)
        profile = _mentor_profile(session, tenant_id, person.id)
        if profile is None:
            return None
        return MentorForm(
            True,
            profile.capacity,
            frozenset(profile.tags),
            profile.share_tags,
            profile.returned_on,
            profile.facilitates_huddles,
        )


@dataclass(frozen=True)
class PreferencesView:
    preferences: list[str]
    excluded_user_ids: list[str]
    wants_mentor: bool
    manager_may_know: bool


def current_preferences(factory: SessionFactory, *, tenant_id: str, user_id: str) -> PreferencesView:
    with unit_of_work(factory) as session:
        person = _person(session, tenant_id, user_id)
        prefs = _preferences(session, tenant_id, person.id, create=False)
        excluded = []
        for employee_id in prefs.excluded if prefs else []:
            other = session.get(Employee, employee_id)
            if other is not None and other.slack_user_id:
                excluded.append(other.slack_user_id)
        return PreferencesView(
            preferences=list(prefs.preferences) if prefs else [],
            excluded_user_ids=excluded,
            wants_mentor=prefs.wants_mentor if prefs else True,
            manager_may_know=prefs.manager_may_know if prefs else False,
        )
