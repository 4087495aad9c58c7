"""A shared need between its preview and its send: a draft row on the server, never the modal.

Why: a modal's ``private_metadata`` travels through Slack and back with every submission, and
DESIGN.md keeps anything sensitive out of it. So the words a person previews wait here, in a
``NeedDraft`` row, and the preview modal carries only the row's random id. The id alone is not
enough to send: a draft is found by its id *and* the tenant and person sending it, so someone
else's id (copied, guessed or replayed by another user) finds nothing.

A draft is deleted when it is sent (in the same transaction as the message it becomes), when
the preview is closed (Slack's ``view_closed``, which the preview asks for with
``notify_on_close``), when the send is refused, and by the ``need-drafts-expire`` tick once it
expires. It expires ``LIFETIME`` after the preview and the tick runs every ``EXPIRE_EVERY``,
so an unsent draft is kept in plaintext for at most an hour, the disclosure matrix's promise.

Sending is once only: the draft is spent by a conditional DELETE, so of two sends at once (a
double click, two devices) one deletes the row and sends; the other finds it gone and sends
nothing, the answer a later click gets.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select

from hr_plugin.clock import Clock
from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.directory import find_by_slack_id
from hr_plugin.reintegration import messages
from hr_plugin.reintegration.models import NeedDraft
from hr_plugin.reintegration.service import PlanError, check_need, share_need_in

LIFETIME = timedelta(minutes=55)
EXPIRE_EVERY = timedelta(minutes=5)  # LIFETIME + EXPIRE_EVERY: kept for at most an hour

GONE = (
    "This preview has expired or was already sent, so nothing was sent now. Start again from your Home tab."
)


def _nothing() -> None:
    """The default of the test seam below: nothing happens between the read and the delete."""


# A test seam: called after a send has read its draft and before it deletes it. Tests replace it
# to hold one send there while another runs to the end (``tests/reliability/test_need_drafts.py``).
_between_read_and_write: Callable[[], None] = _nothing


@dataclass(frozen=True)
class Preview:
    """What the preview modal needs: the draft's id (its ``private_metadata``) and the message."""

    draft_id: str
    manager_text: str


def save(factory: SessionFactory, clock: Clock, *, tenant_id: str, user_id: str, words: str) -> Preview:
    """Keep the words the person is about to preview; the exact message their manager would get."""
    checked = check_need(words)
    now = clock.now()
    with unit_of_work(factory) as session:
        employee = find_by_slack_id(session, tenant_id, user_id)
        if employee is None or not employee.active:
            raise PlanError("You are not in the directory.", "detail")
        draft = NeedDraft(
            id=secrets.token_urlsafe(24),
            tenant_id=tenant_id,
            employee_id=employee.id,
            text=checked,
            created_at=now,
            expires_at=now + LIFETIME,
        )
        session.add(draft)
        preview = Preview(draft.id, messages.need_text(employee.name, checked))
        session.commit()
        return preview


def send(factory: SessionFactory, clock: Clock, *, tenant_id: str, user_id: str, draft_id: str) -> None:
    """Send the person's own draft to their manager and delete it, in one transaction."""
    now = clock.now()
    with unit_of_work(factory) as session:
        employee = find_by_slack_id(session, tenant_id, user_id)
        if employee is None or not draft_id:
            raise PlanError(GONE)
        draft = session.scalars(
            select(NeedDraft).where(
                NeedDraft.id == draft_id,
                NeedDraft.tenant_id == tenant_id,
                NeedDraft.employee_id == employee.id,
                NeedDraft.expires_at > now,
            )
        ).first()
        if draft is None:
            raise PlanError(GONE)
        words = draft.text
        _between_read_and_write()
        spent = session.execute(
            delete(NeedDraft)
            .where(NeedDraft.id == draft_id, NeedDraft.employee_id == employee.id)
            .execution_options(synchronize_session=False)
        )
        if cast(CursorResult[Any], spent).rowcount != 1:
            raise PlanError(GONE)  # the other click of a double click sent it, just now
        session.expunge(draft)
        share_need_in(session, clock, employee, words)
        session.commit()


def discard(factory: SessionFactory, *, tenant_id: str, user_id: str, draft_id: str) -> bool:
    """Delete the person's own draft (the preview was closed, or its send refused); True if one was."""
    if not draft_id:
        return False
    with unit_of_work(factory) as session:
        employee = find_by_slack_id(session, tenant_id, user_id)
        if employee is None:
            return False
        removed = session.execute(
            delete(NeedDraft)
            .where(
                NeedDraft.id == draft_id,
                NeedDraft.tenant_id == tenant_id,
                NeedDraft.employee_id == employee.id,
            )
            .execution_options(synchronize_session=False)
        )
        session.commit()
        return cast(CursorResult[Any], removed).rowcount == 1


def expire(factory: SessionFactory, clock: Clock) -> int:
    """The tick: delete every draft past its expiry, in every tenant; how many were."""
    with unit_of_work(factory) as session:
        removed = session.execute(
            delete(NeedDraft)
            .where(NeedDraft.expires_at <= clock.now())
            .execution_options(synchronize_session=False)
        )
        session.commit()
        return int(cast(CursorResult[Any], removed).rowcount or 0)
