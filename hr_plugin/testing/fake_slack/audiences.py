"""Audiences: who can or would see a call, the ``audience`` of each recorded request.

Worked out from the arguments before the call is answered, so that a refused call still
records whose screen it was meant for, and again from the answer when it succeeds (a message
posted to a user id lands in the DM Slack opened for it). The privacy tests read "who saw
what" from these lists.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hr_plugin.testing.fake_slack.decoding import split_users
from hr_plugin.testing.fake_slack.directory import Directory
from hr_plugin.testing.fake_slack.state import ResponseUrl
from hr_plugin.testing.fake_slack.views import Views


class Audiences(Directory, Views):
    """The people in front of whom a Web API call or a response URL puts something."""

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
                return split_users(params["users"])
            return self.conversation_members(str(params.get("channel", "")))
        return []

    def _channel_audience(self, channel: Any) -> list[str]:
        if not isinstance(channel, str) or not channel:
            return []
        if channel.startswith(("U", "W")):
            return [channel]
        conversation = self._conversations.get(channel)
        return list(conversation.members) if conversation is not None else []

    def _response_audience(self, target: ResponseUrl, params: Mapping[str, Any]) -> list[str]:
        if params.get("response_type") == "in_channel":
            members = self._channel_audience(target.channel_id)
            return members or [target.user_id]
        return [target.user_id]
