"""A local fake of the Slack Web API, spoken over real HTTP.

Why a server and not a mock: the app talks to Slack through a real ``slack_sdk.WebClient``
(its retry handlers, its JSON versus form encoding, its error parsing), and the tests, the
demo and the benchmarks should exercise exactly that path. So this fake listens on a local
port and answers the handful of methods the app calls the way Slack does: it checks tokens
and required arguments, holds every view and message to Slack's documented limits
(``slack_limits``: too many options, too long a text... refused with Slack's error and
``response_metadata.messages``), also parses Block Kit with ``slack_sdk.models``, refuses with 429 and
``Retry-After`` past a rate limit, and records every request with the people who would see
it. The recording is what the privacy tests and ``hr-plugin demo`` read: "who saw what" is
answered from ``calls``, in the ``slack-calls.jsonl`` shape DESIGN.md fixes.

Files take Slack's upload flow: ``files.getUploadURLExternal`` hands out an upload URL on
this server, the bytes are POSTed there, and ``files.completeUploadExternal`` shares them
into a conversation; that last call is recorded with the file's text, as what people saw.

Several workspaces can install the app through OAuth (``enable_oauth``, ``add_workspace``):
``/oauth/v2/authorize`` plays the consent screen (it redirects back with a single-use code)
and ``oauth.v2.access`` exchanges the code, or a refresh token, for a bot token of that
workspace, expiring when token rotation is on. Each token belongs to one workspace, so
``auth.test`` answers for the right one; ``uninstall`` revokes a workspace's tokens, as
removing the app does. Which token each call carried is kept beside the recording
(``tokens_used``), never in it; codes, refresh tokens and client secrets are redacted.

Time comes from a ``Clock`` so that rate-limit windows, response-URL expiry and token expiry
are deterministic under a ``SimulatedClock``. Two things use wall time on purpose: ``delay()``
simulates a slow Slack for the app's own timeouts, and trigger ids expire 3 wall-clock seconds
(``time.monotonic``) after the signed client sent the request that carried them, as Slack's do:
an app too slow to open its modal is caught in the tests and the demo alike, whatever the
simulated clock says. Only the benchmark, which replays requests prepared long before, turns that
off (``freeze_triggers``).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import copy
import hashlib
import json
import math
import re
import secrets
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, cast
from urllib.parse import parse_qsl, urlencode, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from hr_plugin.clock import Clock, SystemClock
from hr_plugin.testing.slack_limits import Violation, check_message, check_view

__all__ = ["BOT_ID", "BOT_USER_ID", "CONTENT_METHODS", "FakeSlack"]

BOT_USER_ID = "UBOT"
BOT_ID = "B0BOT"

# Block Kit and surface limits live in ``slack_limits.LIMITS``, each with its source.
GROUP_DM_MAX_USERS = 8
TRIGGER_LIFETIME_SECONDS = 3.0  # wall-clock seconds from when the request carrying it was sent
RESPONSE_URL_LIFETIME = timedelta(minutes=30)
RESPONSE_URL_MAX_USES = 5
# files.completeUploadExternal takes conversation ids only (a user id is refused).
SHARE_CHANNEL_PATTERN = r"^[CGDZ][A-Z0-9]{8,}$"
RATE_WINDOW = timedelta(seconds=60)
OAUTH_CODE_LIFETIME = timedelta(minutes=10)
ACCESS_TOKEN_LIFETIME = timedelta(hours=12)  # with token rotation on
APP_ID = "A0DEMO"
# Arguments that are secrets: they are answered but never written into the recording.
_SECRET_ARGUMENTS = frozenset({"code", "refresh_token", "client_secret"})
# Methods authenticated with the app's client id and secret (HTTP Basic), not a token.
_CLIENT_AUTH_METHODS = frozenset({"oauth.v2.access"})
USERS_LIST_DEFAULT_LIMIT = 100
USERS_LIST_MAX_LIMIT = 1000

# Methods whose successful calls put something in front of a person; ``messages_seen_by``
# reads only these. Directory lookups and ``conversations.open`` show nobody anything.
CONTENT_METHODS = frozenset(
    {
        "chat.postMessage",
        "chat.update",
        "chat.postEphemeral",
        "views.publish",
        "views.open",
        "views.push",
        "views.update",
        "response_url",
        "ack",
        "files.completeUploadExternal",
    }
)

# Arguments that Slack accepts either as objects (JSON body) or as JSON-encoded strings
# (form body); the recording always holds the decoded object.
_JSON_ARGUMENTS = ("view", "blocks", "attachments", "metadata", "files")


class _SlackError(Exception):
    """A refusal, carried up to the dispatcher, which turns it into Slack's JSON answer."""

    def __init__(
        self,
        error: str,
        *,
        status: int = 200,
        messages: list[str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(error)
        self.error = error
        self.status = status
        self.messages = messages or []
        self.headers = dict(headers or {})

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error": self.error}
        if self.messages:
            # Slack puts validation details in ``response_metadata.messages``; the brief's
            # tests (and people reading the JSONL) find ``errors`` handier, so give both.
            body["errors"] = list(self.messages)
            body["response_metadata"] = {"messages": list(self.messages)}
        return body


def _missing(name: str) -> _SlackError:
    return _SlackError("invalid_arguments", messages=[f"[ERROR] missing required field: {name}"])


def _ratelimited(retry_after: float) -> _SlackError:
    seconds = max(1, math.ceil(retry_after))
    return _SlackError("ratelimited", status=429, headers={"Retry-After": str(seconds)})


@dataclass
class _Reply:
    status: int
    payload: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    text: str | None = None  # a plain-text answer (the upload URL's), instead of the JSON payload


@dataclass
class _User:
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
class _Conversation:
    id: str
    kind: str  # "im", "mpim" or "channel"
    members: tuple[str, ...]  # people only; the app's bot user is implied
    name: str = ""


@dataclass
class _StoredView:
    id: str
    owner: str
    view: dict[str, Any]
    hash: str
    external_id: str | None


@dataclass
class _Trigger:
    user_id: str
    sent_at: float  # time.monotonic() when the request carrying it left (or when it was minted)
    used: bool = False


@dataclass
class _ResponseUrl:
    user_id: str
    channel_id: str
    issued_at: datetime
    uses: int = 0


@dataclass
class _Upload:
    id: str
    filename: str
    length: int
    data: bytes | None = None  # None until the bytes are POSTed to the upload URL


@dataclass
class _Workspace:
    team_id: str
    name: str
    domain: str
    enterprise_id: str | None = None
    org_wide: bool = False  # installs to it are org-wide (Enterprise Grid): the tenant is the enterprise


@dataclass
class _IssuedToken:
    """A bot token the fake accepts: whose it is and, with rotation, when it stops working."""

    team_id: str
    expires_at: datetime | None = None


@dataclass
class _OAuthApp:
    client_id: str
    client_secret: str
    token_rotation: bool
    redirect_uris: tuple[str, ...]


@dataclass
class _Grant:
    """A code from the consent screen, or a refresh token: each works once."""

    team_id: str
    scope: str
    issued_at: datetime
    redirect_uri: str | None = None
    used: bool = False


@dataclass
class _Bucket:
    tokens: float
    updated: datetime


@dataclass
class _Fault:
    status: int
    error: str


class FakeSlack:
    """A Slack workspace with the app installed (or several, through OAuth), served on 127.0.0.1.

    The app under test points ``slack_sdk.WebClient(base_url=fake.base_url)`` at it. The
    signed request client (``SlackRequestClient``) mints trigger ids and response URLs here,
    so that the fake knows whose screen a modal or a ``respond()`` lands on.
    """

    def __init__(
        self,
        clock: Clock | None = None,
        *,
        team_id: str = "T0DEMO",
        enterprise_id: str | None = None,
        bot_tokens: Iterable[str] = ("xoxb-fake-token",),
        team_name: str = "Demo Company",
        team_domain: str = "demo",
        include_bot_user: bool = True,
        freeze_triggers: bool = False,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """``freeze_triggers`` is for the benchmark only: its requests are prepared (and their
        trigger ids minted) long before they are replayed, so there trigger ids never expire.
        Everywhere else they expire like Slack's, 3 wall seconds after the request was sent.
        ``monotonic`` is that wall clock; tests pass a controllable one instead of sleeping."""
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.freeze_triggers = freeze_triggers
        self._monotonic = monotonic
        self.team_id = team_id
        self.enterprise_id = enterprise_id
        self.team_name = team_name
        self.team_domain = team_domain
        self._workspaces: dict[str, _Workspace] = {
            team_id: _Workspace(team_id, team_name, team_domain, enterprise_id)
        }
        self._issued: dict[str, _IssuedToken] = {token: _IssuedToken(team_id) for token in bot_tokens}
        self._revoked: set[str] = set()
        self._oauth_app: _OAuthApp | None = None
        self._codes: dict[str, _Grant] = {}
        self._refresh_tokens: dict[str, _Grant] = {}
        self._lock = threading.RLock()
        self._server: _FakeSlackServer | None = None
        self._thread: threading.Thread | None = None

        self._users: dict[str, _User] = {}
        self._conversations: dict[str, _Conversation] = {}
        self._conversation_index: dict[tuple[str, frozenset[str]], str] = {}
        self._messages: dict[tuple[str, str], dict[str, Any]] = {}
        self._views: dict[str, _StoredView] = {}
        self._home_views: dict[str, str] = {}
        self._triggers: dict[str, _Trigger] = {}
        self._response_urls: dict[str, _ResponseUrl] = {}
        self._uploads: dict[str, _Upload] = {}
        self._counters: dict[str, int] = {}
        self._last_ts_us = 0

        self._method_limits: dict[str, int] = {}
        self._method_windows: dict[str, deque[datetime]] = {}
        self._channel_rate: float | None = 1.0
        self._channel_burst = 3
        self._channel_buckets: dict[str, _Bucket] = {}
        self._faults: dict[str, deque[_Fault]] = {}
        self._delays: dict[str, float] = {}

        self._calls: list[dict[str, Any]] = []
        self._ack_violations: list[Violation] = []
        self._call_tokens: list[str] = []  # beside the recording, same order: the token each call used
        self._methods: dict[str, Callable[[dict[str, Any], str], dict[str, Any]]] = {
            "auth.test": self._auth_test,
            "users.list": self._users_list,
            "users.info": self._users_info,
            "users.lookupByEmail": self._users_lookup_by_email,
            "conversations.open": self._conversations_open,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "views.publish": self._views_publish,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "files.getUploadURLExternal": self._files_get_upload_url_external,
            "files.completeUploadExternal": self._files_complete_upload_external,
            "oauth.v2.access": self._oauth_v2_access,
        }
        if include_bot_user:
            self.add_user(BOT_USER_ID, name="hr-plugin", real_name="HR Plugin", email="", is_bot=True)

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> FakeSlack:
        """Listen on an OS-chosen port in a daemon thread (a second call is a no-op)."""
        if self._server is not None:
            return self
        server = _FakeSlackServer(self)
        # A short poll interval keeps stop() quick; tests start and stop many fakes.
        thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-slack", daemon=True
        )
        thread.start()
        self._server, self._thread = server, thread
        return self

    def stop(self) -> None:
        """Stop serving and free the port; the recorded calls stay readable."""
        server, thread = self._server, self._thread
        self._server, self._thread = None, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The server root, ``http://127.0.0.1:PORT`` (no trailing slash)."""
        if self._server is None:
            raise RuntimeError("FakeSlack is not started; call start() or use it as a context manager")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def base_url(self) -> str:
        """What the app passes as ``WebClient(base_url=...)``: it ends in ``/api/``."""
        return f"{self.url}/api/"

    # -- the workspace -----------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        *,
        name: str,
        real_name: str,
        email: str,
        tz: str = "Europe/London",
        is_admin: bool = False,
        is_owner: bool = False,
        deleted: bool = False,
        is_bot: bool = False,
    ) -> None:
        """Add (or replace) a member of the workspace directory."""
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {tz!r} for {user_id}") from error
        with self._lock:
            self._users[user_id] = _User(
                id=user_id,
                name=name,
                real_name=real_name,
                email=email,
                tz=tz,
                is_admin=is_admin,
                is_owner=is_owner,
                deleted=deleted,
                is_bot=is_bot,
            )

    def deactivate(self, user_id: str) -> None:
        """Mark a user deleted, as an admin deactivating an account does."""
        with self._lock:
            self._users[user_id].deleted = True

    def user(self, user_id: str) -> dict[str, Any] | None:
        """The Slack-shaped user object, or None for an unknown id."""
        with self._lock:
            found = self._users.get(user_id)
            return self._user_json(found) if found is not None else None

    def add_channel(self, channel_id: str, *, name: str, members: Iterable[str]) -> None:
        """Declare a channel the app is in, for slash commands or ephemeral messages there."""
        with self._lock:
            self._conversations[channel_id] = _Conversation(
                id=channel_id, kind="channel", members=tuple(members), name=name
            )

    def dm_channel_for(self, user_id: str) -> str:
        """The id of the app's DM with this person (created on first use, then stable)."""
        with self._lock:
            return self._conversation_for([user_id]).id

    def conversation_members(self, channel_id: str) -> list[str]:
        """The people in a DM, group DM or declared channel (the bot user left out)."""
        with self._lock:
            conversation = self._conversations.get(channel_id)
            return list(conversation.members) if conversation is not None else []

    def view(self, view_id: str) -> dict[str, Any] | None:
        """A view as Slack last stored it (after views.open/push/update/publish), or None."""
        with self._lock:
            stored = self._views.get(view_id)
            return copy.deepcopy(stored.view) if stored is not None else None

    def last_modal(self, user_id: str) -> dict[str, Any] | None:
        """The modal most recently opened or pushed on this person's screen (with its ``id``)."""
        with self._lock:
            for stored in reversed(list(self._views.values())):
                if stored.owner == user_id and stored.view.get("type") == "modal":
                    return {**copy.deepcopy(stored.view), "id": stored.id}
            return None

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        """The App Home view last published for this person, or None."""
        with self._lock:
            view_id = self._home_views.get(user_id)
            return self.view(view_id) if view_id is not None else None

    # -- behaviour knobs -----------------------------------------------------------------

    def set_rate_limit(self, method: str, per_minute: int | None) -> None:
        """Allow ``per_minute`` calls of ``method`` in any sliding 60 s (None removes the limit)."""
        with self._lock:
            if per_minute is None:
                self._method_limits.pop(method, None)
            else:
                if per_minute < 1:
                    raise ValueError("per_minute must be at least 1")
                self._method_limits[method] = per_minute
            self._method_windows.pop(method, None)

    def set_channel_rate_limit(self, per_second: float | None = 1.0, *, burst: int = 3) -> None:
        """Pace ``chat.postMessage`` per channel: a token bucket (None disables it)."""
        with self._lock:
            if per_second is not None and (per_second <= 0 or burst < 1):
                raise ValueError("per_second must be positive and burst at least 1")
            self._channel_rate = per_second
            self._channel_burst = burst
            self._channel_buckets.clear()

    def fail_next(
        self, method: str, *, status: int = 500, error: str = "internal_error", count: int = 1
    ) -> None:
        """Make the next ``count`` calls of ``method`` fail with this HTTP status and error.

        ``status=200`` gives a Slack-level refusal (``ok: false``) instead of an outage;
        ``"response_url"`` and ``"upload_url"`` (the POST of a file's bytes) are accepted too.
        """
        with self._lock:
            queue = self._faults.setdefault(method, deque())
            queue.extend(_Fault(status=status, error=error) for _ in range(count))

    def delay(self, method: str, seconds: float) -> None:
        """Sleep (wall time) this long before answering ``method``; 0 removes the delay."""
        with self._lock:
            if seconds <= 0:
                self._delays.pop(method, None)
            else:
                self._delays[method] = seconds

    # -- installs (OAuth) ------------------------------------------------------------------------

    def enable_oauth(
        self,
        client_id: str,
        client_secret: str,
        *,
        token_rotation: bool = False,
        redirect_uris: Iterable[str] = (),
    ) -> None:
        """Distribute the app: installs go through ``/oauth/v2/authorize`` and ``oauth.v2.access``.

        ``redirect_uris`` are the app's configured Redirect URLs: a ``redirect_uri`` given in a
        request must start with one of them, and without one Slack uses the first. With
        ``token_rotation`` every bot token expires after 12 hours and comes with a refresh token.
        """
        with self._lock:
            self._oauth_app = _OAuthApp(client_id, client_secret, token_rotation, tuple(redirect_uris))

    def add_workspace(
        self,
        team_id: str,
        *,
        name: str,
        domain: str | None = None,
        enterprise_id: str | None = None,
        org_wide: bool = False,
    ) -> None:
        """Another workspace that can install the app (the directory of users stays shared)."""
        with self._lock:
            self._workspaces[team_id] = _Workspace(
                team_id, name, domain or team_id.lower(), enterprise_id, org_wide
            )

    def uninstall(self, team_id: str) -> int:
        """Remove the app from a workspace as its admin would: every token it had stops working.

        Returns how many access tokens were revoked. (The app learns of it from the
        ``app_uninstalled`` event, which the signed client sends.)
        """
        with self._lock:
            revoked = [token for token, issued in self._issued.items() if issued.team_id == team_id]
            for token in revoked:
                del self._issued[token]
                self._revoked.add(token)
            for grant in self._refresh_tokens.values():
                if grant.team_id == team_id:
                    grant.used = True
            return len(revoked)

    def tokens_used(self, method: str | None = None) -> list[str]:
        """The token each recorded call of ``method`` carried, oldest first ("" when none)."""
        with self._lock:
            return [
                token
                for call, token in zip(self._calls, self._call_tokens, strict=True)
                if method is None or call["method"] == method
            ]

    def token_team(self, token: str) -> str | None:
        """The workspace a token belongs to, or None for an unknown or revoked token."""
        with self._lock:
            issued = self._issued.get(token)
            return issued.team_id if issued is not None else None

    # -- what the signed client mints ------------------------------------------------------

    def register_trigger(self, user_id: str) -> str:
        """A new trigger id owned by this person, usable once, for 3 wall seconds from now.

        The signed client restarts those 3 s when it actually sends the request carrying the id
        (``trigger_sent``), so the app's time to answer is what counts, as with Slack.
        """
        with self._lock:
            number = self._next_number("trigger")
            # Shaped like Slack's ("12345.98765.abcd2358fdea") and reproducible run to run.
            digest = hashlib.sha256(f"{self.team_id}:{number}".encode()).hexdigest()
            trigger_id = f"{number}.{int(digest[:8], 16)}.{digest[8:20]}"
            self._triggers[trigger_id] = _Trigger(user_id=user_id, sent_at=self._monotonic())
            return trigger_id

    def trigger_sent(self, trigger_id: str) -> None:
        """The request carrying this trigger id leaves now: its 3 wall seconds start here."""
        with self._lock:
            trigger = self._triggers.get(trigger_id)
            if trigger is not None:
                trigger.sent_at = self._monotonic()

    def register_response_url(self, user_id: str, channel_id: str) -> str:
        """A response URL on this server for a person's interaction in a channel."""
        with self._lock:
            token = secrets.token_urlsafe(16)
            self._response_urls[token] = _ResponseUrl(
                user_id=user_id, channel_id=channel_id, issued_at=self.clock.now()
            )
        return f"{self.url}/response/{token}"

    def record_ack(
        self,
        body: dict[str, Any],
        audience: list[str],
        status: int,
        *,
        submitted_view: Mapping[str, Any] | None = None,
    ) -> None:
        """Record an HTTP ack body that showed someone content (method ``"ack"``).

        Slack holds an ack to the same limits as a Web API call: a ``response_action`` of
        ``update`` or ``push`` carries a modal view, an ack with ``text``/``blocks`` is a
        message, and the keys of ``response_action: errors`` must be block ids of input blocks
        in the submitted view (``submitted_view``, when known). An ack that breaks them shows the
        person Slack's error instead: it is recorded with ``ok`` false, and the reasons are kept
        in ``ack_violations``.
        """
        violations = _ack_violations(body, submitted_view)
        with self._lock:
            self._ack_violations.extend(violations)
        ok = 200 <= status < 300 and not violations
        self._record("ack", copy.deepcopy(body), list(audience), status, ok)

    @property
    def ack_violations(self) -> list[Violation]:
        """Why recorded acks were refused, oldest first (empty when every ack was valid)."""
        with self._lock:
            return list(self._ack_violations)

    # -- the recording -----------------------------------------------------------------------

    @property
    def calls(self) -> list[dict[str, Any]]:
        """A snapshot of every recorded request, oldest first."""
        with self._lock:
            return copy.deepcopy(self._calls)

    def calls_for(self, method: str | None = None, user: str | None = None) -> list[dict[str, Any]]:
        """Recorded calls of one method and/or with one person in the audience."""
        return self._select(
            lambda call: (
                (method is None or call["method"] == method) and (user is None or user in call["audience"])
            )
        )

    def messages_seen_by(self, user_id: str) -> list[dict[str, Any]]:
        """Everything that reached this person's screen: accepted content calls they were in."""
        return self._select(
            lambda call: call["ok"] and call["method"] in CONTENT_METHODS and user_id in call["audience"]
        )

    def files_seen_by(self, user_id: str) -> list[dict[str, Any]]:
        """The files shared where this person sees them, one dict per file, oldest first.

        Each holds ``id``, ``filename``, ``title``, ``content`` (the uploaded bytes as text),
        ``initial_comment``, ``channel_id`` and ``at``.
        """
        return [
            {
                **file,
                "initial_comment": call["params"].get("initial_comment", ""),
                "channel_id": call["params"].get("channel_id", ""),
                "at": call["at"],
            }
            for call in self.messages_seen_by(user_id)
            if call["method"] == "files.completeUploadExternal"
            for file in call["params"]["files"]
        ]

    def _select(self, keep: Callable[[dict[str, Any]], bool]) -> list[dict[str, Any]]:
        # Filter first, copy after: a long demo records thousands of calls.
        with self._lock:
            return [copy.deepcopy(call) for call in self._calls if keep(call)]

    def text_seen_by(self, user_id: str) -> str:
        """All strings in what this person saw, joined: a canary search needs only ``in``."""
        return "\n".join(
            text for call in self.messages_seen_by(user_id) for text in _strings_in(call["params"])
        )

    def write_jsonl(self, path: str | Path) -> Path:
        """Write ``slack-calls.jsonl``: one JSON object per recorded call."""
        target = Path(path)
        with target.open("w", encoding="utf-8") as out:
            for call in self.calls:
                out.write(json.dumps(call, ensure_ascii=False, sort_keys=True) + "\n")
        return target

    def reset_calls(self) -> None:
        """Forget the recording (the workspace state stays)."""
        with self._lock:
            self._calls.clear()
            self._call_tokens.clear()

    def _record(
        self, method: str, params: Any, audience: list[str], status: int, ok: bool, token: str = ""
    ) -> None:
        with self._lock:
            self._call_tokens.append(token)
            self._calls.append(
                {
                    "method": method,
                    "params": params,
                    "audience": audience,
                    "status": status,
                    "ok": ok,
                    "at": self.clock.now().isoformat(),
                }
            )

    # -- HTTP entry points (called from the server's threads) ----------------------------------

    def _handle_http(self, path: str, query: str, headers: Mapping[str, str], body: bytes) -> _Reply:
        if path.startswith("/api/"):
            return self._handle_api(path.removeprefix("/api/"), query, headers, body)
        if path.startswith("/response/"):
            return self._handle_response_url(path.removeprefix("/response/"), headers, body)
        if path.startswith("/upload/"):
            return self._handle_upload(path.removeprefix("/upload/"), body)
        if path == "/oauth/v2/authorize":
            return self._handle_authorize(query)
        return _Reply(404, {"ok": False, "error": "not_found"})

    def _handle_api(self, method: str, query: str, headers: Mapping[str, str], body: bytes) -> _Reply:
        params: dict[str, Any] = {}
        audience: list[str] = []
        token = ""
        try:
            params, token = _decode_request(query, headers, body)
            with self._lock:
                audience = self._audience_for(method, params)
            if method not in self._methods:
                raise _SlackError("unknown_method", status=404)
            self._sleep_if_delayed(method)
            with self._lock:
                self._inject_fault(method)
                if method in _CLIENT_AUTH_METHODS:
                    token = _basic_credentials(headers, params)
                else:
                    self._check_token(token)
                self._check_method_rate(method)
                result = self._methods[method](params, token)
                audience = self._audience_for(method, params, result)
            reply = _Reply(200, {"ok": True, **result})
        except _SlackError as refusal:
            reply = _Reply(refusal.status, refusal.payload(), refusal.headers)
        recorded = {
            name: "[redacted]" if name in _SECRET_ARGUMENTS else value for name, value in params.items()
        }
        recorded_token = "" if method in _CLIENT_AUTH_METHODS else token
        self._record(method, recorded, audience, reply.status, bool(reply.payload.get("ok")), recorded_token)
        return reply

    def _handle_authorize(self, query: str) -> _Reply:
        """The consent screen, approved at once: back to the app's redirect URL with a code.

        Like Slack it refuses an unknown client id or a redirect URL the app did not configure
        (answering the browser with an error page, not a redirect). ``team`` picks the workspace;
        the default is the fake's first one.
        """
        params = dict(parse_qsl(query, keep_blank_values=True))
        with self._lock:
            app = self._oauth_app
            team_id = params.get("team") or self.team_id
            recorded = {
                "client_id": params.get("client_id", ""),
                "scope": params.get("scope", ""),
                "team": team_id,
            }
            given = params.get("redirect_uri") or None
            redirect = given or (app.redirect_uris[0] if app is not None and app.redirect_uris else None)
            error = None
            if app is None or params.get("client_id") != app.client_id:
                error = "invalid_client_id"
            elif redirect is None or (app.redirect_uris and not redirect.startswith(app.redirect_uris)):
                error = "bad_redirect_uri"
            elif team_id not in self._workspaces:
                error = "invalid_team"
            if error is not None:
                self._record("oauth.authorize", recorded, [], 400, False)
                return _Reply(400, {"ok": False, "error": error}, text=error)
            code = f"{self._next_number('code')}.{secrets.token_urlsafe(12)}"
            self._codes[code] = _Grant(team_id, params.get("scope", ""), self.clock.now(), given)
            self._record("oauth.authorize", recorded, [], 302, True)
        assert redirect is not None
        separator = "&" if "?" in redirect else "?"
        location = redirect + separator + urlencode({"code": code, "state": params.get("state", "")})
        return _Reply(302, {"ok": True}, {"Location": location}, text="")

    def _handle_response_url(self, token: str, headers: Mapping[str, str], body: bytes) -> _Reply:
        params: dict[str, Any] = {}
        audience: list[str] = []
        try:
            try:
                decoded = json.loads(body.decode("utf-8") or "{}")
            except (UnicodeDecodeError, json.JSONDecodeError) as error:
                raise _SlackError("invalid_payload", status=400) from error
            if not isinstance(decoded, dict):
                raise _SlackError("invalid_payload", status=400)
            params = _decode_json_arguments(decoded)
            with self._lock:
                target = self._response_urls.get(token)
                if target is not None:
                    audience = self._response_audience(target, params)
            self._sleep_if_delayed("response_url")
            with self._lock:
                self._inject_fault("response_url")
                if target is None:
                    raise _SlackError("no_service", status=404)
                if self.clock.now() - target.issued_at > RESPONSE_URL_LIFETIME:
                    raise _SlackError("expired_url", status=404)
                if target.uses >= RESPONSE_URL_MAX_USES:
                    raise _SlackError("used_url", status=404)
                if not params.get("delete_original"):
                    self._check_message_content(params, status=400)
                target.uses += 1
            reply = _Reply(200, {"ok": True})
        except _SlackError as refusal:
            reply = _Reply(refusal.status, refusal.payload(), refusal.headers)
        self._record("response_url", params, audience, reply.status, bool(reply.payload.get("ok")))
        return reply

    def _handle_upload(self, file_id: str, body: bytes) -> _Reply:
        """The upload URL: store the bytes and answer in plain text, as Slack's file servers do.

        Recorded as ``upload_url`` with the size only (nobody sees anything yet; the content
        is recorded when ``files.completeUploadExternal`` shares it).
        """
        params: dict[str, Any] = {"file_id": file_id, "length": len(body)}
        self._sleep_if_delayed("upload_url")
        with self._lock:
            try:
                self._inject_fault("upload_url")
                upload = self._uploads.get(file_id)
                if upload is None:
                    raise _SlackError("file_not_found", status=404)
                upload.data = bytes(body)
                reply = _Reply(200, {"ok": True}, text=f"OK - {len(body)}")
            except _SlackError as refusal:
                reply = _Reply(refusal.status, {"ok": False}, refusal.headers, text=refusal.error)
        self._record("upload_url", params, [], reply.status, bool(reply.payload["ok"]))
        return reply

    def _sleep_if_delayed(self, method: str) -> None:
        with self._lock:
            seconds = self._delays.get(method, 0.0)
        if seconds > 0:
            time.sleep(seconds)

    def _inject_fault(self, method: str) -> None:
        queue = self._faults.get(method)
        if queue:
            fault = queue.popleft()
            headers = {"Retry-After": "1"} if fault.status == 429 else {}
            raise _SlackError(fault.error, status=fault.status, headers=headers)

    def _check_token(self, token: str) -> None:
        if not token:
            raise _SlackError("not_authed")
        if token in self._revoked:
            raise _SlackError("token_revoked")
        issued = self._issued.get(token)
        if issued is None:
            raise _SlackError("invalid_auth")
        if issued.expires_at is not None and self.clock.now() >= issued.expires_at:
            raise _SlackError("token_expired")

    def _check_method_rate(self, method: str) -> None:
        limit = self._method_limits.get(method)
        if limit is None:
            return
        now = self.clock.now()
        window = self._method_windows.setdefault(method, deque())
        while window and now - window[0] >= RATE_WINDOW:
            window.popleft()
        if len(window) >= limit:
            raise _ratelimited((window[0] + RATE_WINDOW - now).total_seconds())
        window.append(now)

    def _take_channel_token(self, channel_id: str) -> None:
        if self._channel_rate is None:
            return
        now = self.clock.now()
        bucket = self._channel_buckets.get(channel_id)
        if bucket is None:
            bucket = self._channel_buckets[channel_id] = _Bucket(float(self._channel_burst), now)
        elapsed = max(0.0, (now - bucket.updated).total_seconds())
        bucket.tokens = min(float(self._channel_burst), bucket.tokens + elapsed * self._channel_rate)
        bucket.updated = now
        if bucket.tokens < 1.0:
            raise _ratelimited((1.0 - bucket.tokens) / self._channel_rate)
        bucket.tokens -= 1.0

    # -- audiences ---------------------------------------------------------------------------

    def _audience_for(
        self, method: str, params: Mapping[str, Any], result: Mapping[str, Any] | None = None
    ) -> list[str]:
        """Who can or would see this call, worked out even when Slack refuses it."""
        if method in ("chat.postMessage", "chat.update"):
            channel = result.get("channel") if result else params.get("channel")
            return self._channel_audience(channel)
        if method == "chat.postEphemeral":
            return [str(params["user"])] if params.get("user") else []
        if method == "views.publish":
            return [str(params["user_id"])] if params.get("user_id") else []
        if method in ("views.open", "views.push"):
            trigger = self._triggers.get(str(params.get("trigger_id") or params.get("interactivity_pointer")))
            return [trigger.user_id] if trigger is not None else []
        if method == "views.update":
            stored = self._find_view(params)
            return [stored.owner] if stored is not None else []
        if method == "files.completeUploadExternal":
            return self._channel_audience(params.get("channel_id"))
        if method == "conversations.open":
            if params.get("users"):
                return _split_users(params["users"])
            return self.conversation_members(str(params.get("channel", "")))
        return []

    def _channel_audience(self, channel: Any) -> list[str]:
        if not isinstance(channel, str) or not channel:
            return []
        if channel.startswith(("U", "W")):
            return [channel]
        conversation = self._conversations.get(channel)
        return list(conversation.members) if conversation is not None else []

    def _response_audience(self, target: _ResponseUrl, params: Mapping[str, Any]) -> list[str]:
        if params.get("response_type") == "in_channel":
            members = self._channel_audience(target.channel_id)
            return members or [target.user_id]
        return [target.user_id]

    # -- the Web API methods ------------------------------------------------------------------

    def _auth_test(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        workspace = self._workspaces[self._issued[token].team_id]
        answer: dict[str, Any] = {
            "url": f"https://{workspace.domain}.slack.com/",
            "team": workspace.name,
            "user": "hr-plugin",
            "team_id": workspace.team_id,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": workspace.org_wide,
        }
        if workspace.enterprise_id is not None:
            answer["enterprise_id"] = workspace.enterprise_id
        return answer

    def _oauth_v2_access(self, params: dict[str, Any], credentials: str) -> dict[str, Any]:
        """A code from the consent screen, or a refresh token, for a new bot token (each works once)."""
        app = self._oauth_app
        client_id, _, client_secret = credentials.partition(":")
        if app is None or client_id != app.client_id:
            raise _SlackError("invalid_client_id")
        if client_secret != app.client_secret:
            raise _SlackError("bad_client_secret")
        grant_type = str(params.get("grant_type") or "authorization_code")
        if grant_type == "refresh_token":
            refresh = self._refresh_tokens.get(str(params.get("refresh_token") or ""))
            if refresh is None or refresh.used:
                raise _SlackError("invalid_refresh_token")
            refresh.used = True
            return self._issue_bot_token(refresh.team_id, refresh.scope, app)
        if grant_type != "authorization_code":
            raise _SlackError("unsupported_grant_type")
        code = self._codes.get(str(params.get("code") or ""))
        if code is None or code.used or self.clock.now() - code.issued_at > OAUTH_CODE_LIFETIME:
            raise _SlackError("invalid_code")
        code.used = True
        if code.redirect_uri is not None and params.get("redirect_uri") != code.redirect_uri:
            raise _SlackError("bad_redirect_uri")
        answer = self._issue_bot_token(code.team_id, code.scope, app)
        answer["authed_user"] = {"id": self._installer_id()}
        return answer

    def _issue_bot_token(self, team_id: str, scope: str, app: _OAuthApp) -> dict[str, Any]:
        workspace = self._workspaces[team_id]
        number = self._next_number("token")
        answer: dict[str, Any] = {
            "app_id": APP_ID,
            "scope": scope,
            "token_type": "bot",
            "bot_user_id": BOT_USER_ID,
            "team": None if workspace.org_wide else {"id": workspace.team_id, "name": workspace.name},
            "enterprise": {"id": workspace.enterprise_id, "name": f"{workspace.name} Enterprise"}
            if workspace.enterprise_id is not None
            else None,
            "is_enterprise_install": workspace.org_wide,
        }
        if app.token_rotation:
            token = f"xoxe.xoxb-1-{team_id}-{number}-{secrets.token_hex(8)}"
            refresh = f"xoxe-1-{team_id}-{number}-{secrets.token_hex(8)}"
            self._issued[token] = _IssuedToken(team_id, self.clock.now() + ACCESS_TOKEN_LIFETIME)
            self._refresh_tokens[refresh] = _Grant(team_id, scope, self.clock.now())
            answer.update(
                access_token=token,
                refresh_token=refresh,
                expires_in=int(ACCESS_TOKEN_LIFETIME.total_seconds()),
            )
        else:
            token = f"xoxb-{team_id}-{number}-{secrets.token_hex(8)}"
            self._issued[token] = _IssuedToken(team_id)
            answer["access_token"] = token
        return answer

    def _installer_id(self) -> str:
        """Who clicked Allow: the first workspace owner, else the first person in the directory."""
        people = [user for user in self._users.values() if not user.is_bot]
        owners = [user for user in people if user.is_owner]
        return (owners or people)[0].id if people else "UINSTALLER"

    def _users_list(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        raw_limit = params.get("limit")
        try:
            limit = int(raw_limit) if raw_limit not in (None, "") else 0
        except (TypeError, ValueError) as error:
            raise _SlackError("invalid_limit") from error
        if limit < 0:
            raise _SlackError("invalid_limit")
        limit = min(limit or USERS_LIST_DEFAULT_LIMIT, USERS_LIST_MAX_LIMIT)
        ids = list(self._users)
        start = 0
        cursor = params.get("cursor")
        if cursor:
            start = self._cursor_position(str(cursor), ids)
        page = ids[start : start + limit]
        next_cursor = _encode_cursor(ids[start + limit]) if start + limit < len(ids) else ""
        return {
            "members": [self._user_json(self._users[user_id]) for user_id in page],
            "cache_ts": int(self.clock.now().timestamp()),
            "response_metadata": {"next_cursor": next_cursor},
        }

    def _cursor_position(self, cursor: str, ids: list[str]) -> int:
        try:
            decoded = base64.b64decode(cursor.encode(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError) as error:
            raise _SlackError("invalid_cursor") from error
        user_id = decoded.removeprefix("user:")
        if not decoded.startswith("user:") or user_id not in ids:
            raise _SlackError("invalid_cursor")
        return ids.index(user_id)

    def _users_info(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        user_id = params.get("user")
        if not user_id:
            raise _missing("user")
        found = self._users.get(str(user_id))
        if found is None:
            raise _SlackError("user_not_found")
        return {"user": self._user_json(found)}

    def _users_lookup_by_email(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        email = str(params.get("email") or "").strip().lower()
        if not email:
            raise _missing("email")
        for candidate in self._users.values():
            if candidate.email and candidate.email.lower() == email:
                # Slack still answers for a deactivated account, flagged ``deleted``.
                return {"user": self._user_json(candidate)}
        raise _SlackError("users_not_found")

    def _conversations_open(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        if params.get("channel") and not params.get("users"):
            existing = self._conversations.get(str(params["channel"]))
            if existing is None or existing.kind == "channel":
                raise _SlackError("channel_not_found")
            return {"no_op": True, "already_open": True, "channel": {"id": existing.id}}
        users = _split_users(params.get("users", ""))
        if not users:
            raise _SlackError("not_enough_users")
        if len(users) > GROUP_DM_MAX_USERS:
            raise _SlackError("too_many_users")
        for user_id in users:
            found = self._users.get(user_id)
            if found is None:
                raise _SlackError("user_not_found")
            if found.is_bot:
                raise _SlackError("cannot_dm_bot")
            if found.deleted:
                raise _SlackError("user_disabled")
        key = ("im" if len(set(users)) == 1 else "mpim", frozenset(users))
        already_open = key in self._conversation_index
        conversation = self._conversation_for(users)
        answer: dict[str, Any] = {"channel": {"id": conversation.id}}
        if already_open:
            answer.update({"no_op": True, "already_open": True})
        return answer

    def _chat_post_message(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        conversation = self._resolve_channel(params.get("channel"))
        blocks = self._check_message_content(params)
        self._take_channel_token(conversation.id)
        ts = self._next_ts()
        message = self._message_json(params, blocks, ts)
        self._messages[(conversation.id, ts)] = message
        return {"channel": conversation.id, "ts": ts, "message": message}

    def _chat_post_ephemeral(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        conversation = self._resolve_channel(params.get("channel"))
        user_id = params.get("user")
        if not user_id:
            raise _missing("user")
        if str(user_id) not in self._users:
            raise _SlackError("user_not_found")
        if str(user_id) not in conversation.members:
            raise _SlackError("user_not_in_channel")
        self._check_message_content(params)
        return {"message_ts": self._next_ts()}

    def _chat_update(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        conversation = self._resolve_channel(params.get("channel"))
        ts = str(params.get("ts") or "")
        if not ts:
            raise _missing("ts")
        if (conversation.id, ts) not in self._messages:
            raise _SlackError("message_not_found")
        blocks = self._check_message_content(params)
        message = self._message_json(params, blocks, ts)
        message["edited"] = {"user": BOT_USER_ID, "ts": self._next_ts()}
        self._messages[(conversation.id, ts)] = message
        return {"channel": conversation.id, "ts": ts, "text": message.get("text", ""), "message": message}

    def _views_publish(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        user_id = params.get("user_id")
        if not user_id:
            raise _missing("user_id")
        view = self._check_view(params, allowed_type="home")
        owner = self._users.get(str(user_id))
        if owner is None:
            raise _SlackError("user_not_found")
        if owner.deleted:
            raise _SlackError("account_inactive")
        existing_id = self._home_views.get(owner.id)
        self._check_hash(params, self._views.get(existing_id) if existing_id else None)
        stored = self._store_view(view, owner=owner.id, view_id=existing_id)
        self._home_views[owner.id] = stored.id
        return {"view": copy.deepcopy(stored.view)}

    def _views_open(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        trigger = self._exchange_trigger(params)
        view = self._check_view(params, allowed_type="modal")
        stored = self._store_view(view, owner=trigger.user_id)
        return {"view": copy.deepcopy(stored.view)}

    def _views_push(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        trigger = self._exchange_trigger(params)
        view = self._check_view(params, allowed_type="modal")
        stored = self._store_view(view, owner=trigger.user_id)
        return {"view": copy.deepcopy(stored.view)}

    def _views_update(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        if not params.get("view_id") and not params.get("external_id"):
            raise _missing("view_id or external_id")
        stored = self._find_view(params)
        if stored is None:
            raise _SlackError("not_found")
        view = self._check_view(params, allowed_type=str(stored.view.get("type")))
        self._check_hash(params, stored)
        updated = self._store_view(view, owner=stored.owner, view_id=stored.id)
        return {"view": copy.deepcopy(updated.view)}

    def _files_get_upload_url_external(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        filename = params.get("filename")
        if not filename:
            raise _missing("filename")
        raw_length = params.get("length")
        if raw_length in (None, ""):
            raise _missing("length")
        try:
            length = int(str(raw_length))
        except ValueError as error:
            raise _SlackError(
                "invalid_arguments", messages=["[ERROR] length must be an integer [json-pointer:/length]"]
            ) from error
        if length < 0:
            raise _SlackError(
                "invalid_arguments", messages=["[ERROR] length must not be negative [json-pointer:/length]"]
            )
        file_id = self._new_id("F")
        self._uploads[file_id] = _Upload(id=file_id, filename=str(filename), length=length)
        return {"upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}

    def _files_complete_upload_external(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        """Share uploaded files into one conversation the app is in.

        Every conversation the fake knows has the app's bot user in it (DMs and group DMs are
        opened by the app, channels are declared as ones it is in), so an unknown id is the
        one way not to be in it, and Slack answers ``channel_not_found`` for that. Sharing
        into ``channels`` (the older list form) is not modelled and is refused.
        """
        described = params.get("files")
        if described in (None, "", []):
            raise _missing("files")
        if not isinstance(described, list) or not all(
            isinstance(item, dict) and item.get("id") for item in described
        ):
            raise _SlackError(
                "invalid_arguments",
                messages=["[ERROR] files must be a JSON array of objects with an id [json-pointer:/files]"],
            )
        if params.get("channels"):
            raise _SlackError(
                "invalid_arguments",
                messages=["[ERROR] this fake shares into channel_id only [json-pointer:/channels]"],
            )
        channel_id = str(params.get("channel_id") or "")
        if not channel_id:
            raise _missing("channel_id")  # Slack would keep the file private; the app never wants that
        if not re.fullmatch(SHARE_CHANNEL_PATTERN, channel_id):
            raise _SlackError(
                "invalid_arguments",
                messages=[
                    f"[ERROR] input must match regex pattern: {SHARE_CHANNEL_PATTERN} "
                    "[json-pointer:/channel_id]"
                ],
            )
        self._resolve_channel(channel_id)  # unknown: channel_not_found; a left person's DM: account_inactive
        shared: list[dict[str, Any]] = []
        for item in described:
            upload = self._uploads.get(str(item["id"]))
            if upload is None or upload.data is None:
                raise _SlackError("file_not_found")
            title = str(item.get("title") or upload.filename)
            shared.append(
                {
                    "id": upload.id,
                    "filename": upload.filename,
                    "title": title,
                    "content": upload.data.decode("utf-8", errors="replace"),
                }
            )
        # The recording shows what people received: each file's name, title and text.
        params["files"] = shared
        return {"files": [{"id": f["id"], "title": f["title"], "name": f["filename"]} for f in shared]}

    # -- helpers behind the methods ----------------------------------------------------------

    def _resolve_channel(self, channel: Any) -> _Conversation:
        """A channel argument as Slack reads it: a conversation id, or a user id for the DM."""
        if not channel:
            raise _SlackError("channel_not_found")
        channel = str(channel)
        if channel.startswith(("U", "W")):
            found = self._users.get(channel)
            if found is None:
                raise _SlackError("channel_not_found")
            if found.is_bot:
                raise _SlackError("cannot_dm_bot")
            if found.deleted:
                raise _SlackError("account_inactive")
            return self._conversation_for([channel])
        conversation = self._conversations.get(channel)
        if conversation is None:
            raise _SlackError("channel_not_found")
        if conversation.kind == "im" and self._users[conversation.members[0]].deleted:
            raise _SlackError("account_inactive")
        return conversation

    def _conversation_for(self, users: list[str]) -> _Conversation:
        members = tuple(dict.fromkeys(users))
        kind = "im" if len(members) == 1 else "mpim"
        key = (kind, frozenset(members))
        existing = self._conversation_index.get(key)
        if existing is not None:
            return self._conversations[existing]
        conversation = _Conversation(
            id=self._new_id("D" if kind == "im" else "G"), kind=kind, members=members
        )
        self._conversations[conversation.id] = conversation
        self._conversation_index[key] = conversation.id
        return conversation

    def _check_message_content(self, params: Mapping[str, Any], *, status: int = 200) -> list[dict[str, Any]]:
        """Slack's checks on a message body: something to show, within the limits."""
        text = params.get("text")
        blocks_arg = params.get("blocks")
        if not text and not blocks_arg and not params.get("attachments"):
            raise _SlackError("no_text", status=status)
        try:
            blocks = _block_list(blocks_arg)
            _refuse(check_message({**params, "blocks": blocks}), status=status)
            _parse_with_sdk(blocks, error="invalid_blocks", pointer="/blocks")
        except _SlackError as refusal:
            refusal.status = status
            raise
        return blocks

    def _check_view(self, params: Mapping[str, Any], *, allowed_type: str) -> dict[str, Any]:
        raw = params.get("view")
        if raw in (None, ""):
            raise _missing("view")
        if not isinstance(raw, dict):
            raise _SlackError(
                "invalid_arguments", messages=["[ERROR] view must be a JSON object [json-pointer:/view]"]
            )
        return _validate_view(raw, surface=allowed_type)

    def _exchange_trigger(self, params: Mapping[str, Any]) -> _Trigger:
        trigger_id = params.get("trigger_id") or params.get("interactivity_pointer")
        if not trigger_id:
            raise _missing("trigger_id")
        trigger = self._triggers.get(str(trigger_id))
        if trigger is None or (
            not self.freeze_triggers and self._monotonic() - trigger.sent_at > TRIGGER_LIFETIME_SECONDS
        ):
            raise _SlackError("expired_trigger_id")
        if trigger.used:
            raise _SlackError("exchanged_trigger_id")
        trigger.used = True
        return trigger

    def _find_view(self, params: Mapping[str, Any]) -> _StoredView | None:
        view_id = params.get("view_id")
        if view_id:
            return self._views.get(str(view_id))
        external_id = params.get("external_id")
        if external_id:
            for stored in self._views.values():
                if stored.external_id == external_id:
                    return stored
        return None

    def _check_hash(self, params: Mapping[str, Any], stored: _StoredView | None) -> None:
        given = params.get("hash")
        if given and stored is not None and given != stored.hash:
            raise _SlackError("hash_conflict")

    def _store_view(self, view: dict[str, Any], *, owner: str, view_id: str | None = None) -> _StoredView:
        external_id = view.get("external_id") or None
        previous = self._views.get(view_id) if view_id else None
        if external_id is None and previous is not None:
            external_id = previous.external_id  # an update that does not name it keeps it
        if external_id is not None:
            for other in self._views.values():
                if other.external_id == external_id and other.id != view_id:
                    raise _SlackError("duplicate_external_id")
        view_id = view_id or self._new_id("V")
        now = self.clock.now()
        view_hash = f"{int(now.timestamp())}.{self._next_number('hash'):08d}"
        stored_view = copy.deepcopy(view)
        stored_view.update(
            {
                "id": view_id,
                "team_id": self.team_id,
                "app_id": "A0DEMO",
                "bot_id": BOT_ID,
                "hash": view_hash,
                "root_view_id": view_id,
                "previous_view_id": None,
                "private_metadata": view.get("private_metadata", ""),
                "callback_id": view.get("callback_id", ""),
                "external_id": external_id or "",
                "state": {"values": {}},
                "clear_on_close": bool(view.get("clear_on_close", False)),
                "notify_on_close": bool(view.get("notify_on_close", False)),
            }
        )
        stored = _StoredView(
            id=view_id, owner=owner, view=stored_view, hash=view_hash, external_id=external_id
        )
        self._views[view_id] = stored
        return stored

    def _message_json(
        self, params: Mapping[str, Any], blocks: list[dict[str, Any]], ts: str
    ) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "text": params.get("text") or "",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "app_id": "A0DEMO",
            "team": self.team_id,
            "ts": ts,
        }
        if blocks:
            message["blocks"] = copy.deepcopy(blocks)
        if params.get("thread_ts"):
            message["thread_ts"] = params["thread_ts"]
        return message

    def _user_json(self, user: _User) -> dict[str, Any]:
        zone = ZoneInfo(user.tz)
        local_now = self.clock.now().astimezone(zone)
        offset = local_now.utcoffset() or timedelta(0)
        return {
            "id": user.id,
            "team_id": self.team_id,
            "name": user.name,
            "real_name": user.real_name,
            "deleted": user.deleted,
            "is_admin": user.is_admin,
            "is_owner": user.is_owner,
            "is_bot": user.is_bot,
            "is_app_user": False,
            "tz": user.tz,
            "tz_label": local_now.tzname() or user.tz,
            "tz_offset": int(offset.total_seconds()),
            "profile": {
                "email": user.email,
                "real_name": user.real_name,
                "display_name": user.name,
            },
        }

    def _next_ts(self) -> str:
        """A message ts like Slack's: epoch seconds and microseconds, unique and increasing."""
        now_us = int(self.clock.now().timestamp() * 1_000_000)
        self._last_ts_us = max(now_us, self._last_ts_us + 1)
        seconds, micros = divmod(self._last_ts_us, 1_000_000)
        return f"{seconds}.{micros:06d}"

    def _next_number(self, kind: str) -> int:
        self._counters[kind] = self._counters.get(kind, 0) + 1
        return self._counters[kind]

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}{self._next_number(prefix):08d}"


# -- request decoding and validation (pure functions) -------------------------------------------


def _decode_request(query: str, headers: Mapping[str, str], body: bytes) -> tuple[dict[str, Any], str]:
    """Arguments from the query string and the body, and the token, as Slack reads them.

    Slack takes a token from the ``Authorization`` header, or from a ``token`` argument in a
    query string or form body; a ``token`` inside a JSON body is not honoured (Slack
    answers ``not_authed``), so the fake does not honour it either. The token never goes
    into the recording.
    """
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    token = str(params.pop("token", "") or "")
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    text = body.decode("utf-8", errors="replace") if body else ""
    if text.strip():
        if content_type == "application/json":
            try:
                decoded = json.loads(text)
            except json.JSONDecodeError as error:
                raise _SlackError("invalid_json") from error
            if not isinstance(decoded, dict):
                raise _SlackError("invalid_json")
            decoded.pop("token", None)
            params.update(decoded)
        elif content_type in ("application/x-www-form-urlencoded", ""):
            form = dict(parse_qsl(text, keep_blank_values=True))
            token = str(form.pop("token", "") or token)
            params.update(form)
        else:
            raise _SlackError("invalid_post_type")
    authorization = headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        token = authorization[len("bearer ") :].strip()
    return _decode_json_arguments(params), token


def _decode_json_arguments(params: dict[str, Any]) -> dict[str, Any]:
    """Turn JSON-string arguments (``view``, ``blocks`` ...) into objects where they parse."""
    decoded = dict(params)
    for name in _JSON_ARGUMENTS:
        value = decoded.get(name)
        if isinstance(value, str) and value.strip()[:1] in ("{", "["):
            # Left as a string when it does not parse; the method's validation refuses it.
            with contextlib.suppress(json.JSONDecodeError):
                decoded[name] = json.loads(value)
    return decoded


def _basic_credentials(headers: Mapping[str, str], params: dict[str, Any]) -> str:
    """``client_id:client_secret`` from HTTP Basic auth, or from the arguments (both allowed)."""
    authorization = headers.get("authorization", "")
    if authorization.lower().startswith("basic "):
        try:
            return base64.b64decode(authorization[len("basic ") :].strip()).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise _SlackError("invalid_client_id") from None
    return f"{params.get('client_id', '')}:{params.get('client_secret', '')}"


def _split_users(raw: Any) -> list[str]:
    if isinstance(raw, list | tuple):
        return [str(item).strip() for item in raw if str(item).strip()]
    return [part.strip() for part in str(raw).split(",") if part.strip()]


def _encode_cursor(user_id: str) -> str:
    return base64.b64encode(f"user:{user_id}".encode()).decode()


def _block_list(raw: Any) -> list[dict[str, Any]]:
    """A ``blocks`` argument as a list (JSON text decoded), or ``invalid_blocks_format``."""
    if raw in (None, "", []):
        return []
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as error:
            raise _SlackError("invalid_blocks_format") from error
    if not isinstance(raw, list):
        raise _SlackError("invalid_blocks_format")
    return cast(list[dict[str, Any]], raw)


def _refuse(violations: list[Violation], *, status: int = 200) -> None:
    """Answer the way Slack does for broken limits: the first violation's error, every message."""
    if violations:
        raise _SlackError(
            violations[0].error, status=status, messages=[violation.message for violation in violations]
        )


def _parse_with_sdk(blocks: list[dict[str, Any]], *, error: str, pointer: str) -> None:
    """A second opinion from ``slack_sdk.models``: what it cannot parse, Slack refuses too.

    The limits table (``slack_limits``) is the main check; this catches shapes it does not
    model (a block missing a field the library requires, for example).
    """
    problems: list[str] = []
    for index, block in enumerate(blocks):
        where = f"[json-pointer:{pointer}/{index}]"
        try:
            parsed = Block.parse(block)
            if parsed is None:
                problems.append(f"[ERROR] unsupported block type {block.get('type')!r} {where}")
                continue
            parsed.to_dict()
        except Exception as failure:  # any failure of the library's parsing is a refusal
            problems.append(f"[ERROR] {failure} {where}")
    if problems:
        raise _SlackError(error, messages=problems)


def _validate_view(view: dict[str, Any], *, surface: str) -> dict[str, Any]:
    """A view within Slack's limits: ``invalid_arguments`` for anything wrong, blocks included.

    The views methods document ``invalid_arguments`` (they have no ``invalid_blocks``), and
    that is what Slack answers for a broken block inside a view too.
    """
    if surface not in ("modal", "home"):
        raise _SlackError(
            "invalid_arguments", messages=[f"[ERROR] unknown view type {surface!r} [json-pointer:/view/type]"]
        )
    _refuse(check_view(view, surface=cast(Literal["modal", "home"], surface)))
    _parse_with_sdk(_block_list(view.get("blocks")), error="invalid_arguments", pointer="/view/blocks")
    try:
        View(**view).to_dict()
    except Exception as failure:  # the library's verdict, whatever its form
        raise _SlackError("invalid_arguments", messages=[f"[ERROR] {failure} [json-pointer:/view]"]) from None
    return view


def _ack_violations(body: Mapping[str, Any], submitted_view: Mapping[str, Any] | None) -> list[Violation]:
    """What Slack would refuse in an HTTP ack: its view, its message, its error keys."""
    action = body.get("response_action")
    if action in ("update", "push"):
        view = body.get("view")
        if not isinstance(view, Mapping):
            return [
                Violation(
                    "invalid_arguments", "/view", "[ERROR] missing required field: view [json-pointer:/view]"
                )
            ]
        return check_view(view, surface="modal")
    if action == "errors":
        return _error_key_violations(body.get("errors"), submitted_view)
    if body.get("text") or body.get("blocks") or body.get("attachments"):
        return check_message(body)
    return []


def _error_key_violations(errors: Any, submitted_view: Mapping[str, Any] | None) -> list[Violation]:
    """``response_action: errors`` names input blocks of the submitted view by block id."""
    if not isinstance(errors, Mapping) or not errors:
        return [
            Violation("invalid_arguments", "/errors", "[ERROR] must provide an object [json-pointer:/errors]")
        ]
    if submitted_view is None:
        return []
    blocks = submitted_view.get("blocks")
    inputs = {
        block.get("block_id")
        for block in (blocks if isinstance(blocks, list) else [])
        if isinstance(block, Mapping) and block.get("type") == "input"
    }
    return [
        Violation(
            "invalid_arguments",
            f"/errors/{key}",
            f"[ERROR] {key!r} is not the block_id of an input block in the view [json-pointer:/errors/{key}]",
        )
        for key in errors
        if key not in inputs
    ]


def _strings_in(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings_in(item)


# -- the HTTP server ------------------------------------------------------------------------------


class _FakeSlackServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (a timeout under test) is expected, not a server fault."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

    def __init__(self, fake: FakeSlack) -> None:
        super().__init__(("127.0.0.1", 0), _FakeSlackHandler)
        self.fake = fake


class _FakeSlackHandler(BaseHTTPRequestHandler):
    server_version = "FakeSlack/1.0"

    def do_POST(self) -> None:
        self._answer()

    def do_GET(self) -> None:
        self._answer()

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        split = urlsplit(self.path)
        headers = {name.lower(): value for name, value in self.headers.items()}
        fake = cast(_FakeSlackServer, self.server).fake
        reply = fake._handle_http(split.path, split.query, headers, body)
        if reply.text is not None:
            data, content_type = reply.text.encode("utf-8"), "text/plain; charset=utf-8"
        else:
            data, content_type = json.dumps(reply.payload).encode("utf-8"), "application/json; charset=utf-8"
        self.send_response(reply.status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the recording in ``FakeSlack.calls`` is the log."""
