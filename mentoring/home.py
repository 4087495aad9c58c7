"""Mentoring's parts of the App Home, by role (mentee, mentor, manager, HR, everyone else)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from hr_plugin.models import Employee
from mentoring import service
from mentoring import views as v


def home_sections(
    session: Session, tenant_id: str, person: Employee, roles: frozenset[str], now: datetime
) -> dict[str, list[Any]]:
    sections: dict[str, list[Any]] = {}
    if "employee" in roles:
        pair = service.mentee_view(session, tenant_id, person.id)
        sections["employee"] = list(
            v.mentee_blocks(
                mentor_name=pair.other_name if pair else None,
                status=pair.status if pair else _looking(session, tenant_id, person.id),
                reasons=pair.reasons if pair else (),
                match_id=pair.match_id if pair else None,
            )
        )
    profile = service.mentor_profile_of(session, tenant_id, person.id)
    if profile is not None and profile.active:
        mentees = [
            (p.match_id, p.other_name, p.status) for p in service.mentor_views(session, tenant_id, person.id)
        ]
        sections["mentor"] = list(
            v.mentor_blocks(paused=profile.paused, capacity=profile.capacity, mentees=mentees)
        )
    elif "employee" not in roles:
        sections["everyone"] = list(v.become_blocks())
    if "manager" in roles:
        shared = service.manager_sees_mentor(session, tenant_id, person.id)
        if shared:
            sections["manager"] = list(v.manager_blocks(shared))
    if "hr_admin" in roles:
        figures = service.hr_figures(session, tenant_id, now.date())
        sections["hr_admin"] = list(
            v.hr_blocks(figures.matched, figures.waiting, figures.unmatched, figures.pairs)
        )
    return sections


def _looking(session: Session, tenant_id: str, employee_id: int) -> str | None:
    """The mentee's status while their rematch waits for its tick: shown as while a mentor is
    asked (``views.mentee_blocks``), so a decline leaves no gap on their Home."""
    return "looking" if service.rematch_waiting(session, tenant_id, employee_id) else None
