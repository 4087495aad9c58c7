"""What an ``hr-plugin`` command acting on a workspace needs from the core, for the CLI and for the
features' own commands alike: the workspace it acts on (``--team``, the only one installed, or
the bot token's), the services, and JSON files read with a plain message when they cannot be.

Here rather than in ``hr_plugin.cli``: that module imports every feature's commands, so a feature
importing it would reach every other feature (and the vault)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hr_plugin.settings import Settings, SettingsError

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from hr_plugin.services import Services


def read_json(path: Path) -> tuple[Any, str | None]:
    """The JSON in a file, or a message saying why it cannot be read."""
    import json

    try:
        return json.loads(path.read_text(encoding="utf-8")), None
    except OSError as exc:
        return None, f"cannot read {path}: {exc.strerror}"
    except json.JSONDecodeError as exc:
        return None, f"{path} is not valid JSON (line {exc.lineno}): {exc.msg}"


def workspace(args: argparse.Namespace) -> tuple[Services, str]:
    """The services and the tenant a workspace command acts on (``--team``, or the only one)."""
    settings = Settings()
    found = services_for(settings)
    return found, tenant(found, args.team, slack_client(settings, wait_on_rate_limit=True))


def services_for(settings: Settings) -> Services:
    """The services a command uses: connected, the embedded SQLite database upgraded."""
    from hr_plugin.services import make_services

    return make_services(settings)


def slack_client(settings: Settings, *, wait_on_rate_limit: bool) -> WebClient | None:
    if not settings.slack_bot_token:
        return None
    from hr_plugin.slack_clients import make_client

    return make_client(
        settings.slack_bot_token, settings.slack_api_url, wait_on_rate_limit=wait_on_rate_limit
    )


def tenant(services: Services, requested: str | None, slack: WebClient | None) -> str:
    """The tenant a command acts on: named, the only one installed, or the bot token's workspace."""
    from hr_plugin.db import unit_of_work
    from hr_plugin.tenants import TenantError, ensure_tenant, resolve_tenant, tenant_id_for

    with unit_of_work(services.factory) as session:
        try:
            return resolve_tenant(session, requested).id
        except TenantError:
            if slack is None or requested:
                raise SettingsError(
                    "no workspace known yet: set HR_PLUGIN_SLACK_BOT_TOKEN so the command can ask Slack "
                    "which workspace it is, or pass --team"
                ) from None
        identity = slack.auth_test()
        tenant_id = tenant_id_for(
            identity.get("team_id"),
            identity.get("enterprise_id"),
            bool(identity.get("is_enterprise_install")),
        )
        ensure_tenant(
            session,
            tenant_id,
            services.clock.now(),
            team_id=identity.get("team_id"),
            enterprise_id=identity.get("enterprise_id"),
            name=identity.get("team"),
        )
        session.commit()
        return tenant_id
