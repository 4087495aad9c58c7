"""PostgreSQL connections killed while people are using the app.

Fault injected: six threads send signed requests whose effect is a row (a person saving their
working hours, opting in as a mentor, HR proposing their enrolment), while another thread
keeps terminating the app's database connections (``pg_terminate_backend``), idle in the pool
or in the middle of a transaction.

Properties: nothing acknowledged is lost (every request answered 200 without inline errors
has its row; listeners run before the answer, so an ack means the transaction committed); the
only errors logged are the database's; and the app recovers: once the killing stops, the
requests that failed succeed when sent again (the pool's pre-ping replaces dead connections)
and ``/readyz`` answers. PostgreSQL only: SQLite has no connections to kill.
"""

from __future__ import annotations

import threading
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError

from hr_plugin.admins import appoint_by_email
from hr_plugin.clock import SimulatedClock
from hr_plugin.db import unit_of_work
from hr_plugin.directory import find_by_slack_id, import_directory, parse_directory_csv
from hr_plugin.enrolment import views as enrolment_views
from hr_plugin.enrolment.models import Enrolment
from hr_plugin.slack.views.modals import DAYS_BLOCK, END_BLOCK, START_BLOCK, WORKING_HOURS_CALLBACK
from hr_plugin.slack_clients import make_client
from hr_plugin.testing.signed_client import SignedResponse
from hr_plugin.testing.stack import BOT_TOKEN, AppStack, start_stack
from mentoring import views as mentor_views
from mentoring.models import MentorProfile
from tests.conftest import on_postgres
from tests.e2e.conftest import TEAM
from tests.reliability.conftest import AppErrors

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not on_postgres(), reason="killing database connections needs PostgreSQL"),
]

APP_NAME = "hr-plugin-under-test"  # the app's connections say so; the test's own do not
PEOPLE = [f"UKILL{number:02d}" for number in range(24)]
SENDERS = 6


@pytest.fixture
def stack(database_url: str, clock: SimulatedClock) -> Iterator[AppStack]:
    """The stack, its connections named so the killer finds them and only them."""
    with start_stack(f"{database_url}?application_name={APP_NAME}", clock) as running:
        yield running


@pytest.fixture
def company(stack: AppStack) -> None:
    lines = ["email,name,manager_email,department,country,timezone"]
    lines.append("hr@example.com,Hal Resources,,People,GB,Europe/London")
    stack.fake.add_user("UHR", name="hr", real_name="Hal Resources", email="hr@example.com")
    for user in PEOPLE:
        email = f"{user.lower()}@example.com"
        stack.fake.add_user(user, name=user.lower(), real_name=user, email=email)
        lines.append(f"{email},Person {user},hr@example.com,Ops,GB,Europe/London")
    import_directory(
        stack.factory,
        tenant_id=TEAM,
        rows=parse_directory_csv("\n".join(lines) + "\n"),
        slack=make_client(BOT_TOKEN, stack.fake.base_url, wait_on_rate_limit=True),
        clock=stack.services.clock,
        full=True,
        actor="test",
    )
    appoint_by_email(
        stack.factory, stack.services.clock, tenant_id=TEAM, email="hr@example.com", actor="test"
    )


@dataclass
class Request:
    """One thing someone does, and how to tell afterwards that it was done."""

    name: str
    send: Callable[[], SignedResponse]
    done: Callable[[], bool]
    answer: SignedResponse | None = None

    @property
    def acknowledged(self) -> bool:
        """Answered as saved: a 200 that is neither inline errors nor "Saving..." (a save past
        the deadline, whose outcome comes after: ``hr_plugin.slack.deadline``)."""
        answer = self.answer
        if answer is None or answer.status != 200:
            return False
        action = answer.json.get("response_action") if isinstance(answer.json, dict) else None
        return action not in ("errors", "update")

    @property
    def late(self) -> bool:
        answer = self.answer
        return (
            answer is not None
            and isinstance(answer.json, dict)
            and answer.json.get("response_action") == "update"
        )


def _requests(stack: AppStack, user: str, number: int) -> list[Request]:
    slack = stack.slack
    start = f"08:{number:02d}"
    leave_start = date(2026, 12, 1) + timedelta(days=number)

    def hours_saved() -> bool:
        with unit_of_work(stack.factory) as session:
            person = find_by_slack_id(session, TEAM, user)
            return person is not None and person.work_start == start

    def mentor_saved() -> bool:
        with unit_of_work(stack.factory) as session:
            person = find_by_slack_id(session, TEAM, user)
            assert person is not None
            return (
                session.scalar(select(MentorProfile.id).where(MentorProfile.employee_id == person.id))
                is not None
            )

    def enrolment_proposed() -> bool:
        with unit_of_work(stack.factory) as session:
            person = find_by_slack_id(session, TEAM, user)
            assert person is not None
            return session.scalar(select(Enrolment.id).where(Enrolment.employee_id == person.id)) is not None

    return [
        Request(
            f"{user} saves working hours",
            lambda: slack.view_submission(
                user,
                WORKING_HOURS_CALLBACK,
                {
                    DAYS_BLOCK: {"value": {"selected_options": [{"value": "0"}, {"value": "3"}]}},
                    START_BLOCK: {"value": {"selected_time": start}},
                    END_BLOCK: {"value": {"selected_time": "16:00"}},
                },
            ),
            hours_saved,
        ),
        Request(
            f"{user} opts in as a mentor",
            lambda: slack.view_submission(
                user,
                mentor_views.MENTOR_CALLBACK,
                {
                    mentor_views.CONFIRM_BLOCK: {"value": {"selected_options": [{"value": "yes"}]}},
                    mentor_views.CAPACITY_BLOCK: {"value": {"selected_option": {"value": "2"}}},
                },
            ),
            mentor_saved,
        ),
        Request(
            f"HR proposes {user}'s enrolment",
            lambda: slack.view_submission(
                "UHR",
                enrolment_views.PROPOSE_CALLBACK,
                {
                    enrolment_views.EMPLOYEE_BLOCK: {"value": {"selected_user": user}},
                    enrolment_views.LEAVE_START_BLOCK: {"value": {"selected_date": leave_start.isoformat()}},
                    enrolment_views.RETURN_BLOCK: {
                        "value": {"selected_date": (leave_start + timedelta(days=120)).isoformat()}
                    },
                },
            ),
            enrolment_proposed,
        ),
    ]


class Killer:
    """Terminates all the app's connections ten times a second until stopped."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.killed = 0
        self.stop = threading.Event()

    def run(self) -> None:
        with self.engine.connect() as connection:
            while not self.stop.wait(0.1):
                rows = connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE application_name = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": APP_NAME},
                ).all()
                connection.commit()
                self.killed += sum(1 for (terminated,) in rows if terminated)


def test_killed_connections_lose_nothing_acknowledged_and_the_app_recovers(
    stack: AppStack, company: None, engine: Engine, app_errors: AppErrors
) -> None:
    work = [request for number, user in enumerate(PEOPLE) for request in _requests(stack, user, number)]
    killer = Killer(engine)

    def send_share(share: list[Request]) -> None:
        for request in share:
            request.answer = request.send()

    shares = [work[index::SENDERS] for index in range(SENDERS)]
    killing = threading.Thread(target=killer.run, name="killer")
    killing.start()
    try:
        with ThreadPoolExecutor(max_workers=SENDERS) as pool:
            for future in [pool.submit(send_share, share) for share in shares]:
                future.result(timeout=120)
    finally:
        killer.stop.set()
        killing.join(timeout=10)
    stack.settle()  # late saves too

    acknowledged = [request for request in work if request.acknowledged]
    # A late save that did not land was shown the form again (or told, its modal gone): sent again below.
    failed = [
        request for request in work if not request.acknowledged and not (request.late and request.done())
    ]
    assert killer.killed >= 10, "the fault must really be injected"
    assert len(acknowledged) >= len(work) // 4, "the app must keep serving between kills"
    lost = [request.name for request in acknowledged if not request.done()]
    assert not lost, f"acknowledged but not saved: {lost}"
    _only_database_errors(app_errors)

    app_errors.clear()
    for request in failed:
        request.answer = request.send()
    assert [
        request.name for request in failed if request.answer is None or request.answer.status != 200
    ] == []
    assert [request.name for request in work if not request.done()] == []
    with urllib.request.urlopen(stack.server.url + "/readyz", timeout=5) as ready:
        assert ready.status == 200
    app_errors.assert_none()


def _only_database_errors(app_errors: AppErrors) -> None:
    """A killed connection may fail a request or a Home refresh; nothing else may fail."""
    for record in app_errors.records:
        if record.exc_info is not None and record.exc_info[1] is not None:
            assert isinstance(record.exc_info[1], DBAPIError), record.exc_info[1]
        else:  # Bolt's lazy runner logs a line without the exception object
            message = record.getMessage()
            assert "connection" in message.lower() or "terminat" in message.lower(), message
