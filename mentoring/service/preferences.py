"""The mentee's preferences: what a mentor should know about, whom not to be matched with, whether
they want a mentor at all and whether their manager may know who it is. Read by every matching
run; nobody else sees them."""

from __future__ import annotations

from collections.abc import Iterable

from hr_plugin.clock import Clock
from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.directory import find_by_slack_id
from hr_plugin.models import Employee
from mentoring import scoring
from mentoring.service._common import (
    MentoringError,
    person_of_user,
    preferences_of,
)
from mentoring.views import PreferencesForm


def set_preferences(
    factory: SessionFactory,
    clock: Clock,
    *,
    tenant_id: str,
    user_id: str,
    preferences: Iterable[str],
    excluded_user_ids: Iterable[str],
    wants_mentor: bool,
    manager_may_know: bool,
) -> None:
    """Save the mentee's preferences; excluded people the directory does not know (or themselves)
    are left out, as they could never be proposed anyway."""
    wanted = frozenset(preferences)
    if wanted - set(scoring.TAGS):
        raise MentoringError("Choose experiences from the list.", "preferences")
    with unit_of_work(factory) as session:
        person = person_of_user(session, tenant_id, user_id)
        excluded = []
        for other in excluded_user_ids:
            found = find_by_slack_id(session, tenant_id, other)
            if found is not None and found.id != person.id:
                excluded.append(found.id)
        prefs = preferences_of(session, tenant_id, person.id, create=True)
        prefs.preferences, prefs.excluded = sorted(wanted), sorted(set(excluded))
        prefs.wants_mentor, prefs.manager_may_know = wants_mentor, manager_may_know
        session.commit()


def current_preferences(factory: SessionFactory, *, tenant_id: str, user_id: str) -> PreferencesForm:
    """The preferences as saved, to fill the form again; the defaults for someone who never saved."""
    with unit_of_work(factory) as session:
        person = person_of_user(session, tenant_id, user_id)
        prefs = preferences_of(session, tenant_id, person.id, create=False)
        excluded = []
        for employee_id in prefs.excluded if prefs else []:
            other = session.get(Employee, employee_id)
            if other is not None and other.slack_user_id:
                excluded.append(other.slack_user_id)
        return PreferencesForm(
            preferences=list(prefs.preferences) if prefs else [],
            excluded_user_ids=excluded,
            wants_mentor=prefs.wants_mentor if prefs else True,
            manager_may_know=prefs.manager_may_know if prefs else False,
        )
