"""Views: modals (``views.open``, ``views.push``), the App Home (``views.publish``), ``views.update``.

Every view is held to Slack's surface limits (``content``) and stored as Slack would return
it, with an id, a hash (``hash_conflict`` on a stale one) and an optional ``external_id``.
Modals are opened on the screen of the person whose trigger id they spend (``triggers``), so
tests can read what someone was shown (``last_modal``, ``home_view``).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from hr_plugin.testing.fake_slack.content import view_argument
from hr_plugin.testing.fake_slack.replies import SlackError, missing
from hr_plugin.testing.fake_slack.state import BOT_ID, StoredView
from hr_plugin.testing.fake_slack.triggers import Triggers


class Views(Triggers):
    """The ``views.*`` methods, and reading back what they stored."""

    def view(self, view_id: str) -> dict[str, Any] | None:
        """A view as Slack last stored it (after views.open/push/update/publish), or None."""
        with self._lock:
            stored = self._views.get(view_id)
            return copy.deepcopy(stored.view) if stored is not None else None

    def close_view(self, view_id: str) -> None:
        """The person closes a modal: Slack forgets it, and ``views.update`` of it is
        ``not_found`` from then on."""
        with self._lock:
            self._views.pop(view_id, None)

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

    # -- the Web API methods -----------------------------------------------------------------

    def _views_publish(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        user_id = params.get("user_id")
        if not user_id:
            raise missing("user_id")
        view = view_argument(params, allowed_type="home")
        owner = self._users.get(str(user_id))
        if owner is None:
            raise SlackError("user_not_found")
        if owner.deleted:
            raise SlackError("account_inactive")
        existing_id = self._home_views.get(owner.id)
        self._check_hash(params, self._views.get(existing_id) if existing_id else None)
        stored = self._store_view(view, owner=owner.id, view_id=existing_id)
        self._home_views[owner.id] = stored.id
        return {"view": copy.deepcopy(stored.view)}

    def _views_open(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        trigger = self._exchange_trigger(params)
        view = view_argument(params, allowed_type="modal")
        stored = self._store_view(view, owner=trigger.user_id)
        return {"view": copy.deepcopy(stored.view)}

    def _views_push(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        trigger = self._exchange_trigger(params)
        view = view_argument(params, allowed_type="modal")
        stored = self._store_view(view, owner=trigger.user_id)
        return {"view": copy.deepcopy(stored.view)}

    def _views_update(self, params: dict[str, Any], token: str) -> dict[str, Any]:
        if not params.get("view_id") and not params.get("external_id"):
            raise missing("view_id or external_id")
        stored = self._find_view(params)
        if stored is None:
            raise SlackError("not_found")
        view = view_argument(params, allowed_type=str(stored.view.get("type")))
        self._check_hash(params, stored)
        updated = self._store_view(view, owner=stored.owner, view_id=stored.id)
        return {"view": copy.deepcopy(updated.view)}

    # -- helpers behind the methods ----------------------------------------------------------

    def _find_view(self, params: Mapping[str, Any]) -> StoredView | None:
        view_id = params.get("view_id")
        if view_id:
            return self._views.get(str(view_id))
        external_id = params.get("external_id")
        if external_id:
            for stored in self._views.values():
                if stored.external_id == external_id:
                    return stored
        return None

    def _check_hash(self, params: Mapping[str, Any], stored: StoredView | None) -> None:
        given = params.get("hash")
        if given and stored is not None and given != stored.hash:
            raise SlackError("hash_conflict")

    def _store_view(self, view: dict[str, Any], *, owner: str, view_id: str | None = None) -> StoredView:
        external_id = view.get("external_id") or None
        previous = self._views.get(view_id) if view_id else None
        if external_id is None and previous is not None:
            external_id = previous.external_id  # an update that does not name it keeps it
        if external_id is not None:
            for other in self._views.values():
                if other.external_id == external_id and other.id != view_id:
                    raise SlackError("duplicate_external_id")
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
        stored = StoredView(
            id=view_id, owner=owner, view=stored_view, hash=view_hash, external_id=external_id
        )
        self._views[view_id] = stored
        return stored
