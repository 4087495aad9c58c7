"""Plans over time: managers change, returns move, people leave, weeks turn; driven by the ticks."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from hr_plugin import enrolment
from hr_plugin.admins import appoint_by_email
from hr_plugin.clock import SimulatedClock
from hr_plugin.db import unit_of_work
from hr_plugin.directory import import_directory, parse_directory_csv
from hr_plugin.enrolment.models import Enrolment
from hr_plugin.models import AuditEntry
from hr_plugin.reintegration import service
from hr_plugin.reintegration.models import Plan
from hr_plugin.testing.stack import AppStack
from tests.e2e.conftest import ORG_CSV, TEAM


@pytest.fixture
def active_plan(stack: AppStack, org: dict[str, str]) -> int:
    appoint_by_email(
        stack.factory, stack.services.clock, tenant_id=TEAM, email="hr@example.com", actor="test"
    )
    enrolment.accept(
        stack.factory,
        stack.services.clock,
        stack.services.enrolment_hooks,
        tenant_id=TEAM,
        user_id="UPARENT",
        contact_during_leave=True,
        leave_out_family=False,
    )
    with unit_of_work(stack.factory) as session:
        return session.scalars(select(Plan)).one().id


def _texts_to(stack: AppStack, user: str) -> list[str]:
    return [c["params"]["text"] for c in stack.fake.calls_for("chat.postMessage", user=user) if c["ok"]]


def _run(stack: AppStack, until: datetime, step: timedelta = timedelta(hours=1)) -> None:
    clock = stack.services.clock
    assert isinstance(clock, SimulatedClock)
    while clock.now() < until:
        stack.ticks.run_due()
        clock.advance(step)
    stack.ticks.run_due()


def test_a_new_manager_gets_the_plan_and_the_old_one_loses_it(stack: AppStack, active_plan: int) -> None:
    moved = ORG_CSV.replace(
        "parent@example.com,Pat Parent,lead@example.com", "parent@example.com,Pat Parent,boss@example.com"
    )
    import_directory(
        stack.factory,
        tenant_id=TEAM,
        rows=parse_directory_csv(moved),
        slack=None,
        clock=stack.services.clock,
        full=False,
        actor="test",
    )

    _run(stack, stack.services.clock.now() + timedelta(hours=2))

    with unit_of_work(stack.factory) as session:
        assert [p.employee_name for p in service.plans_for_manager(session, TEAM, _id(session, "UBOSS"))] == [
            "Pat Parent"
        ]
        assert service.plans_for_manager(session, TEAM, _id(session, "ULEAD")) == []
    assert any("Pat Parent returns" in text for text in _texts_to(stack, "UBOSS"))


def test_a_plan_without_a_manager_is_reported_to_hr(stack: AppStack, active_plan: int) -> None:
    orphaned = ORG_CSV.replace(
        "parent@example.com,Pat Parent,lead@example.com", "parent@example.com,Pat Parent,"
    )
    import_directory(
        stack.factory,
        tenant_id=TEAM,
        rows=parse_directory_csv(orphaned),
        slack=None,
        clock=stack.services.clock,
        full=False,
        actor="test",
    )

    _run(stack, stack.services.clock.now() + timedelta(hours=2))

    assert any("has no manager in the directory" in text for text in _texts_to(stack, "UHR"))


def test_managers_hear_on_the_first_working_day_of_each_change_and_only_once(
    stack: AppStack, active_plan: int
) -> None:
    # Every three hours: eight looks at each local day, enough to see a second note on the same
    # day; hourly over two months cost half a minute of ticks.
    _run(stack, datetime(2027, 1, 20, tzinfo=UTC), step=timedelta(hours=3))

    reminders = [
        text
        for text in _texts_to(stack, "ULEAD")
        if ("capacity" in text and "This week" in text) or "full capacity from this week" in text
    ]
    with unit_of_work(stack.factory) as session:
        plan = session.scalars(select(Plan)).one()
        weeks: dict[tuple[int, int], list[int]] = {}
        for day, percent in plan.days:
            weeks.setdefault(date.fromisoformat(day).isocalendar()[:2], []).append(percent)
    means = [(2 * sum(p) + len(p)) // (2 * len(p)) for _, p in sorted(weeks.items())]
    changes = 1 + sum(1 for a, b in itertools.pairwise(means) if a != b) + 1  # the first week, changes, 100%
    assert len(reminders) == changes
    assert len(set(reminders)) == len(reminders)


def test_moving_the_return_date_rebuilds_the_plan_and_tells_the_manager(
    stack: AppStack, active_plan: int
) -> None:
    with unit_of_work(stack.factory) as session:
        version = session.get(Plan, active_plan).version  # type: ignore[union-attr]

    enrolment.move_return_date(
        stack.factory,
        stack.services.clock,
        stack.services.enrolment_hooks,
        tenant_id=TEAM,
        actor_user_id="UPARENT",
        new_return=date(2027, 1, 11),
    )
    stack.ticks.context.drainer.drain(max_seconds=60)

    with unit_of_work(stack.factory) as session:
        plan = session.get(Plan, active_plan)
        assert plan is not None and plan.version == version + 1
        assert plan.return_date == date(2027, 1, 11) and plan.days[0][0] == "2027-01-11"
    assert any("updated return plan" in text for text in _texts_to(stack, "ULEAD"))
    with pytest.raises(enrolment.EnrolmentError):
        enrolment.move_return_date(
            stack.factory,
            stack.services.clock,
            stack.services.enrolment_hooks,
            tenant_id=TEAM,
            actor_user_id="UPEER",
            new_return=date(2027, 2, 1),
            enrolment_id=_enrolment_id(stack),
        )


def test_withdrawing_is_quiet_and_ends_the_plan(stack: AppStack, active_plan: int) -> None:
    stack.ticks.context.drainer.drain(max_seconds=60)
    before = len(stack.fake.calls_for("chat.postMessage"))

    enrolment.withdraw(
        stack.factory,
        stack.services.clock,
        stack.services.enrolment_hooks,
        tenant_id=TEAM,
        actor_user_id="UHR",
        enrolment_id=_enrolment_id(stack),
    )
    _run(stack, stack.services.clock.now() + timedelta(days=1))

    assert len(stack.fake.calls_for("chat.postMessage")) == before
    with unit_of_work(stack.factory) as session:
        assert session.get(Plan, active_plan).active is False  # type: ignore[union-attr]


def test_leaving_the_program_needs_no_reason_and_ends_the_plan(stack: AppStack, active_plan: int) -> None:
    enrolment.leave_program(
        stack.factory, stack.services.clock, stack.services.enrolment_hooks, tenant_id=TEAM, user_id="UPARENT"
    )

    with unit_of_work(stack.factory) as session:
        assert session.get(Plan, active_plan).active is False  # type: ignore[union-attr]
        assert session.scalars(select(Enrolment)).one().status == enrolment.LEFT
        assert "enrolment.left" in [e.action for e in session.scalars(select(AuditEntry))]


def test_self_enrolment_waits_for_hr(stack: AppStack, org: dict[str, str]) -> None:
    appoint_by_email(
        stack.factory, stack.services.clock, tenant_id=TEAM, email="hr@example.com", actor="test"
    )
    mine = enrolment.self_enrol(
        stack.factory,
        stack.services.clock,
        tenant_id=TEAM,
        user_id="UPEER",
        leave_start=date(2026, 9, 1),
        expected_return=date(2027, 1, 4),
        contact_during_leave=True,
        leave_out_family=True,
    )
    assert mine.status == enrolment.AWAITING_HR
    with pytest.raises(enrolment.EnrolmentError, match="Only HR admins"):
        enrolment.confirm(
            stack.factory,
            stack.services.clock,
            stack.services.enrolment_hooks,
            tenant_id=TEAM,
            actor_user_id="UPEER",
            enrolment_id=mine.id,
        )

    confirmed = enrolment.confirm(
        stack.factory,
        stack.services.clock,
        stack.services.enrolment_hooks,
        tenant_id=TEAM,
        actor_user_id="UHR",
        enrolment_id=mine.id,
    )

    assert confirmed.status == enrolment.ACTIVE and confirmed.leave_out_family is True
    with unit_of_work(stack.factory) as session:
        assert session.scalars(select(Plan).where(Plan.enrolment_id == mine.id)).one().active


def test_an_enrolment_file_with_a_bad_line_imports_nothing(stack: AppStack, org: dict[str, str]) -> None:
    text = (
        "email,leave_start,expected_return\n"
        "peer@example.com,2026-09-01,2027-01-04\n"
        "ghost@example.com,2026-09-01,2027-01-04\n"
        "lead@example.com,2026-09-01,not-a-date\n"
    )
    with pytest.raises(enrolment.EnrolmentImportError) as refused:
        enrolment.import_enrolments(
            stack.factory, stack.services.clock, tenant_id=TEAM, text=text, actor="test"
        )

    assert str(refused.value).splitlines() == [
        "line 3: ghost@example.com is not in the directory",
        "line 4: dates must look like 2026-03-31",
    ]
    with unit_of_work(stack.factory) as session:
        assert len(session.scalars(select(Enrolment)).all()) == 1  # only the fixture's


def _id(session, user_id: str) -> int:  # type: ignore[no-untyped-def]
    from hr_plugin.directory import find_by_slack_id

    person = find_by_slack_id(session, TEAM, user_id)
    assert person is not None
    return person.id


def _enrolment_id(stack: AppStack) -> int:
    with unit_of_work(stack.factory) as session:
        return session.scalars(select(Enrolment)).one().id
