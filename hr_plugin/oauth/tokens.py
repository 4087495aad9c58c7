"""A workspace's bot token, refreshed before it expires, by one process at a time.

With token rotation on, Slack's access tokens run out after 12 hours and each refresh token
works once: if two web replicas and the scheduler all refreshed the same installation at
once, all but one would be refused, and the one that lost could overwrite the good token
with nothing. So a refresh happens under a lock and re-reads the row once it holds it:

- on PostgreSQL the lock is the installation row itself (``SELECT ... FOR UPDATE``), held
  for the refresh's one HTTP call; whoever waited finds the new token and uses it;
- on SQLite (one machine) it is an OS file lock beside the database, so the web process and
  the scheduler take turns; the row is read and written in short transactions around the call.

Every part of the app (Bolt's authorize for requests, the outbox for sends) asks here, so
they all see one token and rotate it the same way. When Slack calls a token expired before the
time it gave (``token_expired``), the outbox says so (``renew_expired``) and the token is
refreshed then, under the same lock.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine, select

from hr_plugin.clock import Clock
from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.models import SlackInstallation
from hr_plugin.oauth.sealing import TokenSealer
from hr_plugin.oauth.store import InstalledBot, SealedInstallationStore
from hr_plugin.slack_clients import DEFAULT_TIMEOUT_SECONDS, NotInstalled

log = logging.getLogger(__name__)

# Refresh this long before the token runs out (Slack's tokens last 12 hours).
REFRESH_MARGIN = timedelta(hours=2)


class TokenRefreshError(RuntimeError):
    """Slack refused to refresh a workspace's token (the message names the tenant and Slack's error)."""


class Installations:
    """The installations of a multi-workspace app: the store Bolt saves into, and fresh tokens."""

    def __init__(
        self,
        engine: Engine,
        factory: SessionFactory,
        clock: Clock,
        sealer: TokenSealer,
        *,
        client_id: str,
        client_secret: str,
        api_url: str | None,
        margin: timedelta = REFRESH_MARGIN,
    ) -> None:
        self.engine = engine
        self.factory = factory
        self.clock = clock
        self.store = SealedInstallationStore(factory, clock, sealer)
        self.margin = margin
        self._client_id = client_id
        self._client_secret = client_secret
        self._oauth_client = WebClient(
            base_url=api_url or WebClient.BASE_URL, timeout=DEFAULT_TIMEOUT_SECONDS
        )
        self._oauth_client.retry_handlers = []  # a refresh token works once: never resend one blindly
        self._row_locks = engine.dialect.name == "postgresql"
        self._file_lock_path = _lock_path(engine)
        self._thread_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Installations(client_id={self._client_id!r})"

    def bot(self, tenant_id: str) -> InstalledBot:
        """The tenant's installation with a token good for a while yet; refreshed first if needed.

        Raises :class:`NotInstalled` when the tenant has none, :class:`TokenRefreshError` when
        Slack refused the refresh.
        """
        found = self.store.load(tenant_id)
        if found is None:
            raise NotInstalled(tenant_id)
        if not found.expiring(self.clock.now(), self.margin):
            return found
        return self._refresh(tenant_id)

    def bot_token(self, tenant_id: str) -> str:
        return self.bot(tenant_id).bot_token

    def renew_expired(self, tenant_id: str, token: str) -> bool:
        """Slack answered ``token_expired`` to ``token``: have a fresh one in its place now.

        Why: the expiry kept with the token is Slack's word at the last exchange, and Slack can
        end a token sooner than it said (or clocks disagree); the expiry here is then no guide,
        Slack's answer is. The refresh takes the same lock as a scheduled one, so however many
        sends hear ``token_expired`` at once the refresh token is exchanged once; whoever finds
        the token already replaced uses the new one.

        True when a token other than ``token`` is now in place (the caller may retry with it);
        False when nothing can renew it: the installation has no refresh token (token rotation
        is off). Raises :class:`NotInstalled` when the tenant has no installation, and
        :class:`TokenRefreshError` when Slack refused the refresh.
        """
        found = self.store.load(tenant_id)
        if found is None:
            raise NotInstalled(tenant_id)
        if found.bot_token != token:
            return True  # replaced already (a refresh, or a new install)
        if found.refresh_token is None:
            return False
        return self._refresh(tenant_id, stale=token).bot_token != token

    # -- refreshing -----------------------------------------------------------------------

    def _refresh(self, tenant_id: str, *, stale: str | None = None) -> InstalledBot:
        """Exchange the refresh token; with ``stale``, whatever the expiry says, unless the
        token is no longer that one (someone refreshed it while we waited for the lock)."""
        with self._serialised(), unit_of_work(self.factory) as session:
            row = session.scalars(
                select(SlackInstallation).where(SlackInstallation.tenant_id == tenant_id).with_for_update()
            ).first()
            if row is None:
                raise NotInstalled(tenant_id)
            current = self.store.opened(row)
            if not self._due(current, stale):
                return current  # refreshed by someone else while we waited for the lock
            if not self._row_locks:
                session.rollback()  # SQLite: no read snapshot held across the call; the file lock serialises
            answer = self._exchange(tenant_id, current.refresh_token or "")
            now = self.clock.now()
            row = session.get(SlackInstallation, tenant_id, populate_existing=True)
            if row is None:  # uninstalled during the call: the new token must not be kept
                session.rollback()
                raise NotInstalled(tenant_id)
            lifetime = timedelta(seconds=int(str(answer.get("expires_in") or 0)))
            new_refresh = answer.get("refresh_token")
            self.store.seal_tokens(
                row, str(answer["access_token"]), str(new_refresh) if new_refresh else None, now + lifetime
            )
            row.refreshed_at = now
            refreshed = self.store.opened(row)
            session.commit()
        log.info("refreshed the bot token of tenant %s", tenant_id, extra={"tenant": tenant_id})
        return refreshed

    def _due(self, current: InstalledBot, stale: str | None) -> bool:
        """Whether ``current`` is to be refreshed: it is the token Slack called expired, or
        (no such word from Slack) it runs out within the margin. Never without a refresh token."""
        if current.refresh_token is None:
            return False
        if stale is not None:
            return current.bot_token == stale
        return current.expiring(self.clock.now(), self.margin)

    def _exchange(self, tenant_id: str, refresh_token: str) -> dict[str, object]:
        try:
            response = self._oauth_client.oauth_v2_access(
                client_id=self._client_id,
                client_secret=self._client_secret,
                grant_type="refresh_token",
                refresh_token=refresh_token,
            )
        except SlackApiError as exc:
            error = str(exc.response.get("error") or "unknown") if exc.response is not None else "unknown"
            log.error(
                "Slack refused to refresh the bot token of tenant %s: %s",
                tenant_id,
                error,
                extra={"tenant": tenant_id, "slack_error": error},
            )
            raise TokenRefreshError(f"tenant {tenant_id}: token refresh refused ({error})") from None
        return dict(response.data) if isinstance(response.data, dict) else {}

    @contextlib.contextmanager
    def _serialised(self) -> Iterator[None]:
        """One refresher at a time on SQLite: threads of this process, then other processes."""
        if self._row_locks:
            yield
            return
        with self._thread_lock:
            if self._file_lock_path is None:
                yield
                return
            from filelock import FileLock

            with FileLock(str(self._file_lock_path), mode=0o600):  # anyone who can open it could hold it
                yield


def _lock_path(engine: Engine) -> Path | None:
    """Beside a SQLite database file; None for an in-memory one (one process only)."""
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database
    if not database or database == ":memory:":
        return None
    return Path(database).with_suffix(".token-refresh.lock")
