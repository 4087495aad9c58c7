"""Web API clients for the app's background work, one seam for tests and the demo.

Two flavours: the outbox's client never retries by itself (the outbox decides, so that a
send whose outcome is unknown is recognised), and the directory's client waits out rate
limits (``RateLimitErrorRetryHandler``), since an import can afford to wait.

Two modes: one bot token from the settings serves the one workspace, or (multi-workspace)
each tenant's token comes from its installation, refreshed when it is about to expire. A
tenant with no installation (uninstalled, or its token revoked) gets :class:`NotInstalled`,
never a client, so nothing can be sent for it.
"""

from __future__ import annotations

import threading
from typing import Protocol

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

DEFAULT_TIMEOUT_SECONDS = 10


class NotInstalled(LookupError):
    """The tenant has no installation: the app was uninstalled there, or its token revoked."""

    def __init__(self, tenant_id: str) -> None:
        super().__init__(f"the app is not installed for tenant {tenant_id}")
        self.tenant_id = tenant_id


class SlackClients(Protocol):
    def client_for(self, tenant_id: str) -> WebClient:
        """The bot's client for this tenant's workspace; :class:`NotInstalled` if it has none."""
        ...


class TokenSource(Protocol):
    def bot_token(self, tenant_id: str) -> str:
        """A current bot token for the tenant; :class:`NotInstalled` if it has none."""
        ...


def make_client(
    token: str, base_url: str | None, *, wait_on_rate_limit: bool, timeout: int = DEFAULT_TIMEOUT_SECONDS
) -> WebClient:
    client = WebClient(token=token, timeout=timeout, base_url=base_url or WebClient.BASE_URL)
    client.retry_handlers = [RateLimitErrorRetryHandler(max_retry_count=5)] if wait_on_rate_limit else []
    return client


class SingleWorkspaceClients:
    """Single-workspace mode: one bot token serves every tenant id (there is one)."""

    def __init__(
        self,
        token: str,
        base_url: str | None,
        *,
        wait_on_rate_limit: bool = False,
        timeout: int = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        self._client = make_client(token, base_url, wait_on_rate_limit=wait_on_rate_limit, timeout=timeout)

    def client_for(self, tenant_id: str) -> WebClient:
        return self._client


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
