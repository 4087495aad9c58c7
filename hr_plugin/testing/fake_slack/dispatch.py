"""Dispatch: which path and which Web API method answers a request, and in what order the checks run.

``/api/<method>`` goes through the same steps for every method: decode the arguments and the
token, work out the audience, the method known (``unknown_method``), an injected delay, an
injected fault, the token (or, for ``oauth.v2.access``, the app's client credentials), the
method's rate limit, then the method itself, and every outcome is recorded with secrets
redacted. ``/response/``, ``/upload/``, ``/oauth/v2/authorize`` and Sign in with Slack's
``/openid/connect/authorize`` and ``/openid/connect/keys`` go to their own handlers.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from hr_plugin.testing.fake_slack.chat import Chat
from hr_plugin.testing.fake_slack.decoding import basic_credentials, decode_request
from hr_plugin.testing.fake_slack.files import Files
from hr_plugin.testing.fake_slack.oauth import OAuth
from hr_plugin.testing.fake_slack.openid import AUTHORIZE_PATH, KEYS_PATH, OpenId
from hr_plugin.testing.fake_slack.replies import Reply, SlackError
from hr_plugin.testing.fake_slack.response_urls import ResponseUrls
from hr_plugin.testing.fake_slack.state import ApiMethod

# Arguments that are secrets: they are answered but never written into the recording.
_SECRET_ARGUMENTS = frozenset({"code", "refresh_token", "client_secret"})
# Methods authenticated with the app's client id and secret (HTTP Basic), not a token.
_CLIENT_AUTH_METHODS = frozenset({"oauth.v2.access", "openid.connect.token"})
# Methods authenticated with a user token from Sign in with Slack, not a bot token.
_USER_TOKEN_METHODS = frozenset({"openid.connect.userInfo"})


class Dispatch(ResponseUrls, Files, Chat, OAuth, OpenId):
    """Every part of the fake put behind one entry point, ``_handle_http``."""

    def _web_api_methods(self) -> dict[str, ApiMethod]:
        """The Web API methods the fake answers, bound to this instance.

        Bound once, at construction, so that a subclass overriding one (the fan-out benchmark's
        workspace budget on ``chat.postMessage``) is the one called.
        """
        return {
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
            "openid.connect.token": self._openid_connect_token,
            "openid.connect.userInfo": self._openid_connect_user_info,
        }

    def _handle_http(self, path: str, query: str, headers: Mapping[str, str], body: bytes) -> Reply:
        if path.startswith("/api/"):
            return self._handle_api(path.removeprefix("/api/"), query, headers, body)
        if path.startswith("/response/"):
            return self._handle_response_url(path.removeprefix("/response/"), headers, body)
        if path.startswith("/upload/"):
            return self._handle_upload(path.removeprefix("/upload/"), body)
        if path == "/oauth/v2/authorize":
            return self._handle_authorize(query)
        if path == AUTHORIZE_PATH:
            return self._handle_openid_authorize(query)
        if path == KEYS_PATH:
            return self._handle_openid_keys()
        return Reply(404, {"ok": False, "error": "not_found"})

    def _handle_api(self, method: str, query: str, headers: Mapping[str, str], body: bytes) -> Reply:
        received = time.time()
        params: dict[str, Any] = {}
        audience: list[str] = []
        token = ""
        try:
            params, token = decode_request(query, headers, body)
            with self._lock:
                audience = self._audience_for(method, params)
            if method not in self._methods:
                raise SlackError("unknown_method", status=404)
            self._sleep_if_delayed(method)
            with self._lock:
                self._inject_fault(method)
                if method in _CLIENT_AUTH_METHODS:
                    token = basic_credentials(headers, params)
                elif method in _USER_TOKEN_METHODS:
                    self._check_user_token(token)
                else:
                    self._check_token(token)
                self._check_method_rate(method)
                result = self._methods[method](params, token)
                audience = self._audience_for(method, params, result)
            reply = Reply(200, {"ok": True, **result})
        except SlackError as refusal:
            reply = Reply(refusal.status, refusal.payload(), refusal.headers)
        recorded = {
            name: "[redacted]" if name in _SECRET_ARGUMENTS else value for name, value in params.items()
        }
        recorded_token = "" if method in _CLIENT_AUTH_METHODS else token
        self._record(
            method, recorded, audience, reply.status, bool(reply.payload.get("ok")), recorded_token, received
        )
        return reply
