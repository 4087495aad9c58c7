"""Reading a request as Slack reads it: arguments from the query string and a JSON or form body,
the token from the header or the arguments, client credentials, JSON-encoded arguments.

Pure functions: they know nothing of the workspace, so the dispatcher can decode a request
(and work out its audience) before deciding whether to answer it.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from hr_plugin.testing.fake_slack.replies import SlackError

# Arguments that Slack accepts either as objects (JSON body) or as JSON-encoded strings
# (form body); the recording always holds the decoded object.
_JSON_ARGUMENTS = ("view", "blocks", "attachments", "metadata", "files")


def decode_request(query: str, headers: Mapping[str, str], body: bytes) -> tuple[dict[str, Any], str]:
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
                raise SlackError("invalid_json") from error
            if not isinstance(decoded, dict):
                raise SlackError("invalid_json")
            decoded.pop("token", None)
            params.update(decoded)
        elif content_type in ("application/x-www-form-urlencoded", ""):
            form = dict(parse_qsl(text, keep_blank_values=True))
            token = str(form.pop("token", "") or token)
            params.update(form)
        else:
            raise SlackError("invalid_post_type")
    authorization = headers.get("authorization", "")
    if authorization.lower().startswith("bearer "):
        token = authorization[len("bearer ") :].strip()
    return decode_json_arguments(params), token


def decode_json_arguments(params: dict[str, Any]) -> dict[str, Any]:
    """Turn JSON-string arguments (``view``, ``blocks`` ...) into objects where they parse."""
    decoded = dict(params)
    for name in _JSON_ARGUMENTS:
        value = decoded.get(name)
        if isinstance(value, str) and value.strip()[:1] in ("{", "["):
            # Left as a string when it does not parse; the method's validation refuses it.
            with contextlib.suppress(json.JSONDecodeError):
                decoded[name] = json.loads(value)
    return decoded


def basic_credentials(headers: Mapping[str, str], params: dict[str, Any]) -> str:
    """``client_id:client_secret`` from HTTP Basic auth, or from the arguments (both allowed)."""
    authorization = headers.get("authorization", "")
    if authorization.lower().startswith("basic "):
        try:
            return base64.b64decode(authorization[len("basic ") :].strip()).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise SlackError("invalid_client_id") from None
    return f"{params.get('client_id', '')}:{params.get('client_secret', '')}"


def split_users(raw: Any) -> list[str]:
    """A ``users`` argument (comma-separated text, or a list) as user ids."""
    if isinstance(raw, list | tuple):
        return [str(item).strip() for item in raw if str(item).strip()]
    return [part.strip() for part in str(raw).split(",") if part.strip()]
