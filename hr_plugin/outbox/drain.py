"""The drain: claiming due rows at Slack's pace and sending them.

The drain claims due rows (marks them in flight with a lease), calls Slack outside any
transaction, and records the outcome (``outcomes``). A claim obeys the pace (``pacing``), the
person's reachability and quiet hours (``hr_plugin.enrolment.contact``). A row whose claimer
vanished mid-send (its lease ran out) goes back to the queue, flagged as a possible duplicate
(``recover_expired``). The send itself opens the conversation when none is known yet
(``conversations``), posts the message or shares the file (``uploads``); a conversation Slack
will not open over a deactivated member teaches the directory who is gone (``deactivation``).
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError
from sqlalchemy import select
from sqlalchemy.orm import Session

from hr_plugin.clock import Clock
from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.enrolment.contact import unsolicited_hold_until
from hr_plugin.models import Employee, OutboxMessage
from hr_plugin.outbox.conversations import open_conversation, where_to
from hr_plugin.outbox.deactivation import find_who_is_gone, refused_over_a_member
from hr_plugin.outbox.errors import Step
from hr_plugin.outbox.logs import log, log_ids
from hr_plugin.outbox.outcomes import DrainReport, Outcomes
from hr_plugin.outbox.pacing import OutboxPolicy, PaceBook, channel_key, next_slot
from hr_plugin.outbox.states import CANCELLED, IN_FLIGHT, PENDING, next_due
from hr_plugin.outbox.uploads import share_file
from hr_plugin.slack_clients import NotInstalled, SlackClients, TokenDead


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
                extra=log_ids(row.id, row.idempotency_key, row.tenant_id),
            )
            row.status = PENDING
            row.possible_duplicate = True
            row.lease_until = None
            row.not_before = now
        session.commit()
    return len(rows)


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
        self._outcomes = Outcomes(factory, clients, clock, drainer_id=drainer_id, policy=self.policy)

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
                    self._outcomes.hand_back(claimed[position:])
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
            paces = PaceBook(session, now)
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
                channel = channel_key(row)
                channel_at = paces.next_at(row.tenant_id, channel)
                if channel_at > now:
                    paced_until = channel_at if paced_until is None else min(paced_until, channel_at)
                    continue
                paces.push(
                    row.tenant_id, "workspace", next_slot(workspace_at, now, policy.workspace_interval)
                )
                paces.push(row.tenant_id, channel, next_slot(channel_at, now, policy.per_channel_interval))
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
        """Send one claimed row and record what came of it."""
        outcomes = self._outcomes
        with unit_of_work(self.factory) as session:
            row = session.get(OutboxMessage, row_id)
            if row is None or row.status != IN_FLIGHT or row.claimed_by != self.drainer_id:
                return
            tenant_id, key = row.tenant_id, row.idempotency_key
            payload = dict(row.payload) if row.payload is not None else None
            uploaded = row.upload_file_id
            users, channel = where_to(session, row)
        if payload is None:  # only finished rows are forgotten; ending it beats retrying forever
            outcomes.not_sent(row_id, report, "its text was already forgotten", cancel=True)
            return
        if not users:
            outcomes.not_sent(row_id, report, "everyone in the group left or was deactivated", cancel=True)
            return
        try:
            client = self.clients.client_for(tenant_id)
        except TokenDead as dead:  # single-workspace mode: held, not failed, until a new token works
            outcomes.hold_for_token(row_id, dead.retry_at, report)
            return
        except NotInstalled:
            outcomes.not_sent(row_id, report, "the app is not installed in this workspace", cancel=True)
            return
        except Exception as exc:  # the workspace's token could not be had (a refresh failed)
            outcomes.not_sent(row_id, report, f"no token: {type(exc).__name__}", cancel=False)
            return
        log.debug("sending outbox row %s (%s)", row_id, key, extra=log_ids(row_id, key, tenant_id))
        step = Step("conversations.open")
        try:
            if channel is None:
                channel = open_conversation(self.factory, client, tenant_id, users)
            if "file" in payload:
                reference = share_file(self.factory, row_id, client, channel, payload, uploaded, step)
            else:
                step.method = "chat.postMessage"
                reference = str(client.chat_postMessage(channel=channel, **payload).get("ts") or "")
        except SlackApiError as exc:
            if refused_over_a_member(step.method, exc):
                find_who_is_gone(outcomes, row_id, client, tenant_id, users, exc, report)
                return
            outcomes.on_slack_error(row_id, tenant_id, client, exc, report, step.method)
            return
        except Exception as exc:
            outcomes.record_transport_error(row_id, exc, report, step.method)
            return
        outcomes.sent(row_id, key, channel, reference, step.method, report)
