"""What people see of mentoring on their App Home: their pair, a mentor's mentees, what managers
were let know, HR's counts. Reads inside the Home's own session; nothing here writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    SQLColumnExpression,
    String,
    bindparam,
    exists,
    func,
    select,
)
from sqlalchemy.orm import Session, aliased

from hr_plugin.db import one_of
from hr_plugin.directory import org_map
from hr_plugin.enrolment import ACTIVE, Enrolment
from hr_plugin.models import Employee, Leave
from hr_plugin.org_chart import chain_down, chain_up
from mentoring.models import Match, MenteePreferences, MentorProfile, RematchDue
from mentoring.service._common import (
    ASKED,
    MATCH_LEAD,
    MATCHED,
    OPEN_MATCH,
    load_of,
    open_match,
)


@dataclass(frozen=True)
class PairView:
    """One match as one side sees it: the other's name, the status, and why they were paired."""

    match_id: int
    other_name: str
    status: str
    reasons: tuple[str, ...]


def mentee_view(session: Session, tenant_id: str, employee_id: int) -> PairView | None:
    """The mentee's open match, if any; the mentor's name only once they have said yes."""
    match = open_match(session, tenant_id, employee_id)
    if match is None:
        return None
    mentor = session.get(Employee, match.mentor_id)
    return _mentee_pair(match, mentor.name if mentor is not None else None)


def mentee_view_of(session: Session, tenant_id: str, match_id: int) -> PairView | None:
    """``mentee_view`` of the open match ``home_probe`` found, with its mentor's name, in one
    statement (built once: the App Home runs it for every mentee)."""
    row = session.execute(_MENTEE_PAIR, {"mentoring_tenant": tenant_id, "mentoring_match": match_id}).first()
    return _mentee_pair(row[0], row[1]) if row is not None else None


_MENTEE_PAIR = (
    select(Match, Employee.name)
    .outerjoin(Employee, Employee.id == Match.mentor_id)
    .where(
        Match.tenant_id == bindparam("mentoring_tenant", type_=String()),
        Match.id == bindparam("mentoring_match", type_=Integer()),
        one_of(Match.status, OPEN_MATCH),
    )
)


def _mentee_pair(match: Match, mentor_name: str | None) -> PairView:
    # Until the mentor has said yes, the mentee only knows someone is being asked.
    name = mentor_name if mentor_name is not None and match.status == MATCHED else ""
    return PairView(match.id, name, match.status, tuple(match.reasons_for_mentee) if name else ())


def _rematch_due(
    tenant_id: str | SQLColumnExpression[str], employee_id: SQLColumnExpression[int]
) -> ColumnElement[bool]:
    return exists().where(RematchDue.tenant_id == tenant_id, RematchDue.mentee_id == employee_id)


def mentor_views(session: Session, tenant_id: str, employee_id: int) -> list[PairView]:
    """A mentor's open matches, the ones still waiting for their answer too (one statement,
    with the mentees' names, built once: the App Home runs it for every mentor)."""
    rows = session.execute(_MENTOR_PAIRS, {"mentoring_tenant": tenant_id, "mentoring_mentor": employee_id})
    return [
        PairView(match.id, mentee_name or "", match.status, tuple(match.reasons_for_mentor))
        for match, mentee_name in rows
    ]


_MENTOR_PAIRS = (
    select(Match, Employee.name)
    .outerjoin(Employee, Employee.id == Match.mentee_id)
    .where(
        Match.tenant_id == bindparam("mentoring_tenant", type_=String()),
        Match.mentor_id == bindparam("mentoring_mentor", type_=Integer()),
        one_of(Match.status, OPEN_MATCH),
    )
    .order_by(Match.id)
)


@dataclass(frozen=True)
class HomeFacts:
    """What the App Home's first statement told of the person's mentoring (``home_probe``)."""

    open_match_as_mentee: int | None
    rematch_waiting: bool
    mentor_active: bool | None  # None: never opted in as a mentor
    mentor_paused: bool
    mentor_capacity: int
    manager_sees_a_mentor: bool


def home_probe(
    tenant_id: SQLColumnExpression[str], employee_id: SQLColumnExpression[int]
) -> tuple[ColumnElement[Any], ...]:
    """Scalar subqueries correlated to the person, for the Home's first statement, in
    ``HomeFacts``'s order: they replace a statement each for the mentee's match, the rematch
    mark, the mentor profile, and the manager's view of their reports' mentors."""

    def profile(column: Any) -> ColumnElement[Any]:
        return (
            select(column)
            .where(MentorProfile.tenant_id == tenant_id, MentorProfile.employee_id == employee_id)
            .limit(1)
            .scalar_subquery()
        )

    return (
        select(Match.id)
        .where(Match.tenant_id == tenant_id, Match.mentee_id == employee_id, one_of(Match.status, OPEN_MATCH))
        .limit(1)
        .scalar_subquery()
        .label("mentoring_open_match"),
        _rematch_due(tenant_id, employee_id).label("mentoring_rematch_due"),
        profile(MentorProfile.active).label("mentoring_mentor_active"),
        profile(MentorProfile.paused).label("mentoring_mentor_paused"),
        profile(MentorProfile.capacity).label("mentoring_mentor_capacity"),
        exists(_manager_sees_mentor(tenant_id, employee_id).order_by(None)).label("mentoring_manager_sees"),
    )


def home_facts(values: tuple[Any, ...]) -> HomeFacts:
    match, rematch, active, paused, capacity, manager_sees = values
    return HomeFacts(
        match,
        bool(rematch),
        None if active is None else bool(active),
        bool(paused),
        int(capacity or 0),
        bool(manager_sees),
    )


@dataclass(frozen=True)
class HrFigures:
    """What HR's Home shows of the program: counts, and the open pairs by name."""

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

    One query, whatever the team's size: it runs on a manager's App Home (when ``home_probe``
    found anyone to show), so it is built once, with bound parameters."""
    rows = session.execute(_MANAGER_SEES, {"mentoring_tenant": tenant_id, "mentoring_manager": manager_id})
    return [(report_name, mentor_name) for report_name, mentor_name in rows]


def _manager_sees_mentor(
    tenant_id: SQLColumnExpression[str], manager_id: SQLColumnExpression[int]
) -> Select[str, str]:
    report, mentor = aliased(Employee), aliased(Employee)
    return (
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


_MANAGER_SEES = _manager_sees_mentor(
    bindparam("mentoring_tenant", type_=String()), bindparam("mentoring_manager", type_=Integer())
)


def met_answers(session: Session, tenant_id: str) -> tuple[int, int]:
    """How many "did you meet?" answers said yes and said no, from mentees and mentors alike
    (HR's figures: counts only, never whose)."""
    yes = no = 0
    for by_mentee, by_mentor in session.execute(
        select(Match.met_by_mentee, Match.met_by_mentor).where(
            Match.tenant_id == tenant_id,
            (Match.met_by_mentee.is_not(None)) | (Match.met_by_mentor.is_not(None)),
        )
    ):
        for answer in (by_mentee, by_mentor):
            if answer is True:
                yes += 1
            elif answer is False:
                no += 1
    return yes, no


@dataclass(frozen=True)
class MentorPlaces:
    """A mentor as HR's console shows them: places offered, taken and free (a paused mentor has
    none free). Never their experience tags nor anything a mentee chose."""

    name: str
    user_id: str
    places: int
    taken: int
    free: int


@dataclass(frozen=True)
class NotMatched:
    """Someone enrolled without a mentor yet, and why in words that name only the timing, the
    mentors' free places or the reporting line: never a preference, an exclusion, a decline,
    nor that the person asked to be left out."""

    name: str
    user_id: str
    reason: str


NOT_DUE = "Not due yet: back on {back}, and matching starts nearer the return."
NO_FREE_PLACE = "No mentor has a free place just now."
ONLY_REPORTING_LINE = "Every mentor with a free place is in their reporting line."
NEXT_ROUND = "Waiting for the next matching round."


@dataclass(frozen=True)
class HrProgram:
    """The mentoring page of HR's console: mentors and free places, open pairs, not matched yet."""

    mentors: tuple[MentorPlaces, ...]
    pairs: tuple[tuple[str, str, str], ...]
    not_matched: tuple[NotMatched, ...]


def hr_program(session: Session, tenant_id: str, today: date) -> HrProgram:
    """What HR runs the program with (the pair, per the disclosure matrix), read in one session."""
    mentor_rows = session.execute(
        select(MentorProfile, Employee)
        .join(Employee, Employee.id == MentorProfile.employee_id)
        .where(MentorProfile.tenant_id == tenant_id, MentorProfile.active.is_(True))
        .order_by(Employee.name, Employee.id)
    ).all()
    mentors = []
    free_ids: set[int] = set()
    for profile, person in mentor_rows:
        taken = load_of(session, tenant_id, person.id)
        free = 0 if profile.paused else max(profile.capacity - taken, 0)
        if free:
            free_ids.add(person.id)
        mentors.append(MentorPlaces(person.name, person.slack_user_id or "", profile.capacity, taken, free))
    managers = org_map(session, tenant_id)
    rows = session.execute(
        select(Employee, Enrolment.contact_during_leave, Leave.expected_return)
        .join(Enrolment, Enrolment.employee_id == Employee.id)
        .join(Leave, Leave.id == Enrolment.leave_id)
        .where(Enrolment.tenant_id == tenant_id, Enrolment.status == ACTIVE)
        .order_by(Employee.name, Employee.id)
    ).all()
    not_matched = []
    for person, contact, back in rows:
        if open_match(session, tenant_id, person.id) is not None:
            continue
        starts = back - MATCH_LEAD if contact else back
        others = free_ids - {person.id}
        if today < starts:
            reason = NOT_DUE.format(back=f"{back.day} {back:%B %Y}")
        elif not others:
            reason = NO_FREE_PLACE
        elif others <= {*chain_up(managers, person.id), *chain_down(managers, person.id)}:
            reason = ONLY_REPORTING_LINE
        else:
            reason = NEXT_ROUND
        not_matched.append(NotMatched(person.name, person.slack_user_id or "", reason))
    return HrProgram(tuple(mentors), hr_figures(session, tenant_id, today).pairs, tuple(not_matched))
