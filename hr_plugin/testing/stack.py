"""The whole app wired for tests and the demo: fake Slack, real app over HTTP, real database.

Everything on the way is production code: the Bolt app behind the WSGI server, the
signature check, the services, the outbox drain and the ticks. Only Slack is fake, and
the clock may be simulated.
"""

from __future__ import annotations

import base64
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slack_bolt import App

from hr_plugin.clock import Clock
from hr_plugin.outbox import Drainer, OutboxPolicy
from hr_plugin.scheduler import TickRunner
from hr_plugin.server import LocalServer
from hr_plugin.services import Services, make_services
from hr_plugin.settings import Settings
from hr_plugin.slack.app import build_app
from hr_plugin.slack_clients import SingleWorkspaceClients
from hr_plugin.testing.fake_slack import FakeSlack
from hr_plugin.testing.signed_client import SlackRequestClient
from hr_plugin.ticks import TickContext
from hr_plugin.web import WebApp

BOT_TOKEN = "xoxb-fake-token"


@dataclass
class AppStack:
    fake: FakeSlack
    settings: Settings
    services: Services
    app: App
    server: LocalServer
    slack: SlackRequestClient
    ticks: TickRunner

    @property
    def factory(self) -> Any:
        return self.services.factory

    def settle(self) -> None:
        """Wait until work after the ack (lazy listeners) has finished."""
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
    **settings_overrides: Any,
) -> AppStack:
    """Start a fake Slack (unless given one), then the real app over HTTP pointed at it."""
    fake = fake or FakeSlack(clock=clock, bot_tokens=[BOT_TOKEN])
    fake.start()
    settings_overrides.setdefault("vault_keystore_url", _keystore_beside(database_url))
    settings = Settings(
        database_url=database_url,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=secrets.token_hex(16),
        slack_api_url=fake.base_url,
        # A throwaway master key: the test harness stays outside the vault package.
        vault_key=base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        **settings_overrides,
    )
    services = make_services(settings, clock=clock)
    app = build_app(services)
    server = LocalServer(WebApp(app, services)).start()
    slack = SlackRequestClient(
        f"{server.url}/slack/events",
        settings.slack_signing_secret or "",
        fake,
        team_id=fake.team_id,
        enterprise_id=fake.enterprise_id,
    )
    clients = SingleWorkspaceClients(BOT_TOKEN, fake.base_url)
    drainer = Drainer(services.factory, clients, clock, drainer_id="local", policy=policy)
    ticks = TickRunner(TickContext(services.factory, clock, drainer, settings))
    return AppStack(fake, settings, services, app, server, slack, ticks)


def _keystore_beside(database_url: str) -> str:
    """The key store lives apart from the main database: a SQLite file beside it, or in a
    fresh temporary folder when the main database is PostgreSQL."""
    if database_url.startswith("sqlite:///"):
        path = Path(database_url.removeprefix("sqlite:///"))
        return f"sqlite:///{path.with_name(path.stem + '-keys.db')}"
    return f"sqlite:///{Path(tempfile.mkdtemp(prefix='hr-plugin-keys-')) / 'keys.db'}"
