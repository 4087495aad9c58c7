"""The whole app wired for tests and the demo: fake Slack, real app over HTTP, real database.

Everything on the way is production code: the Bolt app behind the WSGI server, the
signature check, the services, the outbox drain and the ticks. Only Slack is fake, and
the clock may be simulated.

By default the app runs in single-workspace mode with a bot token. With ``oauth=True`` it runs
in multi-workspace mode: no bot token, a client id and secret, the fake distributing the app,
and no workspace installed until a test installs one (``stack.install(team)``).
"""

from __future__ import annotations

import base64
import secrets
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slack_bolt import App

from hr_plugin.bot_token import watched_clients
from hr_plugin.clock import Clock
from hr_plugin.outbox import Drainer, OutboxPolicy
from hr_plugin.scheduler import TickRunner
from hr_plugin.server import LocalServer
from hr_plugin.services import Services, make_services
from hr_plugin.settings import Settings
from hr_plugin.slack.app import build_app, installations_for
from hr_plugin.slack.deadline import saves_settled
from hr_plugin.slack_clients import MultiWorkspaceClients, SlackClients
from hr_plugin.testing.fake_slack import FakeSlack
from hr_plugin.testing.installer import Installer, InstallPage
from hr_plugin.testing.signed_client import SlackRequestClient
from hr_plugin.ticks import TickContext
from hr_plugin.web import WebApp

BOT_TOKEN = "xoxb-fake-token"
CLIENT_ID = "1111.2222"
CLIENT_SECRET = "fake-client-secret"


@dataclass
class AppStack:
    fake: FakeSlack
    settings: Settings
    services: Services
    app: App
    server: LocalServer
    slack: SlackRequestClient
    ticks: TickRunner
    clients: SlackClients  # what the outbox sends with: the bot token, or each tenant's installation

    @property
    def factory(self) -> Any:
        return self.services.factory

    @property
    def installer(self) -> Installer:
        """The installer's browser (multi-workspace mode)."""
        return Installer(self.server.url)

    def install(self, team_id: str | None = None) -> InstallPage:
        """Install the app into a workspace of the fake through the whole OAuth flow."""
        return self.installer.install(team_id)

    def slack_for(self, team_id: str, enterprise_id: str | None = None) -> SlackRequestClient:
        """Signed requests from another workspace (multi-workspace mode)."""
        return SlackRequestClient(
            f"{self.server.url}/slack/events",
            self.settings.slack_signing_secret or "",
            self.fake,
            team_id=team_id,
            enterprise_id=enterprise_id,
            settle=self.services.lazy_pool.wait_idle if self.services.lazy_pool else None,
        )

    def settle(self) -> None:
        """Wait until late saves and the work after the ack (lazy listeners) have finished."""
        if not saves_settled(self.services, 30):
            raise TimeoutError("saves still running after 30 s")
        if self.services.lazy_pool is not None and not self.services.lazy_pool.wait_idle():
            raise TimeoutError("lazy listeners still running after 10 s")

    def stop(self) -> None:
        self.server.stop()
        self.services.engine.dispose()
        self.fake.stop()

    def __enter__(self) -> AppStack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_stack(
    database_url: str,
    clock: Clock,
    *,
    fake: FakeSlack | None = None,
    policy: OutboxPolicy | None = None,
    oauth: bool = False,
    token_rotation: bool = False,
    console: bool = False,
    **settings_overrides: Any,
) -> AppStack:
    """Start a fake Slack (unless given one), then the real app over HTTP pointed at it.

    ``oauth`` runs the app in multi-workspace mode (``token_rotation``: Slack hands out
    expiring tokens with refresh tokens). ``console`` gives the app its client id and secret and
    public URL beside the bot token (or the OAuth ones), for the HR console's Sign in with Slack,
    and lets the fake sign people in (``stack.fake.sign_in_as``).
    """
    fake = fake or FakeSlack(clock=clock, bot_tokens=[] if oauth else [BOT_TOKEN])
    fake.start()
    # The server listens first, so that the app's public URL (its OAuth redirect) is known.
    web = _LateApp()
    server = LocalServer(web).start()
    settings_overrides.setdefault("vault_keystore_url", _keystore_beside(database_url))
    if oauth:
        mode: dict[str, Any] = {
            "slack_bot_token": None,
            "slack_client_id": CLIENT_ID,
            "slack_client_secret": CLIENT_SECRET,
            "public_url": server.url,
        }
        fake.enable_oauth(
            CLIENT_ID,
            CLIENT_SECRET,
            token_rotation=token_rotation,
            redirect_uris=[f"{server.url}/slack/oauth_redirect"],
        )
    else:
        mode = {"slack_bot_token": BOT_TOKEN}
    if console:
        mode.update(slack_client_id=CLIENT_ID, slack_client_secret=CLIENT_SECRET, public_url=server.url)
        fake.enable_openid(CLIENT_ID, CLIENT_SECRET, redirect_uris=[f"{server.url}/hr/oidc/callback"])
    settings = Settings(
        database_url=database_url,
        slack_signing_secret=secrets.token_hex(16),
        slack_api_url=fake.base_url,
        # A throwaway master key: the test harness stays outside the vault package.
        vault_key=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        **{**mode, **settings_overrides},
    )
    services = make_services(settings, clock=clock)
    app = build_app(services)
    web.target = WebApp(app, services)
    slack = SlackRequestClient(
        f"{server.url}/slack/events",
        settings.slack_signing_secret or "",
        fake,
        team_id=fake.team_id,
        enterprise_id=fake.enterprise_id,
        settle=services.lazy_pool.wait_idle
        if services.lazy_pool
        else None,  # a test sees the app's work after the ack at once
    )
    clients: SlackClients = (
        MultiWorkspaceClients(installations_for(services), fake.base_url)
        if oauth
        else watched_clients(services.factory, clock, settings.slack_bot_token or BOT_TOKEN, fake.base_url)
    )
    drainer = Drainer(services.factory, clients, clock, drainer_id="local", policy=policy)
    ticks = TickRunner(TickContext(services.factory, clock, drainer, settings))
    return AppStack(fake, settings, services, app, server, slack, ticks, clients)


class _LateApp:
    """A WSGI app whose target is set once built (503 until then)."""

    def __init__(self) -> None:
        self.target: Any = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if self.target is None:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"starting"]
        return self.target(environ, start_response)

    def __getattr__(self, name: str) -> Any:
        # The server may ask the app about a graceful stop; the built app answers.
        if self.target is None:
            raise AttributeError(name)
        return getattr(self.target, name)


def _keystore_beside(database_url: str) -> str:
    """The key store lives apart from the main database: a SQLite file beside it, or in a
    fresh temporary folder when the main database is PostgreSQL."""
    if database_url.startswith("sqlite:///"):
        path = Path(database_url.removeprefix("sqlite:///"))
        return f"sqlite:///{path.with_name(path.stem + '-keys.db')}"
    return f"sqlite:///{Path(tempfile.mkdtemp(prefix='hr-plugin-keys-')) / 'keys.db'}"
