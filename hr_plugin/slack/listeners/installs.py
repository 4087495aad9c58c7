"""``app_uninstalled`` and ``tokens_revoked``: the workspace's work stops with the ack.

Multi-workspace mode only. (In single-workspace mode the token comes from the settings and
Slack refuses it once revoked; what to keep is then the operator's call.) Bolt lets these two
events through without a token, since the workspace has none any more.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext

from hr_plugin.oauth.uninstall import forget_workspace
from hr_plugin.services import Services
from hr_plugin.slack.payloads import tenant_of


def register(app: App, services: Services) -> None:
    if not services.settings.oauth_enabled:
        return

    @app.event("app_uninstalled")
    def uninstalled(ack: Ack, context: BoltContext) -> None:
        ack()
        forget_workspace(services.factory, services.clock, tenant_of(context), cause="uninstalled")

    @app.event("tokens_revoked")
    def revoked(ack: Ack, event: dict[str, Any], context: BoltContext) -> None:
        ack()
        # Only the bot's token matters: the app asks for no user scopes and keeps no user token.
        if (event.get("tokens") or {}).get("bot"):
            forget_workspace(services.factory, services.clock, tenant_of(context), cause="token_revoked")
