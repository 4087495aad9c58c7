"""Slack retries an event it thinks we missed (up to 3 times); each ``event_id`` counts once.
And a signed request sent again byte for byte (a replay) is recognised by its signature.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, Table, bindparam, event, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from hr_plugin.db import SessionFactory, autocommit_connection, in_autocommit
from hr_plugin.models import ProcessedEvent


def claim_event(into: SessionFactory | Connection, tenant_id: str, event_id: str, now: datetime) -> bool:
    """True the first time an event id is seen for a tenant, False for every retry of it.

    ``into``: a connection to claim on (the App Home claims its event on the connection it then
    reads the Home on), or the factory whose engine lends one for the claim alone.

    The claim is on the acknowledgement path, so it does not wait for the disk: a database
    crash could forget the last fraction of a second of claims, and a retry of one of those
    would be handled again. Every event handled is idempotent (a Home published again, a
    workspace's tokens purged again), and messages carry their own idempotency keys in the
    outbox, so that costs nothing a person would see; a replay guard forgetting a claim only
    falls back on the signature's 5-minute window.

    One prebuilt statement on a connection, not an ORM session: it runs on most requests
    (every ``app_home_opened``), and measured here the session and building the statement anew
    cost twice the CPU of the prebuilt statement on a connection (0.74 against 0.35 ms). The
    connection it lends itself is in autocommit (``autocommit_connection``): the statement is
    its own transaction, with no BEGIN and COMMIT around it."""
    if isinstance(into, Connection):
        if not in_autocommit(into):
            # The statement turns off waiting for the disk for its whole transaction.
            raise ValueError("an event is claimed on a connection in autocommit")
        return _claim_on(into, tenant_id, event_id, now)
    with autocommit_connection(into) as connection:
        return _claim_on(connection, tenant_id, event_id, now)


def _claim_on(connection: Connection, tenant_id: str, event_id: str, now: datetime) -> bool:
    added = connection.execute(
        _standalone_claim(connection.dialect.name),
        {"tenant_id": tenant_id, "event_id": event_id, "received_at": now},
    ).first()
    return added is not None


# A replay is told apart by the request's signature (``v0=`` and 64 hex digits): an HMAC of its
# timestamp and body, the same for a replay and different for anything else. It is a keyed hash,
# not the request's content. Claims share ``processed_events`` (and its pruning) with event ids,
# under this prefix, cut to the column's 64 characters (224 bits of the HMAC).
REQUEST_PREFIX = "request:"


def claim_request(factory: SessionFactory, tenant_id: str, signature: str, now: datetime) -> bool:
    """True the first time a signed request is seen for a tenant, False when it is a replay."""
    return claim_event(factory, tenant_id, request_key(signature), now)


class Replayed(Exception):
    """The request was handled before: its claim is already in the database."""


@dataclass(eq=False)
class RequestClaim:
    """A signed request's claim, waiting to ride in the first transaction its handling commits.

    ``made``: that transaction committed, so the claim is saved with the change it guards.
    ``holder``: the session whose open transaction holds the claim row; another session of the
    same request leaves it to that one (inserting it twice would wait on our own lock)."""

    factory: SessionFactory
    tenant_id: str
    key: str
    now: datetime
    made: bool = False
    holder: Session | None = None
    open: bool = True


_CLAIM: ContextVar[RequestClaim | None] = ContextVar("request_claim", default=None)
_WATCHED: weakref.WeakSet[SessionFactory] = weakref.WeakSet()
_WATCHING = threading.Lock()


def request_key(signature: str) -> str:
    digest = signature.removeprefix("v0=")
    return (REQUEST_PREFIX + digest)[: ProcessedEvent.event_id.type.length or 64]


@contextmanager
def claimed_with_first_commit(
    factory: SessionFactory, tenant_id: str, signature: str, now: datetime
) -> Iterator[RequestClaim]:
    """While the block runs, the first transaction of ``factory`` that the request begins starts
    by claiming the request (``claim_request``'s row), and commits it with whatever it saves:
    one transaction, so either both are saved or neither (a replay cannot slip in between, and a
    retry after a commit that did land finds the claim). A replay raises ``Replayed`` from that
    first statement, before anything is written. A transaction that rolls back takes its claim
    with it, so the next one claims again. ``RequestClaim.made`` tells whether any committed: a
    request whose handling saved nothing is claimed afterwards on its own (``claim_request``)."""
    _watch(factory)
    claim = RequestClaim(factory, tenant_id, request_key(signature), now)
    token = _CLAIM.set(claim)
    try:
        yield claim
    finally:
        claim.open = False  # work after the answer, in a copy of this context, claims nothing
        _CLAIM.reset(token)


def _watch(factory: SessionFactory) -> None:
    """Hook the claim onto the factory's sessions, once per factory."""
    with _WATCHING:
        if factory in _WATCHED:
            return
        event.listen(factory, "after_begin", _claim_first)
        event.listen(factory, "after_commit", _claim_committed)
        event.listen(factory, "after_rollback", _claim_rolled_back)
        _WATCHED.add(factory)


def _claim_first(session: Session, _transaction: Any, connection: Connection) -> None:
    claim = _CLAIM.get()
    if claim is None or not claim.open or claim.made or claim.holder is not None:
        return
    if in_autocommit(connection):
        return  # a session that only reads (``db.autocommit``): nothing commits with the claim
    added = connection.execute(
        _claim_statement(connection.dialect.name),
        {"tenant_id": claim.tenant_id, "event_id": claim.key, "received_at": claim.now},
    ).first()
    if added is None:
        raise Replayed(claim.tenant_id)
    claim.holder = session


def _claim_committed(session: Session) -> None:
    claim = _CLAIM.get()
    if claim is not None and claim.holder is session:
        claim.made, claim.holder = True, None


def _claim_rolled_back(session: Session) -> None:
    claim = _CLAIM.get()
    if claim is not None and claim.holder is session:
        claim.holder = None


@cache
def _claim_statement(dialect: str) -> Any:
    """Built once per dialect: INSERT ... ON CONFLICT DO NOTHING RETURNING id."""
    table: Table = ProcessedEvent.__table__  # type: ignore[assignment]
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        insert(table).on_conflict_do_nothing(index_elements=["tenant_id", "event_id"]).returning(table.c.id)
    )


@cache
def _standalone_claim(dialect: str) -> Any:
    """``claim_event``'s statement, built once per dialect. On PostgreSQL its commit does not
    wait for the write-ahead log to reach the disk: ``set_config('synchronous_commit', 'off',
    true)`` (the same as ``SET LOCAL``) rides in a CTE of the INSERT itself, so the claim is one
    round trip, not two. The commit is still atomic and seen by everyone at once; only the last
    fraction of a second before a crash can be lost. SQLite commits as usual."""
    if dialect != "postgresql":
        return _claim_statement(dialect)
    table: Table = ProcessedEvent.__table__  # type: ignore[assignment]
    names = ["tenant_id", "event_id", "received_at"]
    no_wait = select(func.set_config("synchronous_commit", "off", True).label("setting")).cte("no_wait")
    row = select(*(bindparam(name, type_=table.c[name].type) for name in names)).select_from(no_wait)
    return (
        postgresql.insert(table)
        .from_select(names, row)
        .on_conflict_do_nothing(index_elements=["tenant_id", "event_id"])
        .returning(table.c.id)
    )
