"""What members do: come, skip this month, leave huddles, rejoin, rate a huddle they were in;
and leaving upcoming huddles when someone leaves the program. Each answer is one conditional
write, so of simultaneous clicks exactly one counts (``between_read_and_write`` is where tests
hold the first one).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, or_, select, update
from sqlalchemy.orm import Session

from hr_plugin import audit, outbox
from hr_plugin.clock import Clock
from hr_plugin.db import SessionFactory, insert_if_absent, unit_of_work
from hr_plugin.enrolment import Enrolment
from huddles import messages as words
from huddles.models import Huddle, HuddleMember, HuddleOptOut, HuddleRating
from huddles.service._common import (
    ALREADY_ANSWERED,
    ATTENDING,
    HAS_LEFT,
    LEFT,
    SKIPPED,
    HuddleError,
    _membership,
    _person,
    between_read_and_write,
)
from huddles.service.delivery import _remind, _reminder_keys

ANSWERS = {"attend": ATTENDING, "skip": SKIPPED, "leave": LEFT}


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
            between_read_and_write()
            if not _leave(session, now, tenant_id, person.id):
                return words.rsvp_reply(choice)  # left already (a second click): nothing changes
        else:
            if huddle.start_utc <= now:
                raise HuddleError("This huddle has already started.")
            if member.rsvp == LEFT:
                raise HuddleError(HAS_LEFT)
            between_read_and_write()
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
        between_read_and_write()
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
        between_read_and_write()
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
