"""Saving a person's working hours: one UPDATE built once, its audit row, and the refusals.

The save runs on prebuilt statements instead of the ORM (issue 20: every working-hours
submission pays for it), so these pin what the ORM version did: the row changes and gets
``updated_at``, one audit row names the employee by id and carries nothing else, and someone
not in the directory, or who has left it, is refused with nothing written.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from hr_plugin.clock import SimulatedClock
from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.directory import import_directory, parse_directory_csv
from hr_plugin.home import SettingsError, update_working_hours
from hr_plugin.home_model import WorkingHours
from hr_plugin.models import AuditEntry, Employee

TENANT = "T0HOURS"


@pytest.fixture
def directory(session_factory: SessionFactory, clock: SimulatedClock) -> None:
    rows = parse_directory_csv(
        "email,name,manager_email,department,country,timezone,slack_user_id\n"
        "ada@example.com,Ada,,Eng,GB,Europe/London,UADA\n"
        "bo@example.com,Bo,,Eng,DE,Europe/Berlin,UBO\n"
    )
    import_directory(
        session_factory, tenant_id=TENANT, rows=rows, slack=None, clock=clock, full=False, actor="test"
    )


def _employee(factory: SessionFactory, user_id: str) -> Employee:
    with unit_of_work(factory) as session:
        found = session.scalars(select(Employee).where(Employee.slack_user_id == user_id)).one()
        session.expunge(found)
        return found


def _audit(factory: SessionFactory) -> list[AuditEntry]:
    with unit_of_work(factory) as session:
        query = select(AuditEntry).where(AuditEntry.action == "settings.working_hours")
        return list(session.scalars(query.order_by(AuditEntry.id)))


def test_a_save_changes_the_row_and_audits_it_by_id(
    session_factory: SessionFactory, clock: SimulatedClock, directory: None
) -> None:
    saved = update_working_hours(
        session_factory, clock, tenant_id=TENANT, user_id="UBO", days=[3, 0, 1, 0], start="08:30", end="15:00"
    )

    assert saved == WorkingHours("Europe/Berlin", (0, 1, 3), "08:30", "15:00")
    bo = _employee(session_factory, "UBO")
    assert (bo.working_days, bo.work_start, bo.work_end) == ("0,1,3", "08:30", "15:00")
    assert bo.updated_at == clock.now()
    ada = _employee(session_factory, "UADA")
    assert (ada.work_start, ada.work_end) != ("08:30", "15:00")  # only the person who saved
    [entry] = _audit(session_factory)
    assert (entry.tenant_id, entry.actor, entry.subject, entry.details) == (TENANT, "UBO", str(bo.id), {})
    assert entry.at == clock.now()


@pytest.mark.parametrize("who", ["UNOBODY", "UBO"])
def test_someone_not_in_the_directory_is_refused_and_nothing_is_written(
    session_factory: SessionFactory, clock: SimulatedClock, directory: None, who: str
) -> None:
    with unit_of_work(session_factory) as session:  # Bo has left: still a row, not active
        session.execute(update(Employee).where(Employee.slack_user_id == "UBO").values(active=False))
        session.commit()
    before = _employee(session_factory, "UBO")

    with pytest.raises(SettingsError) as refused:
        update_working_hours(
            session_factory, clock, tenant_id=TENANT, user_id=who, days=[0], start="08:00", end="12:00"
        )

    assert refused.value.field == "days"
    after = _employee(session_factory, "UBO")
    assert (after.working_days, after.work_start, after.work_end, after.updated_at) == (
        before.working_days,
        before.work_start,
        before.work_end,
        before.updated_at,
    )
    assert _audit(session_factory) == []


def test_a_person_in_another_tenant_is_not_touched(
    session_factory: SessionFactory, clock: SimulatedClock, directory: None
) -> None:
    with pytest.raises(SettingsError):
        update_working_hours(
            session_factory, clock, tenant_id="T0ELSE", user_id="UADA", days=[0], start="08:00", end="12:00"
        )
    assert _employee(session_factory, "UADA").work_end != "12:00"
    assert _audit(session_factory) == []
