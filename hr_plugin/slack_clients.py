"""Web API clients for the app's background work, one seam for tests and the demo.

Two flavours: the outbox's client never retries by itself (the outbox decides, so that a
send whose outcome is unknown is recognised), and the directory's client waits out rate
limits (``RateLimitErrorRetryHandler``), since an import can afford to wait.

Two modes: one bot token from the settings serves the one workspace, or (multi-workspace)
each tenant's token comes from its installation, refreshed when it is about to expire. A
tenant with no installation (uninstalled, or its token revoked) gets :class:`NotInstalled`,
never a client, so nothing can be sent for it. In single-workspace mode a token Slack revoked
gets :class:`TokenDead` instead: the work waits for a new token (``hr_plugin.bot_token``).
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Protocol, runtime_checkable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

DEFAULT_TIMEOUT_SECONDS = 10


class NotInstalled(LookupError):
    """The tenant has no installation: the app was uninstalled there, or its token revoked."""

    def __init__(self, tenant_id: str) -> None:
        super().__init__(f"the app is not installed for tenant {tenant_id}")
        self.tenant_id = tenant_id


# What an outbox row held for a revoked token says while it waits (``hr_plugin.bot_token``
# releases the rows that say it once a new token works).
TOKEN_HELD = "held: Slack revoked the bot token; waiting for a new one that works"


class TokenDead(LookupError):
    """Single-workspace mode: Slack revoked the configured bot token, or the one replacing it
    has not passed ``auth.test`` yet. Nothing is sent with it and nothing is cancelled: the
    work waits until ``retry_at`` (a new token may have been configured by then)."""

    def __init__(self, tenant_id: str, retry_at: datetime) -> None:
        super().__init__(f"the bot token for tenant {tenant_id} was revoked; waiting for a new one")
        self.tenant_id = tenant_id
        self.retry_at = retry_at


class TokenWatch(Protocol):
    def hold_until(self) -> datetime | None:
        """None when the configured token may be used, else until when the work waits."""
        ...

    def revoked(self, tenant_id: str, cause: str) -> datetime:
        """A call with the configured token was refused as revoked: record it as dead (as the
        ``tokens_revoked`` event would) and say until when the work waits."""
        ...


class SlackClients(Protocol):
    def client_for(self, tenant_id: str) -> WebClient:
        """The bot's client for this tenant's workspace; :class:`NotInstalled` if it has none."""
        ...


@runtime_checkable
class RenewingClients(Protocol):
    """Clients whose tokens can be renewed when Slack calls one expired (token rotation)."""

    def renew_expired(self, tenant_id: str, client: WebClient) -> bool:
        """Slack answered ``token_expired`` to ``client``: True once a fresh token is in place
        (``client_for`` gives a client with it), False when nothing can renew the token."""
        ...


class TokenSource(Protocol):
    def bot_token(self, tenant_id: str) -> str:
        """A current bot token for the tenant; :class:`NotInstalled` if it has none."""
        ...

    def renew_expired(self, tenant_id: str, token: str) -> bool:
        """Slack called ``token`` expired: refresh it now (one refresh at a time); True when
        another token is in place, False when none can be had (rotation is off)."""
        ...


def slack_error(exc: BaseException) -> str:
    """Slack's error code for a refusal (``http_<status>`` for an answer without one), else the
    exception's type: never its text, which may quote what was sent."""
    if isinstance(exc, SlackApiError):
        if exc.response is None:
            return "unknown"
        return str(exc.response.get("error") or f"http_{getattr(exc.response, 'status_code', 0)}")
    return type(exc).__name__


def retry_after_seconds(exc: SlackApiError) -> float:
    """The wait Slack asked for in ``Retry-After``, at least a second; a second when it gave none."""
    headers = getattr(exc.response, "headers", {}) or {}
    for name, value in headers.items():
        if name.lower() == "retry-after":
            raw = value[0] if isinstance(value, list) else value
            try:
                return max(float(raw), 1.0)
            except (TypeError, ValueError):
                break
    return 1.0


def make_client(
    token: str, base_url: str | None, *, wait_on_rate_limit: bool, timeout: int = DEFAULT_TIMEOUT_SECONDS
) -> WebClient:
    client = WebClient(token=token, timeout=timeout, base_url=base_url or WebClient.BASE_URL)
    client.retry_handlers = [RateLimitErrorRetryHandler(max_retry_count=5)] if wait_on_rate_limit else []
    return client


class SingleWorkspaceClients:
    """Single-workspace mode: one bot token serves every tenant id (there is one).

    With a ``watch`` (the app's processes: ``hr_plugin.bot_token.watched_clients``) a token
    Slack revoked is never used: :class:`TokenDead` instead of a client. Without one (tests
    of the outbox alone, the benchmark) the token is always used.
    """

    def __init__(
        self,
        token: str,
        base_url: str | None,
        *,
        wait_on_rate_limit: bool = False,
        timeout: int = DEFAULT_TIMEOUT_SECONDS,
        watch: TokenWatch | None = None,
    ) -> None:
        self._client = make_client(token, base_url, wait_on_rate_limit=wait_on_rate_limit, timeout=timeout)
        self._watch = watch

    def client_for(self, tenant_id: str) -> WebClient:
        if self._watch is not None:
            retry_at = self._watch.hold_until()
            if retry_at is not None:
                raise TokenDead(tenant_id, retry_at)
        return self._client

    def report_dead(self, tenant_id: str, cause: str) -> datetime | None:
        """Slack refused the token as revoked or gone: with a watch, it is recorded dead and the
        answer is until when the work waits; without one (tests, the benchmark), None."""
        return self._watch.revoked(tenant_id, cause) if self._watch is not None else None


class MultiWorkspaceClients:
    """Multi-workspace mode: each tenant's client carries the token of its installation.

    The token is looked up on every call (one indexed read), so an uninstall or a refresh done
    by another process counts at once; a client is kept per tenant only while its token stays
    the same.
    """

    def __init__(
        self,
        tokens: TokenSource,
        base_url: str | None,
        *,
        wait_on_rate_limit: bool = False,
        timeout: int = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        self._tokens = tokens
        self._base_url = base_url
        self._wait_on_rate_limit = wait_on_rate_limit
        self._timeout = timeout
        self._clients: dict[str, WebClient] = {}
        self._lock = threading.Lock()

    def client_for(self, tenant_id: str) -> WebClient:
        try:
            token = self._tokens.bot_token(tenant_id)
        except NotInstalled:
            with self._lock:
                self._clients.pop(tenant_id, None)
            raise
        with self._lock:
            client = self._clients.get(tenant_id)
            if client is None or client.token != token:
                client = make_client(
                    token, self._base_url, wait_on_rate_limit=self._wait_on_rate_limit, timeout=self._timeout
                )
                self._clients[tenant_id] = client
            return client

    def renew_expired(self, tenant_id: str, client: WebClient) -> bool:
        """Slack called this client's token expired: the token source refreshes it (raising
        :class:`NotInstalled`, or its error when Slack refuses the refresh); the next
        ``client_for`` carries the new token (a client is kept only while its token stays)."""
        return self._tokens.renew_expired(tenant_id, client.token or "")
