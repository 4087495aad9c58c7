"""The HR admin's App Home makes as many SQL statements with 1,000 planned huddles as with 10.

Issue 20: the Home counted each upcoming huddle's members with a query of its own (64 of the
97 statements of the 100,000-person tenant's HR Home in ``bench/hr_figures.py``), so the time
to publish it grew with the program. The statements are counted on the app's own engine
(SQLAlchemy's ``before_cursor_execute``) around ``load_home`` with the providers the running
app registered, which is the work ``app_home_opened`` does for an HR admin.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from hr_plugin.db import unit_of_work
from hr_plugin.models import Employee
from hr_plugin.testing.stack import AppStack
from huddles.models import Huddle, HuddleCycle, HuddleMember, HuddleRating
from tests.e2e.conftest import TEAM
from tests.statements import counted_home


def _plan(stack: AppStack, now: datetime, count: int, *, first: int) -> None:
    """``count`` upcoming huddles of four members each, planned in one month's cycle, one of
    whom came, and a rating each (1 to 5 in turn): the rows the planner, attendance and ratings
    leave."""
    with unit_of_work(stack.factory) as session:
        people = list(session.scalars(select(Employee.id).where(Employee.tenant_id == TEAM)))
        month = f"{now:%Y-%m}"
        cycle = session.scalar(
            select(HuddleCycle).where(HuddleCycle.tenant_id == TEAM, HuddleCycle.month == month)
        )
        if cycle is None:
            cycle = HuddleCycle(tenant_id=TEAM, month=month, planned_at=now)
            session.add(cycle)
            session.flush()
        for index in range(first, first + count):
            huddle = Huddle(
                tenant_id=TEAM,
                cycle_id=cycle.id,
                month=cycle.month,
                series=0,
                start_utc=now + timedelta(days=1, minutes=30 * index),
                minutes=30,
                facilitator_id=people[0] if index % 2 else None,
            )
            session.add(huddle)
            session.flush()
            huddle.series = huddle.id
            session.add(HuddleRating(tenant_id=TEAM, huddle_id=huddle.id, score=index % 5 + 1))
            for offset in range(4):
                member = people[(index + offset) % len(people)]
                session.add(
                    HuddleMember(
                        tenant_id=TEAM, huddle_id=huddle.id, employee_id=member, attended=offset == 0
                    )
                )
        session.commit()


def _statements_of_the_hr_home(stack: AppStack, hr: str) -> tuple[int, str]:
    """How many statements one load of the HR admin's Home makes, and its huddles section."""
    count, state = counted_home(stack, TEAM, hr)
    return count, str(state.sections.get("hr_admin", ""))


def test_the_hr_homes_statements_do_not_grow_with_the_huddles(
    stack: AppStack, org: dict[str, str], hr: str
) -> None:
    now = stack.services.clock.now()
    _plan(stack, now, 10, first=0)
    _statements_of_the_hr_home(stack, hr)  # the first load warms the caches (the tenant's settings)
    few, section = _statements_of_the_hr_home(stack, hr)
    # The Home did read the huddles, and its figures are right.
    assert "4 people, facilitated" in section and "4 people, no facilitator" in section
    assert "10 huddle(s), 40 invited; came: 10; ratings: 10, average 3.0" in section

    _plan(stack, now, 990, first=10)
    many, section = _statements_of_the_hr_home(stack, hr)
    assert "1000 huddle(s), 4000 invited; came: 1000; ratings: 1000, average 3.0" in section
    assert many == few, f"{few} statements with 10 huddles, {many} with 1,000"
