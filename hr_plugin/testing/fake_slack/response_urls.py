"""Response URLs: minted for the signed client, POSTed to by the app's ``respond()``.

Each belongs to the person whose interaction carried it and to the channel it happened in
(so the fake knows who sees the reply: that person, or the channel's members for
``in_channel``), works 5 times, and expires 30 minutes after it was issued on the fake's clock.
A reply is held to the same message limits as ``chat.postMessage``, answered 400 when broken.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from hr_plugin.testing.fake_slack.audiences import Audiences
from hr_plugin.testing.fake_slack.content import check_message_content
from hr_plugin.testing.fake_slack.decoding import decode_json_arguments
from hr_plugin.testing.fake_slack.faults import Faults
from hr_plugin.testing.fake_slack.recording import Recording
from hr_plugin.testing.fake_slack.replies import Reply, SlackError
from hr_plugin.testing.fake_slack.server import Serving
from hr_plugin.testing.fake_slack.state import ResponseUrl

RESPONSE_URL_LIFETIME = timedelta(minutes=30)
RESPONSE_URL_MAX_USES = 5


class ResponseUrls(Serving, Audiences, Faults, Recording):
    """Issuing response URLs and answering the POSTs to them (recorded as ``response_url``)."""

    def register_response_url(self, user_id: str, channel_id: str) -> str:
        """A response URL on this server for a person's interaction in a channel."""
        with self._lock:
            token = secrets.token_urlsafe(16)
            self._response_urls[token] = ResponseUrl(
                user_id=user_id, channel_id=channel_id, issued_at=self.clock.now()
            )
        return f"{self.url}/response/{token}"

    def _handle_response_url(self, token: str, headers: Mapping[str, str], body: bytes) -> Reply:
        params: dict[str, Any] = {}
        audience: list[str] = []
        try:
            try:
                decoded = json.loads(body.decode("utf-8") or "{}")
            except (UnicodeDecodeError, json.JSONDecodeError) as error:
                raise SlackError("invalid_payload", status=400) from error
            if not isinstance(decoded, dict):
                raise SlackError("invalid_payload", status=400)
            params = decode_json_arguments(decoded)
            with self._lock:
                target = self._response_urls.get(token)
                if target is not None:
                    audience = self._response_audience(target, params)
            self._sleep_if_delayed("response_url")
            with self._lock:
                self._inject_fault("response_url")
                if target is None:
                    raise SlackError("no_service", status=404)
                if self.clock.now() - target.issued_at > RESPONSE_URL_LIFETIME:
                    raise SlackError("expired_url", status=404)
                if target.uses >= RESPONSE_URL_MAX_USES:
                    raise SlackError("used_url", status=404)
                if not params.get("delete_original"):
                    check_message_content(params, status=400)
                target.uses += 1
            reply = Reply(200, {"ok": True})
        except SlackError as refusal:
            reply = Reply(refusal.status, refusal.payload(), refusal.headers)
        self._record("response_url", params, audience, reply.status, bool(reply.payload.get("ok")))
        return reply
