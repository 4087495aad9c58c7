"""Installations and OAuth states on the app's own database, in ``slack_sdk``'s interfaces.

``slack_sdk``'s SQLAlchemy installation store keeps tokens in plain columns and a row per
install forever, with no tenant; so the installation store here is our own, over the
``slack_installations`` table (one row per tenant, tokens sealed), implementing
``slack_sdk``'s ``InstallationStore`` so that Bolt's OAuth flow saves into it. The state store
is ``slack_sdk``'s own, on a table our migrations create (``hr_plugin.oauth.states``).

The app asks for bot scopes only, so an installation holds a bot token (and, with token
rotation, its refresh token) and never a user token.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from slack_bolt.error import BoltError
from slack_sdk.oauth.installation_store import Bot, Installation, InstallationStore
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hr_plugin.audit import record
from hr_plugin.clock import Clock
from hr_plugin.db import SessionFactory, unit_of_work
from hr_plugin.models import SlackInstallation
from hr_plugin.oauth.sealing import TokenSealer
from hr_plugin.tenants import ensure_tenant, tenant_id_for

log = logging.getLogger(__name__)

BOT_TOKEN = "bot_token"
BOT_REFRESH_TOKEN = "bot_refresh_token"


@dataclass(frozen=True)
class InstalledBot:
    """A tenant's installation with its tokens opened: what a request or a send needs."""

    tenant_id: str
    team_id: str | None
    enterprise_id: str | None
    is_enterprise_install: bool
    app_id: str | None
    bot_id: str | None
    bot_user_id: str | None
    bot_scopes: tuple[str, ...]
    installer_user_id: str | None
    installed_at: datetime
    expires_at: datetime | None
    bot_token: str = field(repr=False)
    refresh_token: str | None = field(default=None, repr=False)

    def expiring(self, now: datetime, margin: timedelta) -> bool:
        """True when the token has a refresh token and runs out within ``margin``."""
        return (
            self.refresh_token is not None and self.expires_at is not None and self.expires_at - now <= margin
        )


class SealedInstallationStore(InstallationStore):
    """One installation per tenant, tokens sealed; saving one also (re)opens its tenant."""

    def __init__(self, factory: SessionFactory, clock: Clock, sealer: TokenSealer) -> None:
        self.factory = factory
        self.clock = clock
        self.sealer = sealer
        self._logger = logging.getLogger(__name__)

    @property
    def logger(self) -> logging.Logger:
        return self._logger

    # -- saving ---------------------------------------------------------------------------

    def save(self, installation: Installation) -> None:
        """Store a new install or a reinstall; the tenant's uninstall mark is cleared with it."""
        if not installation.bot_token:
            raise BoltError("the installation carries no bot token; the app asks for bot scopes")
        tenant_id = tenant_id_for(
            installation.team_id, installation.enterprise_id, bool(installation.is_enterprise_install)
        )
        now = self.clock.now()
        with unit_of_work(self.factory) as session:
            tenant = ensure_tenant(
                session,
                tenant_id,
                now,
                team_id=None if installation.is_enterprise_install else installation.team_id,
                enterprise_id=installation.enterprise_id,
                name=installation.team_name or installation.enterprise_name,
            )
            reinstalled = tenant.uninstalled_at is not None
            tenant.uninstalled_at = None
            row = session.get(SlackInstallation, tenant_id)
            if row is None:
                row = SlackInstallation(tenant_id=tenant_id)
                session.add(row)
            row.team_id = installation.team_id
            row.enterprise_id = installation.enterprise_id
            row.is_enterprise_install = bool(installation.is_enterprise_install)
            row.app_id = installation.app_id
            row.bot_id = installation.bot_id
            row.bot_user_id = installation.bot_user_id
            row.bot_scopes = ",".join(installation.bot_scopes or [])
            row.installer_user_id = installation.user_id
            row.installed_at = now
            row.refreshed_at = None
            self.seal_tokens(
                row,
                installation.bot_token,
                installation.bot_refresh_token,
                _expiry(installation, now),
            )
            record(
                session,
                tenant_id=tenant_id,
                at=now,
                actor=installation.user_id or "slack",
                action="app.reinstalled" if reinstalled else "app.installed",
            )
            session.commit()
        log.info("app installed for tenant %s", tenant_id, extra={"tenant": tenant_id})

    def seal_tokens(
        self, row: SlackInstallation, token: str, refresh_token: str | None, expires_at: datetime | None
    ) -> None:
        """Put fresh tokens on a row, sealed to its tenant (an install, or a refresh)."""
        row.bot_token_sealed = self.sealer.seal(token, tenant_id=row.tenant_id, field=BOT_TOKEN)
        row.bot_refresh_token_sealed = (
            self.sealer.seal(refresh_token, tenant_id=row.tenant_id, field=BOT_REFRESH_TOKEN)
            if refresh_token
            else None
        )
        row.bot_token_expires_at = expires_at if refresh_token else None

    # -- finding --------------------------------------------------------------------------

    def load(self, tenant_id: str) -> InstalledBot | None:
        with unit_of_work(self.factory) as session:
            row = session.get(SlackInstallation, tenant_id)
            return self.opened(row) if row is not None else None

    def opened(self, row: SlackInstallation) -> InstalledBot:
        sealed_refresh = row.bot_refresh_token_sealed
        return InstalledBot(
            tenant_id=row.tenant_id,
            team_id=row.team_id,
            enterprise_id=row.enterprise_id,
            is_enterprise_install=row.is_enterprise_install,
            app_id=row.app_id,
            bot_id=row.bot_id,
            bot_user_id=row.bot_user_id,
            bot_scopes=tuple(scope for scope in row.bot_scopes.split(",") if scope),
            installer_user_id=row.installer_user_id,
            installed_at=row.installed_at,
            expires_at=row.bot_token_expires_at,
            bot_token=self.sealer.open(row.bot_token_sealed, tenant_id=row.tenant_id, field=BOT_TOKEN),
            refresh_token=self.sealer.open(sealed_refresh, tenant_id=row.tenant_id, field=BOT_REFRESH_TOKEN)
            if sealed_refresh is not None
            else None,
        )

    def find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        """The tenant's installation (there is one per tenant, whoever installed it)."""
        bot = self.load(tenant_id_for(team_id, enterprise_id, bool(is_enterprise_install)))
        if bot is None:
            return None
        return Installation(
            app_id=bot.app_id,
            enterprise_id=bot.enterprise_id,
            team_id=bot.team_id,
            bot_token=bot.bot_token,
            bot_id=bot.bot_id,
            bot_user_id=bot.bot_user_id,
            bot_scopes=list(bot.bot_scopes),
            bot_refresh_token=bot.refresh_token,
            bot_token_expires_at=bot.expires_at,
            user_id=bot.installer_user_id or "",
            is_enterprise_install=bot.is_enterprise_install,
            token_type="bot",
            installed_at=bot.installed_at,
        )

    def find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        found = self.find_installation(
            enterprise_id=enterprise_id, team_id=team_id, is_enterprise_install=is_enterprise_install
        )
        return found.to_bot() if found is not None else None

    # -- deleting -------------------------------------------------------------------------

    def delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        if user_id is not None:
            return  # no user tokens are kept: nothing belongs to one user alone
        self.delete_bot(enterprise_id=enterprise_id, team_id=team_id)

    def delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """``slack_sdk`` names an org-wide install by its enterprise with no team."""
        with unit_of_work(self.factory) as session:
            delete_tokens(session, tenant_id_for(team_id, enterprise_id, team_id is None))
            session.commit()

    def delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        self.delete_bot(enterprise_id=enterprise_id, team_id=team_id)


def delete_tokens(session: Session, tenant_id: str) -> bool:
    """Delete a tenant's installation (its tokens) in the caller's transaction; True if it had one."""
    deleted = session.execute(delete(SlackInstallation).where(SlackInstallation.tenant_id == tenant_id))
    return bool(deleted.rowcount)  # type: ignore[attr-defined]


def reseal_tokens(factory: SessionFactory, old: TokenSealer, new: TokenSealer) -> int:
    """Re-seal every stored token under a new key (the master key was rotated); how many rows.

    Rows the new key already opens are skipped, so a second run after an interruption is safe.
    """
    resealed = 0
    with unit_of_work(factory) as session:
        rows = session.scalars(select(SlackInstallation).with_for_update()).all()
        for row in rows:
            if new.opens(row.bot_token_sealed, tenant_id=row.tenant_id, field=BOT_TOKEN):
                continue
            token = old.open(row.bot_token_sealed, tenant_id=row.tenant_id, field=BOT_TOKEN)
            row.bot_token_sealed = new.seal(token, tenant_id=row.tenant_id, field=BOT_TOKEN)
            if row.bot_refresh_token_sealed is not None:
                refresh = old.open(
                    row.bot_refresh_token_sealed, tenant_id=row.tenant_id, field=BOT_REFRESH_TOKEN
                )
                row.bot_refresh_token_sealed = new.seal(
                    refresh, tenant_id=row.tenant_id, field=BOT_REFRESH_TOKEN
                )
            resealed += 1
        session.commit()
    return resealed


def _expiry(installation: Installation, now: datetime) -> datetime | None:
    """When the bot token runs out, on our clock.

    ``slack_sdk`` turns Slack's ``expires_in`` into a wall-clock epoch at the moment the
    ``Installation`` is built, next to ``installed_at`` taken at the same moment, so their
    difference is the lifetime Slack gave; counting it from ``now`` keeps the app's clock
    the one every expiry is measured on (a simulated one in tests and the demo). The epoch is
    truncated to the second, so the difference can fall short by up to a second; Slack's
    lifetimes are whole hours, and the nearest whole minute undoes that.
    """
    expires_at: Any = installation.bot_token_expires_at
    if expires_at is None or not installation.bot_refresh_token:
        return None
    lifetime = max(float(expires_at) - float(installation.installed_at), 0.0)
    return now + timedelta(minutes=round(lifetime / 60))
