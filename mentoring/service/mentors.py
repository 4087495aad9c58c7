"""Mentors: opting in with the mentor form, pausing, resuming or stopping, and who of them offers
to facilitate huddles. A mentor is asked before every match; these set whether they can be."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hr_plugin import audit
from hr_plugin.clock import Clock
from hr_plugin.db import SessionFactory, unit_of_work
from mentoring import scoring
from mentoring.models import MentorProfile
from mentoring.service._common import (
    MentoringError,
    mentor_profile,
    person_of_user,
)
from mentoring.views import MentorForm


def opt_in(factory: SessionFactory, clock: Clock, *, tenant_id: str, user_id: str, form: MentorForm) -> None:
    """Save the mentor form (again, if they edit it); a mentor who had paused or stopped is open again."""
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
        person = person_of_user(session, tenant_id, user_id)
        profile = mentor_profile(session, tenant_id, person.id)
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
        person = person_of_user(session, tenant_id, user_id)
        profile = mentor_profile(session, tenant_id, person.id)
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
    """Whether they opted in and have not stopped (a paused mentor still is one)."""
    profile = mentor_profile(session, tenant_id, employee_id)
    return profile is not None and profile.active


def mentor_profile_of(session: Session, tenant_id: str, employee_id: int) -> MentorProfile | None:
    """The mentor's profile for their App Home, whatever its state; None if they never opted in."""
    return mentor_profile(session, tenant_id, employee_id)


def current_mentor_form(factory: SessionFactory, *, tenant_id: str, user_id: str) -> MentorForm | None:
    """The form as they last saved it, to fill it again; None if they never opted in."""
    with unit_of_work(factory) as session:
        person = person_of_user(session, tenant_id, user_id)
        profile = mentor_profile(session, tenant_id, person.id)
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
