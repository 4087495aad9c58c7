"""Queueing a message: what callers use instead of calling Slack.

Background work never calls Slack directly: it writes a row here, in the same transaction
as the change that caused it, under an idempotency key (``kind:<tenant>:<who>:<period>``).
A unique constraint turns a second write of the same key into a no-op, so a crash, a
restart or two schedulers leading for a moment cannot enqueue a message twice.

A row is a message (``chat.postMessage``) or a file (an ``Attachment``, see ``uploads``) with
its text as the comment. A message not sent yet can be withdrawn (``cancel``) and put back
(``reinstate``) under its key.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, update
from sqlalchemy.orm import Session

from hr_plugin.db import insert_if_absent, insert_many_if_absent
from hr_plugin.models import OutboxMessage
from hr_plugin.outbox.states import CANCELLED, PENDING
from hr_plugin.outbox.uploads import Attachment


def enqueue(
    session: Session,
    *,
    tenant_id: str,
    key: str,
    now: datetime,
    text: str,
    blocks: Sequence[dict[str, Any]] | None = None,
    recipient: str | None = None,
    conversation: Sequence[str] | None = None,
    solicited: bool = False,
    not_before: datetime | None = None,
    file: Attachment | None = None,
) -> bool:
    """Add a message to the outbox in the caller's transaction; False if the key already exists.

    ``recipient`` is one Slack user (the app's DM with them); ``conversation`` is a set of
    users for a group DM (at most 8, Slack's limit). ``solicited`` messages (the person asked
    for them, or they remind of a time the person chose) skip quiet hours. With ``file`` the
    row delivers that file instead of a message, ``text`` becoming its comment (no blocks).
    """
    message = Outgoing(tenant_id, key, text, blocks, recipient, conversation, solicited, not_before, file)
    return insert_if_absent(session, OutboxMessage, message.row(now), ["tenant_id", "idempotency_key"])


@dataclass(frozen=True)
class Outgoing:
    """One message for ``enqueue_many``: the arguments ``enqueue`` takes, as a value."""

    tenant_id: str
    key: str
    text: str
    blocks: Sequence[dict[str, Any]] | None = None
    recipient: str | None = None
    conversation: Sequence[str] | None = None
    solicited: bool = False
    not_before: datetime | None = None
    file: Attachment | None = None

    def row(self, now: datetime) -> dict[str, Any]:
        """The outbox row's values, after the checks ``enqueue`` documents."""
        if (self.recipient is None) == (self.conversation is None):
            raise ValueError("give exactly one of recipient or conversation")
        if self.conversation is not None and not 1 <= len(self.conversation) <= 8:
            raise ValueError("a group DM holds 1 to 8 people")
        if self.file is not None and self.blocks:
            raise ValueError("a file carries text as its comment, not blocks")
        payload: dict[str, Any] = {"text": self.text}
        if self.blocks:
            payload["blocks"] = list(self.blocks)
        if self.file is not None:
            payload["file"] = self.file.as_payload()
        return {
            "tenant_id": self.tenant_id,
            "idempotency_key": self.key,
            "recipient_user_id": self.recipient,
            "conversation_users": sorted(self.conversation) if self.conversation is not None else None,
            "payload": payload,
            "solicited": self.solicited,
            "status": PENDING,
            "attempts": 0,
            "possible_duplicate": False,
            "not_before": self.not_before or now,
            "created_at": now,
        }


def enqueue_many(session: Session, messages: Iterable[Outgoing], *, now: datetime) -> int:
    """``enqueue`` for many messages in a few statements; returns how many were new.

    Why: a tick that finds tens of thousands due (everyone's weekly reminder in the same
    minute) would otherwise make one round trip per message. Keys already in the outbox,
    or repeated in ``messages``, are skipped as ``enqueue`` skips them.
    """
    rows = [message.row(now) for message in messages]
    return insert_many_if_absent(session, OutboxMessage, rows, ["tenant_id", "idempotency_key"])


def cancel(session: Session, *, tenant_id: str, key: str, reason: str) -> bool:
    """Withdraw a message that has not gone yet (it no longer makes sense); True if one was."""
    return _move(session, tenant_id, key, PENDING, CANCELLED, reason)


def reinstate(session: Session, *, tenant_id: str, key: str) -> bool:
    """Put back a message cancelled earlier (someone changed their mind); True if one was."""
    return _move(session, tenant_id, key, CANCELLED, PENDING, None)


def _move(
    session: Session, tenant_id: str, key: str, from_status: str, to_status: str, note: str | None
) -> bool:
    """One UPDATE, not a read then a write: these run while Slack waits for an answer."""
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.tenant_id == tenant_id,
            OutboxMessage.idempotency_key == key,
            OutboxMessage.status == from_status,
        )
        .values(status=to_status, last_error=note)
        .execution_options(synchronize_session="evaluate")
    )
    return bool(cast(CursorResult[Any], result).rowcount)
