"""A signed request that no listener handles is acknowledged with 200, never Bolt's 404.

Why: Slack counts anything but a 2xx as a failed delivery. It retries an event (up to 3
times, SLACK-FACTS.md) and may limit, then disable, an app's event subscriptions when 5% of
its deliveries in an hour got no 200 (Slack's reference for the ``app_rate_limited``
event); for a click, a shortcut or a modal it shows the person an error. Yet such requests
are ordinary: an event type the app does not act on (the subscriptions are edited in
Slack's app settings, apart from the code), a ``view_closed``, a message shortcut, a button
on a message older than the current code, a command added to the manifest before the code.
Each is answered with an empty 200 and one log line naming what it was: its kind and the id
the app or Slack gave it, never a value or anything a person typed.

How: the app is built with Bolt's ``raise_error_for_unhandled_request``, so Bolt, once it has
tried every listener in turn and none matched, hands the request to the app's error handler
as a ``BoltUnhandledRequestError`` instead of answering 404 (``hr_plugin.slack.app``). That
is later than any listener, however many are registered and in whatever order, and it never
sees a listener's own failure: a listener that matched and raised takes Bolt's other path and
keeps its 500 (``keep_the_ack_when_slack_fails``).
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import BoltResponse
from slack_bolt.error import BoltUnhandledRequestError

log = logging.getLogger(__name__)

# Kinds that reach no listener in the ordinary course: events the app does not act on (and
# Slack's notice that it is limiting them), and a modal closed. Anything else (a click, a
# submission, a shortcut, a command) means the manifest or an old message is out of step
# with the code, which an operator should hear of.
_ORDINARY = frozenset({"event_callback", "view_closed", "app_rate_limited"})

_ID_LENGTH = 80


def acknowledge_unhandled(error: BoltUnhandledRequestError) -> BoltResponse | None:
    """200 for a request of Slack's that no listener matched. None (Bolt's 404 stands) when a
    global middleware stopped it without an answer, which is a bug in that middleware, or when
    the body names no kind at all, which Slack never sends."""
    if error.last_global_middleware_name is not None:
        log.warning("middleware %s stopped a request without answering it", error.last_global_middleware_name)
        return None
    body: dict[str, Any] = error.body if isinstance(error.body, dict) else {}
    if not (body.get("type") or body.get("command")):
        # Slack names the kind of everything it sends; a signed body that does not (an empty
        # one) is no request of Slack's to acknowledge.
        log.warning("a signed request that names no kind reached no listener; not acknowledged")
        return None
    kind, name = _describe(body)
    level = logging.INFO if kind in _ORDINARY else logging.WARNING
    log.log(level, "no listener handles this %s (%s); acknowledged", kind, name)
    return BoltResponse(status=200, body="")


def _describe(body: dict[str, Any]) -> tuple[str, str]:
    """The request's kind and the name it goes by: an event's type, the action ids clicked, a
    view's or shortcut's callback id, a command. Ids only, cut short."""
    if "command" in body:
        return "slash command", _short(body.get("command"))
    kind = str(body.get("type") or "request")[:_ID_LENGTH]
    if kind == "event_callback":
        event = body.get("event")
        return kind, _short(event.get("type") if isinstance(event, dict) else None)
    if kind == "block_actions":
        actions = body.get("actions")
        clicked = (
            [a.get("action_id") for a in actions if isinstance(a, dict)] if isinstance(actions, list) else []
        )
        return kind, ", ".join(_short(action_id) for action_id in clicked) or "-"
    view = body.get("view")
    if isinstance(view, dict):
        return kind, _short(view.get("callback_id"))
    return kind, _short(body.get("callback_id"))


def _short(value: Any) -> str:
    return str(value)[:_ID_LENGTH] if isinstance(value, str) and value else "-"
