"""What the fake workspace holds: its records, and ``SlackState``, the base every part builds on.

``FakeSlack`` is composed of mixins, one per concern (see the package's docstring). They share
one set of state under one lock, so the state is declared and initialised here, once, and each
mixin derives from ``SlackState`` (or from the mixins it calls): mypy then checks every
attribute and method a mixin uses. The comments say which module reads and writes each part.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from http.server import ThreadingHTTPServer
from typing import Any

from hr_plugin.clock import Clock, SystemClock
from hr_plugin.testing.fake_slack.replies import SlackError
from hr_plugin.testing.slack_limits import Violation

BOT_USER_ID = "UBOT"
BOT_ID = "B0BOT"
APP_ID = "A0DEMO"

# A Web API method's implementation: the decoded arguments and the token (or, for the methods
# authenticated with the app's client id and secret, ``client_id:client_secret``) to the
# fields of an ``ok: true`` answer. It refuses by raising ``SlackError``.
ApiMethod = Callable[[dict[str, Any], str], dict[str, Any]]


@dataclass
class User:
    id: str
    name: str
    real_name: str
    email: str
    tz: str
    is_admin: bool
    is_owner: bool
    deleted: bool
    is_bot: bool


@dataclass
class Conversation:
    id: str
    kind: str  # "im", "mpim" or "channel"
    members: tuple[str, ...]  # people only; the app's bot user is implied
    name: str = ""


@dataclass
class StoredView:
    id: str
    owner: str
    view: dict[str, Any]
    hash: str
    external_id: str | None


@dataclass
class Trigger:
    user_id: str
    sent_at: float  # time.monotonic() when the request carrying it left (or when it was minted)
    used: bool = False


@dataclass
class ResponseUrl:
    user_id: str
    channel_id: str
    issued_at: datetime
    uses: int = 0


@dataclass
class Upload:
    id: str
    filename: str
    length: int
    data: bytes | None = None  # None until the bytes are POSTed to the upload URL


@dataclass
class Workspace:
    team_id: str
    name: str
    domain: str
    enterprise_id: str | None = None
    org_wide: bool = False  # installs to it are org-wide (Enterprise Grid): the tenant is the enterprise


@dataclass
class IssuedToken:
    """A bot token the fake accepts: whose it is and, with rotation, when it stops working."""

    team_id: str
    expires_at: datetime | None = None


@dataclass
class OAuthApp:
    client_id: str
    client_secret: str
    token_rotation: bool
    redirect_uris: tuple[str, ...]

    @staticmethod
    def authenticate(app: OAuthApp | None, credentials: str) -> OAuthApp:
        """The app whose ``client_id:client_secret`` these are, or Slack's error for them (the
        token methods, ``oauth.v2.access`` and ``openid.connect.token``, check them alike)."""
        client_id, _, client_secret = credentials.partition(":")
        if app is None or client_id != app.client_id:
            raise SlackError("invalid_client_id")
        if client_secret != app.client_secret:
            raise SlackError("bad_client_secret")
        return app


@dataclass
class Grant:
    """A code from the consent screen, or a refresh token: each works once."""

    team_id: str
    scope: str
    issued_at: datetime
    redirect_uri: str | None = None
    used: bool = False


@dataclass
class OpenIdCode:
    """A code from Sign in with Slack's authorize step: who signed in, for which request; once."""

    user_id: str
    team_id: str
    nonce: str
    redirect_uri: str
    issued_at: datetime
    used: bool = False


@dataclass
class Bucket:
    tokens: float
    updated: datetime


@dataclass
class Fault:
    status: int
    error: str
    retry_after: int = 1  # seconds, in a 429's ``Retry-After``


class SlackState:
    """The state of a fake Slack: one workspace to start with, its directory, what was shown.

    Every read or write of it, from the test's thread or a server thread, holds ``_lock``.
    """

    def __init__(
        self,
        clock: Clock | None,
        *,
        team_id: str,
        enterprise_id: str | None,
        bot_tokens: Iterable[str],
        team_name: str,
        team_domain: str,
        freeze_triggers: bool,
        monotonic: Callable[[], float],
    ) -> None:
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.freeze_triggers = freeze_triggers
        self._monotonic = monotonic
        self._lock = threading.RLock()

        # Workspaces, tokens and installs (``oauth``).
        self.team_id = team_id
        self.enterprise_id = enterprise_id
        self.team_name = team_name
        self.team_domain = team_domain
        self._workspaces: dict[str, Workspace] = {
            team_id: Workspace(team_id, team_name, team_domain, enterprise_id)
        }
        self._issued: dict[str, IssuedToken] = {token: IssuedToken(team_id) for token in bot_tokens}
        self._revoked: set[str] = set()
        self._oauth_app: OAuthApp | None = None
        self._codes: dict[str, Grant] = {}
        self._refresh_tokens: dict[str, Grant] = {}

        # Sign in with Slack (``openid``): the app registered for it, who signs in next, the
        # codes and user tokens handed out, the signing key and what to get wrong on purpose.
        self._openid_app: OAuthApp | None = None
        self._openid_signed_in: tuple[str, str] | None = None  # (user id, team id)
        self._openid_codes: dict[str, OpenIdCode] = {}
        self._openid_tokens: dict[str, tuple[str, str]] = {}  # user token -> (user id, team id)
        self._openid_key: Any = None  # an RSA private key, made when OpenID is enabled
        self._openid_key_id = ""
        self._openid_tamper: dict[str, Any] = {}

        # The HTTP server (``server``) and the Web API methods it answers (``dispatch``).
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._methods: dict[str, ApiMethod] = {}

        # The directory and conversations (``directory``), messages (``chat``), views
        # (``views``), trigger ids (``triggers``), response URLs (``response_urls``), files (``files``).
        self._users: dict[str, User] = {}
        self._conversations: dict[str, Conversation] = {}
        self._conversation_index: dict[tuple[str, frozenset[str]], str] = {}
        self._messages: dict[tuple[str, str], dict[str, Any]] = {}
        self._views: dict[str, StoredView] = {}
        self._home_views: dict[str, str] = {}
        self._triggers: dict[str, Trigger] = {}
        self._response_urls: dict[str, ResponseUrl] = {}
        self._uploads: dict[str, Upload] = {}
        self._counters: dict[str, int] = {}
        self._last_ts_us = 0

        # Rate limits (``rate_limits``) and injected faults and delays (``faults``).
        self._method_limits: dict[str, int] = {}
        self._method_windows: dict[str, deque[datetime]] = {}
        self._channel_rate: float | None = 1.0
        self._channel_burst = 3
        self._channel_buckets: dict[str, Bucket] = {}
        self._faults: dict[str, deque[Fault]] = {}
        self._delays: dict[str, float] = {}

        # The recording (``recording``).
        self._calls: list[dict[str, Any]] = []
        self._ack_violations: list[Violation] = []
        self._call_tokens: list[str] = []  # beside the recording, same order: the token each call used
        # Also beside it, same order: when each request reached the fake, on the wall clock
        # (``time.time()``), since ``at`` follows the fake's clock, which a test may freeze.
        self._call_received: list[float] = []

    def _next_number(self, kind: str) -> int:
        """The next of a per-kind sequence (1, 2 ...): ids and codes reproducible run to run."""
        self._counters[kind] = self._counters.get(kind, 0) + 1
        return self._counters[kind]

    def _new_id(self, prefix: str) -> str:
        """A Slack-shaped id: ``prefix`` and eight digits (``D00000001``, ``V00000002`` ...)."""
        return f"{prefix}{self._next_number(prefix):08d}"
