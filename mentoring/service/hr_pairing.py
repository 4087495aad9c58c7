"""HR pairs a mentee with a mentor by hand: the hard constraints still hold and the mentor still
decides, exactly as with the matcher's proposals."""

from __future__ import annotations

from sqlalchemy import select

from hr_plugin.clock import Clock
from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.directory import find_by_slack_id, org_map
from hr_plugin.enrolment import ACTIVE, Enrolment
from hr_plugin.models import HrAdmin
from hr_plugin.org_chart import chain_down, chain_up
from mentoring import scoring
from mentoring.service._common import (
    BY_HR,
    CannotPair,
    MentoringError,
    between_read_and_write,
    closed_pairs,
    has_free_place,
    load_of,
    lock_mentor,
    mentor_profile,
    open_match,
    person_of_user,
    preferences_of,
    scoring_mentee,
    scoring_mentor,
)
from mentoring.service.runs import ask_mentor

# What Slack's pairing modal says when the matching rules refuse HR's pair, for every reason.
CANNOT_PAIR = (
    "These two cannot be paired: same reporting line, no free place, paused, excluded, "
    "or they were paired before."
)
# The same refusal for the console (``CannotPair.plain``): only the reporting line or the
# mentor's free places are named, never an exclusion or an earlier decline.
SAME_LINE = "These two cannot be paired: they are in the same reporting line."
NO_PLACE = "These two cannot be paired: the mentor has no free place just now."
ANOTHER = "These two cannot be paired just now. Please choose another mentor."


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

    The mentor's free place is counted again under their lock (``lock_mentor``) just before
    the ask: two pairings of different mentees at once would otherwise both see it free."""
    with unit_of_work(factory) as session:
        actor = person_of_user(session, tenant_id, actor_user_id)
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
        if open_match(session, tenant_id, mentee_row.id) is not None:
            raise has_one
        profile = mentor_profile(session, tenant_id, mentor_row.id) if mentor_row else None
        if mentor_row is None or profile is None or not profile.active:
            raise MentoringError("That person has not opted in as a mentor.", "mentor")
        mentee = scoring_mentee(mentee_row, preferences_of(session, tenant_id, mentee_row.id, create=False))
        mentor = scoring_mentor(profile, mentor_row, load_of(session, tenant_id, mentor_row.id))
        managers = org_map(session, tenant_id)
        chain = frozenset(
            str(i) for i in (*chain_up(managers, mentee_row.id), *chain_down(managers, mentee_row.id))
        )
        if not scoring.eligible(
            mentee, mentor, chain=chain, declined_pairs=closed_pairs(session, tenant_id, mentee_row.id)
        ):
            if open_match(session, tenant_id, mentee_row.id) is not None:
                raise has_one  # paired since the first look (perhaps filling the mentor)
            if str(mentor_row.id) in chain:
                plain = SAME_LINE
            elif profile.paused or mentor.load >= profile.capacity:
                plain = NO_PLACE
            else:
                plain = ANOTHER
            raise CannotPair(CANNOT_PAIR, "mentor", plain)
        result = scoring.score(mentee, mentor, today=clock.now().date(), config=scoring.ScoringConfig())
        between_read_and_write()
        lock_mentor(session, tenant_id, mentor_row.id)
        if open_match(session, tenant_id, mentee_row.id) is not None:
            raise has_one  # paired just now, to this mentor: what a second click is told
        if not has_free_place(session, tenant_id, mentor_row.id):
            raise CannotPair(  # another mentee took the mentor's last place just now
                CANNOT_PAIR, "mentor", NO_PLACE
            )
        asked = ask_mentor(
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
