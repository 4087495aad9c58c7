"""The outbox against a real database and the fake Slack over HTTP, on simulated time."""

from __future__ import annotations

import http.client
import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import Engine, null, select, update

from hr_plugin import vault
from hr_plugin.clock import SimulatedClock
from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.models import Employee, OutboxMessage
from hr_plugin.oauth.sealing import TokenSealer
from hr_plugin.oauth.tokens import Installations
from hr_plugin.outbox import (
    CANCELLED,
    FAILED,
    IN_FLIGHT,
    MEMBER_GONE_ERRORS,
    PENDING,
    SENT,
    SHOWN_BY,
    SLACK_ERRORS,
    Attachment,
    Drainer,
    Handling,
    OutboxPolicy,
    enqueue,
    forget_finished_text,
    handling_of,
    recover_expired,
)
from hr_plugin.scheduler import CORE_TICKS, TickRunner
from hr_plugin.settings import Settings
from hr_plugin.slack_clients import MultiWorkspaceClients, SingleWorkspaceClients
from hr_plugin.tenants import ensure_tenant
from hr_plugin.testing.fake_slack import FakeSlack
from hr_plugin.ticks import TickContext

TEAM = "T0DEMO"
TOKEN = "xoxb-fake-token"


@pytest.fixture
def fake(clock: SimulatedClock) -> Iterator[FakeSlack]:
    with FakeSlack(clock=clock, bot_tokens=[TOKEN]) as running:
        for number in range(1, 6):
            running.add_user(
                f"U{number}", name=f"u{number}", real_name=f"User {number}", email=f"u{number}@example.com"
            )
        yield running


@pytest.fixture
def drainer(session_factory: SessionFactory, fake: FakeSlack, clock: SimulatedClock) -> Drainer:
    with unit_of_work(session_factory) as session:
        ensure_tenant(session, TEAM, clock.now())
        session.commit()
    return Drainer(session_factory, SingleWorkspaceClients(TOKEN, fake.base_url), clock, drainer_id="test")


def _enqueue(factory: SessionFactory, clock: SimulatedClock, key: str, **kwargs: Any) -> bool:
    kwargs.setdefault("recipient", "U1")
    kwargs.setdefault("solicited", True)
    with unit_of_work(factory) as session:
        added = enqueue(session, tenant_id=TEAM, key=key, now=clock.now(), text=f"message {key}", **kwargs)
        session.commit()
    return added


def _rows(factory: SessionFactory) -> dict[str, OutboxMessage]:
    with unit_of_work(factory) as session:
        return {row.idempotency_key: row for row in session.scalars(select(OutboxMessage))}


def _posted_texts(fake: FakeSlack) -> list[str]:
    return [call["params"]["text"] for call in fake.calls_for("chat.postMessage") if call["ok"]]


def _add_employee(factory: SessionFactory, clock: SimulatedClock, user_id: str, **fields: Any) -> None:
    with unit_of_work(factory) as session:
        values: dict[str, Any] = {
            "tenant_id": TEAM,
            "email": f"{user_id.lower()}@example.com",
            "name": user_id,
            "slack_user_id": user_id,
            "timezone": "Europe/London",
            "country": "GB",
            "department": "Eng",
            "created_at": clock.now(),
            "updated_at": clock.now(),
        }
        values.update(fields)
        session.add(Employee(**values))
        session.commit()


def test_the_same_key_is_enqueued_once(
    session_factory: SessionFactory, clock: SimulatedClock, drainer: Drainer, fake: FakeSlack
) -> None:
    assert _enqueue(session_factory, clock, "reminder:T0DEMO:1:2026-W48") is True
    assert _enqueue(session_factory, clock, "reminder:T0DEMO:1:2026-W48") is False

    report = drainer.drain()

    assert report.sent == 1
    assert _posted_texts(fake) == ["message reminder:T0DEMO:1:2026-W48"]
    assert drainer.drain().sent == 0


def test_dm_channel_is_opened_once_and_cached(
    session_factory: SessionFactory, clock: SimulatedClock, drainer: Drainer, fake: FakeSlack
) -> None:
    for week in range(3):
        _enqueue(session_factory, clock, f"k{week}")

    drainer.drain(max_seconds=10)

    assert len(fake.calls_for("conversations.open")) == 1
    assert len(_posted_texts(fake)) == 3
    assert {call["audience"][0] for call in fake.calls_for("chat.postMessage")} == {"U1"}


def test_one_channel_is_paced_at_one_message_per_second(
    session_factory: SessionFactory, clock: SimulatedClock, drainer: Drainer, fake: FakeSlack
) -> None:
    fake.set_channel_rate_limit(1.0, burst=1)
    for number in range(5):
        _enqueue(session_factory, clock, f"burst{number}")
    started = clock.now()

    report = drainer.drain(max_seconds=30)

    assert report.sent == 5
    assert report.rate_limited == 0
    sent_at = sorted(row.sent_at for row in _rows(session_factory).values() if row.sent_at)
    gaps = [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(sent_at)]
    assert all(gap >= 1.0 for gap in gaps), gaps
    assert (clock.now() - started).total_seconds() < 6


def test_a_429_is_honoured_and_nothing_is_sent_before_retry_after(
    session_factory: SessionFactory, clock: SimulatedClock, drainer: Drainer, fake: FakeSlack
) -> None:
    fake.set_channel_rate_limit(None)
    fake.set_rate_limit("chat.postMessage", 2)
    for number in range(4):
        _enqueue(session_factory, clock, f"r{number}", recipient=f"U{number + 1}")

    report = drainer.drain(max_seconds=300)

    assert report.sent == 4
    assert report.rate_limited >= 1
    refused = [call for call in fake.calls_for("chat.postMessage") if call["status"] == 429]
    accepted = [call for call in fake.calls_for("chat.postMessage") if call["ok"]]
    assert len(accepted) == 4
    first_refusal = datetime.fromisoformat(refused[0]["at"])
    later = [datetime.fromisoformat(call["at"]) for call in accepted[2:]]
    assert all(moment >= first_refusal + timedelta(seconds=1) for moment in later)
    assert sorted(_posted_texts(fake)) == sorted(f"message r{n}" for n in range(4))


def test_a_transient_failure_is_retried_with_backoff(
    session_factory: SessionFactory, clock: SimulatedClock, drainer: Drainer, fake: FakeSlack
) -> None:
    # Not internal_error: after that one Slack says part of the call may have happened (the
    # error table's test covers it); service_unavailable says Slack did nothing.
    fake.fail_next("chat.postMessage", status=503, error="service_unavailable", count=2)
    _enqueue(session_factory, clock, "flaky")

    first = drainer.drain()
    assert first.retried == 1 and first.sent == 0
    row = _rows(session_factory)["flaky"]
    assert row.status == PENDING and row.not_before > clock.now()
    assert row.possible_duplicate is False  # Slack answered: a retry cannot duplicate

    drainer.drain(max_seconds=60)

    row = _rows(session_factory)["flaky"]
    assert row.status == SENT
    assert row.attempts == 3
    assert _posted_texts(fake) == ["message flaky"]


def test_a_permanent_failure_is_recorded_not_retried(
    session_factory: SessionFactory, clock: SimulatedClock, drainer: Drainer, fake: FakeSlack
) -> None:
    _enqueue(session_factory, clock, "nobody", recipient="UNKNOWN")

    report = drainer.drain(max_seconds=30)

    row = _rows(session_factory)["nobody"]
    assert report.failed == 1
    assert row.status == FAILED
    assert row.last_error == "user_not_found"


def test_unsolicited_messages_wait_for_working_hours(
    session_factory: SessionFactory, clock: SimulatedClock, drainer: Drainer, fake: FakeSlack
) -> None:
    _add_employee(session_factory, clock, "U1", timezone="America/New_York")  # 05:00 in New York
    _enqueue(session_factory, clock, "nudge", solicited=False)
    _enqueue(session_factory, clock, "asked-for", solicited=True)

    report = drainer.drain()

    assert report.sent == 1 and report.held == 1
    held = _rows(session_factory)["nudge"]
    assert held.status == PENDING
    assert held.not_before == datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # 09:00 in New York
    clock.set(held.not_before)
    drainer.drain()
    assert _rows(session_factory)["nudge"].status == SENT


def test_nothing_more_reaches_someone_who_left(
    session_factory: SessionFactory, clock: SimulatedClock, drainer: Drainer, fake: FakeSlack
) -> None:
    _add_employee(session_factory, clock, "U2", active=False, left_at=clock.now())
    _add_employee(session_factory, clock, "U3", slack_deactivated=True)
    _enqueue(session_factory, clock, "to-leaver", recipient="U2")
    _enqueue(session_factory, clock, "to-deactivated", recipient="U3")

    report = drainer.drain()

    rows = _rows(session_factory)
    assert report.cancelled == 2
    assert {rows["to-leaver"].status, rows["to-deactivated"].status} == {CANCELLED}
    assert fake.calls_for("chat.postMessage") == []


def test_someone_deactivated_in_slack_only_is_learnt_and_gets_nothing_more(
    session_factory: SessionFactory, clock: SimulatedClock, drainer: Drainer, fake: FakeSlack
) -> None:
    _add_employee(session_factory, clock, "U2")
    fake.deactivate("U2")  # the directory has not been imported since
    _enqueue(session_factory, clock, "first", recipient="U2")
    _enqueue(session_factory, clock, "second", recipient="U2")

    report = drainer.drain(max_seconds=5)

    rows = _rows(session_factory)
    assert {rows["first"].status, rows["second"].status} == {CANCELLED}
    assert report.cancelled == 2 and report.failed == 0
    assert len(fake.calls_for("conversations.open")) == 1  # the second was cancelled unsent
    assert fake.calls_for("chat.postMessage") == []
    with unit_of_work(session_factory) as session:
        person = session.scalars(select(Employee).where(Employee.slack_user_id == "U2")).one()
        assert person.slack_deactivated is True


def test_a_send_cut_off_mid_flight_is_retried_and_flagged(
    session_factory: SessionFactory, clock: SimulatedClock, drainer: Drainer, fake: FakeSlack
) -> None:
    _enqueue(session_factory, clock, "cut-off")
    with unit_of_work(session_factory) as session:  # a drainer claimed it, then its process died
        row = session.scalars(select(OutboxMessage)).one()
        row.status, row.claimed_by, row.lease_until, row.attempts = IN_FLIGHT, "dead", clock.now(), 1
        session.commit()

    assert recover_expired(session_factory, clock) == 0  # the lease has not run out yet
    clock.advance(timedelta(seconds=1))
    assert recover_expired(session_factory, clock) == 1
    report = drainer.drain()

    row = _rows(session_factory)["cut-off"]
    assert row.status == SENT and row.possible_duplicate is True
    assert report.possible_duplicates == 1


def test_a_timeout_after_the_request_left_counts_as_possible_duplicate(
    session_factory: SessionFactory, clock: SimulatedClock, fake: FakeSlack
) -> None:
    with unit_of_work(session_factory) as session:
        ensure_tenant(session, TEAM, clock.now())
        session.commit()
    impatient = Drainer(
        session_factory,
        SingleWorkspaceClients(TOKEN, fake.base_url, timeout=1),
        clock,
        drainer_id="impatient",
        policy=OutboxPolicy(),
    )
    _enqueue(session_factory, clock, "slow")
    fake.delay("chat.postMessage", 1.5)

    first = impatient.drain()
    fake.delay("chat.postMessage", 0)
    assert first.retried == 1
    row = _rows(session_factory)["slow"]
    assert row.possible_duplicate is True and row.status == PENDING

    impatient.drain(max_seconds=10)
    assert _rows(session_factory)["slow"].status == SENT


def test_group_dm_goes_to_its_members(
    session_factory: SessionFactory, clock: SimulatedClock, drainer: Drainer, fake: FakeSlack
) -> None:
    _enqueue(session_factory, clock, "group", recipient=None, conversation=["U1", "U2", "U3"])

    drainer.drain()

    posted = fake.calls_for("chat.postMessage")
    assert [sorted(call["audience"]) for call in posted] == [["U1", "U2", "U3"]]


def test_a_group_dm_leaves_out_members_the_directory_knows_are_gone(
    session_factory: SessionFactory, clock: SimulatedClock, drainer: Drainer, fake: FakeSlack
) -> None:
    _add_employee(session_factory, clock, "U2", slack_deactivated=True)
    _add_employee(session_factory, clock, "U3", active=False, left_at=clock.now())
    fake.deactivate("U2")
    _enqueue(session_factory, clock, "group", recipient=None, conversation=["U1", "U2", "U3", "U4"])

    report = drainer.drain()

    assert report.sent == 1 and report.failed == 0
    opened = fake.calls_for("conversations.open")
    assert [call["params"]["users"] for call in opened] == ["U1,U4"]
    posted = fake.calls_for("chat.postMessage")
    assert [sorted(call["audience"]) for call in posted] == [["U1", "U4"]]


def test_a_member_deactivated_in_slack_only_is_learnt_and_the_rest_still_get_the_message(
    session_factory: SessionFactory, clock: SimulatedClock, drainer: Drainer, fake: FakeSlack
) -> None:
    for user in ("U1", "U2", "U3"):
        _add_employee(session_factory, clock, user)
    fake.deactivate("U2")  # the directory has not been imported since
    _enqueue(session_factory, clock, "group", recipient=None, conversation=["U1", "U2", "U3"])

    report = drainer.drain(max_seconds=5)

    row = _rows(session_factory)["group"]
    assert row.status == SENT and row.attempts == 1 and row.possible_duplicate is False
    assert report.sent == 1 and report.failed == 0
    opened = [(call["params"]["users"], call["ok"]) for call in fake.calls_for("conversations.open")]
    assert opened == [("U1,U2,U3", False), ("U1,U3", True)]
    assert {call["params"]["user"] for call in fake.calls_for("users.info")} == {"U1", "U2", "U3"}
    posted = fake.calls_for("chat.postMessage")
    assert [sorted(call["audience"]) for call in posted] == [["U1", "U3"]]
    with unit_of_work(session_factory) as session:
        deactivated = session.scalars(select(Employee.slack_user_id).where(Employee.slack_deactivated)).all()
    assert deactivated == ["U2"]


def test_a_lookup_slack_turns_away_is_retried_and_the_group_still_gets_the_message(
    session_factory: SessionFactory, clock: SimulatedClock, drainer: Drainer, fake: FakeSlack
) -> None:
    for user in ("U1", "U2", "U3"):
        _add_employee(session_factory, clock, user)
    fake.deactivate("U3")
    fake.fail_next("users.info", status=429, error="ratelimited")
    _enqueue(session_factory, clock, "group", recipient=None, conversation=["U1", "U2", "U3"])

    report = drainer.drain(max_seconds=30)

    row = _rows(session_factory)["group"]
    assert row.status == SENT and report.rate_limited == 1 and report.failed == 0
    posted = fake.calls_for("chat.postMessage")
    assert [sorted(call["audience"]) for call in posted] == [["U1", "U2"]]


def test_a_group_refused_over_someone_the_directory_does_not_hold_fails_for_good(
    session_factory: SessionFactory, clock: SimulatedClock, drainer: Drainer, fake: FakeSlack
) -> None:
    fake.deactivate("U2")  # nobody in the directory: nothing can be learnt, so no loop
    _enqueue(session_factory, clock, "group", recipient=None, conversation=["U1", "U2"])

    report = drainer.drain(max_seconds=5)

    row = _rows(session_factory)["group"]
    assert row.status == FAILED and row.last_error == "user_disabled"
    assert report.failed == 1 and len(fake.calls_for("conversations.open")) == 1


def test_a_dead_token_is_not_read_as_the_recipients_being_gone(
    session_factory: SessionFactory, clock: SimulatedClock, drainer: Drainer, fake: FakeSlack
) -> None:
    for user in ("U1", "U2"):
        _add_employee(session_factory, clock, user)
    # Slack's account_inactive: the token belongs to a deleted user or workspace.
    fake.fail_next("conversations.open", status=200, error="account_inactive", count=2)
    _enqueue(session_factory, clock, "one", recipient="U1")
    _enqueue(session_factory, clock, "group", recipient=None, conversation=["U1", "U2"])

    drainer.drain(max_seconds=5)

    rows = _rows(session_factory)
    assert {rows["one"].status, rows["group"].status} == {FAILED}
    assert {rows["one"].last_error, rows["group"].last_error} == {"account_inactive"}
    assert fake.calls_for("users.info") == []
    with unit_of_work(session_factory) as session:
        assert session.scalars(select(Employee).where(Employee.slack_deactivated)).all() == []


def test_a_group_whose_members_are_all_gone_is_cancelled(
    session_factory: SessionFactory, clock: SimulatedClock, drainer: Drainer, fake: FakeSlack
) -> None:
    _add_employee(session_factory, clock, "U1", slack_deactivated=True)
    _add_employee(session_factory, clock, "U2", active=False, left_at=clock.now())
    _enqueue(session_factory, clock, "group", recipient=None, conversation=["U1", "U2"])

    report = drainer.drain()

    row = _rows(session_factory)["group"]
    assert row.status == CANCELLED and report.cancelled == 1
    assert fake.calls_for("conversations.open") == [] and fake.calls_for("chat.postMessage") == []


def test_enqueue_refuses_ambiguous_targets(
    session_factory: SessionFactory, clock: SimulatedClock, drainer: Drainer
) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        _enqueue(session_factory, clock, "both", recipient="U1", conversation=["U2"])
    with pytest.raises(ValueError, match="1 to 8"):
        _enqueue(session_factory, clock, "crowd", recipient=None, conversation=[f"U{n}" for n in range(9)])


# -- files (an .ics invitation into a group DM) ---------------------------------------------------

INVITE = Attachment(
    filename="peer-huddle.ics",
    content="BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nSUMMARY:Peer huddle\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n",
    title="Peer huddle, Tuesday 10:00",
)
GROUP = ["U3", "U1", "U2"]


def _enqueue_invite(factory: SessionFactory, clock: SimulatedClock, key: str = "invite") -> bool:
    return _enqueue(factory, clock, key, recipient=None, conversation=GROUP, file=INVITE)


def _assert_each_member_got_the_invite_once(fake: FakeSlack) -> None:
    for person in sorted(GROUP):
        seen = fake.files_seen_by(person)
        assert [(f["filename"], f["title"], f["content"]) for f in seen] == [
            (INVITE.filename, INVITE.title, INVITE.content)
        ], person
        assert seen[0]["initial_comment"] == "message invite"
    assert fake.files_seen_by("U4") == []
    assert "Peer huddle" not in fake.text_seen_by("U4")


def test_a_file_is_delivered_once_into_the_group_dm(
    session_factory: SessionFactory, clock: SimulatedClock, drainer: Drainer, fake: FakeSlack
) -> None:
    assert _enqueue_invite(session_factory, clock) is True
    assert _enqueue_invite(session_factory, clock) is False

    report = drainer.drain()

    assert report.sent == 1 and report.keys_sent == ["invite"]
    _assert_each_member_got_the_invite_once(fake)
    row = _rows(session_factory)["invite"]
    shared = fake.calls_for("files.completeUploadExternal")
    assert row.status == SENT and row.possible_duplicate is False
    assert row.channel_id == shared[0]["params"]["channel_id"]
    assert sorted(fake.conversation_members(row.channel_id)) == ["U1", "U2", "U3"]
    assert row.slack_ts == shared[0]["params"]["files"][0]["id"]  # no message ts: the file id
    assert row.payload == {
        "text": "message invite",
        "file": {"filename": INVITE.filename, "content": INVITE.content, "title": INVITE.title},
    }
    assert fake.calls_for("chat.postMessage") == []

    again = drainer.drain(max_seconds=60)

    assert again.sent == 0
    assert len(fake.calls_for("files.completeUploadExternal")) == 1
    assert len(fake.calls_for("files.getUploadURLExternal")) == 1


def test_a_failed_upload_completion_is_retried_and_ends_sent(
    session_factory: SessionFactory, clock: SimulatedClock, drainer: Drainer, fake: FakeSlack
) -> None:
    fake.fail_next("files.completeUploadExternal", status=503, error="service_unavailable")
    _enqueue_invite(session_factory, clock)

    first = drainer.drain()

    assert first.retried == 1 and first.sent == 0
    row = _rows(session_factory)["invite"]
    assert row.status == PENDING and row.last_error == "service_unavailable"
    assert row.possible_duplicate is False  # Slack answered: a retry cannot duplicate
    assert all(fake.files_seen_by(person) == [] for person in GROUP)
    uploaded = fake.calls_for("upload_url")
    assert len(uploaded) == 1 and row.upload_file_id == uploaded[0]["params"]["file_id"]

    drainer.drain(max_seconds=60)

    row = _rows(session_factory)["invite"]
    assert row.status == SENT and row.attempts == 2
    assert [call["ok"] for call in fake.calls_for("files.completeUploadExternal")] == [False, True]
    assert len(fake.calls_for("files.getUploadURLExternal")) == 1  # the same file, not uploaded again
    assert len(fake.calls_for("upload_url")) == 1
    completed = fake.calls_for("files.completeUploadExternal")
    assert [call["params"]["files"][0]["id"] for call in completed] == [row.upload_file_id] * 2
    _assert_each_member_got_the_invite_once(fake)


def test_refused_file_bytes_are_retried_without_a_duplicate_flag(
    session_factory: SessionFactory, clock: SimulatedClock, drainer: Drainer, fake: FakeSlack
) -> None:
    fake.fail_next("upload_url", status=503, error="service_unavailable")
    _enqueue_invite(session_factory, clock)

    first = drainer.drain()

    assert first.retried == 1
    row = _rows(session_factory)["invite"]
    assert row.status == PENDING and row.possible_duplicate is False  # nothing was shared
    drainer.drain(max_seconds=60)
    assert _rows(session_factory)["invite"].status == SENT
    _assert_each_member_got_the_invite_once(fake)


def test_an_upload_cut_off_after_it_left_is_retried_and_flagged(
    session_factory: SessionFactory, clock: SimulatedClock, fake: FakeSlack
) -> None:
    with unit_of_work(session_factory) as session:
        ensure_tenant(session, TEAM, clock.now())
        session.commit()
    impatient = Drainer(
        session_factory,
        SingleWorkspaceClients(TOKEN, fake.base_url, timeout=1),
        clock,
        drainer_id="impatient",
    )
    _enqueue_invite(session_factory, clock)
    fake.delay("files.completeUploadExternal", 1.5)

    first = impatient.drain()
    fake.delay("files.completeUploadExternal", 0)

    assert first.retried == 1
    row = _rows(session_factory)["invite"]
    assert row.possible_duplicate is True and row.status == PENDING
    report = impatient.drain(max_seconds=60)
    assert _rows(session_factory)["invite"].status == SENT
    assert report.possible_duplicates == 1


def test_enqueue_refuses_blocks_with_a_file(
    session_factory: SessionFactory, clock: SimulatedClock, drainer: Drainer
) -> None:
    with pytest.raises(ValueError, match="not blocks"):
        _enqueue(session_factory, clock, "both", file=INVITE, blocks=[{"type": "divider"}])


# -- forgetting the text of finished messages -------------------------------------------------


def test_the_text_of_finished_messages_is_forgotten_after_the_days_set(
    session_factory: SessionFactory, clock: SimulatedClock, drainer: Drainer, fake: FakeSlack
) -> None:
    _enqueue(session_factory, clock, "sent-long-ago")
    _add_employee(session_factory, clock, "U2", active=False, left_at=clock.now())
    _enqueue(session_factory, clock, "cancelled-long-ago", recipient="U2")
    _enqueue(session_factory, clock, "failed-long-ago", recipient="UNOBODY")  # Slack: user_not_found
    drainer.drain(max_seconds=10)
    clock.advance(timedelta(days=29))
    _enqueue(session_factory, clock, "sent-lately")
    _enqueue(session_factory, clock, "waiting", not_before=clock.now() + timedelta(days=60))
    drainer.drain(max_seconds=10)
    statuses = {key: row.status for key, row in _rows(session_factory).items()}
    assert statuses == {
        "sent-long-ago": SENT,
        "cancelled-long-ago": CANCELLED,
        "failed-long-ago": FAILED,
        "sent-lately": SENT,
        "waiting": PENDING,
    }
    clock.advance(timedelta(days=2))

    forgotten = forget_finished_text(session_factory, clock.now(), timedelta(days=30), chunk=2)

    rows = _rows(session_factory)
    assert forgotten == 3
    assert {key for key, row in rows.items() if row.payload is None} == {
        "sent-long-ago",
        "cancelled-long-ago",
        "failed-long-ago",
    }
    assert rows["sent-lately"].payload == {"text": "message sent-lately"}
    assert rows["waiting"].payload == {"text": "message waiting"}
    # What stays: the key (so nothing is sent again), who it was for, how it ended, and when.
    old = rows["sent-long-ago"]
    assert (old.recipient_user_id, old.status) == ("U1", SENT)
    assert old.sent_at is not None and old.slack_ts and old.channel_id
    assert _enqueue(session_factory, clock, "sent-long-ago") is False
    assert forget_finished_text(session_factory, clock.now(), timedelta(days=30)) == 0
    clock.advance(timedelta(days=100))
    drainer.drain(max_seconds=10)
    assert _rows(session_factory)["waiting"].status == SENT
    assert len(_posted_texts(fake)) == 3  # the forgotten rows were never sent again


def test_a_waiting_row_without_its_text_is_ended_not_retried(
    session_factory: SessionFactory, clock: SimulatedClock, drainer: Drainer, fake: FakeSlack
) -> None:
    _enqueue(session_factory, clock, "emptied")
    with unit_of_work(session_factory) as session:  # by hand: the forgetting never touches one
        session.execute(update(OutboxMessage).values(payload=null()))
        session.commit()

    report = drainer.drain()

    row = _rows(session_factory)["emptied"]
    assert (row.status, row.last_error, report.cancelled) == (CANCELLED, "its text was already forgotten", 1)
    assert fake.calls_for("chat.postMessage") == []


def test_the_scheduler_forgets_text_hourly_after_the_configured_days(
    session_factory: SessionFactory, clock: SimulatedClock, drainer: Drainer, fake: FakeSlack
) -> None:
    settings = Settings(outbox_text_days=7)
    runner = TickRunner(TickContext(session_factory, clock, drainer, settings), ticks=list(CORE_TICKS))
    _enqueue(session_factory, clock, "weekly")
    drainer.drain()
    clock.advance(timedelta(days=6))
    runner.run_due()
    assert _rows(session_factory)["weekly"].payload == {"text": "message weekly"}
    clock.advance(timedelta(days=1, hours=1))

    runner.run_due()

    assert _rows(session_factory)["weekly"].payload is None


# -- Slack's errors, as Slack documents them (``SLACK_ERRORS``) ------------------------------------

# Where Slack documents each error among the outbox's calls, when not (also) on chat.postMessage:
# the error table's test injects it on that call.
ON_UPLOAD_URL = frozenset(
    {
        "file_uploads_disabled",
        "file_uploads_except_images_disabled",
        "file_type_not_allowed",
        "file_upload_size_restricted",
        "storage_limit_reached",
        "snippet_too_large",
        "missing_argument",
    }
)
ON_COMPLETION = frozenset(
    {"invalid_channel", "posting_to_channel_denied", "file_not_found", "file_update_failed"}
)
ON_OPEN = frozenset(
    {
        "user_not_found",
        "users_not_found",
        "user_not_visible",
        "method_not_supported_for_channel_type",
        "too_many_users",
        "not_enough_users",
        "invalid_user_combination",
        "users_list_not_supplied",
    }
)
SEND_CALLS = (
    "conversations.open",
    "chat.postMessage",
    "files.getUploadURLExternal",
    "files.completeUploadExternal",
)


def _table_cases() -> list[Any]:
    """One case per error in the table, on the call Slack documents it for; the errors that
    may leave part of a call done, on every call the outbox makes (only two show anything)."""
    cases = []
    for error, rule in SLACK_ERRORS.items():
        if rule.handling is Handling.RETRY_POSSIBLE_DUPLICATE:
            cases.extend(pytest.param(error, method, id=f"{error}-{method}") for method in SEND_CALLS)
            continue
        if error in ON_UPLOAD_URL:
            method = "files.getUploadURLExternal"
        elif error in ON_COMPLETION:
            method = "files.completeUploadExternal"
        elif error in ON_OPEN:
            method = "conversations.open"
        else:
            method = "chat.postMessage"
        cases.append(pytest.param(error, method, id=error))
    return cases


def _enqueue_for(factory: SessionFactory, clock: SimulatedClock, method: str) -> str:
    """A row whose delivery makes ``method``'s call: the invitation for the file steps."""
    if method.startswith("files."):
        _enqueue_invite(factory, clock)
        return "invite"
    _enqueue(factory, clock, "note")
    return "note"


def _delivered_once(fake: FakeSlack, key: str) -> None:
    if key == "invite":
        _assert_each_member_got_the_invite_once(fake)
    else:
        assert _posted_texts(fake) == ["message note"]
        assert len(fake.messages_seen_by("U1")) == 1


def _nothing_shown(fake: FakeSlack) -> None:
    assert all(fake.messages_seen_by(person) == [] for person in ("U1", *GROUP))


@pytest.mark.parametrize(("error", "method"), _table_cases())
def test_each_slack_error_is_handled_as_the_table_says(
    session_factory: SessionFactory,
    clock: SimulatedClock,
    drainer: Drainer,
    fake: FakeSlack,
    error: str,
    method: str,
) -> None:
    handling = SLACK_ERRORS[error].handling
    fake.fail_next(method, status=429 if handling is Handling.RATE_LIMITED else 200, error=error)
    key = _enqueue_for(session_factory, clock, method)
    started = clock.now()

    first = drainer.drain()

    row = _rows(session_factory)[key]
    assert row.last_error == error
    refused = [call for call in fake.calls_for(method) if not call["ok"]]
    assert len(refused) == 1
    if handling in (Handling.PERMANENT, Handling.RENEW_TOKEN):  # no rotation here: nothing renews it
        assert (row.status, row.attempts, row.possible_duplicate) == (FAILED, 1, False)
        assert first.failed == 1
        drainer.drain(max_seconds=120)
        assert len(fake.calls_for(method)) == 1  # never tried again
        _nothing_shown(fake)
        return
    if handling is Handling.RATE_LIMITED:
        assert (row.status, row.attempts, row.possible_duplicate) == (PENDING, 0, False)
        assert row.not_before == started + timedelta(seconds=1)  # the fake's Retry-After
        assert first.rate_limited == 1
    else:
        assert (row.status, row.attempts) == (PENDING, 1)
        assert row.not_before > clock.now()  # a backoff
        assert first.retried == 1
        flagged = handling is Handling.RETRY_POSSIBLE_DUPLICATE and method in SHOWN_BY
        assert row.possible_duplicate is flagged
    _nothing_shown(fake)

    last = drainer.drain(max_seconds=60)

    row = _rows(session_factory)[key]
    assert row.status == SENT
    assert row.attempts == (1 if handling is Handling.RATE_LIMITED else 2)
    assert last.possible_duplicates == int(row.possible_duplicate)
    _delivered_once(fake, key)
    if key == "invite":
        # Only a file Slack lost is uploaded again; a failure before or at the completion reuses it.
        expected_uploads = 2 if handling is Handling.UPLOAD_AGAIN else 1
        for step in ("files.getUploadURLExternal", "upload_url"):
            assert len([call for call in fake.calls_for(step) if call["ok"]]) == expected_uploads, step


def test_an_internal_error_with_an_http_500_flags_the_retry_too(
    session_factory: SessionFactory, clock: SimulatedClock, drainer: Drainer, fake: FakeSlack
) -> None:
    fake.fail_next("chat.postMessage", status=500, error="internal_error")
    _enqueue(session_factory, clock, "note")

    drainer.drain()

    row = _rows(session_factory)["note"]
    assert (row.status, row.possible_duplicate, row.last_error) == (PENDING, True, "internal_error")


# What issue 15 asks of the table, pinned here so that a change to the table is a change here too.
REQUIRED_HANDLING = {
    **dict.fromkeys(
        (
            "msg_blocks_too_long",
            "invalid_blocks_format",
            "team_access_not_granted",
            "not_allowed_token_type",
            "ekm_access_denied",
            "enterprise_is_restricted",
            "access_denied",
            "user_not_visible",
            "method_not_supported_for_channel_type",
            "restricted_action",
            "restricted_action_read_only_channel",
            "restricted_action_thread_only_channel",
            "restricted_action_non_threadable_channel",
            "restricted_action_thread_locked",
            "invalid_channel",
            "posting_to_channel_denied",
            "file_uploads_disabled",
            "file_type_not_allowed",
            "file_upload_size_restricted",
            "user_disabled",
            "invalid_auth",
            "token_revoked",
            "account_inactive",
            "channel_not_found",
            "user_not_found",
        ),
        Handling.PERMANENT,
    ),
    "token_expired": Handling.RENEW_TOKEN,
    "fatal_error": Handling.RETRY_POSSIBLE_DUPLICATE,
    "internal_error": Handling.RETRY_POSSIBLE_DUPLICATE,
    "ratelimited": Handling.RATE_LIMITED,
    "service_unavailable": Handling.RETRY,
    "file_not_found": Handling.UPLOAD_AGAIN,
}


def test_the_table_holds_what_slack_documents() -> None:
    assert {error: SLACK_ERRORS[error].handling for error in REQUIRED_HANDLING} == REQUIRED_HANDLING
    assert all(rule.meaning for rule in SLACK_ERRORS.values())
    # A restricted_action_* Slack adds later is permanent like its family; an unknown error is retried.
    assert handling_of("restricted_action_something_new") is Handling.PERMANENT
    assert handling_of("an_error_slack_adds_later") is Handling.RETRY
    assert set(MEMBER_GONE_ERRORS) == {"user_disabled"}  # user_disabled as it is today


# -- an expired token, with token rotation (multi-workspace) -----------------------------------------

CLIENT_ID, CLIENT_SECRET = "1111.2222", "client-secret"


def _install(
    fake: FakeSlack, engine: Engine, factory: SessionFactory, clock: SimulatedClock, *, rotation: bool
) -> Installations:
    """Install the app in ``TEAM`` through Slack's OAuth (the fake's consent screen and code exchange)."""
    fake.enable_oauth(
        CLIENT_ID, CLIENT_SECRET, token_rotation=rotation, redirect_uris=["https://hr.example/oauth"]
    )
    server = urlsplit(fake.url)
    connection = http.client.HTTPConnection(server.hostname or "127.0.0.1", server.port, timeout=5)
    connection.request(
        "GET",
        "/oauth/v2/authorize?" + urlencode({"client_id": CLIENT_ID, "scope": "chat:write", "team": TEAM}),
    )
    location = connection.getresponse().getheader("Location") or ""
    connection.close()
    code = parse_qs(urlsplit(location).query)["code"][0]
    answer = WebClient(base_url=fake.base_url).oauth_v2_access(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, code=code
    )
    installations = Installations(
        engine,
        factory,
        clock,
        TokenSealer(vault.slack_token_key(bytes(range(32)))),
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        api_url=fake.base_url,
    )
    installations.store.save(
        Installation(
            app_id=answer.get("app_id"),
            team_id=TEAM,
            bot_token=answer["access_token"],
            bot_refresh_token=answer.get("refresh_token"),
            bot_token_expires_in=answer.get("expires_in"),
            bot_id="B0BOT",
            bot_user_id=answer.get("bot_user_id"),
            bot_scopes="chat:write",
            user_id="UADMIN",
        )
    )
    return installations


def _refreshes(fake: FakeSlack) -> list[dict[str, Any]]:
    return [
        call
        for call in fake.calls_for("oauth.v2.access")
        if call["params"].get("grant_type") == "refresh_token"
    ]


def test_an_expired_token_is_refreshed_and_the_send_goes_again_with_the_new_one(
    engine: Engine, session_factory: SessionFactory, clock: SimulatedClock, fake: FakeSlack
) -> None:
    installations = _install(fake, engine, session_factory, clock, rotation=True)
    drainer = Drainer(
        session_factory, MultiWorkspaceClients(installations, fake.base_url), clock, drainer_id="multi"
    )
    old = installations.bot_token(TEAM)
    # Slack ends the token before the time it gave (its expiry here is hours away).
    fake.fail_next("chat.postMessage", status=200, error="token_expired")
    _enqueue(session_factory, clock, "note")

    report = drainer.drain(max_seconds=5)

    row = _rows(session_factory)["note"]
    assert (row.status, row.attempts, row.possible_duplicate) == (SENT, 2, False)
    assert report.sent == 1 and report.failed == 0
    used = fake.tokens_used("chat.postMessage")
    assert used[0] == old and len(used) == 2 and used[1] != old
    assert fake.token_team(used[1]) == TEAM
    assert installations.bot_token(TEAM) == used[1]  # the refreshed token is the one kept
    assert len(_refreshes(fake)) == 1
    assert _posted_texts(fake) == ["message note"]


def test_a_token_someone_else_refreshed_meanwhile_is_not_refreshed_again(
    engine: Engine, session_factory: SessionFactory, clock: SimulatedClock, fake: FakeSlack
) -> None:
    installations = _install(fake, engine, session_factory, clock, rotation=True)
    old = installations.bot_token(TEAM)
    clients = MultiWorkspaceClients(installations, fake.base_url)
    stale = clients.client_for(TEAM)
    assert installations.renew_expired(TEAM, old) is True  # another sender heard token_expired first
    assert len(_refreshes(fake)) == 1

    assert clients.renew_expired(TEAM, stale) is True  # this one finds the token already replaced

    assert len(_refreshes(fake)) == 1
    assert clients.client_for(TEAM).token == installations.bot_token(TEAM) != old


def test_a_refused_refresh_retries_the_send_later(
    engine: Engine, session_factory: SessionFactory, clock: SimulatedClock, fake: FakeSlack
) -> None:
    installations = _install(fake, engine, session_factory, clock, rotation=True)
    drainer = Drainer(
        session_factory, MultiWorkspaceClients(installations, fake.base_url), clock, drainer_id="multi"
    )
    old = installations.bot_token(TEAM)
    fake.fail_next("chat.postMessage", status=200, error="token_expired", count=2)
    fake.fail_next("oauth.v2.access", status=200, error="service_unavailable")
    _enqueue(session_factory, clock, "note")

    first = drainer.drain()

    row = _rows(session_factory)["note"]
    assert (row.status, row.attempts, row.last_error) == (PENDING, 1, "no token: TokenRefreshError")
    assert first.retried == 1 and first.failed == 0
    drainer.drain(max_seconds=60)
    row = _rows(session_factory)["note"]
    assert (row.status, row.attempts) == (SENT, 3)  # expired twice: refused refresh, then one that worked
    assert [call["ok"] for call in _refreshes(fake)] == [False, True]
    used = fake.tokens_used("chat.postMessage")
    assert used[:2] == [old, old] and len(used) == 3 and used[2] != old


def test_an_expired_token_without_rotation_fails_the_row_and_says_why(
    engine: Engine,
    session_factory: SessionFactory,
    clock: SimulatedClock,
    fake: FakeSlack,
    caplog: pytest.LogCaptureFixture,
) -> None:
    installations = _install(fake, engine, session_factory, clock, rotation=False)
    drainer = Drainer(
        session_factory, MultiWorkspaceClients(installations, fake.base_url), clock, drainer_id="multi"
    )
    fake.fail_next("chat.postMessage", status=200, error="token_expired")
    _enqueue(session_factory, clock, "note")

    report = drainer.drain(max_seconds=60)

    row = _rows(session_factory)["note"]
    assert (row.status, row.attempts, row.last_error) == (FAILED, 1, "token_expired")
    assert report.failed == 1
    assert _refreshes(fake) == [] and len(fake.calls_for("chat.postMessage")) == 1
    assert any("token rotation is off" in record.getMessage() for record in caplog.records)
