"""End-to-end fixtures: the real app over HTTP, signed requests, a fake Slack, a real database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from hr_plugin.clock import SimulatedClock
from hr_plugin.db import unit_of_work
from hr_plugin.directory import find_by_email, import_directory, parse_directory_csv
from hr_plugin.enrolment import propose
from hr_plugin.slack_clients import make_client
from hr_plugin.testing.stack import BOT_TOKEN, AppStack, start_stack

if TYPE_CHECKING:
    from tests.e2e.demo_runs import DemoRun
    from tests.e2e.once_serving import Running

TEAM = "T0DEMO"

ORG_CSV = """email,name,manager_email,department,country,timezone
boss@example.com,Bea Boss,,Leadership,GB,Europe/London
hr@example.com,Hal Resources,boss@example.com,People,GB,Europe/London
lead@example.com,Lee Lead,boss@example.com,Engineering,GB,Europe/London
parent@example.com,Pat Parent,lead@example.com,Engineering,GB,Europe/London
peer@example.com,Pim Peer,lead@example.com,Engineering,DE,Europe/Berlin
"""

USERS = {
    "boss@example.com": "UBOSS",
    "hr@example.com": "UHR",
    "lead@example.com": "ULEAD",
    "parent@example.com": "UPARENT",
    "peer@example.com": "UPEER",
}


@pytest.fixture
def stack(database_url: str, clock: SimulatedClock) -> Iterator[AppStack]:
    with start_stack(database_url, clock) as running:
        yield running


@pytest.fixture
def org(stack: AppStack) -> dict[str, str]:
    """A small company imported through the real directory import; the boss owns the workspace."""
    for email, user_id in USERS.items():
        stack.fake.add_user(
            user_id,
            name=email.split("@")[0],
            real_name=email,
            email=email,
            tz="Europe/Berlin" if user_id == "UPEER" else "Europe/London",
            is_owner=user_id == "UBOSS",
        )
    import_directory(
        stack.factory,
        tenant_id=TEAM,
        rows=parse_directory_csv(ORG_CSV),
        slack=make_client(BOT_TOKEN, stack.fake.base_url, wait_on_rate_limit=True),
        clock=stack.services.clock,
        full=True,
        actor="test",
    )
    propose_enrolment(stack, "parent@example.com", date(2026, 6, 1), date(2026, 12, 7))
    stack.fake.reset_calls()
    return USERS


def propose_enrolment(stack: AppStack, email: str, leave_start: date, expected_return: date) -> int:
    """HR proposes an enrolment (the service the HR modal and the CLI import call)."""
    with unit_of_work(stack.factory) as session:
        employee = find_by_email(session, TEAM, email)
        assert employee is not None
        enrolment = propose(
            session,
            stack.services.clock,
            tenant_id=TEAM,
            employee=employee,
            leave_start=leave_start,
            expected_return=expected_return,
            actor="test",
        )
        session.commit()
        return enrolment.id


@pytest.fixture
def running(database_url: str, tmp_path: Path) -> Iterator[Running]:
    """A running ``hr-plugin serve`` for requests fired all at once (``tests/e2e/once_serving.py``)."""
    from tests.e2e.once_serving import start_running  # it imports this module's directory

    with start_running(database_url, tmp_path) as served:
        yield served


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """The offline demo, run once for the session at DEBUG (``tests/e2e/demo_runs.py``)."""
    from tests.e2e import demo_runs

    return demo_runs.run(tmp_path_factory.mktemp("demo"), at_debug=True)
