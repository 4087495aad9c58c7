"""How a feature declares what happens when someone clicks, submits, opens or types something.

A feature lists its listeners in its ``feature.py`` as values, and the core wires them onto the
Bolt app (``wire``): no feature calls ``app.action(...)`` itself, so every listener is a
module-level function that a test can import and call, and the one list of features
(``hr_plugin.features``) is all the app needs to know.

There are two kinds, because Slack's answer means something different for each:

- ``Changes``: the request changes something. Its ``answer`` function saves first and then
  answers Slack (it calls ``ack``), so an answer means saved and a modal can show an inline
  error. What only refreshes the screen afterwards (republishing the App Home, say) goes in
  ``after``: it runs once the answer is ready, off the request thread.
- ``Shows``: the request only reads and shows (opens a modal with current settings, the
  private space...). Slack gets its answer at once and ``show`` runs after it
  (``hr_plugin.slack.showing`` says why). A replay of such a button has nothing to repeat.

A listener function asks for what it needs by argument name: any of Bolt's (``ack``, ``body``,
``view``, ``client``, ``context``, ``respond``, ``command``, ``event``...) and ``services``, the
process's ``hr_plugin.services.Services``. A name neither knows fails at start-up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from hr_plugin.slack.listening import listen
from hr_plugin.slack.showing import answer_now

if TYPE_CHECKING:
    from slack_bolt import App

    from hr_plugin.services import Services

# A module-level listener function; see the module docstring for the arguments it may ask for.
Handler = Callable[..., Any]

RouteKind = Literal["action", "view", "view_closed", "shortcut", "event", "command"]


@dataclass(frozen=True)
class Route:
    """What a listener answers to: an action id, a modal's callback id, an event type..."""

    kind: RouteKind
    key: str


def action(action_id: str) -> Route:
    """A click on a button, a select or an overflow menu item with this ``action_id``."""
    return Route("action", action_id)


def submitted(callback_id: str) -> Route:
    """A modal with this ``callback_id`` submitted."""
    return Route("view", callback_id)


def closed(callback_id: str) -> Route:
    """A modal with this ``callback_id`` closed without submitting (it sets ``notify_on_close``)."""
    return Route("view_closed", callback_id)


def shortcut(callback_id: str) -> Route:
    """A global shortcut."""
    return Route("shortcut", callback_id)


def event(event_type: str) -> Route:
    """An Events API event, such as ``app_home_opened``."""
    return Route("event", event_type)


def command(name: str) -> Route:
    """A slash command, such as ``/rtw``."""
    return Route("command", name)


@dataclass(frozen=True)
class Changes:
    """A request that changes something: ``answer`` saves, then acknowledges; ``after`` runs once
    the answer is ready (it refreshes what the person sees, even after a refused change)."""

    route: Route
    answer: Handler
    after: tuple[Handler, ...] = ()
    # What ``answer`` may leave for after its answer by calling ``later(function)`` (``/rtw``
    # leaves a subcommand that only shows): each opens a modal, its trigger kept alive.
    later: tuple[Handler, ...] = ()
    # It opens or pushes a modal with the click's trigger (after reading or saving): the
    # trigger is kept alive by a loading view if that takes long (``hr_plugin.slack.triggers``).
    opens: bool = False


@dataclass(frozen=True)
class Shows:
    """A request that only reads and shows: answered at once, ``show`` runs after the answer."""

    route: Route
    show: Handler
    # It opens a modal with the click's trigger: kept alive by a loading view if the reads take
    # long (``hr_plugin.slack.triggers``). Every button or shortcut that only shows opens one.
    opens: bool = True


Listener = Changes | Shows


def wire(app: App, services: Services, listener: Listener) -> None:
    """Register one declared listener on the Bolt app."""
    route = _bolt_route(app, listener.route)
    if isinstance(listener, Shows):
        listen(
            route,
            services,
            ack=answer_now,
            after=[listener.show],
            declared=listener,
            opens=listener.opens and listener.route.kind in ("action", "shortcut"),
        )
    else:
        listen(
            route,
            services,
            ack=listener.answer,
            after=listener.after,
            later=listener.later,
            declared=listener,
            deadline=listener.route.kind == "view",
            opens=listener.opens,
            guarded=True,
        )


def _bolt_route(app: App, route: Route) -> Callable[..., Any]:
    match route.kind:
        case "action":
            return app.action(route.key)
        case "view":
            return app.view(route.key)
        case "view_closed":
            return app.view_closed(route.key)
        case "shortcut":
            return app.shortcut(route.key)
        case "event":
            return app.event(route.key)
        case "command":
            return app.command(route.key)
