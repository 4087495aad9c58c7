"""The "did you meet?" question, two weeks after an introduction, and its answers: only the
program's counts use them."""

from __future__ import annotations

from sqlalchemy import select

from hr_plugin import outbox
from hr_plugin.clock import Clock
from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.models import Employee
from mentoring import messages as words
from mentoring.models import Match
from mentoring.service._common import (
    MATCHED,
    MET_CHECK_AFTER,
    MentoringError,
    person_of_user,
)


def record_met(
    factory: SessionFactory, clock: Clock, *, tenant_id: str, user_id: str, match_id: int, met: bool
) -> None:
    """One side's answer to "did you meet?"; each side's is kept apart, for the counts only."""
    with unit_of_work(factory) as session:
        person = person_of_user(session, tenant_id, user_id)
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
