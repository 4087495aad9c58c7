"""Global middleware: Slack's retries of an event already handled have no second effect, and a
signed interactive request sent again byte for byte (a replay) is refused."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse

from hr_plugin.events import claim_event, claim_request
from hr_plugin.services import Services
from hr_plugin.slack.middleware import use
from hr_plugin.slack.payloads import tenant_of

log = logging.getLogger(__name__)

# Requests whose handling can change something (a button, a modal submitted). Slash commands and
# shortcuts answer the sender or open a modal, which needs a trigger id that works once, so a
# replay of one changes nothing; a subcommand that changes something must be guarded here too.
# Events are not replayed but retried by Slack: ``event_id`` deduplicates them.
REPLAY_GUARDED = frozenset({"block_actions", "view_submission", "view_closed"})

# Events whose handling only shows something (the App Home published): claimed after the
# answer, by their work after the answer (``claim_event_after_answer``), so no database work
# delays it.
CLAIMED_AFTER_ANSWER = frozenset({"app_home_opened"})


def event_id_of(body: dict[str, Any]) -> str | None:
    event_id = body.get("event_id") if body.get("type") == "event_callback" else None
    return str(event_id) if event_id else None


def claim_event_after_answer(services: Services, body: dict[str, Any], context: Any) -> bool:
    """For an event in ``CLAIMED_AFTER_ANSWER``: True the first time, False for a retry."""
    event_id = event_id_of(body)
    if event_id is None:
        return True
    tenant = tenant_of(context)
    return claim_event(services.factory, tenant, event_id, services.clock.now())


def _shows_only(body: dict[str, Any], services: Services) -> bool:
    actions = body.get("actions") if body.get("type") == "block_actions" else None
    if not actions:
        return False
    return all(action.get("action_id") in services.show_only_actions for action in actions)


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

    def refuse_replays(
        req: BoltRequest, resp: BoltResponse, next: Callable[[], object]
    ) -> BoltResponse | None:
        """Bolt has checked the signature and its 5-minute window; within that window the same
        signed bytes could be sent again by whoever captured them. Socket Mode requests carry
        no signature (they arrive over Slack's own connection) and cannot be replayed."""
        body: dict[str, Any] = req.body or {}
        signature = req.headers.get("x-slack-signature", [""])[0]
        guarded = body.get("type") in REPLAY_GUARDED
        if guarded and signature and not _shows_only(body, services):
            tenant = tenant_of(req.context)
            if not claim_request(services.factory, tenant, signature, services.clock.now()):
                log.warning("refused a replayed %s request in %s", body.get("type"), tenant)
                return BoltResponse(status=401, body="")
        next()
        return resp

    use(app, deduplicate_events)
    use(app, refuse_replays)
