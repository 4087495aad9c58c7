"""What people see of mentoring on their App Home: their pair, a mentor's mentees, what managers
were let know, HR's counts. Reads inside the Home's own session; nothing here writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from hr_plugin.enrolment import ACTIVE, Enrolment
from hr_plugin.models import Employee
from mentoring.models import Match, MenteePreferences
from mentoring.service._common import (
    ASKED,
    MATCHED,
    OPEN_MATCH,
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
    # Until the mentor has said yes, the mentee only knows someone is being asked.
    name = mentor.name if mentor is not None and match.status == MATCHED else ""
    return PairView(match.id, name, match.status, tuple(match.reasons_for_mentee) if name else ())


def mentor_views(session: Session, tenant_id: str, employee_id: int) -> list[PairView]:
    """A mentor's open matches, the ones still waiting for their answer too."""
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
