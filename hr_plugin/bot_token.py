"""Single-workspace mode: the bot token from the settings, once Slack has revoked it.

In multi-workspace mode an uninstall deletes the workspace's installation and cancels its
messages (``hr_plugin.oauth.uninstall``). In single-workspace mode the token comes from the
settings, so there is nothing to delete and the workspace may well come back with a new
token: when Slack says the app was uninstalled (``app_uninstalled``) or its bot token revoked
(``tokens_revoked``), the token's fingerprint is recorded (a row, so it outlives a restart;
never the token itself). While that death stands:

- nothing is sent with the token: ``SingleWorkspaceClients`` raises ``TokenDead`` and the
  outbox holds the messages, pending, with no attempt counted;
- the same token configured again stays unused (Slack would refuse it anyway);
- a different token resumes the work once ``auth.test`` accepts it for the same workspace:
  the death is marked replaced and the held messages are released, to go out once. The
  scheduler asks at start (``watched_clients``) and before each send.

The log says so once, when the death is recorded; ``/metrics`` says it for as long as it
stands (``hr_plugin_slack_token_dead``, from ``standing_deaths``).
"""

from __future__ import annotations

import hashlib
import logging
import threading
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from hr_plugin.audit import record
from hr_plugin.clock import Clock
from hr_plugin.db import SessionFactory, insert_if_absent, unit_of_work
from hr_plugin.models import DeadBotToken, OutboxMessage, Tenant
from hr_plugin.outbox import PENDING
from hr_plugin.slack_clients import TOKEN_HELD, SingleWorkspaceClients, make_client
from hr_plugin.tenants import TenantError, tenant_id_for

log = logging.getLogger(__name__)

# The configured token is dead: only a restart with another one changes that, and the
# scheduler looks at start, so a held message need not be looked at again for a while.
HOLD = timedelta(hours=1)
# A replacement that auth.test refused (or could not reach): asked again after this.
RECHECK = timedelta(minutes=5)
AUTH_TEST_TIMEOUT_SECONDS = 10


def fingerprint(token: str) -> str:
    """The token's SHA-256 (hex), under a label of its own: it recognises the token again and
    cannot give it back (a bot token is far too long and random to guess from its hash)."""
    return hashlib.sha256(b"hr-plugin dead bot token\x00" + token.encode()).hexdigest()


def record_dead(factory: SessionFactory, clock: Clock, *, tenant_id: str, token: str, cause: str) -> bool:
    """Slack says the configured token is dead: remember it (idempotent); True the first time.

    Slack sends ``app_uninstalled`` and ``tokens_revoked`` together on an uninstall, and
    retries either: only the first records, audits and logs.
    """
    now = clock.now()
    with unit_of_work(factory) as session:
        added = insert_if_absent(
            session,
            DeadBotToken,
            {"fingerprint": fingerprint(token), "tenant_id": tenant_id, "cause": cause, "died_at": now},
            ["fingerprint"],
        )
        if added and session.get(Tenant, tenant_id) is not None:
            record(session, tenant_id=tenant_id, at=now, actor="slack", action=f"app.{cause}")
        session.commit()
    if added:
        log.warning(
            "Slack says the bot token is dead (%s): nothing is sent with it any more; unsent "
            "messages are held until HR_PLUGIN_SLACK_BOT_TOKEN holds a new token that Slack accepts",
            cause,
            extra={"tenant": tenant_id},
        )
    return added


def is_recorded_dead(factory: SessionFactory, token: str | None) -> bool:
    """Whether Slack revoked this token (replaced since or not: it stays dead)."""
    if not token:
        return False
    with unit_of_work(factory) as session:
        return session.get(DeadBotToken, fingerprint(token)) is not None


def standing_deaths(session: Session) -> int:
    """How many recorded deaths no working token has replaced yet (0 in multi-workspace mode)."""
    return session.scalar(select(func.count()).where(DeadBotToken.replaced_at.is_(None))) or 0


class TokenWatch:
    """Whether the configured token may be used: asked before every send and at start.

    One small read per ask (the table holds a handful of rows ever), so a death the web
    process records counts in the scheduler at once. A replacement is put to ``auth.test``
    at most once per ``recheck`` until it passes; then the death is marked replaced for
    every process.
    """

    def __init__(
        self,
        factory: SessionFactory,
        clock: Clock,
        token: str,
        base_url: str | None,
        *,
        hold: timedelta = HOLD,
        recheck: timedelta = RECHECK,
    ) -> None:
        self._factory = factory
        self._clock = clock
        self._token = token
        self._base_url = base_url
        self._fingerprint = fingerprint(token)
        self._hold = hold
        self._recheck = recheck
        self._lock = threading.Lock()
        self._next_try: datetime | None = None
        self._refusal_logged = False

    def hold_until(self) -> datetime | None:
        """None when the token may be used; else until when the work waits."""
        now = self._clock.now()
        with unit_of_work(self._factory) as session:
            standing = session.execute(
                select(DeadBotToken.fingerprint, DeadBotToken.tenant_id, DeadBotToken.replaced_at).where(
                    or_(DeadBotToken.fingerprint == self._fingerprint, DeadBotToken.replaced_at.is_(None))
                )
            ).all()
        if not standing:
            return None
        mine = [replaced for found, _, replaced in standing if found == self._fingerprint]
        if mine:
            if mine[0] is not None:
                self._stand_again()
            return now + self._hold
        with self._lock:  # one auth.test at a time in this process
            if self._next_try is not None and now < self._next_try:
                return self._next_try
            refusal = self._refusal({tenant for _, tenant, _ in standing})
            if refusal is None:
                self._replace(now)
                return None
            self._next_try = now + self._recheck
            self._look_again_at(self._next_try)
            if not self._refusal_logged:
                self._refusal_logged = True
                log.warning(
                    "the configured bot token is a new one, but it cannot replace the revoked one "
                    "(%s); messages stay held and it is tried again every %d minute(s)",
                    refusal,
                    self._recheck.total_seconds() // 60,
                )
            return self._next_try

    def revoked(self, tenant_id: str, cause: str) -> datetime:
        """A send was refused because the token is dead, perhaps before (or without) Slack's
        event: the same record as the event makes, and the same hold."""
        record_dead(self._factory, self._clock, tenant_id=tenant_id, token=self._token, cause=cause)
        return self._clock.now() + self._hold

    def _look_again_at(self, moment: datetime) -> None:
        """Bring messages held for longer forward to the next try of the replacement, so that
        the drain asks again then (a process that started while Slack could not be reached)."""
        with unit_of_work(self._factory) as session:
            session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.status == PENDING,
                    OutboxMessage.last_error == TOKEN_HELD,
                    OutboxMessage.not_before > moment,
                )
                .values(not_before=moment)
            )
            session.commit()

    def _stand_again(self) -> None:
        """A token that was replaced is configured once more: it is still dead, and says so."""
        with unit_of_work(self._factory) as session:
            reopened = session.execute(
                update(DeadBotToken)
                .where(DeadBotToken.fingerprint == self._fingerprint, DeadBotToken.replaced_at.is_not(None))
                .values(replaced_at=None)
            ).rowcount  # type: ignore[attr-defined]
            session.commit()
        if reopened:
            log.warning(
                "the configured bot token is one Slack revoked: nothing is sent with it; unsent "
                "messages are held until HR_PLUGIN_SLACK_BOT_TOKEN holds a token that Slack accepts"
            )

    def _refusal(self, tenants: set[str]) -> str | None:
        """Why the configured token cannot take over (Slack's error, or another workspace); None if it can."""
        client = make_client(
            self._token, self._base_url, wait_on_rate_limit=False, timeout=AUTH_TEST_TIMEOUT_SECONDS
        )
        try:
            identity = client.auth_test()
        except SlackApiError as exc:
            return str(exc.response.get("error") or "auth.test refused it")
        except Exception as exc:  # Slack not reachable: try again later
            return f"auth.test failed: {type(exc).__name__}"
        try:
            tenant = tenant_id_for(
                identity.get("team_id"),
                identity.get("enterprise_id"),
                bool(identity.get("is_enterprise_install")),
            )
        except TenantError:
            return "auth.test named no workspace"
        if tenant not in tenants:
            return f"it belongs to workspace {tenant}, not {', '.join(sorted(tenants))}"
        return None

    def _replace(self, now: datetime) -> None:
        """The new token works: mark every standing death replaced, release the held messages."""
        with unit_of_work(self._factory) as session:
            session.execute(
                update(DeadBotToken).where(DeadBotToken.replaced_at.is_(None)).values(replaced_at=now)
            )
            released = session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.status == PENDING, OutboxMessage.last_error == TOKEN_HELD)
                .values(not_before=now, last_error=None)
            ).rowcount  # type: ignore[attr-defined]
            session.commit()
        log.info(
            "a new bot token works (auth.test accepted it): sending resumes, %s held message(s) released",
            released,
        )


def watched_clients(
    factory: SessionFactory,
    clock: Clock,
    token: str,
    base_url: str | None,
    *,
    wait_on_rate_limit: bool = False,
) -> SingleWorkspaceClients:
    """The single-workspace clients for the configured token, watched for Slack's revocation.

    Asked once at once: a process started with a new token resumes the held messages now,
    rather than when the first of them falls due again.
    """
    watch = TokenWatch(factory, clock, token, base_url)
    watch.hold_until()
    return SingleWorkspaceClients(token, base_url, wait_on_rate_limit=wait_on_rate_limit, watch=watch)
