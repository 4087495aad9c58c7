"""Which requests to ``/slack/events`` are for a private feature, so that ``/metrics`` leaves them out.

DESIGN.md's disclosure matrix says nobody may learn whether someone uses the private space,
"not even whether it is used". Its screens are opened and saved through ordinary Slack
requests; counted and timed by surface, one person's weekly check-in would move
``hr_plugin_slack_requests`` and ``hr_plugin_slack_ack_seconds`` for anyone who reads
``/metrics`` (an operator, a dashboard shown to HR). So a feature marked ``private`` lists its
routes here, and the web app neither counts nor times a request for one of them.

A request is matched on what Slack sends back and the app chose: the clicked ``action_id``s,
the modal's ``callback_id``, the shortcut's ``callback_id``, or the subcommand's name (the first
word of a slash command's text). Nothing else in the payload is read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from hr_plugin.feature_api import Feature
from hr_plugin.slack.declare import Route


@dataclass(frozen=True)
class PrivateRequests:
    """The routes of the private features: ``kind`` (as ``Route.kind``) and ``key`` pairs, and
    their subcommands' names."""

    routes: frozenset[Route]
    subcommands: frozenset[str]

    @classmethod
    def of(cls, features: Iterable[Feature]) -> PrivateRequests:
        private = [feature for feature in features if feature.private]
        return cls(
            frozenset(listener.route for feature in private for listener in feature.listeners),
            frozenset(sub.name.lower() for feature in private for sub in feature.subcommands),
        )

    def __contains__(self, payload: Any) -> bool:
        """Whether a parsed Slack payload (as the door check left it) is for a private route."""
        if not isinstance(payload, dict):
            return False
        if "command" in payload and "type" not in payload:
            name = str(payload.get("text") or "").strip().partition(" ")[0].lower()
            return name in self.subcommands
        return any(route in self.routes for route in _routes_of(payload))


def _routes_of(payload: dict[str, Any]) -> list[Route]:
    kind = payload.get("type")
    found = payload.get("view")
    view: dict[str, Any] = found if isinstance(found, dict) else {}
    if kind == "block_actions":
        clicked = payload.get("actions")
        actions: list[Any] = clicked if isinstance(clicked, list) else []
        return [Route("action", str(a.get("action_id"))) for a in actions if isinstance(a, dict)]
    if kind == "view_submission":
        return [Route("view", str(view.get("callback_id")))]
    if kind == "view_closed":
        return [Route("view_closed", str(view.get("callback_id")))]
    if kind in ("shortcut", "message_action"):
        return [Route("shortcut", str(payload.get("callback_id")))]
    return []
