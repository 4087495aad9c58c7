"""What is due around each huddle, enqueued a few days ahead with each message's own time: the
day-before reminder (or, for the facilitator, their notes), the 10-minute reminder for those
coming, and once the huddle is over the rating question. Answers reuse ``_remind`` and
``_reminder_keys`` to send or cancel one person's reminders.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hr_plugin import outbox
from hr_plugin.clock import Clock
from hr_plugin.db import SessionFactory, unit_of_work
from huddles import messages as words
from huddles import series
from huddles.models import Huddle
from huddles.prompts import notes_for
from huddles.service._common import ATTENDING, LEFT, SKIPPED, _meeting, _members, _schedule

FEEDBACK_WINDOW = timedelta(days=7)


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


def _reminder_keys(huddle: Huddle, employee_id: int, facilitator: bool) -> list[str]:
    """The keys of one person's reminders for a huddle, for an answer to cancel or reinstate."""
    t = huddle.tenant_id
    first = f"huddle-notes:{t}:{huddle.id}" if facilitator else f"huddle-day:{t}:{huddle.id}:{employee_id}"
    return [first, f"huddle-soon:{t}:{huddle.id}:{employee_id}"]
