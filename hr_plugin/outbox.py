"""Durable, idempotent, paced delivery of Slack messages and files.

Background work never calls Slack directly: it writes a row here, in the same transaction
as the change that caused it, under an idempotency key (``kind:<tenant>:<who>:<period>``).
A unique constraint turns a second write of the same key into a no-op, so a crash, a
restart or two schedulers leading for a moment cannot enqueue a message twice.

A row is a message (``chat.postMessage``) or a file with its text as the comment (an
``.ics`` invitation, say): the file goes through Slack's upload flow in three steps (get an
upload URL, send the bytes, complete the upload into the DM or group DM). The upload is one
send as far as the outbox is concerned: it is paced, retried and flagged the same way, and
``slack_ts`` keeps the file id when Slack gives no message ts. Once the bytes are with Slack
the file's id is kept on the row (``upload_file_id``), so a retried completion shares that
file instead of uploading it again.

The drain claims due rows (marks them in flight with a lease), calls Slack outside any
transaction, and records the outcome. What "effectively once" means here:

- a row is sent at most once unless its own send was cut off (the process died after
  claiming it, or the connection broke after the request left): such a row is retried and
  flagged ``possible_duplicate``, and that is logged;
- a retry after Slack's ``fatal_error`` or ``internal_error`` is flagged the same way, because
  Slack's reference says part of the call may have happened;
- every other retry (rate limits, other Slack errors, a refused connection, a step before the
  one that shows something) is safe, because Slack did not take the message;
- nothing is dropped silently: a row ends ``sent``, ``failed`` (with the error kept) or
  ``cancelled`` (the person left or was deactivated).

What each of Slack's errors leads to is decided in one table, ``SLACK_ERRORS``.
"""

from __future__ import annotations

import http.client
import logging
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Any, cast

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError
from sqlalchemy import CursorResult, func, null, select, update
from sqlalchemy.orm import Session

from hr_plugin.clock import Clock
from hr_plugin.contact import unsolicited_hold_until
from hr_plugin.db import SessionFactory, insert_if_absent, insert_many_if_absent, unit_of_work
from hr_plugin.directory import record_deactivated_in_slack
from hr_plugin.models import ConversationCache, Employee, OutboxMessage, SendPace
from hr_plugin.observability.metrics import count_send
from hr_plugin.slack_clients import (
    TOKEN_HELD,
    NotInstalled,
    RenewingClients,
    SingleWorkspaceClients,
    SlackClients,
    TokenDead,
    retry_after_seconds,
    slack_error,
)

log = logging.getLogger(__name__)

PENDING, IN_FLIGHT, SENT, FAILED, CANCELLED = "pending", "in_flight", "sent", "failed", "cancelled"

# What Slack answers when a conversation cannot be opened because someone in it is deactivated.
# Not ``account_inactive``: that one says the *token's* user or workspace is gone, and reading it
# as the recipients' would mark everyone deactivated. Nor ``user_not_found``: an unknown id is a
# mistake to show, not someone who left.
MEMBER_GONE_ERRORS = frozenset({"user_disabled"})


class Handling(StrEnum):
    """What the outbox does with a row when Slack answers one of its calls with an error."""

    PERMANENT = "permanent"
    """It cannot succeed as it is: the row fails at once, the error kept, nothing retried."""
    RETRY = "retry"
    """Slack did nothing: the row is retried after a backoff (at most ``max_attempts`` tries)."""
    RETRY_POSSIBLE_DUPLICATE = "retry, possible duplicate"
    """Slack failed part way and says part of the call may have happened: retried like
    ``RETRY``, and flagged ``possible_duplicate`` when the call was one that shows something
    (``chat.postMessage``, ``files.completeUploadExternal``)."""
    RENEW_TOKEN = "refresh the token, retry"
    """The token ran out. With rotation on it is refreshed at once and the row retried without
    a backoff; with rotation off nothing can renew it, so the row fails (as ``PERMANENT``)."""
    RATE_LIMITED = "wait for Retry-After"
    """Slack asks for a pause: the row and its workspace wait ``Retry-After``; the attempt
    does not count."""
    UPLOAD_AGAIN = "upload again, retry"
    """The uploaded file is gone before it was shared: its id is forgotten and the retry
    uploads it afresh (nothing was shown, so no duplicate)."""


@dataclass(frozen=True)
class SlackErrorRule:
    handling: Handling
    meaning: str  # what Slack's reference says it means, in our words


def _rule(handling: Handling, meaning: str) -> SlackErrorRule:
    return SlackErrorRule(handling, meaning)


_PERMANENT, _RETRY, _PARTIAL = Handling.PERMANENT, Handling.RETRY, Handling.RETRY_POSSIBLE_DUPLICATE

# Slack's errors for the calls the outbox makes, and what the outbox does with each: the one
# place that decides. Source: Slack's method references (docs.slack.dev/reference/methods/...)
# for chat.postMessage, conversations.open, files.getUploadURLExternal and
# files.completeUploadExternal, and the errors every method lists. An error not here is
# retried (``Handling.RETRY``); any ``restricted_action_*`` not yet listed is permanent, like
# the rest of its family.
SLACK_ERRORS: Mapping[str, SlackErrorRule] = MappingProxyType(
    {
        # -- waiting, refreshing, retrying ------------------------------------------------------
        "ratelimited": _rule(Handling.RATE_LIMITED, "too many calls of this method; Retry-After says when"),
        "token_expired": _rule(Handling.RENEW_TOKEN, "the token has expired (token rotation)"),
        "fatal_error": _rule(_PARTIAL, "Slack failed badly mid-call; part of the call may have happened"),
        "internal_error": _rule(
            _PARTIAL, "Slack failed mid-call, likely briefly; part of it may have happened"
        ),
        "service_unavailable": _rule(_RETRY, "Slack's service is unavailable for a moment"),
        "request_timeout": _rule(_RETRY, "the request's body reached Slack missing or cut short"),
        "team_added_to_org": _rule(
            _RETRY, "the workspace is moving into an Enterprise org: off and on till done"
        ),
        "org_login_required": _rule(_RETRY, "the workspace is migrating to an enterprise: back when done"),
        "rate_limited": _rule(_RETRY, "the app posted too many messages (no Retry-After given)"),
        "message_limit_exceeded": _rule(_RETRY, "a free workspace's members sent too many messages for now"),
        "file_update_failed": _rule(_RETRY, "Slack failed updating the uploaded file"),
        "file_not_found": _rule(Handling.UPLOAD_AGAIN, "the uploaded file cannot be found from its upload"),
        # -- the token, the app, the workspace's rules --------------------------------------------
        "account_inactive": _rule(_PERMANENT, "the token's user or workspace was deleted"),
        "invalid_auth": _rule(_PERMANENT, "the token is not valid, or the request's IP is not allowed"),
        "not_authed": _rule(_PERMANENT, "no token was sent"),
        "token_revoked": _rule(_PERMANENT, "the token was revoked, or the app removed"),
        "not_allowed_token_type": _rule(_PERMANENT, "this kind of token may not call the method"),
        "team_access_not_granted": _rule(_PERMANENT, "the token has no access to this workspace"),
        "no_permission": _rule(
            _PERMANENT, "the token lacks the permission (the app is not in the conversation)"
        ),
        "missing_scope": _rule(_PERMANENT, "the token lacks a scope the method needs"),
        "access_denied": _rule(_PERMANENT, "access to something the call names is denied"),
        "ekm_access_denied": _rule(_PERMANENT, "admins suspended posting (Enterprise Key Management)"),
        "enterprise_is_restricted": _rule(_PERMANENT, "the method cannot be called from an Enterprise"),
        "accesslimited": _rule(_PERMANENT, "the method is limited on the network the call came from"),
        "app_access_restricted": _rule(_PERMANENT, "the user may not use this app"),
        "is_bot": _rule(_PERMANENT, "a legacy bot may not call the method"),
        "two_factor_setup_required": _rule(_PERMANENT, "two-factor set-up is required"),
        "deprecated_endpoint": _rule(_PERMANENT, "the endpoint is deprecated"),
        "method_deprecated": _rule(_PERMANENT, "the method is deprecated"),
        "unknown_method": _rule(_PERMANENT, "the method is not available"),
        # -- the request itself ---------------------------------------------------------------
        "invalid_arguments": _rule(_PERMANENT, "the call's arguments are not valid"),
        "invalid_arg_name": _rule(_PERMANENT, "an argument's name is not one Slack accepts"),
        "invalid_array_arg": _rule(_PERMANENT, "an array was passed where a string is expected"),
        "invalid_charset": _rule(_PERMANENT, "the Content-Type's charset is not one Slack reads"),
        "invalid_form_data": _rule(_PERMANENT, "the form body is missing or malformed"),
        "invalid_post_type": _rule(_PERMANENT, "the Content-Type is not one Slack accepts"),
        "missing_post_type": _rule(_PERMANENT, "the body came without a Content-Type"),
        "missing_argument": _rule(_PERMANENT, "a required argument is missing (a file length of 0)"),
        # -- the message ------------------------------------------------------------------------
        "invalid_blocks": _rule(_PERMANENT, "the message's blocks are not valid"),
        "invalid_blocks_format": _rule(_PERMANENT, "the blocks are not JSON, or not Block Kit"),
        "msg_blocks_too_long": _rule(_PERMANENT, "the message's blocks are too long"),
        "msg_too_long": _rule(_PERMANENT, "the message text is too long"),
        "no_text": _rule(_PERMANENT, "the message has no text"),
        "too_many_attachments": _rule(_PERMANENT, "more than 100 attachments"),
        "attachment_payload_limit_exceeded": _rule(_PERMANENT, "the attachments are too large"),
        # -- where it goes ------------------------------------------------------------------------
        "channel_not_found": _rule(_PERMANENT, "the channel is not one the token can find"),
        "not_in_channel": _rule(_PERMANENT, "the app is not a member of the channel"),
        "is_archived": _rule(_PERMANENT, "the channel is archived"),
        "messages_tab_disabled": _rule(_PERMANENT, "the app's Messages tab is off, so it cannot DM"),
        "cannot_dm_bot": _rule(_PERMANENT, "the recipient is a bot"),
        "team_not_found": _rule(_PERMANENT, "an org-wide token was given a channel name, not an id"),
        "restricted_action": _rule(_PERMANENT, "a workspace preference stops the app posting"),
        "restricted_action_read_only_channel": _rule(_PERMANENT, "the channel is read-only"),
        "restricted_action_thread_only_channel": _rule(_PERMANENT, "the channel takes thread replies only"),
        "restricted_action_non_threadable_channel": _rule(_PERMANENT, "the channel takes no thread replies"),
        "restricted_action_thread_locked": _rule(_PERMANENT, "admins locked the thread"),
        # -- opening the conversation (conversations.open) ------------------------------------------
        "user_not_found": _rule(_PERMANENT, "a user id is not valid"),
        "users_not_found": _rule(_PERMANENT, "user ids are not valid"),
        "user_not_visible": _rule(_PERMANENT, "the app may not see one of the users"),
        "user_disabled": _rule(
            _PERMANENT,
            "a user is deactivated (on conversations.open the directory learns who: MEMBER_GONE_ERRORS)",
        ),
        "too_many_users": _rule(_PERMANENT, "a group DM holds at most 8 people"),
        "not_enough_users": _rule(_PERMANENT, "too few users to open the conversation"),
        "method_not_supported_for_channel_type": _rule(
            _PERMANENT, "this kind of conversation cannot be opened"
        ),
        "invalid_user_combination": _rule(_PERMANENT, "external people share no channel yet"),
        "users_list_not_supplied": _rule(_PERMANENT, "no users were given"),
        # -- files (files.getUploadURLExternal, files.completeUploadExternal) -----------------------
        "invalid_channel": _rule(_PERMANENT, "the channel to share into is not found or not valid"),
        "posting_to_channel_denied": _rule(_PERMANENT, "the app may not post (share files) in the channel"),
        "file_uploads_disabled": _rule(_PERMANENT, "the workspace disabled file uploads"),
        "file_uploads_except_images_disabled": _rule(_PERMANENT, "the workspace allows image uploads only"),
        "file_type_not_allowed": _rule(_PERMANENT, "the workspace does not allow this type of file"),
        "file_upload_size_restricted": _rule(_PERMANENT, "the workspace restricts files this large"),
        "storage_limit_reached": _rule(_PERMANENT, "a free workspace's file storage is full"),
        "snippet_too_large": _rule(_PERMANENT, "too large for a snippet (1 MB)"),
    }
)

# Refusals that say the bot token itself is gone for good (revoked, or its workspace deleted).
# In single-workspace mode the token comes from the settings, so the messages wait for a new
# one instead of failing (``Drainer._on_slack_error``); elsewhere they are permanent.
TOKEN_DEATH_ERRORS = frozenset({"token_revoked", "account_inactive"})

# The calls that show something to someone: only these can leave a duplicate behind.
SHOWN_BY = frozenset({"chat.postMessage", "files.completeUploadExternal"})
# The three steps of a file's delivery, counted in the metrics as one ``files.upload``.
FILE_STEPS = frozenset({"files.getUploadURLExternal", "upload_url", "files.completeUploadExternal"})


def handling_of(error: str) -> Handling:
    """What the outbox does after Slack answered ``error`` (see ``SLACK_ERRORS``)."""
    rule = SLACK_ERRORS.get(error)
    if rule is not None:
        return rule.handling
    if error.startswith("restricted_action"):
        return Handling.PERMANENT
    return Handling.RETRY


@dataclass(frozen=True)
class Attachment:
    """A text file to deliver (an ``.ics`` invitation): what the person sees and downloads."""

    filename: str
    content: str
    title: str

    def as_payload(self) -> dict[str, str]:
        return {"filename": self.filename, "content": self.content, "title": self.title}


@dataclass(frozen=True)
class OutboxPolicy:
    """Pacing and retry knobs. Slack allows about one message per second per channel."""

    per_channel_interval: timedelta = timedelta(seconds=1)
    workspace_per_minute: int = 300
    lease: timedelta = timedelta(seconds=60)
    max_attempts: int = 8
    batch_size: int = 50
    max_backoff: timedelta = timedelta(minutes=10)

    @property
    def workspace_interval(self) -> timedelta:
        return timedelta(seconds=60 / self.workspace_per_minute)

    def backoff(self, attempt: int) -> timedelta:
        return min(timedelta(seconds=2 ** min(attempt, 20)), self.max_backoff)


@dataclass
class DrainReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    rate_limited: int = 0
    possible_duplicates: int = 0
    held: int = 0
    keys_sent: list[str] = field(default_factory=list)

    def add(self, other: DrainReport) -> None:
        for name in ("sent", "retried", "failed", "cancelled", "rate_limited", "possible_duplicates", "held"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.keys_sent.extend(other.keys_sent)


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


def recover_expired(factory: SessionFactory, clock: Clock) -> int:
    """Put rows whose sender vanished mid-send back in the queue, flagged as possible duplicates."""
    now = clock.now()
    with unit_of_work(factory) as session:
        rows = list(
            session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.status == IN_FLIGHT, OutboxMessage.lease_until < now)
                .with_for_update(skip_locked=True)
            )
        )
        for row in rows:
            log.warning(
                "outbox row %s (%s) was cut off mid-send by %s; retrying, it may arrive twice",
                row.id,
                row.idempotency_key,
                row.claimed_by,
                extra=_ids(row.id, row.idempotency_key, row.tenant_id),
            )
            row.status = PENDING
            row.possible_duplicate = True
            row.lease_until = None
            row.not_before = now
        session.commit()
    return len(rows)


FINISHED = (SENT, FAILED, CANCELLED)


def forget_finished_text(factory: SessionFactory, now: datetime, keep: timedelta, chunk: int = 1000) -> int:
    """Drop the text (and blocks, or file) of rows finished more than ``keep`` ago; how many.

    Why: a sent message has done its work, and its text says who is on leave, returning or
    in a huddle. What stays is what operations need: the key (so it is never sent again), the
    recipients, the outcome and its times. A row is finished when it was sent, or when it
    failed or was cancelled (then its last scheduled time counts). Chunked, so the first run
    over a long history holds no lock for long.
    """
    cutoff = now - keep
    forgotten = 0
    while True:
        with unit_of_work(factory) as session:
            ids = list(
                session.scalars(
                    select(OutboxMessage.id)
                    .where(
                        OutboxMessage.payload.is_not(None),
                        OutboxMessage.not_before < cutoff,
                        OutboxMessage.status.in_(FINISHED),
                        func.coalesce(OutboxMessage.sent_at, OutboxMessage.not_before) < cutoff,
                    )
                    .limit(chunk)
                )
            )
            if not ids:
                return forgotten
            session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(payload=null()))
            session.commit()
        forgotten += len(ids)


def next_due(session: Session, after: datetime | None = None) -> datetime | None:
    """When the earliest waiting message falls due (the demo moves its clock to it); with
    ``after``, the earliest of those not yet due then."""
    query = select(func.min(OutboxMessage.not_before)).where(OutboxMessage.status == PENDING)
    if after is not None:
        query = query.where(OutboxMessage.not_before > after)
    return session.scalar(query)


def depth(session: Session) -> dict[str, int]:
    """How many rows are in each state (for health, metrics and the demo)."""
    rows = session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
    return {status: count for status, count in rows}


def text_forgotten(session: Session) -> int:
    """How many rows no longer hold their text (``forget_finished_text``)."""
    return session.scalar(select(func.count()).where(OutboxMessage.payload.is_(None))) or 0


class Drainer:
    """Sends due outbox rows at Slack's pace. One instance per process; rows are claimed, so
    several drainers may share a database (``FOR UPDATE SKIP LOCKED`` on PostgreSQL)."""

    def __init__(
        self,
        factory: SessionFactory,
        clients: SlackClients,
        clock: Clock,
        *,
        drainer_id: str,
        policy: OutboxPolicy | None = None,
    ) -> None:
        self.factory = factory
        self.clients = clients
        self.clock = clock
        self.drainer_id = drainer_id
        self.policy = policy or OutboxPolicy()
        self._stop = threading.Event()

    def stop(self) -> None:
        """Stop draining: the send in progress finishes and is recorded, the rest of the batch
        goes back to pending, and no more is claimed. Safe to call from a signal handler."""
        self._stop.set()

    def drain(self, *, max_seconds: float = 0.0) -> DrainReport:
        """Send what is due; keep going (sleeping on the clock) for up to ``max_seconds``."""
        report = DrainReport()
        deadline = self.clock.now() + timedelta(seconds=max_seconds)
        while not self._stop.is_set():
            claimed, paced_until = self._claim_batch(report)
            for position, row_id in enumerate(claimed):
                if self._stop.is_set():
                    self._hand_back(claimed[position:])
                    return report
                self._send(row_id, report)
            if claimed:
                continue
            # Rows already due but held back by the pace wait for ``paced_until``; counting
            # them as due "now" would poll the database every 10 ms through a Retry-After.
            now = self.clock.now()
            upcoming = min(filter(None, (paced_until, self._next_due(after=now))), default=None)
            if upcoming is None or upcoming > deadline or now >= deadline:
                return report
            self._sleep(max((upcoming - now).total_seconds(), 0.01))
        return report

    def _sleep(self, seconds: float) -> None:
        """Sleep on the clock in short steps, so that a stop is noticed within a quarter second."""
        while seconds > 0 and not self._stop.is_set():
            step = min(seconds, 0.25)
            self.clock.sleep(step)
            seconds -= step

    def _hand_back(self, row_ids: list[int]) -> None:
        """Return claimed rows not yet sent to pending, as if never claimed (no attempt used)."""
        with unit_of_work(self.factory) as session:
            for row_id in row_ids:
                row = session.get(OutboxMessage, row_id)
                if row is not None and row.status == IN_FLIGHT and row.claimed_by == self.drainer_id:
                    row.status = PENDING
                    row.attempts -= 1
                    row.lease_until = None
                    row.claimed_by = None
            session.commit()

    def _hold_for_token(self, row_id: int, until: datetime, report: DrainReport) -> None:
        """Slack revoked the bot token: the row waits, pending, its attempt given back, until
        ``until`` or until a new token releases it (``hr_plugin.bot_token``)."""
        with unit_of_work(self.factory) as session:
            row = session.get(OutboxMessage, row_id)
            if row is not None and row.status == IN_FLIGHT and row.claimed_by == self.drainer_id:
                row.status = PENDING
                row.attempts -= 1
                row.lease_until = None
                row.claimed_by = None
                row.not_before = until
                row.last_error = TOKEN_HELD
                session.commit()
        report.held += 1

    # -- claiming -------------------------------------------------------------------------

    def _claim_batch(self, report: DrainReport) -> tuple[list[int], datetime | None]:
        """Claim the due rows Slack's pace allows now; also say when the pace frees the next one.

        Rows held back by pacing are left untouched (a write per waiting row per send would
        grow with the square of the queue); rows held by quiet hours get their new time.
        """
        now = self.clock.now()
        policy = self.policy
        claimed: list[int] = []
        paced_until: datetime | None = None
        with unit_of_work(self.factory) as session:
            rows = list(
                session.scalars(
                    select(OutboxMessage)
                    .where(OutboxMessage.status == PENDING, OutboxMessage.not_before <= now)
                    .order_by(OutboxMessage.not_before, OutboxMessage.id)
                    .limit(policy.batch_size)
                    .with_for_update(skip_locked=True)
                )
            )
            paces = _PaceBook(session, now)
            for row in rows:
                workspace_at = paces.next_at(row.tenant_id, "workspace")
                if workspace_at > now:
                    # The workspace's budget is spent for now, so this row waits whatever its
                    # hold or its channel says: neither is looked up (that was a query or two
                    # per waiting row on every pass, most of a fast drain's time).
                    paced_until = workspace_at if paced_until is None else min(paced_until, workspace_at)
                    continue
                hold_until = self._hold_until(session, row, now, report)
                if hold_until is not None:
                    row.not_before = hold_until
                    continue
                if row.status != PENDING:
                    continue
                channel_key = _channel_key(row)
                channel_at = paces.next_at(row.tenant_id, channel_key)
                if channel_at > now:
                    paced_until = channel_at if paced_until is None else min(paced_until, channel_at)
                    continue
                paces.push(
                    row.tenant_id, "workspace", _next_slot(workspace_at, now, policy.workspace_interval)
                )
                paces.push(
                    row.tenant_id, channel_key, _next_slot(channel_at, now, policy.per_channel_interval)
                )
                row.status = IN_FLIGHT
                row.attempts += 1
                row.claimed_by = self.drainer_id
                row.lease_until = now + policy.lease
                claimed.append(row.id)
            session.commit()
        return claimed, paced_until

    def _hold_until(
        self, session: Session, row: OutboxMessage, now: datetime, report: DrainReport
    ) -> datetime | None:
        """Cancel a row for someone unreachable, or say until when their leave or quiet hours hold it."""
        if row.recipient_user_id is None:
            return None
        person = session.scalars(
            select(Employee).where(
                Employee.tenant_id == row.tenant_id, Employee.slack_user_id == row.recipient_user_id
            )
        ).first()
        if person is None:
            return None
        if not person.reachable:
            row.status = CANCELLED
            row.last_error = "recipient left or was deactivated"
            report.cancelled += 1
            return None
        if row.solicited:
            return None
        hold = unsolicited_hold_until(session, row.tenant_id, person, now)
        if hold is not None:
            report.held += 1
        return hold

    def _next_due(self, after: datetime) -> datetime | None:
        with unit_of_work(self.factory) as session:
            return next_due(session, after)

    # -- sending --------------------------------------------------------------------------

    def _send(self, row_id: int, report: DrainReport) -> None:
        with unit_of_work(self.factory) as session:
            row = session.get(OutboxMessage, row_id)
            if row is None or row.status != IN_FLIGHT or row.claimed_by != self.drainer_id:
                return
            tenant_id, key = row.tenant_id, row.idempotency_key
            users = [row.recipient_user_id] if row.recipient_user_id else list(row.conversation_users or [])
            payload = dict(row.payload) if row.payload is not None else None
            uploaded = row.upload_file_id
            channel = row.channel_id or _cached_channel(session, tenant_id, users)
            if channel is None and row.conversation_users:
                # Slack will not open a group DM with a deactivated account in it: the group
                # is opened without the members who are gone, so the rest still get it.
                users = _without_unreachable(session, tenant_id, users)
                channel = _cached_channel(session, tenant_id, users) if users else None
        if payload is None:  # only finished rows are forgotten; ending it beats retrying forever
            self._not_sent(row_id, report, "its text was already forgotten", cancel=True)
            return
        if not users:
            self._not_sent(row_id, report, "everyone in the group left or was deactivated", cancel=True)
            return
        try:
            client = self.clients.client_for(tenant_id)
        except TokenDead as dead:  # single-workspace mode: held, not failed, until a new token works
            self._hold_for_token(row_id, dead.retry_at, report)
            return
        except NotInstalled:
            self._not_sent(row_id, report, "the app is not installed in this workspace", cancel=True)
            return
        except Exception as exc:  # the workspace's token could not be had (a refresh failed)
            self._not_sent(row_id, report, f"no token: {type(exc).__name__}", cancel=False)
            return
        log.debug("sending outbox row %s (%s)", row_id, key, extra=_ids(row_id, key, tenant_id))
        step = _Step("conversations.open")
        try:
            if channel is None:
                opened = client.conversations_open(users=users)
                channel = str(opened["channel"]["id"])
                self._remember_channel(tenant_id, users, channel)
            if "file" in payload:
                reference = self._share_file(row_id, client, channel, payload, uploaded, step)
            else:
                step.method = "chat.postMessage"
                reference = str(client.chat_postMessage(channel=channel, **payload).get("ts") or "")
        except SlackApiError as exc:
            if _refused_over_a_member(step.method, exc):
                self._find_who_is_gone(row_id, client, tenant_id, users, exc, report)
                return
            self._on_slack_error(row_id, tenant_id, client, exc, report, step.method)
            return
        except Exception as exc:
            self._record_transport_error(row_id, exc, report, step.method)
            return
        method = step.method
        with unit_of_work(self.factory) as session:
            row = session.get(OutboxMessage, row_id)
            if row is not None:
                row.status = SENT
                row.sent_at = self.clock.now()
                row.channel_id = channel
                row.slack_ts = reference
                row.lease_until = None
                row.last_error = None
                session.commit()
                report.sent += 1
                report.keys_sent.append(key)
                _count(method, "sent")
                if row.possible_duplicate:
                    report.possible_duplicates += 1
                    _count(method, "possible_duplicate")

    def _share_file(
        self,
        row_id: int,
        client: WebClient,
        channel: str,
        payload: dict[str, Any],
        uploaded: str | None,
        step: _Step,
    ) -> str:
        """Share the payload's file into the channel; the message ts if Slack gives one, else the file id.

        Three steps (upload URL, bytes, completion); only the last shares the file, so a failure
        before it leaves nothing in front of anyone. The file's id is kept on the row once its
        bytes are with Slack, before the completion: a completion retried after a failure then
        shares ``uploaded``, the same file, instead of uploading another.
        """
        attached = payload["file"]
        if uploaded is None:
            uploaded = _upload(client, attached, step)
            self._remember_upload(row_id, uploaded)
        step.method = "files.completeUploadExternal"
        response = client.files_completeUploadExternal(
            files=[{"id": uploaded, "title": str(attached["title"])}],
            channel_id=channel,
            initial_comment=payload.get("text") or None,
        )
        return str(response.get("ts") or uploaded)

    def _remember_upload(self, row_id: int, file_id: str) -> None:
        with unit_of_work(self.factory) as session:
            row = session.get(OutboxMessage, row_id)
            if row is not None:
                row.upload_file_id = file_id
                session.commit()

    def _find_who_is_gone(
        self,
        row_id: int,
        client: WebClient,
        tenant_id: str,
        users: list[str],
        refusal: SlackApiError,
        report: DrainReport,
    ) -> None:
        """Slack refused to open a conversation over an account it cannot reach. Alone, that
        is the recipient: the directory learns it and the row is cancelled. In a group, Slack
        is asked which members are deactivated (at most 8 ``users.info`` calls); the directory
        learns them and the row is handed back, to be opened without them. When Slack
        names nobody the directory still holds, the refusal is recorded as it is (no loop); a
        lookup that fails is retried like any send (a 429 waits its ``Retry-After``)."""
        if len(users) == 1:
            self._record_deactivated(tenant_id, users)
            self._not_sent(row_id, report, "recipient deactivated in Slack", cancel=True)
            return
        try:
            gone = [user for user in users if _deactivated_in_slack(client, user)]
        except SlackApiError as exc:
            self._on_slack_error(row_id, tenant_id, client, exc, report, "users.info")
            return
        except Exception as exc:  # nothing was posted, so there is no duplicate to fear
            self._not_sent(row_id, report, f"users.info: {type(exc).__name__}", cancel=False)
            return
        learnt = self._record_deactivated(tenant_id, gone) if gone else 0
        if not learnt:
            self._record_slack_error(row_id, refusal, report, "conversations.open")
            return
        self._hand_back([row_id])  # to be opened again without them: not a failed attempt
        report.retried += 1

    def _record_deactivated(self, tenant_id: str, user_ids: list[str]) -> int:
        """Tell the directory who Slack says is deactivated; how many it did not know yet."""
        with unit_of_work(self.factory) as session:
            learnt = record_deactivated_in_slack(session, tenant_id, user_ids, self.clock.now())
            session.commit()
        if learnt:
            log.warning(
                "Slack says %d recipient(s) are deactivated; the directory now says so and nothing "
                "more is sent to them",
                learnt,
                extra={"tenant_id": tenant_id},
            )
        return learnt

    def _remember_channel(self, tenant_id: str, users: list[str], channel: str) -> None:
        users_key = ",".join(sorted(users))
        with unit_of_work(self.factory) as session:
            exists = session.scalar(
                select(ConversationCache.id).where(
                    ConversationCache.tenant_id == tenant_id, ConversationCache.users_key == users_key
                )
            )
            if exists is None:
                session.add(ConversationCache(tenant_id=tenant_id, users_key=users_key, channel_id=channel))
                try:
                    session.commit()
                except Exception:  # another drainer cached it first: same answer
                    session.rollback()

    def _on_slack_error(
        self,
        row_id: int,
        tenant_id: str,
        client: WebClient,
        exc: SlackApiError,
        report: DrainReport,
        method: str,
    ) -> None:
        """Slack refused a call of this send: an expired token is renewed where rotation allows
        (then the row goes again at once); a revoked single-workspace token is recorded dead and
        the row held for a new one (``hr_plugin.bot_token``), as when Slack's event came first;
        any other refusal is recorded as ``SLACK_ERRORS`` says."""
        if slack_error(exc) in TOKEN_DEATH_ERRORS and isinstance(self.clients, SingleWorkspaceClients):
            until = self.clients.report_dead(tenant_id, slack_error(exc))
            if until is not None:
                self._hold_for_token(row_id, until, report)
                return
        if slack_error(exc) != "token_expired" or not isinstance(self.clients, RenewingClients):
            self._record_slack_error(row_id, exc, report, method)
            return
        try:
            renewed = self.clients.renew_expired(tenant_id, client)
        except NotInstalled:
            self._not_sent(row_id, report, "the app is not installed in this workspace", cancel=True)
            return
        except Exception as refused:  # Slack refused the refresh: as when a token cannot be had
            self._not_sent(row_id, report, f"no token: {type(refused).__name__}", cancel=False)
            return
        self._record_slack_error(row_id, exc, report, method, renewed=renewed)

    def _record_slack_error(
        self, row_id: int, exc: SlackApiError, report: DrainReport, method: str, *, renewed: bool = False
    ) -> None:
        """Record Slack's refusal as ``SLACK_ERRORS`` says.

        ``renewed``: the refusal was ``token_expired`` and a fresh token is in place, so the row
        goes again without a backoff (the attempt counts, so a token that keeps expiring cannot
        loop). Without it an expired token cannot be renewed (token rotation is off): no retry
        can succeed with it, so the row fails, and the log says what to do.
        """
        status = getattr(exc.response, "status_code", 0)
        error = slack_error(exc)
        handling = Handling.RATE_LIMITED if status == 429 else handling_of(error)
        gives_up = handling is Handling.PERMANENT or (handling is Handling.RENEW_TOKEN and not renewed)
        now = self.clock.now()
        with unit_of_work(self.factory) as session:
            row = session.get(OutboxMessage, row_id)
            if row is None:
                return
            row.lease_until = None
            row.last_error = error
            if handling is Handling.RATE_LIMITED:
                wait = timedelta(seconds=int(retry_after_seconds(exc)))
                row.status = PENDING
                row.attempts -= 1  # waiting our turn is not a failed attempt
                row.not_before = now + wait
                _PaceBook(session, now).push(row.tenant_id, "workspace", now + wait)
                report.rate_limited += 1
                outcome = "rate_limited"
            elif gives_up or row.attempts >= self.policy.max_attempts:
                row.status = FAILED
                report.failed += 1
                outcome = "failed"
                log.error(
                    "outbox row %s (%s) failed for good: %s%s",
                    row.id,
                    row.idempotency_key,
                    error,
                    _EXPIRED_FOR_GOOD if handling is Handling.RENEW_TOKEN else "",
                    extra={
                        **_ids(row.id, row.idempotency_key, row.tenant_id),
                        "method": method,
                        "slack_error": error,
                    },
                )
            else:
                if handling is Handling.RETRY_POSSIBLE_DUPLICATE and method in SHOWN_BY:
                    row.possible_duplicate = True
                    log.warning(
                        "outbox row %s (%s): Slack answered %s, and part of the call may have gone "
                        "through; retrying, it may arrive twice",
                        row.id,
                        row.idempotency_key,
                        error,
                        extra={**_ids(row.id, row.idempotency_key, row.tenant_id), "method": method},
                    )
                if handling is Handling.UPLOAD_AGAIN:
                    row.upload_file_id = None
                row.status = PENDING
                row.not_before = now if renewed else now + self.policy.backoff(row.attempts)
                report.retried += 1
                outcome = "retried"
            session.commit()
        _count(method, outcome)

    def _not_sent(self, row_id: int, report: DrainReport, reason: str, *, cancel: bool) -> None:
        """Nothing went to Slack: cancel the row (its workspace uninstalled the app) or retry later."""
        with unit_of_work(self.factory) as session:
            row = session.get(OutboxMessage, row_id)
            if row is None:
                return
            row.lease_until = None
            row.last_error = reason
            if cancel:
                row.status = CANCELLED
                report.cancelled += 1
            elif row.attempts >= self.policy.max_attempts:
                row.status = FAILED
                report.failed += 1
            else:
                row.status = PENDING
                row.not_before = self.clock.now() + self.policy.backoff(row.attempts)
                report.retried += 1
            session.commit()

    def _record_transport_error(self, row_id: int, exc: Exception, report: DrainReport, method: str) -> None:
        """No answer from Slack. Flagged as a possible duplicate when the call shows something
        and may have reached Slack; the steps before it (opening the conversation, the upload
        URL, the file's bytes) show nothing, so retrying them cannot duplicate anything."""
        now = self.clock.now()
        cut_off = method in SHOWN_BY and not _never_left(exc)
        with unit_of_work(self.factory) as session:
            row = session.get(OutboxMessage, row_id)
            if row is None:
                return
            row.lease_until = None
            row.last_error = type(exc).__name__
            if cut_off:
                row.possible_duplicate = True
                log.warning(
                    "outbox row %s (%s): the connection broke after the request left; retrying, "
                    "it may arrive twice",
                    row.id,
                    row.idempotency_key,
                    extra={**_ids(row.id, row.idempotency_key, row.tenant_id), "method": method},
                )
            if row.attempts >= self.policy.max_attempts:
                row.status = FAILED
                report.failed += 1
                outcome = "failed"
            else:
                row.status = PENDING
                row.not_before = now + self.policy.backoff(row.attempts)
                report.retried += 1
                outcome = "retried"
            session.commit()
        _count(method, outcome)


class _PaceBook:
    """The shared pace table, read once per batch and written back as sends are claimed."""

    def __init__(self, session: Session, now: datetime) -> None:
        self.session = session
        self.now = now
        self._rows: dict[tuple[str, str], SendPace] = {}

    def _row(self, tenant_id: str, key: str) -> SendPace:
        found = self._rows.get((tenant_id, key))
        if found is None:
            found = self.session.scalars(
                select(SendPace).where(SendPace.tenant_id == tenant_id, SendPace.pace_key == key)
            ).first()
            if found is None:
                found = SendPace(tenant_id=tenant_id, pace_key=key, next_at=self.now)
                self.session.add(found)
            self._rows[(tenant_id, key)] = found
        return found

    def next_at(self, tenant_id: str, key: str) -> datetime:
        return self._row(tenant_id, key).next_at

    def push(self, tenant_id: str, key: str, moment: datetime) -> None:
        row = self._row(tenant_id, key)
        row.next_at = max(row.next_at, moment)


def _ids(row_id: int, key: str, tenant_id: str) -> dict[str, object]:
    """The id fields a log line about a row carries (JSON logs keep these, and only these)."""
    return {"outbox_id": row_id, "outbox_key": key, "tenant": tenant_id}


def _next_slot(slot: datetime, now: datetime, interval: timedelta) -> datetime:
    """When the next send may go, after one that took ``slot`` and was claimed at ``now``.

    One interval after the slot, not after ``now``: a send claimed a little late (the drainer
    woke late, the claim took a few milliseconds) keeps the schedule instead of pushing every
    later send back by its delay, which would make a long fan-out slower than its budget by
    that delay on every message. After a pause longer than an interval the schedule restarts
    from ``now``, so at most one message more than the interval allows goes at once, within
    the short bursts Slack accepts.
    """
    return max(slot + interval, now)


def _channel_key(row: OutboxMessage) -> str:
    if row.recipient_user_id:
        return f"dm:{row.recipient_user_id}"
    return "group:" + ",".join(row.conversation_users or [])


@dataclass
class _Step:
    """The Slack call a send is making, so that a failure is read for the step it hit."""

    method: str


def _upload(client: WebClient, attached: dict[str, Any], step: _Step) -> str:
    """Send a file's bytes to Slack (the first two of the three steps); the new file's id.

    Nothing is shared yet: until ``files.completeUploadExternal`` the file is in front of nobody.
    """
    data = str(attached["content"]).encode("utf-8")
    step.method = "files.getUploadURLExternal"
    ticket = client.files_getUploadURLExternal(filename=str(attached["filename"]), length=len(data))
    step.method = "upload_url"
    request = urllib.request.Request(str(ticket["upload_url"]), data=data, method="POST")
    with urllib.request.urlopen(request, timeout=client.timeout, context=client.ssl) as answer:
        answer.read()  # an answer other than 2xx raises HTTPError: a refusal, retried
    return str(ticket["file_id"])


def _without_unreachable(session: Session, tenant_id: str, users: list[str]) -> list[str]:
    """``users`` less those the directory knows are gone (left, or deactivated in Slack)."""
    gone = set(
        session.scalars(
            select(Employee.slack_user_id).where(
                Employee.tenant_id == tenant_id, Employee.slack_user_id.in_(users), ~Employee.reachable
            )
        )
    )
    return [user for user in users if user not in gone]


def _refused_over_a_member(method: str, exc: SlackApiError) -> bool:
    """Slack would not open a conversation because of who is in it."""
    error = exc.response.get("error") if exc.response is not None else None
    return method == "conversations.open" and error in MEMBER_GONE_ERRORS


def _deactivated_in_slack(client: WebClient, user_id: str) -> bool:
    """Whether Slack says this account is deactivated; Slack's refusals raise."""
    return bool(client.users_info(user=user_id)["user"].get("deleted"))


def _cached_channel(session: Session, tenant_id: str, users: list[str]) -> str | None:
    return session.scalar(
        select(ConversationCache.channel_id).where(
            ConversationCache.tenant_id == tenant_id, ConversationCache.users_key == ",".join(sorted(users))
        )
    )


def _count(method: str, outcome: str) -> None:
    """Count a send's outcome; a file's three steps count as one ``files.upload``."""
    count_send("files.upload" if method in FILE_STEPS else method, outcome)


# What the log adds when an expired token cannot be refreshed.
_EXPIRED_FOR_GOOD = (
    " (Slack says the bot token has expired and there is no refresh token to renew it: token "
    "rotation is off here; install the app again, or give a token that does not expire)"
)


def _never_left(exc: BaseException) -> bool:
    """True when the request certainly never reached Slack, so a retry cannot duplicate.

    The SDK raises ``SlackRequestError`` only before sending (Slack's answers, errors included,
    become ``SlackApiError``).
    """
    if isinstance(exc, SlackRequestError):
        return True
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, ConnectionRefusedError | socket.gaierror):
        return True
    if isinstance(reason, OSError) and not isinstance(
        reason, TimeoutError | ConnectionResetError | ConnectionAbortedError | BrokenPipeError
    ):
        return isinstance(reason, ConnectionError)
    return isinstance(reason, http.client.CannotSendRequest)
