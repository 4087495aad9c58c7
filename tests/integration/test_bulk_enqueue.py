"""Bulk enqueueing and the weekly reminder tick built on it, against a real database.

The reminder tick writes everyone due in one bulk insert (50,000 people can fall due in the
same minute); these tests pin that it writes exactly what one ``enqueue`` per person wrote
before, once per person and week, and nothing for anyone it must leave alone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from hr_plugin.clock import SimulatedClock
from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.models import Employee, OutboxMessage
from hr_plugin.outbox import Attachment, Outgoing, enqueue, enqueue_many
from hr_plugin.tenants import ensure_tenant
from hr_plugin.vault.content import reminder_text
from hr_plugin.vault.messages import reminder_blocks
from hr_plugin.vault.models import VaultSpace
from hr_plugin.vault.service import enqueue_due_reminders

TEAM = "T0DEMO"
OTHER = "T0OTHER"
# Wednesday 25 November 2026, 12:00:30 UTC: noon in London, 07:00 in New York, 17:30 in Kolkata.
NOON = datetime(2026, 11, 25, 12, 0, 30, tzinfo=UTC)
COLUMNS = (
    "tenant_id",
    "idempotency_key",
    "recipient_user_id",
    "conversation_users",
    "payload",
    "solicited",
    "status",
    "attempts",
    "possible_duplicate",
    "not_before",
    "created_at",
)


def _rows(factory: SessionFactory, tenant_id: str = TEAM) -> dict[str, OutboxMessage]:
    with unit_of_work(factory) as session:
        rows = session.scalars(select(OutboxMessage).where(OutboxMessage.tenant_id == tenant_id))
        return {row.idempotency_key: row for row in rows}


def _tenants(factory: SessionFactory, now: datetime) -> None:
    with unit_of_work(factory) as session:
        ensure_tenant(session, TEAM, now)
        ensure_tenant(session, OTHER, now)
        session.commit()


def test_enqueue_many_writes_what_enqueue_writes_and_counts_only_new_keys(
    session_factory: SessionFactory, clock: SimulatedClock
) -> None:
    _tenants(session_factory, clock.now())
    later = clock.now() + timedelta(hours=3)
    blocks = [{"type": "section", "text": {"type": "plain_text", "text": "hello"}}]
    invitation = Attachment("huddle.ics", "BEGIN:VCALENDAR", "Huddle")
    with unit_of_work(session_factory) as session:
        enqueue(
            session, tenant_id=TEAM, key="one:a", now=clock.now(), text="hi", blocks=blocks, recipient="U1"
        )
        enqueue(
            session,
            tenant_id=TEAM,
            key="group:a",
            now=clock.now(),
            text="file",
            conversation=["U3", "U2"],
            not_before=later,
            file=invitation,
        )
        session.commit()

    with unit_of_work(session_factory) as session:
        added = enqueue_many(
            session,
            [
                Outgoing(TEAM, "one:a", "hi again", blocks, recipient="U1"),  # already there
                Outgoing(TEAM, "one:b", "hi", blocks, recipient="U1"),
                Outgoing(
                    TEAM, "group:b", "file", conversation=["U3", "U2"], not_before=later, file=invitation
                ),
                Outgoing(
                    OTHER, "one:a", "hi", blocks, recipient="U1", solicited=True
                ),  # same key, other tenant
                Outgoing(TEAM, "one:b", "twice in one batch", recipient="U1"),
            ],
            now=clock.now(),
        )
        session.commit()

    assert added == 3
    rows = _rows(session_factory)
    assert rows["one:a"].payload["text"] == "hi"  # the first write stands
    assert rows["one:b"].payload["text"] == "hi"
    single = {name: getattr(rows["one:a"], name) for name in COLUMNS if name != "idempotency_key"}
    bulk = {name: getattr(rows["one:b"], name) for name in COLUMNS if name != "idempotency_key"}
    assert bulk == single
    for name in COLUMNS:
        if name != "idempotency_key":
            assert getattr(rows["group:b"], name) == getattr(rows["group:a"], name), name
    assert list(_rows(session_factory, OTHER)) == ["one:a"]
    assert _rows(session_factory, OTHER)["one:a"].solicited is True
    with unit_of_work(session_factory) as session:
        assert enqueue_many(session, [], now=clock.now()) == 0


@pytest.mark.parametrize(
    "message",
    [
        Outgoing(TEAM, "k", "t"),
        Outgoing(TEAM, "k", "t", recipient="U1", conversation=["U2"]),
        Outgoing(TEAM, "k", "t", conversation=[f"U{n}" for n in range(9)]),
        Outgoing(TEAM, "k", "t", [{"type": "divider"}], recipient="U1", file=Attachment("a", "b", "c")),
    ],
)
def test_enqueue_many_refuses_what_enqueue_refuses(
    session_factory: SessionFactory, clock: SimulatedClock, message: Outgoing
) -> None:
    _tenants(session_factory, clock.now())
    with unit_of_work(session_factory) as session, pytest.raises(ValueError):
        enqueue_many(session, [Outgoing(TEAM, "fine", "t", recipient="U0"), message], now=clock.now())
    assert _rows(session_factory) == {}


def _person(session: Any, number: int, zone: str, **fields: Any) -> Employee:
    values: dict[str, Any] = {
        "tenant_id": fields.pop("tenant_id", TEAM),
        "email": f"p{number}@example.com",
        "name": f"Person {number}",
        "slack_user_id": f"U{number:03d}",
        "timezone": zone,
        "country": "GB",
        "department": "Eng",
        "created_at": NOON,
        "updated_at": NOON,
    }
    values.update(fields)
    person = Employee(**values)
    session.add(person)
    session.flush()
    return person


def _schedule(session: Any, person: Employee, weekday: int | None, at: str | None, **fields: Any) -> None:
    session.add(
        VaultSpace(
            tenant_id=person.tenant_id,
            employee_id=person.id,
            consented_at=NOON - timedelta(days=30),
            reminder_weekday=weekday,
            reminder_time=at,
            **fields,
        )
    )


def test_the_reminder_tick_enqueues_each_due_person_once_in_their_own_time_zone(
    session_factory: SessionFactory,
) -> None:
    _tenants(session_factory, NOON)
    wednesday = 2
    with unit_of_work(session_factory) as session:
        due = {
            "london": _person(session, 1, "Europe/London"),
            "new_york": _person(session, 2, "America/New_York"),
            "kolkata": _person(session, 3, "Asia/Kolkata"),
            "earlier_today": _person(session, 4, "Europe/London"),
            "pause_ended": _person(session, 5, "Europe/London"),
            "other_tenant": _person(session, 6, "Europe/London", tenant_id=OTHER),
        }
        _schedule(session, due["london"], wednesday, "12:00")
        _schedule(session, due["new_york"], wednesday, "07:00")
        _schedule(session, due["kolkata"], wednesday, "17:30")
        _schedule(session, due["earlier_today"], wednesday, "08:15")
        _schedule(session, due["pause_ended"], wednesday, "09:00", reminders_paused_until=date(2026, 11, 25))
        _schedule(session, due["other_tenant"], wednesday, "11:00")
        not_due = [
            (_person(session, 10, "Europe/London"), wednesday, "12:01", {}),  # a minute too early
            (_person(session, 11, "America/New_York"), wednesday, "07:30", {}),
            (_person(session, 12, "Pacific/Auckland"), wednesday, "09:00", {}),  # already Thursday there
            (_person(session, 13, "Europe/London"), 3, "08:00", {}),  # Thursday
            (_person(session, 14, "Europe/London"), None, None, {}),  # no reminder chosen
            (_person(session, 15, "Europe/London"), wednesday, "09:00", {"reminders_stopped": True}),
            (
                _person(session, 16, "Europe/London"),
                wednesday,
                "09:00",
                {"reminders_paused_until": date(2026, 11, 26)},
            ),
            (_person(session, 17, "Europe/London", active=False), wednesday, "09:00", {}),  # left
            (_person(session, 18, "Europe/London", slack_deactivated=True), wednesday, "09:00", {}),
            (_person(session, 19, "Europe/London", slack_user_id=None), wednesday, "09:00", {}),
        ]
        for person, weekday, at, fields in not_due:
            _schedule(session, person, weekday, at, **fields)
        session.commit()
        ids = {name: (person.tenant_id, person.id, person.slack_user_id) for name, person in due.items()}

    with unit_of_work(session_factory) as session:
        assert enqueue_due_reminders(session, NOON) == len(due)
        session.commit()
    with unit_of_work(session_factory) as session:
        assert enqueue_due_reminders(session, NOON + timedelta(seconds=20)) == 0  # again, same minute
        session.commit()

    rows = {**_rows(session_factory), **_rows(session_factory, OTHER)}
    expected = {
        f"checkin-reminder:{tenant}:{employee}:2026-W48": user for tenant, employee, user in ids.values()
    }
    assert {key: row.recipient_user_id for key, row in rows.items()} == expected
    for row in rows.values():
        assert row.payload == {"text": reminder_text(), "blocks": reminder_blocks()}
        assert row.solicited is True
        assert row.status == "pending"
        assert row.not_before == NOON

    with unit_of_work(session_factory) as session:  # the next tick: 12:01 in London has come
        assert enqueue_due_reminders(session, NOON + timedelta(minutes=5)) == 1
        session.commit()
    with unit_of_work(session_factory) as session:  # a week later: a new key each, and a pause has ended
        assert enqueue_due_reminders(session, NOON + timedelta(days=7)) == len(due) + 1
        session.commit()
    with unit_of_work(session_factory) as session:
        assert len(session.scalars(select(OutboxMessage.id)).all()) == 2 * len(due) + 2
