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

Time comes from a ``Clock`` so that rate-limit windows, response-URL expiry and token expiry
are deterministic under a ``SimulatedClock``. Two things use wall time on purpose: ``delay()``
simulates a slow Slack for the app's own timeouts, and trigger ids expire 3 wall-clock seconds
after the signed client sent the request that carried them (see ``triggers``).

``FakeSlack`` is one class composed of mixins, one per concern, each in its own module:

- ``fake``: ``FakeSlack`` itself: the constructor, the table of Web API methods, the bot user.
- ``state``: the records (users, conversations, views, tokens ...) and ``SlackState``, the
  typed base holding all state under one lock, which every mixin derives from.
- ``server``: the HTTP server on 127.0.0.1; ``start``, ``stop``, ``url``, ``base_url``.
- ``dispatch``: routing of each path, and the order of checks every Web API call goes through.
- ``decoding``: reading arguments, tokens and client credentials from a request.
- ``replies``: ``SlackError`` (a refusal) and ``Reply`` (an HTTP answer).
- ``content``: message, view and ack bodies held to ``slack_limits`` and ``slack_sdk.models``.
- ``directory``: users and conversations; ``users.*`` and ``conversations.open``.
- ``chat``: ``chat.postMessage``, ``chat.postEphemeral``, ``chat.update``.
- ``views``: ``views.open``, ``views.push``, ``views.update``, ``views.publish``.
- ``files``: ``files.getUploadURLExternal``, the upload URL, ``files.completeUploadExternal``.
- ``oauth``: workspaces and tokens; ``auth.test``, the consent screen, ``oauth.v2.access``.
- ``openid``: Sign in with Slack; the authorize step, ``openid.connect.token`` (a signed
  ``id_token``), ``openid.connect.userInfo`` and the keys.
- ``triggers``: trigger ids, minted for the signed client and exchanged once.
- ``response_urls``: response URLs, minted for the signed client and POSTed to by the app.
- ``rate_limits``: per-method and per-channel limits, answered 429 with ``Retry-After``.
- ``faults``: injected failures (``fail_next``) and delays (``delay``).
- ``recording``: the recorded calls and what each person saw (``calls``, ``calls_for``,
  ``call_count`` and ``arrivals`` (wall-clock receive times, read without copying),
  ``messages_seen_by``, ``reset_calls``, ``record_ack`` ...).
- ``audiences``: who would see each call, worked out even when Slack refuses it.

This module names what the rest of the project uses; import from here, not from the modules.
"""

from hr_plugin.testing.fake_slack.directory import (
    GROUP_DM_MAX_USERS,
    USERS_LIST_DEFAULT_LIMIT,
    USERS_LIST_MAX_LIMIT,
)
from hr_plugin.testing.fake_slack.fake import FakeSlack
from hr_plugin.testing.fake_slack.files import SHARE_CHANNEL_PATTERN
from hr_plugin.testing.fake_slack.oauth import ACCESS_TOKEN_LIFETIME, OAUTH_CODE_LIFETIME
from hr_plugin.testing.fake_slack.rate_limits import RATE_WINDOW
from hr_plugin.testing.fake_slack.recording import CONTENT_METHODS
from hr_plugin.testing.fake_slack.replies import ratelimited
from hr_plugin.testing.fake_slack.response_urls import RESPONSE_URL_LIFETIME, RESPONSE_URL_MAX_USES
from hr_plugin.testing.fake_slack.state import APP_ID, BOT_ID, BOT_USER_ID
from hr_plugin.testing.fake_slack.triggers import TRIGGER_LIFETIME_SECONDS

# bench/fanout.py's workspace-wide budget refuses with Slack's 429 the way the fake's own limits do.
_ratelimited = ratelimited

__all__ = [
    "ACCESS_TOKEN_LIFETIME",
    "APP_ID",
    "BOT_ID",
    "BOT_USER_ID",
    "CONTENT_METHODS",
    "GROUP_DM_MAX_USERS",
    "OAUTH_CODE_LIFETIME",
    "RATE_WINDOW",
    "RESPONSE_URL_LIFETIME",
    "RESPONSE_URL_MAX_USES",
    "SHARE_CHANNEL_PATTERN",
    "TRIGGER_LIFETIME_SECONDS",
    "USERS_LIST_DEFAULT_LIMIT",
    "USERS_LIST_MAX_LIMIT",
    "FakeSlack",
]
