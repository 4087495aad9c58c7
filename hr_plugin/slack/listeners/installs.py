"""``app_uninstalled`` and ``tokens_revoked``: answered in both modes, the work stops with the ack.

The manifest subscribes to both, so both always get 200: Slack counts any other answer as a
failed delivery. Bolt lets them through without a token, since the workspace has none any more.

- Multi-workspace mode: the workspace's installation is deleted and its unsent messages
  cancelled (``hr_plugin.oauth.uninstall``).
- Single-workspace mode: the token comes from the settings and cannot be deleted, so it is
  recorded dead instead; its messages are held until a new token works (``hr_plugin.bot_token``).

Only the bot's token matters: the app asks for no user scopes and keeps no user token, so a
``tokens_revoked`` naming user tokens only changes nothing.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, BoltContext

from hr_plugin.bot_token import record_dead
from hr_plugin.oauth.uninstall import forget_workspace
from hr_plugin.services import Services
from hr_plugin.slack.payloads import tenant_of


def _stop(services: Services, tenant_id: str, cause: str) -> None:
    settings = services.settings
    if settings.oauth_enabled:
        forget_workspace(services.factory, services.clock, tenant_id, cause=cause)
    elif settings.slack_bot_token:
        record_dead(
            services.factory,
            services.clock,
            tenant_id=tenant_id,
            token=settings.slack_bot_token,
            cause=cause,
        )


def uninstalled(ack: Ack, context: BoltContext, services: Services) -> None:
    ack()
    _stop(services, tenant_of(context), "uninstalled")


def revoked(ack: Ack, event: dict[str, Any], context: BoltContext, services: Services) -> None:
    ack()
    if (event.get("tokens") or {}).get("bot"):
        _stop(services, tenant_of(context), "token_revoked")
