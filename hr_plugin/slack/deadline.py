"""A modal's submission saves before it answers, but never makes Slack wait past its 3 seconds.

Why: an answer other than "Saving..." means the change is saved, so a submission's listener
saves first and answers after (``hr_plugin.slack.declare.Changes``), and an invalid value is
shown beside its field (``response_action: errors``). With a slow database the save can take
longer than Slack waits; Slack then drops the answer and shows the person an error although
the save went on.

So the listener runs on a thread of its own, and the request waits for it until about
``DEADLINE_SECONDS`` after the request arrived. On time, its answer goes to Slack as it is.
Late, Slack gets ``response_action: update`` to a short "Saving..." view of the same modal
instead, the save finishes, and ``views.update`` shows its outcome: a "Saved" view, the view the
listener answered with, or the form again with the person's values and each error drawn under
its field (``response_action: errors`` exists only in the answer). If the modal was closed
meanwhile and the save was refused, a DM says so in words that carry none of what was typed.

A save whose database connection was lost is made once more on a new connection before any
error is shown (``_once_more_if_disconnected``); the request's replay claim commits with the
save (``hr_plugin.slack.replays``), so a retry after a commit that did land finds it and
answers as saved.

The thread is in this process: a submission never crosses to another one (the private space's
among them), and nothing of it is written anywhere to wait.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Any, Final

from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import DBAPIError

from hr_plugin.events import Replayed
from hr_plugin.services import Services, Slot, singleton
from hr_plugin.slack import refusals
from hr_plugin.slack.args import ArgsWith
from hr_plugin.slack.deferred import Queued, arrived_at, send_all
from hr_plugin.slack.pool import LazyListenerPool
from hr_plugin.slack.views.saving import form_with_errors, saved_view, saving_view

log = logging.getLogger(__name__)

# Slack waits 3 s for an answer (SLACK-FACTS.md); the rest is for the answer's way back.
DEADLINE_SECONDS: Final = 2.0
NOT_SAVED: Final = (
    "Something you submitted a moment ago could not be saved, and the form had been closed. "
    "Please open it again and resubmit."
)

_SAVES: Slot[LazyListenerPool] = Slot("slack.saves")
_OUTCOMES: Slot[LazyListenerPool] = Slot("slack.late_outcomes")


class HeldAck:
    """Stands in for Bolt's ``ack`` while the listener runs on its own thread: it keeps what the
    listener answered, for the request to send on time or for ``views.update`` after."""

    def __init__(self) -> None:
        self.kwargs: dict[str, Any] | None = None

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        if args:
            kwargs = {"text": args[0], **kwargs}
        self.kwargs = kwargs


def within_deadline(
    services: Services,
    args: Any,
    run: Callable[[Any], object],
    then: Callable[[], None],
    *,
    deadline: float = DEADLINE_SECONDS,
) -> bool:
    """Run the submission listener ``run(args)`` with the deadline above. True when it finished
    on time; then the caller queues the request's work after the answer (``then``) as for any
    request. When late, the save does, once its outcome is shown: that work (a republished
    Home) must read what was saved, not race the save."""
    save = _Save(services, args, run, then)
    future = _saves(services).submit(contextvars.copy_context().run, save.run)
    if save.on_time(deadline - (time.monotonic() - arrived_at())):
        future.result()  # raises what the listener raised, as if it had run here
        args.ack(**(save.held.kwargs or {}))
        return True
    args.ack(response_action="update", view=saving_view(save.view))
    return False


class _Save:
    """One submission's save on its thread, and whether its request stopped waiting for it.

    A late save's thread holds only the save, so the next late save gets it at once. Its
    outcome (one Slack call, seconds when Slack is slow) goes to threads of its own, which
    touch no database and wait behind nothing; then the request's work after the answer (a
    republished Home) joins the pool for that work. Each is handed over before its thread
    counts as idle, so ``saves_settled`` and then the pool's ``wait_idle`` miss nothing
    (``hr_plugin.web.WebApp.close``)."""

    def __init__(
        self, services: Services, args: Any, run: Callable[[Any], object], then: Callable[[], None]
    ) -> None:
        self.services = services
        self.args = args
        self.run_listener = run
        self.then = then
        self.held = HeldAck()
        self.view: dict[str, Any] = (args.body or {}).get("view") or {}
        self._lock = threading.Lock()
        self._finished = threading.Event()
        self._late = False

    def run(self) -> None:
        failed: BaseException | None = None
        try:
            _once_more_if_disconnected(self.run_listener, ArgsWith(self.args, ack=self.held))
        except BaseException as exc:
            failed = exc
        with self._lock:
            self._finished.set()
            late = self._late
        if late and isinstance(failed, Replayed):
            return  # a replay: its first copy showed the outcome and did the work after it
        if late:
            outcome = partial(_show_outcome, self.services, self.args, self.view, self.held, failed)
            # ``then`` queues on the pool for work after the answer from there (no request there).
            queued = [Queued("a late save's outcome", outcome), Queued("work after a late save", self.then)]
            _outcomes(self.services).submit(send_all, queued)
        elif failed is not None:
            raise failed

    def on_time(self, seconds: float) -> bool:
        """Wait up to ``seconds`` for the save; False (and the save is late from now) if it has
        not finished by then."""
        self._finished.wait(max(seconds, 0.0))
        with self._lock:
            self._late = not self._finished.is_set()
            return not self._late


def _once_more_if_disconnected(run: Callable[[Any], object], args: Any) -> object:
    """The listener, run again once on a new connection when its database connection was lost
    (a restarted or failed-over PostgreSQL, a connection killed): the person sees an error only
    when the second try fails too. Its first transaction holds the request's claim with its
    change, so the first try left nothing behind, or its commit landed and the second try finds
    the claim (``Replayed``): then the change is saved, and the answer says so."""
    try:
        return run(args)
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
        log.warning(
            "a submission lost its database connection (%s); trying once more", type(exc.orig).__name__
        )
        args.ack.kwargs = None
        try:
            return run(args)
        except Replayed:
            # The request's claim commits with its change (``hr_plugin.slack.replays``): found
            # now, the first try's commit did land before its connection died. It is saved.
            log.info("the first try had saved before its connection was lost")
            args.ack()
            return None


def _saves(services: Services) -> LazyListenerPool:
    """The process's threads for submissions, as many as the web threads that wait for them."""
    return _threads(services, _SAVES)


def _outcomes(services: Services) -> LazyListenerPool:
    """The process's threads that show late saves' outcomes, as many as the saves' threads.
    They make Slack calls and hold no database connection, except for a moment to queue the
    DM of a refused save whose modal was closed (counted in the pool's overflow: rare, short,
    and a thread that finds none waits for the next one free)."""
    return _threads(services, _OUTCOMES)


def _threads(services: Services, slot: Slot[LazyListenerPool]) -> LazyListenerPool:
    return singleton(
        services, slot, lambda: LazyListenerPool(services.settings.web_threads, thread_name_prefix=slot.name)
    )


def saves_settled(services: Services, timeout: float = 10.0, *, shown: bool = True) -> bool:
    """Wait until no save is running (a late one finishes after its request) and, with
    ``shown``, no late save's outcome is still on its way to Slack: a stopping process
    (``hr_plugin.web``) and the test harness wait for them. True when none is left."""
    deadline = time.monotonic() + timeout
    if not _saves(services).wait_idle(timeout):
        return False
    return not shown or _outcomes(services).wait_idle(max(deadline - time.monotonic(), 0.0))


def _show_outcome(
    services: Services, args: Any, view: dict[str, Any], held: HeldAck, failed: BaseException | None
) -> None:
    """After a late save: show what the listener answered in place of "Saving..."."""
    answered = held.kwargs or {}
    refused = failed is not None or answered.get("response_action") == "errors"
    if failed is not None:
        log.error("a late submission failed (%s)", type(failed).__name__)
        shown: dict[str, Any] = form_with_errors(view, {})
    elif answered.get("response_action") == "errors":
        shown = form_with_errors(view, dict(answered.get("errors") or {}))
    elif answered.get("response_action") in ("update", "push") and answered.get("view") is not None:
        given = answered["view"]
        shown = given.to_dict() if hasattr(given, "to_dict") else dict(given)
    else:
        shown = saved_view(view).to_dict()
    try:
        _direct(args.client).views_update(view_id=view.get("id"), view=shown)
    except SlackApiError as exc:
        log.info("the modal is gone after a late save (%s)", exc.response.get("error"))
        if refused:
            # A DM keyed on the submission's trigger id, as every refusal is told.
            refusals.tell(services, args.body or {}, args.context, None, NOT_SAVED, reason="not-saved")


def _direct(client: Any) -> Any:
    """The request's client without its queue and its watch (``hr_plugin.slack.deferred``,
    ``hr_plugin.slack.failures``): the outcome goes now, and a modal closed meanwhile is told
    here, only when the save was refused (a saved change needs no word)."""
    while hasattr(type(client), "inner"):
        client = client.inner
    return client
