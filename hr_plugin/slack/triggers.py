"""A click that opens a modal keeps its trigger id alive: a loading view goes up in time.

Why: Slack lets a trigger id open a modal only within 3 seconds of the click (SLACK-FACTS.md).
A button that reads (the private space, someone's settings) or saves before it shows its modal
needs the database first; on a slow day that takes longer than the trigger lives, Slack refuses
the modal, and the person is told it did not load although nothing was wrong but the wait.

So a listener declared as opening a modal (``Shows(..., opens=True)``, ``Changes(...,
opens=True)``) gets a client that keeps the trigger: if it has not opened or pushed its modal
``KEEP_SECONDS`` after the click, a short loading view goes up with the trigger (pushed when the
click came from a modal, opened otherwise), and the modal the listener then shows replaces it
(``views.update`` on the loading view). On a normal day the listener shows its modal first, and
nothing else happens.

The time is counted from the request's arrival (``hr_plugin.slack.deferred.arrived_at``, on
``time.monotonic``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Final, TypeVar

from slack_sdk.errors import SlackClientError
from slack_sdk.models.blocks import SectionBlock
from slack_sdk.models.views import View

from hr_plugin.later import Later, on_own_thread
from hr_plugin.slack.deferred import undeferred
from hr_plugin.slack_clients import slack_error

log = logging.getLogger(__name__)

T = TypeVar("T")

# Slack's trigger lives 3 s; the loading view must reach Slack before then.
KEEP_SECONDS: Final = 1.5
LOADING: Final = "Loading…"
NOTHING: Final = "There is nothing more to show here. You can close this."


def loading_view(text: str = LOADING) -> View:
    return View(
        type="modal",
        title="Return to Work",
        close="Close",
        blocks=[SectionBlock(text=text)],
    )


class TriggerKeeper:
    """The request's client, its ``views.open``/``views.push`` with the click's trigger kept
    alive by a loading view when they come late; every other method is the client's own."""

    def __init__(
        self,
        client: Any,
        trigger_id: str,
        arrived: float,
        *,
        in_modal: bool,
    ) -> None:
        self._client = client
        self._now = undeferred(client)  # the loading view goes at once, with its answer read
        self._trigger = trigger_id
        self._in_modal = in_modal
        self._lock = threading.Lock()
        self._spent = False
        self._requested = False  # the listener asked to show its modal (perhaps queued)
        self._loading_id: str | None = None
        _ALARMS.put(self, arrived + KEEP_SECONDS - time.monotonic(), self._hold)

    @property
    def inner(self) -> Any:
        return self._client

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if name not in ("views_open", "views_push"):
            return attribute
        self._requested = True

        def show(*args: Any, **kwargs: Any) -> Any:
            return self._show(attribute, *args, **kwargs)

        return show

    def __deepcopy__(self, memo: dict[int, Any]) -> TriggerKeeper:
        return self

    def finished(self) -> None:
        """The listener has returned. If it asked for no modal (it told the person something
        instead), no loading view goes up from now on, and one already up says so."""
        if self._requested:
            return  # its modal is on its way (queued until the answer): it replaces the loading view
        _ALARMS.cancel(self)
        with self._lock:
            self._spent = True
            loading, self._loading_id = self._loading_id, None
        if loading is not None:
            try:
                self._client.views_update(view_id=loading, view=loading_view(NOTHING))
            except (SlackClientError, OSError) as exc:
                log.info("the loading view was not closed (%s)", slack_error(exc))

    def _show(self, call: Any, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            _ALARMS.cancel(self)
            if kwargs.get("trigger_id") == self._trigger and self._loading_id is not None:
                loading, self._loading_id = self._loading_id, None
                return self._client.views_update(view_id=loading, view=kwargs["view"])
            self._spent = True
            return call(*args, **kwargs)

    def _hold(self) -> None:
        with self._lock:
            if self._spent:
                return
            self._spent = True
            shown = self._now.views_push if self._in_modal else self._now.views_open
            try:
                response = shown(trigger_id=self._trigger, view=loading_view())
            except (SlackClientError, OSError) as exc:
                log.info("the loading view was not shown (%s)", slack_error(exc))
                return
            view = response.get("view") if hasattr(response, "get") else None
            self._loading_id = str(view["id"]) if isinstance(view, dict) and view.get("id") else None


# Every click's alarm, from one thread (``hr_plugin.later``): a ``threading.Timer`` a click cost
# 0.2 ms of CPU each, measured in process, for an alarm that almost never goes off. One that does
# runs on a thread of its own: it may wait for Slack, and the next alarm must not wait behind it.
_ALARMS: Final = Later(on_own_thread)


def keeper_for(body: dict[str, Any], client: Any, arrived: float) -> Any:
    """``client`` wrapped in a ``TriggerKeeper`` when the request ``body`` carries a trigger
    id; else ``client`` itself."""
    trigger = body.get("trigger_id")
    if not trigger:
        return client
    in_modal = (body.get("view") or {}).get("type") == "modal"  # the Home is a view too, not a modal
    return TriggerKeeper(client, str(trigger), arrived, in_modal=in_modal)


def with_kept_trigger(
    body: dict[str, Any],
    client: Any,
    arrived: float,
    run: Callable[[Any], T],
) -> T:
    """``run(client)``, the client keeping the trigger of ``body`` alive until ``run`` has
    shown its modal (or returned without one)."""
    keeper = keeper_for(body, client, arrived)
    if keeper is client:
        return run(client)
    try:
        return run(keeper)
    finally:
        keeper.finished()
