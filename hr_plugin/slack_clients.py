"""Web API clients for the app's background work, one seam for tests and the demo.

Two flavours: the outbox's client never retries by itself (the outbox decides, so that a
send whose outcome is unknown is recognised), and the directory's client waits out rate
limits (``RateLimitErrorRetryHandler``), since an import can afford to wait.
"""

from __future__ import annotations

from typing import Protocol

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

DEFAULT_TIMEOUT_SECONDS = 10


class SlackClients(Protocol):
    def client_for(self, tenant_id: str) -> WebClient:
        """The bot's client for this tenant's workspace."""
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
