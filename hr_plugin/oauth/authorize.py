"""Bolt's authorize step for multi-workspace mode: the request's workspace, its own token.

Bolt's built-in ``InstallationStoreAuthorize`` would call ``auth.test`` on every request and
rotate tokens without a lock; this one answers from the stored installation (the bot's ids
were recorded at install time), through :class:`Installations`, which refreshes an expiring
token once across every process. A workspace with no installation gets no token at all, so
no listener can call Slack for it.
"""

from __future__ import annotations

import logging

from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.authorize import Authorize
from slack_bolt.context import BoltContext

from hr_plugin.oauth.tokens import Installations, TokenRefreshError
from hr_plugin.slack_clients import NotInstalled
from hr_plugin.tenants import TenantError, tenant_id_for

log = logging.getLogger(__name__)


class InstallationAuthorize(Authorize):
    def __init__(self, installations: Installations) -> None:
        super().__init__()
        self.installations = installations

    def __call__(
        self,
        *,
        context: BoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        actor_enterprise_id: str | None = None,
        actor_team_id: str | None = None,
        actor_user_id: str | None = None,
    ) -> AuthorizeResult | None:
        try:
            tenant_id = tenant_id_for(team_id, enterprise_id, bool(context.is_enterprise_install))
            bot = self.installations.bot(tenant_id)
        except (TenantError, NotInstalled):
            log.info(
                "request from a workspace without an installation (team %s, enterprise %s)",
                team_id,
                enterprise_id,
                extra={"tenant": enterprise_id if context.is_enterprise_install else team_id},
            )
            return None
        except TokenRefreshError:
            return None  # logged where it happened, with Slack's error
        return AuthorizeResult(
            enterprise_id=bot.enterprise_id or enterprise_id,
            team_id=team_id or bot.team_id,
            bot_user_id=bot.bot_user_id,
            bot_id=bot.bot_id,
            bot_token=bot.bot_token,
            bot_scopes=list(bot.bot_scopes),
            user_id=user_id,
        )
