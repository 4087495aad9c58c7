"""What becomes of a row after its send: sent, retried, failed, cancelled, held or handed back.

Slack is called outside any transaction (``drain``); its answer, or the lack of one, is then
recorded here. What "effectively once" means:

- a row is sent at most once unless its own send was cut off (the process died after
  claiming it, or the connection broke after the request left): such a row is retried and
  flagged ``possible_duplicate``, and that is logged;
- a retry after Slack's ``fatal_error`` or ``internal_error`` is flagged the same way, because
  Slack's reference says part of the call may have happened;
- every other retry (rate limits, other Slack errors, a refused connection, a step before the
  one that shows something) is safe, because Slack did not take the message;
- nothing is dropped silently: a row ends ``sent``, ``failed`` (with the error kept) or
  ``cancelled`` (the person left or was deactivated).

What each of Slack's errors leads to is decided in one table, ``errors.SLACK_ERRORS``; this
module applies it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from hr_plugin.clock import Clock
from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.models import OutboxMessage
from hr_plugin.observability.metrics import count_send
from hr_plugin.outbox.errors import SHOWN_BY, TOKEN_DEATH_ERRORS, Handling, handling_of, never_left
from hr_plugin.outbox.logs import log, log_ids
from hr_plugin.outbox.pacing import OutboxPolicy, PaceBook
from hr_plugin.outbox.states import CANCELLED, FAILED, IN_FLIGHT, PENDING, SENT
from hr_plugin.slack_clients import (
    TOKEN_HELD,
    NotInstalled,
    RenewingClients,
    SingleWorkspaceClients,
    SlackClients,
    retry_after_seconds,
    slack_error,
)

# The three steps of a file's delivery, counted in the metrics as one ``files.upload``.
FILE_STEPS = frozenset({"files.getUploadURLExternal", "upload_url", "files.completeUploadExternal"})

# What the log adds when an expired token cannot be refreshed.
_EXPIRED_FOR_GOOD = (
    " (Slack says the bot token has expired and there is no refresh token to renew it: token "
    "rotation is off here; install the app again, or give a token that does not expire)"
)


@dataclass
class DrainReport:
    """What a drain did: its rows counted by outcome, and the keys it sent."""

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


class Outcomes:
    """Records the outcome of one drainer's sends on their rows, and counts it in the report."""

    def __init__(
        self,
        factory: SessionFactory,
        clients: SlackClients,
        clock: Clock,
        *,
        drainer_id: str,
        policy: OutboxPolicy,
    ) -> None:
        self.factory = factory
        self.clients = clients
        self.clock = clock
        self.drainer_id = drainer_id
        self.policy = policy

    def hand_back(self, row_ids: list[int]) -> None:
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

    def hold_for_token(self, row_id: int, until: datetime, report: DrainReport) -> None:
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

    def sent(
        self, row_id: int, key: str, channel: str, reference: str, method: str, report: DrainReport
    ) -> None:
        """Slack took it: the row is sent, with where it went and Slack's ts (or the file's id)."""
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

    def not_sent(self, row_id: int, report: DrainReport, reason: str, *, cancel: bool) -> None:
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

    def on_slack_error(
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
                self.hold_for_token(row_id, until, report)
                return
        if slack_error(exc) != "token_expired" or not isinstance(self.clients, RenewingClients):
            self.record_slack_error(row_id, exc, report, method)
            return
        try:
            renewed = self.clients.renew_expired(tenant_id, client)
        except NotInstalled:
            self.not_sent(row_id, report, "the app is not installed in this workspace", cancel=True)
            return
        except Exception as refused:  # Slack refused the refresh: as when a token cannot be had
            self.not_sent(row_id, report, f"no token: {type(refused).__name__}", cancel=False)
            return
        self.record_slack_error(row_id, exc, report, method, renewed=renewed)

    def record_slack_error(
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
                PaceBook(session, now).push(row.tenant_id, "workspace", now + wait)
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
                        **log_ids(row.id, row.idempotency_key, row.tenant_id),
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
                        extra={**log_ids(row.id, row.idempotency_key, row.tenant_id), "method": method},
                    )
                if handling is Handling.UPLOAD_AGAIN:
                    row.upload_file_id = None
                row.status = PENDING
                row.not_before = now if renewed else now + self.policy.backoff(row.attempts)
                report.retried += 1
                outcome = "retried"
            session.commit()
        _count(method, outcome)

    def record_transport_error(self, row_id: int, exc: Exception, report: DrainReport, method: str) -> None:
        """No answer from Slack. Flagged as a possible duplicate when the call shows something
        and may have reached Slack; the steps before it (opening the conversation, the upload
        URL, the file's bytes) show nothing, so retrying them cannot duplicate anything."""
        now = self.clock.now()
        cut_off = method in SHOWN_BY and not never_left(exc)
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
                    extra={**log_ids(row.id, row.idempotency_key, row.tenant_id), "method": method},
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


def _count(method: str, outcome: str) -> None:
    """Count a send's outcome; a file's three steps count as one ``files.upload``."""
    count_send("files.upload" if method in FILE_STEPS else method, outcome)
