"""Slack calls a listener makes before its answer is sent, sent right after the answer instead.

Why: listeners run in the request thread (``process_before_response``), so Slack gets the ack
only when the listener returns. A listener that acks and then opens a modal or replies to a
message would make Slack's 3-second limit depend on Slack's own latency: with Slack answering
in 2 s and the database in a few tenths, the answer misses the limit, Slack drops it and shows
the person an error although the work was done.

So, while a request is handled, the calls that only show something (``views.open``,
``views.push``, ``views.update`` and ``respond()``) are queued, in order, and the lazy pool sends
them as soon as the answer is ready; a trigger id (valid 3 s) is used within milliseconds of the
ack, as before. Database work stays before the answer, so an ack still means the change is saved
(listeners that only show something answer first instead: ``hr_plugin.slack.showing``).
Calls whose result a listener reads (``users.info``) are made at once, as before. Outside a
request (work after the answer, the scheduler) nothing is deferred. Work a listener leaves for
after its answer joins the same queue (``after_answer``; ``hr_plugin.slack.listening``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk.errors import SlackApiError, SlackClientError

from hr_plugin.slack.middleware import use
from hr_plugin.wsgi import Environ, StartResponse, WsgiApp

log = logging.getLogger(__name__)

DEFERRED_METHODS = frozenset({"views_open", "views_push", "views_update"})


class DeferredCalls:
    """The Slack calls queued while one request is handled. Once sent, it queues no more: a
    call made later (work after the answer, holding the same client) goes out at once."""

    def __init__(self) -> None:
        self._calls: list[tuple[str, Callable[[], object]]] = []
        self._lock = threading.Lock()
        self._sent = False

    def __len__(self) -> int:
        with self._lock:
            return len(self._calls)

    def call(self, what: str, call: Callable[[], object]) -> None:
        with self._lock:
            if not self._sent:
                self._calls.append((what, call))
                return
        _send(what, call)

    def release(self) -> list[tuple[str, Callable[[], object]]]:
        """The answer has gone: hand back what was queued; from now on calls go out at once.

        Also when nothing was queued, since work after the answer of the same request (it holds
        this client) may be about to make a call, and nobody would send it later."""
        with self._lock:
            calls, self._calls, self._sent = self._calls, [], True
        return calls

    def send(self) -> None:
        send_all(self.release())


def send_all(calls: list[tuple[str, Callable[[], object]]]) -> None:
    for what, call in calls:
        _send(what, call)


def _send(what: str, call: Callable[[], object]) -> None:
    """One queued call; it runs on the pool, where nobody would see an exception, so log it."""
    try:
        call()
    except (SlackClientError, OSError) as exc:
        reason = exc.response.get("error") if isinstance(exc, SlackApiError) else type(exc).__name__
        log.warning("%s after the ack failed (%s)", what, reason)
    except Exception:
        log.exception("%s after the ack failed", what)


_current: ContextVar[DeferredCalls | None] = ContextVar("deferred_slack_calls", default=None)


def after_answer(what: str, call: Callable[[], object], pool: Executor | None) -> None:
    """Run ``call`` once the request's answer is ready, after the Slack calls queued before it.

    Work a listener leaves for after its answer (showing what it read, republishing a Home)
    goes in the same queue as its deferred Slack calls, so it starts only when Slack has its
    answer. Outside a request (Socket Mode, the scheduler) it goes to ``pool`` at once, or runs
    here when there is none. Failures are logged, as for the Slack calls (``_send``).
    """
    calls = _current.get()
    if calls is not None:
        calls.call(what, call)
    elif pool is not None:
        pool.submit(_send, what, call)
    else:
        _send(what, call)


@contextmanager
def deferring() -> Iterator[DeferredCalls]:
    """Queue the request's showing calls until the block ends (the caller then sends them)."""
    calls = DeferredCalls()
    token = _current.set(calls)
    try:
        yield calls
    finally:
        _current.reset(token)


class _DeferringClient:
    """The request's ``WebClient``, its showing calls queued, everything else passed through."""

    def __init__(self, client: Any, calls: DeferredCalls) -> None:
        self._client = client
        self._calls = calls

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if name not in DEFERRED_METHODS:
            return attribute

        def queued(*args: Any, **kwargs: Any) -> None:
            self._calls.call(name, partial(attribute, *args, **kwargs))

        return queued

    def __deepcopy__(self, memo: dict[int, Any]) -> _DeferringClient:
        return self  # Bolt copies a request's context for lazy listeners, should one be added


class _DeferringRespond:
    def __init__(self, respond: Callable[..., object], calls: DeferredCalls) -> None:
        self._respond = respond
        self._calls = calls

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        self._calls.call("respond", partial(self._respond, *args, **kwargs))

    def __deepcopy__(self, memo: dict[int, Any]) -> _DeferringRespond:
        return self


def register(app: App) -> None:
    """The global middleware that gives listeners the deferring client and ``respond``."""

    def defer_showing_calls(req: BoltRequest, resp: BoltResponse, next: Callable[[], object]) -> BoltResponse:
        calls = _current.get()
        if calls is not None:
            context = req.context
            respond = context.respond  # built from the real client, before it is wrapped
            if respond is not None:
                context["respond"] = _DeferringRespond(respond, calls)
            context["client"] = _DeferringClient(context.client, calls)
        next()
        return resp

    use(app, defer_showing_calls)


class SendAfterAnswer:
    """WSGI middleware around Bolt's handler: queue during the request, send once answered."""

    def __init__(self, app: WsgiApp, pool: Any) -> None:
        self.app = app
        self.pool = pool  # the pool for work after the answer (``LazyListenerPool``), or None

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        with deferring() as calls:
            answer = self.app(environ, start_response)
        queued = calls.release()
        if queued:
            if self.pool is not None:
                self.pool.submit(send_all, queued)
            else:
                send_all(queued)
        return answer
