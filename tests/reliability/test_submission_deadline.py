"""A modal's submission with the database at 1 s a statement: the answer still reaches Slack
inside 3 seconds, and the outcome of the save is shown once it is known.

Fault injected: every statement on the app's database connections waits 1 s first (the
``before_cursor_execute`` hook of ``test_slow_dependencies``). Saving working hours then takes
several seconds, so the answer is ``response_action: update`` to the "Saving..." view
(``hr_plugin.slack.deadline``), and ``views.update`` shows "Saved", or the form again with the
error under its field and the person's values in it; a refused save whose modal was closed is
told in a DM that carries nothing the person typed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError

from hr_plugin.db import unit_of_work
from hr_plugin.models import AuditEntry, Employee, OutboxMessage
from hr_plugin.slack.deadline import NOT_SAVED, saves_settled
from hr_plugin.slack.views.home import WORKING_HOURS_ACTION
from hr_plugin.slack.views.modals import DAYS_BLOCK, END_BLOCK, START_BLOCK, WORKING_HOURS_CALLBACK
from hr_plugin.slack.views.saving import SAVED, SAVING
from hr_plugin.testing.signed_client import SignedResponse, SlackRequestClient
from hr_plugin.testing.stack import AppStack
from tests.e2e import vault_flows as flow
from tests.reliability.conftest import AppErrors
from tests.waiting import wait_for

STATEMENT_SECONDS = 1.0
ACK_LIMIT_SECONDS = 3.0


class SlowDatabase(SlackRequestClient):
    """A signed client that returns as soon as the app answers, while the database is slow."""

    def __init__(self, stack: AppStack) -> None:
        signed = stack.slack
        super().__init__(signed.app_url, signed.signing_secret, stack.fake, team_id=signed.team_id)
        self.stack = stack
        self.slow = False
        event.listen(stack.services.engine, "before_cursor_execute", self._statement)

    def _statement(self, *_: Any) -> None:
        if self.slow:
            time.sleep(STATEMENT_SECONDS)


@pytest.fixture
def slow(stack: AppStack, org: dict[str, str]) -> Iterator[SlowDatabase]:
    client = SlowDatabase(stack)
    client.slash_command("UBOSS", "/rtw", "help")  # Bolt checks its token once, on the first request
    stack.settle()
    try:
        yield client
    finally:
        client.slow = False
        stack.settle()


def _open_modal(stack: AppStack, user: str) -> str:
    stack.slack.block_action(user, WORKING_HOURS_ACTION, "open", view=flow.HOME)
    modal = stack.fake.last_modal(user)
    assert modal is not None and modal["callback_id"] == WORKING_HOURS_CALLBACK
    return str(modal["id"])


def _submit(client: SlowDatabase, user: str, view_id: str, days: list[int]) -> tuple[SignedResponse, float]:
    values = {
        DAYS_BLOCK: {"value": {"selected_options": [{"value": str(day)} for day in days]}},
        START_BLOCK: {"value": {"selected_time": "08:30"}},
        END_BLOCK: {"value": {"selected_time": "14:00"}},
    }
    started = time.monotonic()
    answer = client.view_submission(user, WORKING_HOURS_CALLBACK, values, view_id=view_id)
    return answer, time.monotonic() - started


def _connection_lost(statement: str) -> OperationalError:
    """What SQLAlchemy raises when the database connection dies under a statement."""
    return OperationalError(
        statement, {}, ConnectionError("server closed the connection"), connection_invalidated=True
    )


def _updates_of(stack: AppStack, view_id: str) -> list[str]:
    return [
        json.dumps(call["params"]["view"])
        for call in stack.fake.calls_for("views.update")
        if call["ok"] and call["params"].get("view_id") == view_id
    ]


def test_with_the_database_at_one_second_a_statement_the_answer_is_on_time_and_the_save_shown(
    stack: AppStack, slow: SlowDatabase, app_errors: AppErrors
) -> None:
    view_id = _open_modal(stack, "ULEAD")
    slow.slow = True
    answer, seconds = _submit(slow, "ULEAD", view_id, [0, 2])

    assert seconds < ACK_LIMIT_SECONDS, f"answered after {seconds:.2f} s"
    assert answer.json is not None and answer.json["response_action"] == "update", answer.body
    assert SAVING in json.dumps(answer.json["view"])
    assert stack.fake.ack_violations == []
    wait_for(lambda: bool(_updates_of(stack, view_id)), timeout=60, what="the outcome shown")
    slow.slow = False
    assert SAVED in _updates_of(stack, view_id)[-1]
    with unit_of_work(stack.factory) as session:
        lead = session.scalars(select(Employee).where(Employee.slack_user_id == "ULEAD")).one()
    assert (lead.working_days, lead.work_start, lead.work_end) == ("0,2", "08:30", "14:00")
    app_errors.assert_none()


@pytest.fixture
def slow_save(monkeypatch: pytest.MonkeyPatch) -> None:
    """The save itself takes 2.5 s before it runs (and refuses, for a form without days)."""
    from hr_plugin.slack.listeners import settings

    real = settings.update_working_hours

    def slowly(*args: Any, **kwargs: Any) -> Any:
        time.sleep(2.5)
        return real(*args, **kwargs)

    monkeypatch.setattr(settings, "update_working_hours", slowly)


def test_a_late_refusal_shows_the_form_again_with_the_error_and_the_persons_values(
    stack: AppStack, org: dict[str, str], slow_save: None, app_errors: AppErrors
) -> None:
    view_id = _open_modal(stack, "UPEER")
    answer, seconds = _submit(SlowDatabase(stack), "UPEER", view_id, [])

    assert seconds < ACK_LIMIT_SECONDS
    assert answer.json is not None and answer.json["response_action"] == "update"
    wait_for(lambda: bool(_updates_of(stack, view_id)), timeout=30, what="the form shown again")
    form = json.loads(_updates_of(stack, view_id)[-1])
    assert form["callback_id"] == WORKING_HOURS_CALLBACK and form["submit"]
    assert "Pick at least one working day." in json.dumps(form["blocks"])
    [end] = [block for block in form["blocks"] if block.get("block_id") == END_BLOCK]
    assert end["element"]["initial_time"] == "14:00", "the person's values are in the form again"
    app_errors.assert_none()


def _hours_saved(stack: AppStack, user: str) -> bool:
    with unit_of_work(stack.factory) as session:
        person = session.scalars(select(Employee).where(Employee.slack_user_id == user)).one()
    return (person.work_start, person.work_end) == ("08:30", "14:00")


def test_a_late_save_frees_its_thread_before_slack_shows_the_outcome_and_the_home_shows_the_save(
    stack: AppStack, org: dict[str, str], slow_save: None, app_errors: AppErrors
) -> None:
    """A late save's thread holds the save only: the outcome's ``views.update`` (seconds when
    Slack is slow) is made on a thread of its own, so the next late save gets a thread at once.
    The Home is republished after the outcome, showing what was saved."""
    view_id = _open_modal(stack, "UPEER")
    published = len(stack.fake.calls_for("views.publish", "UPEER"))
    stack.fake.delay("views.update", 3.0)
    try:
        answer, seconds = _submit(SlowDatabase(stack), "UPEER", view_id, [0, 2])
        assert seconds < ACK_LIMIT_SECONDS
        assert answer.json is not None and answer.json["response_action"] == "update"

        wait_for(lambda: _hours_saved(stack, "UPEER"), timeout=30, what="the save")
        assert saves_settled(stack.services, 1.5, shown=False), "the save's thread waits for Slack"
        assert _updates_of(stack, view_id) == [], "Slack had answered views.update already"
        wait_for(lambda: bool(_updates_of(stack, view_id)), timeout=30, what="the outcome shown")
    finally:
        stack.fake.delay("views.update", 0)
    stack.settle()
    assert SAVED in _updates_of(stack, view_id)[-1]
    homes = stack.fake.calls_for("views.publish", "UPEER")[published:]
    assert homes, "the Home was not republished after the save"
    home = json.dumps(homes[-1]["params"]["view"])
    assert "08:30 to 14:00" in home, "the Home shows the hours before the save"
    app_errors.assert_none()


def test_a_refused_late_save_whose_modal_was_closed_is_told_in_a_dm_without_their_words(
    stack: AppStack, org: dict[str, str], slow_save: None
) -> None:
    view_id = _open_modal(stack, "UPARENT")
    answer, seconds = _submit(SlowDatabase(stack), "UPARENT", view_id, [])
    stack.fake.close_view(view_id)  # while "Saving..." shows, the person closes it

    assert seconds < ACK_LIMIT_SECONDS and answer.json is not None
    assert answer.json["response_action"] == "update"

    def told() -> list[OutboxMessage]:
        with unit_of_work(stack.factory) as session:
            rows = session.scalars(select(OutboxMessage).where(OutboxMessage.recipient_user_id == "UPARENT"))
            return [row for row in rows if NOT_SAVED in json.dumps(row.payload)]

    wait_for(lambda: bool(told()), timeout=30, what="the DM")
    [message] = told()
    assert "08:30" not in json.dumps(message.payload) and "14:00" not in json.dumps(message.payload)


def test_a_save_that_loses_its_connection_is_made_again_on_a_new_one_before_any_error(
    stack: AppStack, org: dict[str, str], monkeypatch: pytest.MonkeyPatch, app_errors: AppErrors
) -> None:
    """The first try's connection dies (as when PostgreSQL restarts or a connection is killed):
    the person gets the plain answer of a saved change, not an error."""
    from hr_plugin.slack.listeners import settings

    real, tries = settings.update_working_hours, []

    def connection_lost_once(*args: Any, **kwargs: Any) -> Any:
        tries.append(1)
        if len(tries) == 1:
            raise _connection_lost("UPDATE employees ...")
        return real(*args, **kwargs)

    monkeypatch.setattr(settings, "update_working_hours", connection_lost_once)
    view_id = _open_modal(stack, "ULEAD")
    answer, _ = _submit(SlowDatabase(stack), "ULEAD", view_id, [0, 2])

    assert answer.status == 200 and not answer.json, answer.body
    assert len(tries) == 2
    with unit_of_work(stack.factory) as session:
        lead = session.scalars(select(Employee).where(Employee.slack_user_id == "ULEAD")).one()
    assert (lead.working_days, lead.work_start) == ("0,2", "08:30")
    app_errors.assert_none()


def test_a_save_whose_commit_landed_before_its_connection_died_is_not_made_twice(
    stack: AppStack, org: dict[str, str], monkeypatch: pytest.MonkeyPatch, app_errors: AppErrors
) -> None:
    """The first try commits, then its connection dies before the answer comes back from the
    database. The request's claim committed with the change, so the second try finds it: the
    person is told it is saved, and the save is not made a second time (one audit entry)."""
    from hr_plugin.slack.listeners import settings

    real, tries = settings.update_working_hours, []

    def connection_lost_after_commit(*args: Any, **kwargs: Any) -> Any:
        tries.append(1)
        saved = real(*args, **kwargs)
        if len(tries) == 1:
            raise _connection_lost("COMMIT")
        return saved

    monkeypatch.setattr(settings, "update_working_hours", connection_lost_after_commit)
    view_id = _open_modal(stack, "ULEAD")
    answer, _ = _submit(SlowDatabase(stack), "ULEAD", view_id, [0, 2])

    assert answer.status == 200 and not answer.json, answer.body
    assert len(tries) == 2
    with unit_of_work(stack.factory) as session:
        lead = session.scalars(select(Employee).where(Employee.slack_user_id == "ULEAD")).one()
        saves = select(AuditEntry).where(AuditEntry.action == "settings.working_hours")
        audited = session.scalars(saves.where(AuditEntry.actor == "ULEAD")).all()
    assert (lead.working_days, lead.work_start) == ("0,2", "08:30")
    assert len(audited) == 1
    app_errors.assert_none()


def test_a_submission_claims_its_request_in_the_transaction_of_its_change(
    stack: AppStack, org: dict[str, str]
) -> None:
    """One transaction holds the replay claim, the change and its audit entry: a replay cannot
    slip in between, and the claim costs no commit of its own."""
    view_id = _open_modal(stack, "ULEAD")
    stack.settle()
    transactions: dict[int, list[str]] = {}
    finished: list[list[str]] = []

    def statement(connection: Any, _cursor: Any, sql: str, *_: Any) -> None:
        transactions.setdefault(id(connection), []).append(" ".join(sql.split()[:3]).upper())

    def ended(connection: Any) -> None:
        finished.append(transactions.pop(id(connection), []))

    engine = stack.services.engine
    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "commit", ended)
    event.listen(engine, "rollback", ended)
    try:
        answer, _ = _submit(SlowDatabase(stack), "ULEAD", view_id, [1, 3])
        stack.settle()
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(engine, "commit", ended)
        event.remove(engine, "rollback", ended)

    assert answer.status == 200 and not answer.json, answer.body
    [saving] = [statements for statements in finished if "UPDATE EMPLOYEES SET" in statements]
    assert saving[0] == "INSERT INTO PROCESSED_EVENTS", saving
    assert "INSERT INTO AUDIT_LOG" in saving, saving
    assert not [s for s in finished if s == ["INSERT INTO PROCESSED_EVENTS"]], "a claim committed on its own"
