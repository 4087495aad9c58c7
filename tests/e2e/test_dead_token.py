"""Single-workspace mode after Slack revokes the bot token: answered, recorded, held, resumed.

Signed requests into the real app over HTTP; restarts are new services on the same database,
as a restarted process has. A fresh fake Slack stands for the workspace after the restart:
one that issued a new token (the old one stays revoked), or, to show that a dead token is
never used again, one that would still accept the old token.
"""

from __future__ import annotations

import logging
import urllib.request
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select, text

from hr_plugin.bot_token import HOLD, RECHECK, fingerprint, watched_clients
from hr_plugin.clock import SimulatedClock
from hr_plugin.db import unit_of_work
from hr_plugin.directory import import_directory, parse_directory_csv
from hr_plugin.models import DeadBotToken, OutboxMessage
from hr_plugin.outbox import Drainer, DrainReport, enqueue
from hr_plugin.slack_clients import TOKEN_HELD, make_client
from hr_plugin.testing.fake_slack import BOT_USER_ID, FakeSlack
from hr_plugin.testing.stack import BOT_TOKEN, AppStack, start_stack
from tests.e2e.conftest import ORG_CSV, TEAM, USERS

NEW_TOKEN = "xoxb-fake-token-after-reinstall"
TOKEN_LOG = "hr_plugin.bot_token"

UNINSTALLED = {"type": "app_uninstalled", "event_ts": "1700000000.000100"}
BOT_REVOKED = {"type": "tokens_revoked", "tokens": {"bot": [BOT_USER_ID]}, "event_ts": "1700000000.000200"}
USER_REVOKED = {"type": "tokens_revoked", "tokens": {"oauth": ["UBOSS"]}, "event_ts": "1700000000.000300"}


def _fake(clock: SimulatedClock, token: str, team_id: str = TEAM) -> FakeSlack:
    """A workspace with the company in it whose one valid bot token is ``token``."""
    fake = FakeSlack(clock=clock, team_id=team_id, bot_tokens=[token])
    for email, user_id in USERS.items():
        fake.add_user(user_id, name=email.split("@")[0], real_name=email, email=email)
    return fake


@pytest.fixture
def first(database_url: str, clock: SimulatedClock) -> Iterator[AppStack]:
    """The app as installed: single-workspace mode, the company imported."""
    with start_stack(database_url, clock, fake=_fake(clock, BOT_TOKEN)) as running:
        import_directory(
            running.factory,
            tenant_id=TEAM,
            rows=parse_directory_csv(ORG_CSV),
            slack=make_client(BOT_TOKEN, running.fake.base_url, wait_on_rate_limit=True),
            clock=clock,
            full=True,
            actor="test",
        )
        running.fake.reset_calls()
        yield running


def _restart(database_url: str, clock: SimulatedClock, fake: FakeSlack, token: str) -> AppStack:
    """New services on the same database, configured with ``token``."""
    return start_stack(database_url, clock, fake=fake, slack_bot_token=token)


def _enqueue(stack: AppStack, key: str, recipient: str) -> None:
    with unit_of_work(stack.factory) as session:
        enqueue(
            session,
            tenant_id=TEAM,
            key=key,
            now=stack.services.clock.now(),
            text="Your weekly reflection is ready",
            recipient=recipient,
            solicited=True,  # quiet hours play no part here
        )
        session.commit()


def _rows(stack: AppStack) -> dict[str, OutboxMessage]:
    with unit_of_work(stack.factory) as session:
        return {row.idempotency_key: row for row in session.scalars(select(OutboxMessage))}


def _deaths(stack: AppStack) -> list[DeadBotToken]:
    with unit_of_work(stack.factory) as session:
        return list(session.scalars(select(DeadBotToken)))


def _drain(stack: AppStack) -> DrainReport:
    report = stack.ticks.run("outbox-drain")
    assert isinstance(report, DrainReport)
    return report


def _token_dead_gauge(stack: AppStack) -> float:
    with urllib.request.urlopen(stack.server.url + "/metrics", timeout=10) as response:
        text = response.read().decode()
    [sample] = [
        sample
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "hr_plugin_slack_token_dead"
    ]
    assert sample.labels == {}
    return float(sample.value)


def _assert_held(stack: AppStack, keys: set[str]) -> None:
    rows = _rows(stack)
    for key in keys:
        row = rows[key]
        assert (row.status, row.attempts, row.last_error) == ("pending", 0, TOKEN_HELD), key
        assert row.not_before > stack.services.clock.now()
        assert row.sent_at is None and row.slack_ts is None


def _token_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        record for record in caplog.records if record.name == TOKEN_LOG and record.levelno >= logging.WARNING
    ]


def _uninstall(stack: AppStack) -> None:
    """The admin removes the app: Slack revokes the token and sends both events."""
    stack.fake.uninstall(TEAM)
    assert stack.slack.event(UNINSTALLED).status == 200
    assert stack.slack.event(BOT_REVOKED).status == 200


# -- the events -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("event", "cause"),
    [(UNINSTALLED, "uninstalled"), (BOT_REVOKED, "token_revoked")],
    ids=["uninstalled", "revoked"],
)
def test_single_workspace_mode_answers_both_events_and_records_the_token_dead(
    first: AppStack, clock: SimulatedClock, event: dict[str, Any], cause: str
) -> None:
    result = first.slack.event(event)

    assert result.status == 200
    [dead] = _deaths(first)
    assert (dead.fingerprint, dead.tenant_id, dead.cause) == (fingerprint(BOT_TOKEN), TEAM, cause)
    assert dead.died_at == clock.now() and dead.replaced_at is None
    with first.services.engine.connect() as connection:
        [stored] = connection.execute(text("SELECT * FROM dead_bot_tokens")).all()
    assert not [value for value in stored if BOT_TOKEN in str(value)]  # a hash, never the token
    # The same event again (Slack retries) or the other one of the pair changes nothing.
    assert first.slack.event(event, retry_num=1).status == 200
    assert first.slack.event(BOT_REVOKED if event is UNINSTALLED else UNINSTALLED).status == 200
    assert [(row.fingerprint, row.cause) for row in _deaths(first)] == [(fingerprint(BOT_TOKEN), cause)]


def test_revoked_user_tokens_only_leave_the_bot_token_alone(first: AppStack) -> None:
    _enqueue(first, "test:one", "UPARENT")

    assert first.slack.event(USER_REVOKED).status == 200

    assert _deaths(first) == []
    assert _drain(first).sent == 1


# -- held, remembered, resumed --------------------------------------------------------------


def test_a_dead_token_holds_the_outbox_across_restarts_until_a_new_token_works(
    first: AppStack, database_url: str, clock: SimulatedClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    _enqueue(first, "test:before", "UPARENT")
    assert _token_dead_gauge(first) == 0

    _uninstall(first)
    _enqueue(first, "test:after", "UPEER")  # a tick that enqueued after the uninstall
    first.fake.reset_calls()
    held = _drain(first)

    assert (held.sent, held.failed, held.cancelled, held.retried, held.held) == (0, 0, 0, 0, 2)
    _assert_held(first, {"test:before", "test:after"})
    assert first.fake.calls == []  # not one call with the dead token
    assert _token_dead_gauge(first) == 1
    # Long after, the held rows are looked at again and held again: still no attempt, no call.
    clock.advance(HOLD + timedelta(minutes=1))
    assert _drain(first).held == 2
    _assert_held(first, {"test:before", "test:after"})
    assert first.fake.calls == []

    # A restart with the same token, which Slack refuses: the app starts all the same (Bolt is
    # not asked to check the token), answers Slack, and the record holds. Nothing is asked of Slack.
    with _restart(database_url, clock, _fake(clock, NEW_TOKEN), BOT_TOKEN) as same:
        assert same.slack.event(UNINSTALLED, retry_num=1).status == 200
        clock.advance(HOLD + timedelta(minutes=1))
        assert _drain(same).held == 2
        _assert_held(same, {"test:before", "test:after"})
        assert same.fake.calls == []
        assert _token_dead_gauge(same) == 1

    # A restart with a new token Slack accepts: auth.test at start, then the held rows go, once.
    with _restart(database_url, clock, _fake(clock, NEW_TOKEN), NEW_TOKEN) as renewed:
        # The web app's Bolt checks the token as it starts, the background sender as it starts.
        assert [call["method"] for call in renewed.fake.calls] == ["auth.test", "auth.test"]
        assert _token_dead_gauge(renewed) == 0
        [dead] = _deaths(renewed)
        assert dead.fingerprint == fingerprint(BOT_TOKEN) and dead.replaced_at == clock.now()

        sent = _drain(renewed)
        assert (sent.sent, sent.held, sent.failed) == (2, 0, 0)
        assert _drain(renewed).sent == 0
        rows = _rows(renewed)
        assert {(row.status, row.attempts, row.last_error) for row in rows.values()} == {("sent", 1, None)}
        posts = renewed.fake.calls_for("chat.postMessage")
        assert sorted(user for call in posts for user in call["audience"]) == ["UPARENT", "UPEER"]
        assert set(renewed.fake.tokens_used()) == {NEW_TOKEN}

    # Said once, however many messages were held and however many processes saw it.
    [line] = _token_lines(caplog)
    assert "dead" in line.getMessage() and "HR_PLUGIN_SLACK_BOT_TOKEN" in line.getMessage()
    assert BOT_TOKEN not in line.getMessage()
    assert not [
        record
        for record in caplog.records
        if record.name == "hr_plugin.outbox" and record.levelno >= logging.WARNING
    ]

    # And the old token configured once more, after all that: dead still, and said again. This
    # fake would even accept it, and still nothing is asked of it.
    caplog.clear()
    with _restart(database_url, clock, _fake(clock, BOT_TOKEN), BOT_TOKEN) as again:
        _enqueue(again, "test:later", "UPARENT")
        assert _drain(again).held == 1
        assert _drain(again).held == 0
        _assert_held(again, {"test:later"})
        assert again.fake.calls == []
        assert _token_dead_gauge(again) == 1
        [dead] = _deaths(again)
        assert dead.replaced_at is None
    [line] = _token_lines(caplog)
    assert "revoked" in line.getMessage()


# -- a replacement that does not work (yet) -------------------------------------------------


def _scheduler(stack: AppStack, fake: FakeSlack, token: str) -> Drainer:
    """A scheduler process started on the same database with ``token`` (as ``hr-plugin scheduler``
    builds its sender), beside the running web app."""
    clients = watched_clients(stack.factory, stack.services.clock, token, fake.base_url)
    return Drainer(stack.factory, clients, stack.services.clock, drainer_id="restarted")


def test_a_new_token_slack_could_not_check_at_start_is_tried_again_at_the_next_drain(
    first: AppStack, clock: SimulatedClock, caplog: pytest.LogCaptureFixture
) -> None:
    _enqueue(first, "test:before", "UPARENT")
    _uninstall(first)
    assert _drain(first).held == 1

    with _fake(clock, NEW_TOKEN).start() as slack:
        slack.fail_next("auth.test", status=503, error="service_unavailable")
        scheduler = _scheduler(first, slack, NEW_TOKEN)
        assert [call["ok"] for call in slack.calls_for("auth.test")] == [False]
        assert scheduler.drain().sent == 0
        _assert_held(first, {"test:before"})
        assert _rows(first)["test:before"].not_before == clock.now() + RECHECK
        assert _token_dead_gauge(first) == 1

        clock.advance(RECHECK)
        report = scheduler.drain()

        assert (report.sent, report.held) == (1, 0)
        assert [call["ok"] for call in slack.calls_for("auth.test")] == [False, True]
        row = _rows(first)["test:before"]
        assert (row.status, row.attempts, row.last_error) == ("sent", 1, None)
        assert len(slack.calls_for("chat.postMessage", user="UPARENT")) == 1
        assert _token_dead_gauge(first) == 0
    [refused] = [line for line in _token_lines(caplog) if "cannot replace" in line.getMessage()]
    assert "service_unavailable" in refused.getMessage()


def test_a_token_for_another_workspace_does_not_replace_the_revoked_one(
    first: AppStack, clock: SimulatedClock
) -> None:
    _enqueue(first, "test:before", "UPARENT")
    _uninstall(first)
    assert _drain(first).held == 1

    with _fake(clock, NEW_TOKEN, team_id="T0ELSEWHERE").start() as elsewhere:
        scheduler = _scheduler(first, elsewhere, NEW_TOKEN)
        clock.advance(RECHECK)
        assert scheduler.drain().held == 1
        # Asked at start, and again once the next try was due.
        assert [call["method"] for call in elsewhere.calls] == ["auth.test", "auth.test"]

    _assert_held(first, {"test:before"})
    [dead] = _deaths(first)
    assert dead.replaced_at is None
    assert _token_dead_gauge(first) == 1


@pytest.mark.parametrize("error", ["token_revoked", "account_inactive"])
def test_a_send_refused_as_revoked_before_any_event_records_the_death_and_holds(
    first: AppStack, clock: SimulatedClock, caplog: pytest.LogCaptureFixture, error: str
) -> None:
    """Slack's events can come late or never (``serve`` was down while Slack retried): the
    refusal of a send says the same, so the message waits for a new token instead of failing."""
    caplog.set_level(logging.INFO)
    _enqueue(first, "test:first", "UPARENT")
    _enqueue(first, "test:second", "UPEER")
    first.fake.fail_next("chat.postMessage", status=200, error=error)

    report = _drain(first)

    assert (report.sent, report.failed, report.held) == (0, 0, 2)
    _assert_held(first, {"test:first", "test:second"})
    [dead] = _deaths(first)
    assert (dead.fingerprint, dead.cause) == (fingerprint(BOT_TOKEN), error)
    # The first row's DM was opened and its message refused; the second was held without a call.
    assert [call["method"] for call in first.fake.calls] == ["conversations.open", "chat.postMessage"]
    assert len(_token_lines(caplog)) == 1
    assert _token_dead_gauge(first) == 1
