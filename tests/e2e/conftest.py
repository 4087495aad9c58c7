"""End-to-end fixtures: the real app over HTTP, signed requests, a fake Slack, a real database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hr_plugin.clock import SimulatedClock
from hr_plugin.directory import import_directory, parse_directory_csv
from hr_plugin.leaves import record_leave
from hr_plugin.slack_clients import make_client
from hr_plugin.testing.stack import BOT_TOKEN, AppStack, start_stack

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
    from datetime import date

    record_leave(
        stack.factory,
        stack.services.clock,
        tenant_id=TEAM,
        email="parent@example.com",
        leave_start=date(2026, 6, 1),
        expected_return=date(2026, 12, 7),
        actor="test",
    )
    stack.fake.reset_calls()
    return USERS
