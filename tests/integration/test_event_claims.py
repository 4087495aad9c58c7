"""An event's claim (``hr_plugin.events.claim_event``): once per event id and tenant, made on a
connection of its own or on one in autocommit that the caller goes on reading with."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from hr_plugin.db import SessionFactory, autocommit, autocommit_connection, unit_of_work
from hr_plugin.events import claim_event, claimed_with_first_commit, request_key
from hr_plugin.models import ProcessedEvent

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


def _claims(factory: SessionFactory) -> list[tuple[str, str]]:
    with unit_of_work(factory) as session:
        rows = session.execute(
            select(ProcessedEvent.tenant_id, ProcessedEvent.event_id).order_by(ProcessedEvent.id)
        )
        return [(tenant, event_id) for tenant, event_id in rows]


def test_an_event_is_claimed_once_per_tenant(session_factory: SessionFactory) -> None:
    assert claim_event(session_factory, "T0ONE", "Ev1", NOW)
    assert not claim_event(session_factory, "T0ONE", "Ev1", NOW)
    assert claim_event(session_factory, "T0TWO", "Ev1", NOW)  # another workspace's event
    assert _claims(session_factory) == [("T0ONE", "Ev1"), ("T0TWO", "Ev1")]


def test_a_claim_on_a_connection_in_autocommit_is_saved_at_once(session_factory: SessionFactory) -> None:
    with autocommit_connection(session_factory) as connection:
        assert claim_event(connection, "T0ONE", "Ev2", NOW)
        # Saved before the connection goes back: another connection sees it, and refuses it.
        assert _claims(session_factory) == [("T0ONE", "Ev2")]
        assert not claim_event(session_factory, "T0ONE", "Ev2", NOW)
        assert not claim_event(connection, "T0ONE", "Ev2", NOW)


def test_a_claim_is_refused_on_a_connection_in_a_transaction(session_factory: SessionFactory) -> None:
    """On PostgreSQL the claim's statement stops its transaction's commit from waiting for the
    disk, which would reach whatever else that transaction saves."""
    engine = session_factory.kw["bind"]
    with engine.begin() as connection, pytest.raises(ValueError, match="autocommit"):
        claim_event(connection, "T0ONE", "Ev3", NOW)
    with unit_of_work(session_factory) as session:
        assert session.scalar(select(func.count()).select_from(ProcessedEvent)) == 0


def test_a_request_claim_never_rides_a_session_that_only_reads(session_factory: SessionFactory) -> None:
    """A request's claim rides in the first transaction its handling begins, to be committed
    with the change it guards. A session in autocommit (``db.autocommit``: the App Home's
    reads) commits nothing with it, so the claim waits for the next transaction."""
    with claimed_with_first_commit(session_factory, "T0ONE", "v0=" + "a" * 64, NOW) as claim:
        with autocommit(session_factory) as reading:
            reading.execute(select(func.count()).select_from(ProcessedEvent)).scalar()
        assert claim.holder is None and not claim.made
        with session_factory.kw["bind"].connect() as connection:  # not a session: claims nothing
            assert connection.scalar(select(func.count()).select_from(ProcessedEvent)) == 0
        with unit_of_work(session_factory) as session:
            session.execute(select(func.count()).select_from(ProcessedEvent)).scalar()
            session.commit()
        assert claim.made
    assert _claims(session_factory) == [("T0ONE", request_key("v0=" + "a" * 64))]
