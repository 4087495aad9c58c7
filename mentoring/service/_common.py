"""What the mentoring use cases share: the statuses of a match, the error people are shown, the
test seam between a check and its write, and the reads and locks more than one use case needs.

Private to the service package: its submodules import these; nobody else does.
"""

from __future__ import annotations

import sys
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from hr_plugin.directory import find_by_slack_id
from hr_plugin.models import Employee
from mentoring import scoring
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
    """The default of the test seam: nothing happens between a check and its write."""


def between_read_and_write() -> None:
    """The test seam: called after an answer to a match (or HR's pairing) has read what it checks
    and before it writes. Tests replace ``mentoring.service._between_read_and_write`` to hold one
    click there while another runs (``tests/reliability/test_once_only.py``); so it is looked up on
    the package at every call, not bound when this module is imported. Through ``sys.modules``,
    not an import: the package imports this module, and importing it back would be a circle."""
    package = sys.modules[__package__ or "mentoring.service"]
    package._between_read_and_write()


class MentoringError(ValueError):
    """Why something cannot be done, in words for the person; ``field`` names the modal input."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class CannotPair(MentoringError):
    """HR's pairing by hand refused by the matching rules. The message (Slack's modal) is one
    sentence for every reason; ``plain`` says it in words that name only the reporting line or
    the mentor's free places (the console's), never an exclusion or an earlier decline."""

    def __init__(self, message: str, field: str, plain: str) -> None:
        super().__init__(message, field)
        self.plain = plain


def person_of_user(session: Session, tenant_id: str, user_id: str) -> Employee:
    """The person acting, by Slack user id; someone the directory does not know (or no longer
    active) is told so, which the listeners show as the reason nothing opens."""
    person = find_by_slack_id(session, tenant_id, user_id)
    if person is None or not person.active:
        raise MentoringError("You are not in the HR directory yet.")
    return person


def mentor_profile(session: Session, tenant_id: str, employee_id: int) -> MentorProfile | None:
    return session.scalars(
        select(MentorProfile).where(
            MentorProfile.tenant_id == tenant_id, MentorProfile.employee_id == employee_id
        )
    ).first()


def preferences_of(session: Session, tenant_id: str, employee_id: int, *, create: bool) -> MenteePreferences:
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


def open_match(session: Session, tenant_id: str, mentee_id: int) -> Match | None:
    """The mentee's one open match (asked or active), if any."""
    return session.scalars(
        select(Match).where(
            Match.tenant_id == tenant_id, Match.mentee_id == mentee_id, Match.status.in_(OPEN_MATCH)
        )
    ).first()


def load_of(session: Session, tenant_id: str, mentor_id: int) -> int:
    """How many of a mentor's places are taken: open matches, asked ones included."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(Match)
            .where(Match.tenant_id == tenant_id, Match.mentor_id == mentor_id, Match.status.in_(OPEN_MATCH))
        )
        or 0
    )


def lock_mentor(session: Session, tenant_id: str, mentor_id: int) -> None:
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


def has_free_place(session: Session, tenant_id: str, mentor_id: int) -> bool:
    """Whether the mentor has fewer open matches than places; call it after ``lock_mentor``,
    so that two pairings at once cannot both see the last place free."""
    capacity = session.scalar(
        select(MentorProfile.capacity).where(
            MentorProfile.tenant_id == tenant_id, MentorProfile.employee_id == mentor_id
        )
    )
    return capacity is not None and load_of(session, tenant_id, mentor_id) < capacity


def closed_pairs(session: Session, tenant_id: str, mentee_id: int) -> frozenset[tuple[str, str]]:
    """Pairs of this mentee that were declined or ended: never proposed again."""
    rows = session.execute(
        select(Match.mentee_id, Match.mentor_id).where(
            Match.tenant_id == tenant_id, Match.mentee_id == mentee_id, Match.status.in_((DECLINED, ENDED))
        )
    )
    return frozenset((str(a), str(b)) for a, b in rows)


def scoring_person(person: Employee) -> scoring.Person:
    return scoring.Person(
        id=str(person.id),
        timezone=person.timezone,
        work_start=person.work_start,
        work_end=person.work_end,
        working_days=person.working_weekdays(),
        department=person.department,
    )


def scoring_mentee(person: Employee, prefs: MenteePreferences | None) -> scoring.MenteeProfile:
    return scoring.MenteeProfile(
        person=scoring_person(person),
        preferences=frozenset(prefs.preferences if prefs else ()),
        excluded=frozenset(str(i) for i in (prefs.excluded if prefs else ())),
    )


def scoring_mentor(profile: MentorProfile, person: Employee, load: int) -> scoring.MentorProfile:
    return scoring.MentorProfile(
        person=scoring_person(person),
        tags=frozenset(profile.tags),
        share_tags=profile.share_tags,
        returned_on=profile.returned_on,
        capacity=profile.capacity,
        load=load,
        paused=profile.paused,
    )
