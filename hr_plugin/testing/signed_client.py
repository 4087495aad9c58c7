"""Requests to the app shaped and signed like Slack's own.

Why: the app's first line of defence is Slack's request signature, and its listeners read
Slack's payloads field by field. Tests and the demo should go through both for real, so this
client builds the documented payloads (slash commands, block actions, view submissions,
shortcuts, Events API envelopes), signs them with the signing secret exactly as Slack does
(HMAC-SHA256 over ``v0:{timestamp}:{raw body}``) and POSTs them over HTTP to the running app.

Trigger ids and response URLs come from the ``FakeSlack``, which then knows whose screen a
modal or a ``respond()`` reaches. A trigger id's 3 seconds start when the request carrying it
is sent (``send`` tells the fake), as Slack's start when Slack sends the interaction. When the
app's HTTP answer itself carries something a person sees (an ack with text or blocks, a
``response_action`` with a view or errors), the client records it on the fake as method
``"ack"``, so that "who saw what" is complete, and the fake holds it to Slack's limits.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hr_plugin.testing.fake_slack import BOT_USER_ID, FakeSlack

__all__ = ["SignedResponse", "SlackRequestClient", "sign_request"]

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
JSON_CONTENT_TYPE = "application/json"
SLACK_USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"

_event_numbers = itertools.count(1)


def sign_request(signing_secret: str, timestamp: str, body: bytes) -> str:
    """Slack's request signature: ``v0=`` and the hex HMAC-SHA256 of ``v0:{ts}:{body}``."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class SignedResponse:
    """What the app answered: status, headers (lower-case names), raw body, parsed JSON."""

    status: int
    headers: dict[str, str]
    body: str
    json: Any | None


class SlackRequestClient:
    """Plays Slack's side of the HTTP conversation with the app, for one workspace."""

    def __init__(
        self,
        app_url: str,
        signing_secret: str,
        fake: FakeSlack,
        team_id: str = "T0DEMO",
        enterprise_id: str | None = None,
        api_app_id: str = "A0DEMO",
        *,
        team_domain: str = "demo",
        verification_token: str = "fake-verification-token",
        timeout: float = 10.0,
        settle: Callable[[], object] | None = None,
    ) -> None:
        """``settle`` is called after each answer: the stack waits there for the app's work after
        the ack (the modal it opens, the reply it sends), so a test sees it when the call returns."""
        self.app_url = app_url
        self.signing_secret = signing_secret
        self.fake = fake
        self.team_id = team_id
        self.enterprise_id = enterprise_id
        self.api_app_id = api_app_id
        self.team_domain = team_domain
        self.verification_token = verification_token
        self.timeout = timeout
        self.settle = settle

    # -- the low level -------------------------------------------------------------------

    def post(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | str | None = None,
        signature: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> SignedResponse:
        """POST a raw body, signed with wall time (Slack signs with real time) unless overridden."""
        headers = self.headers_for(
            body, content_type, timestamp=timestamp, signature=signature, extra_headers=extra_headers
        )
        return self.send(headers, body)

    def headers_for(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | str | None = None,
        signature: str | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> dict[str, str]:
        """The headers Slack would send with ``body``: its user agent, timestamp and signature."""
        stamp = str(timestamp) if timestamp is not None else str(int(time.time()))
        headers = {
            "Content-Type": content_type,
            "User-Agent": SLACK_USER_AGENT,
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": signature
            if signature is not None
            else sign_request(self.signing_secret, stamp, body),
        }
        headers.update(extra_headers or {})
        return headers

    def send(self, headers: dict[str, str], body: bytes) -> SignedResponse:
        """The one place a request leaves: subclasses that keep requests instead override it."""
        trigger_id = trigger_in(body)
        if trigger_id is not None:
            self.fake.trigger_sent(trigger_id)  # its 3 wall seconds start now, as with Slack
        request = urllib.request.Request(self.app_url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = _read(response.status, dict(response.headers.items()), response.read())
        except urllib.error.HTTPError as error:
            with error:
                answer = _read(error.code, dict(error.headers.items()), error.read())
        if self.settle is not None:
            self.settle()
        return answer

    def post_form(self, fields: dict[str, str], **signing: Any) -> SignedResponse:
        """Form-encoded, as Slack sends slash commands."""
        body = urllib.parse.urlencode(fields).encode()
        return self.post(body, FORM_CONTENT_TYPE, **signing)

    def post_interactive(self, payload: dict[str, Any], **signing: Any) -> SignedResponse:
        """Form-encoded with one ``payload`` field holding JSON, as Slack sends interactivity."""
        return self.post_form({"payload": json.dumps(payload)}, **signing)

    def post_json(self, envelope: dict[str, Any], **signing: Any) -> SignedResponse:
        """A JSON body, as Slack sends Events API requests."""
        return self.post(json.dumps(envelope).encode(), JSON_CONTENT_TYPE, **signing)

    # -- slash commands, interactivity ------------------------------------------------------

    def slash_command(
        self,
        user_id: str,
        command: str = "/rtw",
        text: str = "",
        *,
        channel_id: str | None = None,
        channel_name: str | None = None,
        timestamp: int | str | None = None,
        signature: str | None = None,
    ) -> SignedResponse:
        """A slash command typed by ``user_id``, by default in their DM with the app."""
        channel = channel_id or self.fake.dm_channel_for(user_id)
        fields = {
            "token": self.verification_token,
            "team_id": self.team_id,
            "team_domain": self.team_domain,
            "channel_id": channel,
            "channel_name": channel_name or ("directmessage" if channel.startswith("D") else channel),
            "user_id": user_id,
            "user_name": self._user_name(user_id),
            "command": command,
            "text": text,
            "api_app_id": self.api_app_id,
            "is_enterprise_install": "false",
            "response_url": self.fake.register_response_url(user_id, channel),
            "trigger_id": self.fake.register_trigger(user_id),
        }
        if self.enterprise_id is not None:
            fields["enterprise_id"] = self.enterprise_id
            fields["enterprise_name"] = "Demo Enterprise"
        result = self.post_form(fields, timestamp=timestamp, signature=signature)
        return self._record_ack(result, user_id)

    def block_action(
        self,
        user_id: str,
        action_id: str,
        value: str | None = None,
        *,
        block_id: str = "b",
        view: dict[str, Any] | None = None,
        container: dict[str, Any] | None = None,
        selected_user: str | None = None,
        selected_option: dict[str, Any] | None = None,
        action_type: str | None = None,
        state_values: dict[str, Any] | None = None,
        channel_id: str | None = None,
        message: dict[str, Any] | None = None,
        timestamp: int | str | None = None,
        signature: str | None = None,
    ) -> SignedResponse:
        """A click in a message (the default) or in a view (``view=`` the view dict it was in)."""
        action: dict[str, Any] = {
            "action_id": action_id,
            "block_id": block_id,
            "type": action_type or _action_type(selected_user, selected_option),
            "action_ts": _slack_ts(),
        }
        if action["type"] == "button":
            action["text"] = {"type": "plain_text", "text": action_id, "emoji": True}
        if value is not None:
            action["value"] = value
        if selected_user is not None:
            action["selected_user"] = selected_user
        if selected_option is not None:
            action["selected_option"] = selected_option
        payload: dict[str, Any] = {
            "type": "block_actions",
            **self._actor(user_id),
            "trigger_id": self.fake.register_trigger(user_id),
            "actions": [action],
        }
        values = state_values or {}
        if view is not None:
            shown = dict(view)
            shown.setdefault("id", "V00000000")
            shown.setdefault("team_id", self.team_id)
            shown.setdefault("private_metadata", "")
            shown.setdefault("callback_id", "")
            shown.setdefault("hash", "")
            shown["state"] = {"values": values}
            payload["view"] = shown
            payload["container"] = container or {"type": "view", "view_id": shown["id"]}
        else:
            channel = channel_id or self.fake.dm_channel_for(user_id)
            shown_message = message or {"type": "message", "user": BOT_USER_ID, "ts": _slack_ts(), "text": ""}
            payload["container"] = container or {
                "type": "message",
                "message_ts": shown_message.get("ts"),
                "channel_id": channel,
                "is_ephemeral": False,
            }
            payload["channel"] = {
                "id": channel,
                "name": "directmessage" if channel.startswith("D") else channel,
            }
            payload["message"] = shown_message
            payload["state"] = {"values": values}
            payload["response_url"] = self.fake.register_response_url(user_id, channel)
        result = self.post_interactive(payload, timestamp=timestamp, signature=signature)
        return self._record_ack(result, user_id)

    def view_submission(
        self,
        user_id: str,
        callback_id: str,
        values: dict[str, dict[str, dict[str, Any]]],
        private_metadata: str | None = None,
        view_id: str | None = None,
        *,
        timestamp: int | str | None = None,
        signature: str | None = None,
    ) -> SignedResponse:
        """Submitting a modal: ``values[block_id][action_id]`` is each input's state.

        With a ``view_id`` the fake knows (from views.open/push/update), the submitted view
        carries what the app stored in it, ``private_metadata`` included unless given here.
        """
        known = self.fake.view(view_id) if view_id else None
        view: dict[str, Any] = dict(known or {})
        view_key = view_id or view.get("id") or f"V{secrets.token_hex(4).upper()}"
        metadata = private_metadata if private_metadata is not None else str(view.get("private_metadata", ""))
        view.update(
            {
                "id": view_key,
                "team_id": self.team_id,
                "type": "modal",
                "callback_id": callback_id,
                "private_metadata": metadata,
                "state": {"values": values},
                "app_id": self.api_app_id,
                "app_installed_team_id": self.team_id,
                "root_view_id": view.get("root_view_id", view_key),
                "previous_view_id": view.get("previous_view_id"),
                "external_id": view.get("external_id", ""),
                "hash": view.get("hash", ""),
                "clear_on_close": view.get("clear_on_close", False),
                "notify_on_close": view.get("notify_on_close", False),
            }
        )
        view.setdefault("blocks", [])
        view.setdefault("title", {"type": "plain_text", "text": "Modal"})
        payload: dict[str, Any] = {
            "type": "view_submission",
            **self._actor(user_id),
            "trigger_id": self.fake.register_trigger(user_id),
            "view": view,
            "response_urls": [],
        }
        result = self.post_interactive(payload, timestamp=timestamp, signature=signature)
        return self._record_ack(result, user_id, submitted_view=known)

    def view_closed(
        self,
        user_id: str,
        view: dict[str, Any],
        *,
        is_cleared: bool = False,
        timestamp: int | str | None = None,
        signature: str | None = None,
    ) -> SignedResponse:
        """The person closed the modal ``view`` (as the app last showed it: opened, pushed, or
        updated through an ack), as Slack reports it to an app that set ``notify_on_close``:
        the view as it was, its ``private_metadata`` included."""
        shown = dict(view)
        shown.setdefault("id", f"V{secrets.token_hex(4).upper()}")
        shown.setdefault("private_metadata", "")
        shown.setdefault("callback_id", "")
        shown.setdefault("hash", "")
        shown.update({"team_id": self.team_id, "app_id": self.api_app_id, "state": {"values": {}}})
        payload: dict[str, Any] = {
            "type": "view_closed",
            **self._actor(user_id),
            "view": shown,
            "is_cleared": is_cleared,
        }
        return self.post_interactive(payload, timestamp=timestamp, signature=signature)

    def global_shortcut(
        self,
        user_id: str,
        callback_id: str,
        *,
        timestamp: int | str | None = None,
        signature: str | None = None,
    ) -> SignedResponse:
        """A global shortcut chosen from Slack's shortcuts menu."""
        payload: dict[str, Any] = {
            "type": "shortcut",
            **self._actor(user_id),
            "callback_id": callback_id,
            "trigger_id": self.fake.register_trigger(user_id),
            "action_ts": _slack_ts(),
        }
        result = self.post_interactive(payload, timestamp=timestamp, signature=signature)
        return self._record_ack(result, user_id)

    # -- the Events API ------------------------------------------------------------------------

    def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str | None = None,
        timestamp: int | str | None = None,
        signature: str | None = None,
    ) -> SignedResponse:
        """An ``event_callback`` envelope; ``retry_num`` adds Slack's retry headers."""
        envelope: dict[str, Any] = {
            "token": self.verification_token,
            "team_id": self.team_id,
            "api_app_id": self.api_app_id,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or _new_event_id(),
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": self.enterprise_id,
                    "team_id": self.team_id,
                    "user_id": BOT_USER_ID,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }
        if self.enterprise_id is not None:
            envelope["enterprise_id"] = self.enterprise_id
        extra: dict[str, str] = {}
        if retry_num is not None:
            extra["X-Slack-Retry-Num"] = str(retry_num)
            extra["X-Slack-Retry-Reason"] = retry_reason or "http_timeout"
        return self.post_json(envelope, timestamp=timestamp, signature=signature, extra_headers=extra)

    def app_home_opened(
        self,
        user_id: str,
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str | None = None,
        timestamp: int | str | None = None,
        signature: str | None = None,
        shown: bool = True,
    ) -> SignedResponse:
        """The person opened the app's Home tab, carrying the last published view as Slack does;
        with ``shown`` False, as for a tab never published to (Slack sends no view then)."""
        event: dict[str, Any] = {
            "type": "app_home_opened",
            "user": user_id,
            "channel": self.fake.dm_channel_for(user_id),
            "tab": "home",
            "event_ts": _slack_ts(),
        }
        home = self.fake.home_view(user_id) if shown else None
        if home is not None:
            event["view"] = home
        return self.event(
            event,
            event_id=event_id,
            retry_num=retry_num,
            retry_reason=retry_reason,
            timestamp=timestamp,
            signature=signature,
        )

    def url_verification(
        self, challenge: str, *, timestamp: int | str | None = None, signature: str | None = None
    ) -> SignedResponse:
        """The handshake Slack sends when the Request URL is saved."""
        envelope = {"token": self.verification_token, "challenge": challenge, "type": "url_verification"}
        return self.post_json(envelope, timestamp=timestamp, signature=signature)

    # -- helpers ----------------------------------------------------------------------------------

    def _actor(self, user_id: str) -> dict[str, Any]:
        """The ``user``/``team``/``enterprise`` fields every interactivity payload carries."""
        team: dict[str, Any] = {"id": self.team_id, "domain": self.team_domain}
        enterprise: dict[str, str] | None = None
        if self.enterprise_id is not None:
            team["enterprise_id"] = self.enterprise_id
            enterprise = {"id": self.enterprise_id, "name": "Demo Enterprise"}
        name = self._user_name(user_id)
        return {
            "user": {"id": user_id, "username": name, "name": name, "team_id": self.team_id},
            "team": team,
            "enterprise": enterprise,
            "is_enterprise_install": False,
            "api_app_id": self.api_app_id,
            "token": self.verification_token,
        }

    def _user_name(self, user_id: str) -> str:
        known = self.fake.user(user_id)
        return str(known["name"]) if known is not None else user_id.lower()

    def _record_ack(
        self, result: SignedResponse, user_id: str, *, submitted_view: dict[str, Any] | None = None
    ) -> SignedResponse:
        content = ack_content(result)
        if content is not None:
            self.fake.record_ack(content, [user_id], result.status, submitted_view=submitted_view)
        return result


def trigger_in(body: bytes) -> str | None:
    """The trigger id a request body carries: a slash command's field or inside ``payload``."""
    try:
        fields = dict(urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    except UnicodeDecodeError:
        return None
    if fields.get("trigger_id"):
        return fields["trigger_id"]
    raw = fields.get("payload")
    if not raw:
        return None
    try:
        payload = json.loads(raw)
    except json.JSONDecodeError:
        return None
    trigger_id = payload.get("trigger_id") if isinstance(payload, dict) else None
    return trigger_id if isinstance(trigger_id, str) and trigger_id else None


def ack_content(result: SignedResponse) -> dict[str, Any] | None:
    """The part of an ack a person sees, or None when the ack was empty.

    Content is non-empty ``text``/``blocks``/``attachments``, or a ``response_action`` that
    shows something (errors on the form, a view updated or pushed). A plain-text body on a
    successful answer is shown too (Slack displays it as the command's reply).
    """
    if isinstance(result.json, dict):
        body = result.json
        if body.get("text") or body.get("blocks") or body.get("attachments"):
            return body
        if body.get("response_action") in ("errors", "update", "push") and (
            body.get("errors") or body.get("view")
        ):
            return body
        return None
    if result.body.strip() and 200 <= result.status < 300:
        return {"text": result.body}
    return None


def _read(status: int, headers: dict[str, str], raw: bytes) -> SignedResponse:
    body = raw.decode("utf-8", errors="replace")
    parsed: Any | None
    try:
        parsed = json.loads(body) if body.strip() else None
    except json.JSONDecodeError:
        parsed = None
    return SignedResponse(
        status=status,
        headers={name.lower(): value for name, value in headers.items()},
        body=body,
        json=parsed,
    )


def _action_type(selected_user: str | None, selected_option: dict[str, Any] | None) -> str:
    if selected_user is not None:
        return "users_select"
    if selected_option is not None:
        return "static_select"
    return "button"


def _slack_ts() -> str:
    """A wall-time ts as Slack writes them in payloads (``seconds.micros``)."""
    return f"{time.time():.6f}"


def _new_event_id() -> str:
    return f"Ev{next(_event_numbers):04d}{secrets.token_hex(4).upper()}"
