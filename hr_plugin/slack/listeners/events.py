"""Global middleware: Slack's retries of an event already handled have no second effect.

A signed interactive request sent again byte for byte (a replay) is refused by the listener
itself, in the transaction of its change (``hr_plugin.slack.replays``)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse

from hr_plugin.events import claim_event
from hr_plugin.services import Services
from hr_plugin.slack.middleware import use
from hr_plugin.slack.payloads import tenant_of

log = logging.getLogger(__name__)

# Events whose handling only shows something (the App Home published): claimed after the
# answer, by their work after the answer (``hr_plugin.home.load_home_for_event``), so no
# database work delays it.
CLAIMED_AFTER_ANSWER = frozenset({"app_home_opened"})


def event_id_of(body: dict[str, Any]) -> str | None:
    event_id = body.get("event_id") if body.get("type") == "event_callback" else None
    return str(event_id) if event_id else None


def register(app: App, services: Services) -> None:
    def deduplicate_events(
        req: BoltRequest, resp: BoltResponse, next: Callable[[], object]
    ) -> BoltResponse | None:
        body: dict[str, Any] = req.body or {}
        event_id = event_id_of(body)
        claimed_later = (body.get("event") or {}).get("type") in CLAIMED_AFTER_ANSWER
        if event_id and not claimed_later:
            tenant = tenant_of(req.context)
            if not claim_event(services.factory, tenant, event_id, services.clock.now()):
                log.info(
                    "event %s already handled (retry %s); acknowledged, not repeated",
                    event_id,
                    req.headers.get("x-slack-retry-num", ["-"])[0],
                )
                return BoltResponse(status=200, body="")
        next()
        return resp

    use(app, deduplicate_events)
