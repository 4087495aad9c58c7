"""The workspace's people and conversations: ``users.*`` and ``conversations.open``.

Tests fill the directory (``add_user``, ``deactivate``, ``add_channel``); the app reads it
through ``users.list`` (paged with Slack's opaque cursors), ``users.info`` and
``users.lookupByEmail``, and opens DMs and group DMs with ``conversations.open``. How a
``channel`` argument is read (a conversation id, or a user id for that person's DM) lives
here too, for every method that posts into one.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hr_plugin.testing.fake_slack.decoding import split_users
from hr_plugin.testing.fake_slack.replies import SlackError, missing
from hr_plugin.testing.fake_slack.state import Conversation, SlackState, User

GROUP_DM_MAX_USERS = 8
USERS_LIST_DEFAULT_LIMIT = 100
USERS_LIST_MAX_LIMIT = 1000


class Directory(SlackState):
    """Users and conversations: set up by the test, read and opened by the app."""

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
            self._users[user_id] = User(
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
            self._conversations[channel_id] = Conversation(
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

    # -- the Web API methods -----------------------------------------------------------------

    def _users_list(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        raw_limit = params.get("limit")
        try:
            limit = int(raw_limit) if raw_limit not in (None, "") else 0
        except (TypeError, ValueError) as error:
            raise SlackError("invalid_limit") from error
        if limit < 0:
            raise SlackError("invalid_limit")
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
            raise SlackError("invalid_cursor") from error
        user_id = decoded.removeprefix("user:")
        if not decoded.startswith("user:") or user_id not in ids:
            raise SlackError("invalid_cursor")
        return ids.index(user_id)

    def _users_info(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        user_id = params.get("user")
        if not user_id:
            raise missing("user")
        found = self._users.get(str(user_id))
        if found is None:
            raise SlackError("user_not_found")
        return {"user": self._user_json(found)}

    def _users_lookup_by_email(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        email = str(params.get("email") or "").strip().lower()
        if not email:
            raise missing("email")
        for candidate in self._users.values():
            if candidate.email and candidate.email.lower() == email:
                # Slack still answers for a deactivated account, flagged ``deleted``.
                return {"user": self._user_json(candidate)}
        raise SlackError("users_not_found")

    def _conversations_open(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        if params.get("channel") and not params.get("users"):
            existing = self._conversations.get(str(params["channel"]))
            if existing is None or existing.kind == "channel":
                raise SlackError("channel_not_found")
            return {"no_op": True, "already_open": True, "channel": {"id": existing.id}}
        users = split_users(params.get("users", ""))
        if not users:
            raise SlackError("not_enough_users")
        if len(users) > GROUP_DM_MAX_USERS:
            raise SlackError("too_many_users")
        for user_id in users:
            found = self._users.get(user_id)
            if found is None:
                raise SlackError("user_not_found")
            if found.is_bot:
                raise SlackError("cannot_dm_bot")
            if found.deleted:
                raise SlackError("user_disabled")
        key = ("im" if len(set(users)) == 1 else "mpim", frozenset(users))
        already_open = key in self._conversation_index
        conversation = self._conversation_for(users)
        answer: dict[str, Any] = {"channel": {"id": conversation.id}}
        if already_open:
            answer.update({"no_op": True, "already_open": True})
        return answer

    # -- helpers behind the methods ----------------------------------------------------------

    def _resolve_channel(self, channel: Any) -> Conversation:
        """A channel argument as Slack reads it: a conversation id, or a user id for the DM."""
        if not channel:
            raise SlackError("channel_not_found")
        channel = str(channel)
        if channel.startswith(("U", "W")):
            found = self._users.get(channel)
            if found is None:
                raise SlackError("channel_not_found")
            if found.is_bot:
                raise SlackError("cannot_dm_bot")
            if found.deleted:
                raise SlackError("account_inactive")
            return self._conversation_for([channel])
        conversation = self._conversations.get(channel)
        if conversation is None:
            raise SlackError("channel_not_found")
        if conversation.kind == "im" and self._users[conversation.members[0]].deleted:
            raise SlackError("account_inactive")
        return conversation

    def _conversation_for(self, users: list[str]) -> Conversation:
        members = tuple(dict.fromkeys(users))
        kind = "im" if len(members) == 1 else "mpim"
        key = (kind, frozenset(members))
        existing = self._conversation_index.get(key)
        if existing is not None:
            return self._conversations[existing]
        conversation = Conversation(id=self._new_id("D" if kind == "im" else "G"), kind=kind, members=members)
        self._conversations[conversation.id] = conversation
        self._conversation_index[key] = conversation.id
        return conversation

    def _user_json(self, user: User) -> dict[str, Any]:
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


def _encode_cursor(user_id: str) -> str:
    return base64.b64encode(f"user:{user_id}".encode()).decode()
