"""The App Home: published when a person opens it, and after they change something there."""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from hr_plugin.home import load_home, load_home_for_event
from hr_plugin.home_model import HomeState
from hr_plugin.services import Services, Slot, singleton
from hr_plugin.slack.listeners.events import event_id_of
from hr_plugin.slack.payloads import RequestContext, request_context
from hr_plugin.slack.views.home import home_view

log = logging.getLogger(__name__)


def on_home_opened(
    body: dict[str, Any], event: dict[str, Any], client: WebClient, context: Any, services: Services
) -> None:
    """Work after the answer: publish the Home a person opened (once per event, however often
    Slack delivers it)."""
    user = event.get("user")
    if event.get("tab", "home") != "home" or not isinstance(user, str) or not user:
        return
    who = request_context(context, user)
    state = load_home_for_event(
        services.factory,
        services.clock,
        event_id=event_id_of(body),
        tenant_id=who.tenant_id,
        user_id=who.user_id,
        providers=services.home_providers,
    )
    if state is None:
        log.info("event %s already handled; not published again", body.get("event_id"))
        return
    _show(client, services, who, state)


def publish_home(client: WebClient, services: Services, who: RequestContext) -> None:
    state = load_home(
        services.factory,
        services.clock,
        tenant_id=who.tenant_id,
        user_id=who.user_id,
        workspace_admin=False,
        providers=services.home_providers,
    )
    _show(client, services, who, state)


def _show(client: WebClient, services: Services, who: RequestContext, state: HomeState) -> None:
    if not state.can_appoint_admins and _admin_statuses(services).is_admin(client, who):
        state = dataclasses.replace(state, can_appoint_admins=True)
    client.views_publish(user_id=who.user_id, view=home_view(state))


def republish_home(client: WebClient, context: Any, services: Services) -> None:
    """Work after the answer: refresh the acting person's App Home after a change."""
    publish_home(client, services, request_context(context))


# users.info is Tier 4 (about 100 a minute): a Home republished after every change, for every
# person, would spend that on a question whose answer rarely changes. Only the Home's button
# is decided from the cached answer; appointing an HR admin asks Slack again (listeners/admins.py).
ADMIN_STATUS_SECONDS = 300.0
_ADMIN_STATUSES: Slot[AdminStatuses] = Slot("workspace_admin_statuses")


class AdminStatuses:
    """Each person's workspace-admin status, as Slack said it at most ``ADMIN_STATUS_SECONDS`` ago."""

    def __init__(
        self, seconds: float = ADMIN_STATUS_SECONDS, now: Callable[[], float] = time.monotonic
    ) -> None:
        self._seconds = seconds
        self._now = now
        self._known: dict[tuple[str, str], tuple[bool, float]] = {}
        self._lock = threading.Lock()

    def is_admin(self, client: WebClient, who: RequestContext) -> bool:
        key = (who.tenant_id, who.user_id)
        with self._lock:
            known = self._known.get(key)
        if known is not None and self._now() < known[1]:
            return known[0]
        answer = is_workspace_admin(client, who.user_id)
        with self._lock:
            self._known[key] = (answer, self._now() + self._seconds)
        return answer


def _admin_statuses(services: Services) -> AdminStatuses:
    return singleton(services, _ADMIN_STATUSES, AdminStatuses)


def is_workspace_admin(client: WebClient, user_id: str) -> bool:
    """Slack workspace admins and owners may appoint the first HR admin from the App Home."""
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError as exc:
        log.warning("users.info failed (%s); treating the user as not an admin", exc.response.get("error"))
        return False
    return bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))
