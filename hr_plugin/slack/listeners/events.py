"""Global middleware: Slack's retries of an event already handled have no second effect."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse

from hr_plugin.events import claim_event
from hr_plugin.services import Services
from hr_plugin.tenants import tenant_id_for

log = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    def deduplicate_events(
        req: BoltRequest, resp: BoltResponse, next: Callable[[], None]
    ) -> BoltResponse | None:
        body: dict[str, Any] = req.body or {}
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id:
            context = req.context
            tenant = tenant_id_for(
                context.team_id, context.enterprise_id, bool(context.is_enterprise_install)
            )
            if not claim_event(services.factory, tenant, str(event_id), services.clock.now()):
                log.info(
                    "event %s already handled (retry %s); acknowledged, not repeated",
                    event_id,
                    req.headers.get("x-slack-retry-num", ["-"])[0],
                )
                return BoltResponse(status=200, body="")
        next()
        return resp

    app.use(deduplicate_events)
