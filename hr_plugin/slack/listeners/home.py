"""The App Home: published when a person opens it, and after they change something there."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
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
    shown = event.get("view")  # what the tab shows now, when a Home was ever published there
    _show(client, services, who, state, shown=shown.get("hash") if isinstance(shown, dict) else None)


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


def _show(
    client: WebClient, services: Services, who: RequestContext, state: HomeState, *, shown: str | None = None
) -> None:
    """Publish the person's Home, unless the tab shows this very Home already: ``shown`` is
    Slack's hash of the view the tab shows (an opened Home's event carries it)."""
    if not state.can_appoint_admins and _admin_statuses(services).is_admin(client, who):
        state = dataclasses.replace(state, can_appoint_admins=True)
    view = home_view(state).to_dict()
    digest = hashlib.sha256(json.dumps(view, sort_keys=True).encode()).digest()
    homes = published_homes(services)
    key = (who.tenant_id, who.user_id)
    if shown is not None and homes.still_shown(key, shown, digest):
        return
    answer = client.views_publish(user_id=who.user_id, view=view)
    published = answer.get("view") if answer is not None else None
    if isinstance(published, dict) and isinstance(published.get("hash"), str):
        homes.remember(key, published["hash"], digest)


# Homes remembered per process: enough for everyone who opens theirs in a busy hour, in about
# a megabyte (two ids, Slack's hash and a 32-byte digest each).
PUBLISHED_HOMES = 4096
_PUBLISHED_HOMES: Slot[PublishedHomes] = Slot("published_homes")


class PublishedHomes:
    """What this process last published as each person's Home: Slack's hash for that view and a
    digest of its content (never the content itself).

    An opened Home's event carries the view the tab shows, with Slack's hash for it, which
    changes at every publish. When that hash is the one Slack gave this process's last publish
    for the person, and the Home drawn now has the same digest, the tab already shows it:
    publishing it again would only spend ``views.publish``'s rate limit (Tier 4, per workspace)
    and a round trip. Any publish since, by another process or a retry this one did not see
    through, changed the hash, so the Home is published; a publish that failed is not
    remembered, and neither is a Home a process has never published (a restart publishes
    each person's Home once more).
    """

    def __init__(self, size: int = PUBLISHED_HOMES) -> None:
        self._size = size
        self._homes: OrderedDict[tuple[str, str], tuple[str, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def still_shown(self, key: tuple[str, str], shown: str, digest: bytes) -> bool:
        """The tab shows ``shown``, this process's last publish there, and it drew ``digest``."""
        with self._lock:
            return self._homes.get(key) == (shown, digest)

    def remember(self, key: tuple[str, str], slack_hash: str, digest: bytes) -> None:
        with self._lock:
            self._homes[key] = (slack_hash, digest)
            self._homes.move_to_end(key)
            while len(self._homes) > self._size:
                self._homes.popitem(last=False)


def published_homes(services: Services) -> PublishedHomes:
    """The process's record of the Homes it published (built on first use)."""
    return singleton(services, _PUBLISHED_HOMES, PublishedHomes)


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
