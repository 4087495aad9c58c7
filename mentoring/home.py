"""Mentoring's parts of the App Home, by role (mentee, mentor, manager, HR, everyone else)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, SQLColumnExpression

from hr_plugin.services import HomeContext, HomeProvider
from mentoring import service
from mentoring import views as v


def probe(
    tenant_id: SQLColumnExpression[str],
    employee_id: SQLColumnExpression[int],
    now: SQLColumnExpression[datetime],
) -> tuple[ColumnElement[Any], ...]:
    """For the Home's first statement: the mentee's open match, the rematch mark, the mentor
    profile, and whether a manager has anything to see (``service.home_probe``)."""
    return service.home_probe(tenant_id, employee_id)


def home_sections(context: HomeContext) -> dict[str, list[Any]]:
    session, tenant_id, person, roles = context.session, context.tenant_id, context.person, context.roles
    facts = service.home_facts(context.probed)
    sections: dict[str, list[Any]] = {}
    if "employee" in roles:
        pair = (
            service.mentee_view_of(session, tenant_id, facts.open_match_as_mentee)
            if facts.open_match_as_mentee is not None
            else None
        )
        sections["employee"] = list(
            v.mentee_blocks(
                mentor_name=pair.other_name if pair else None,
                # While their rematch waits for its tick, the mentee's status reads as while a
                # mentor is asked (``views.mentee_blocks``), so a decline leaves no gap on their Home.
                status=pair.status if pair else ("looking" if facts.rematch_waiting else None),
                reasons=pair.reasons if pair else (),
                match_id=pair.match_id if pair else None,
            )
        )
    if facts.mentor_active:
        mentees = [
            (p.match_id, p.other_name, p.status) for p in service.mentor_views(session, tenant_id, person.id)
        ]
        sections["mentor"] = list(
            v.mentor_blocks(paused=facts.mentor_paused, capacity=facts.mentor_capacity, mentees=mentees)
        )
    elif "employee" not in roles:
        sections["everyone"] = list(v.become_blocks())
    if "manager" in roles and facts.manager_sees_a_mentor:
        shared = service.manager_sees_mentor(session, tenant_id, person.id)
        if shared:
            sections["manager"] = list(v.manager_blocks(shared))
    if "hr_admin" in roles:
        figures = service.hr_figures(session, tenant_id, context.now.date())
        sections["hr_admin"] = list(
            v.hr_blocks(figures.matched, figures.waiting, figures.unmatched, figures.pairs)
        )
    return sections


HOME = HomeProvider(home_sections, probe)
