"""The outbox against a real database and the fake Slack over HTTP, on simulated time."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import null, select, update

from hr_plugin.clock import SimulatedClock
from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.models import Employee, OutboxMessage
from hr_plugin.outbox import (
    CANCELLED,
    FAILED,
    IN_FLIGHT,
    PENDING,
    SENT,
    Attachment,
    Drainer,
    OutboxPolicy,
    enqueue,
    forget_finished_text,
    recover_expired,
)
from hr_plugin.scheduler import CORE_TICKS, TickRunner
from hr_plugin.settings import Settings
from hr_plugin.slack_clients import SingleWorkspaceClients
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
    fake.fail_next("chat.postMessage", status=500, error="internal_error", count=2)
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
    fake.fail_next("files.completeUploadExternal", status=500, error="internal_error")
    _enqueue_invite(session_factory, clock)

    first = drainer.drain()

    assert first.retried == 1 and first.sent == 0
    row = _rows(session_factory)["invite"]
    assert row.status == PENDING and row.last_error == "internal_error"
    assert row.possible_duplicate is False  # Slack answered: a retry cannot duplicate
    assert all(fake.files_seen_by(person) == [] for person in GROUP)

    drainer.drain(max_seconds=60)

    row = _rows(session_factory)["invite"]
    assert row.status == SENT and row.attempts == 2
    assert [call["ok"] for call in fake.calls_for("files.completeUploadExternal")] == [False, True]
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
