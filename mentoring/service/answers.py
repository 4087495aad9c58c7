"""The answers that move a match: the mentor accepts or declines, either side ends it. Each is a
conditional write, so two clicks at once take effect once; nobody is ever told why.

A decline or an ending only records the answer and marks the mentee for a rematch, in the
click's one transaction; the scheduler's ``mentoring-rematch`` tick asks the next best mentor
(``runs.run_rematches``). The solve reads the whole tenant, which a click cannot afford inside
Slack's 3 seconds."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, update
from sqlalchemy.orm import Session

from hr_plugin import audit, outbox
from hr_plugin.clock import Clock
from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.models import Employee
from mentoring import messages as words
from mentoring.models import Match
from mentoring.service._common import (
    ASKED,
    DECLINED,
    ENDED,
    MATCHED,
    OPEN_MATCH,
    MentoringError,
    between_read_and_write,
    person_of_user,
)
from mentoring.service.runs import mark_rematch


def respond(
    factory: SessionFactory, clock: Clock, *, tenant_id: str, user_id: str, match_id: int, accept: bool
) -> str:
    """The mentor accepts (an introduction follows) or declines (the mentee is marked for the
    rematch tick, which asks the next best mentor)."""
    now = clock.now()
    with unit_of_work(factory) as session:
        person = person_of_user(session, tenant_id, user_id)
        match = session.get(Match, match_id)
        if match is None or match.tenant_id != tenant_id or match.mentor_id != person.id:
            raise MentoringError("That request is not yours.")
        if match.status != ASKED:
            raise MentoringError("You have already answered this request.")
        between_read_and_write()
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
            mark_rematch(session, tenant_id, match.mentee_id, now)
        session.commit()
        return match.status


def end(factory: SessionFactory, clock: Clock, *, tenant_id: str, user_id: str, match_id: int) -> None:
    """Either side ends quietly; the other is told kindly, without a reason; the mentee is
    marked for the rematch tick."""
    now = clock.now()
    with unit_of_work(factory) as session:
        person = person_of_user(session, tenant_id, user_id)
        match = session.get(Match, match_id)
        if (
            match is None
            or match.tenant_id != tenant_id
            or person.id not in (match.mentee_id, match.mentor_id)
        ):
            raise MentoringError("That match is not yours.")
        if match.status not in OPEN_MATCH:
            raise MentoringError("That match has already ended.")
        between_read_and_write()
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
        mark_rematch(session, tenant_id, match.mentee_id, now)
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
