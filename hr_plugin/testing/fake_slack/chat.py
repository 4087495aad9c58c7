"""Messages: ``chat.postMessage``, ``chat.postEphemeral`` and ``chat.update``.

Each is held to Slack's message limits (``content``), posted into a conversation the way Slack
reads a ``channel`` argument (``directory``), and ``chat.postMessage`` is paced per channel
(``rate_limits``). Posted messages are kept, so that ``chat.update`` can find them.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from hr_plugin.testing.fake_slack.content import check_message_content
from hr_plugin.testing.fake_slack.directory import Directory
from hr_plugin.testing.fake_slack.rate_limits import RateLimits
from hr_plugin.testing.fake_slack.replies import SlackError, missing
from hr_plugin.testing.fake_slack.state import BOT_ID, BOT_USER_ID


class Chat(Directory, RateLimits):
    """The ``chat.*`` methods and the message objects they answer with."""

    def _chat_post_message(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        conversation = self._resolve_channel(params.get("channel"))
        blocks = check_message_content(params)
        self._take_channel_token(conversation.id)
        ts = self._next_ts()
        message = self._message_json(params, blocks, ts)
        self._messages[(conversation.id, ts)] = message
        return {"channel": conversation.id, "ts": ts, "message": message}

    def _chat_post_ephemeral(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        conversation = self._resolve_channel(params.get("channel"))
        user_id = params.get("user")
        if not user_id:
            raise missing("user")
        if str(user_id) not in self._users:
            raise SlackError("user_not_found")
        if str(user_id) not in conversation.members:
            raise SlackError("user_not_in_channel")
        check_message_content(params)
        return {"message_ts": self._next_ts()}

    def _chat_update(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        conversation = self._resolve_channel(params.get("channel"))
        ts = str(params.get("ts") or "")
        if not ts:
            raise missing("ts")
        if (conversation.id, ts) not in self._messages:
            raise SlackError("message_not_found")
        blocks = check_message_content(params)
        message = self._message_json(params, blocks, ts)
        message["edited"] = {"user": BOT_USER_ID, "ts": self._next_ts()}
        self._messages[(conversation.id, ts)] = message
        return {"channel": conversation.id, "ts": ts, "text": message.get("text", ""), "message": message}

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

    def _next_ts(self) -> str:
        """A message ts like Slack's: epoch seconds and microseconds, unique and increasing."""
        now_us = int(self.clock.now().timestamp() * 1_000_000)
        self._last_ts_us = max(now_us, self._last_ts_us + 1)
        seconds, micros = divmod(self._last_ts_us, 1_000_000)
        return f"{seconds}.{micros:06d}"
