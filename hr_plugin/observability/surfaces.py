"""Which Slack surface a request to ``/slack/events`` is for, as a label from a fixed set.

Metrics count requests and time acks per surface. A label must never carry what Slack sent
(or what someone forging a request sent): each request maps onto one of a few names chosen
here, and anything unknown becomes ``other``. The payload is read for its ``type`` alone, as
the door check parsed it (``hr_plugin.slack.envelope``): requests it refused have none.
"""

from __future__ import annotations

from typing import Any

# Events API types this app subscribes to, or may (install lifecycle, directory changes).
# Others are counted as ``event:other``: a forged body cannot invent label values.
KNOWN_EVENT_TYPES = frozenset(
    {
        "app_home_opened",
        "app_uninstalled",
        "tokens_revoked",
        "team_join",
        "user_change",
        "app_mention",
        "message",
    }
)

# Interactivity payload types and the surface each one counts under.
_INTERACTIVE = {
    "block_actions": "action",
    "interactive_message": "action",
    "view_submission": "view_submission",
    "view_closed": "view_closed",
    "shortcut": "shortcut",
    "message_action": "shortcut",
    "block_suggestion": "options",
}

SURFACES = frozenset(
    {
        "command",
        "url_verification",
        "event:other",
        "other",
        *_INTERACTIVE.values(),
        *(f"event:{name}" for name in KNOWN_EVENT_TYPES),
    }
)


def surface_of(payload: Any) -> str:
    """The surface a parsed Slack payload is for; ``other`` when it is none Slack sends us."""
    if not isinstance(payload, dict):
        return "other"
    kind = payload.get("type")
    if kind == "url_verification":
        return "url_verification"
    if kind == "event_callback":
        event = payload.get("event")
        event_type = event.get("type") if isinstance(event, dict) else None
        return f"event:{event_type}" if event_type in KNOWN_EVENT_TYPES else "event:other"
    if isinstance(kind, str) and kind in _INTERACTIVE:
        return _INTERACTIVE[kind]
    if "command" in payload:
        return "command"
    return "other"
