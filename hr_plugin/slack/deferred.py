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

The queue stays in the web worker that answered: a companion process once took it elsewhere,
and was removed when, measured beside the same work on the worker's own pool, it did not pay
(issue 20; ``bench/README.md``).

No silent failure: a queued call that Slack refuses is logged with its error code, and when it
showed a view (``views.open``/``push``/``update``/``publish``) the person learns it, in an
ephemeral reply through the request's ``response_url`` or else a DM, in one wording that names
no surface; a rate-limited Home publish is made again after ``Retry-After``. The request's
client is watched for that before it is wrapped here (``hr_plugin.slack.failures``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from typing import Any, Final, NamedTuple, Protocol, TypeVar

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk.errors import SlackClientError

from hr_plugin.arrival import queued_at
from hr_plugin.services import Services
from hr_plugin.slack import failures
from hr_plugin.slack.middleware import use
from hr_plugin.slack.pool import LAZY_LISTENER_THREADS
from hr_plugin.slack_clients import slack_error

log = logging.getLogger(__name__)

DEFERRED_METHODS = frozenset({"views_open", "views_push", "views_update"})


class Queued(NamedTuple):
    """One piece of work queued behind a request's answer."""

    what: str
    call: Callable[[], object]


class DeferredCalls:
    """The Slack calls queued while one request is handled. Once sent, it queues no more: a
    call made later (work after the answer, holding the same client) goes out at once."""

    def __init__(self) -> None:
        self._calls: list[Queued] = []
        self._lock = threading.Lock()
        self._sent = False
        # When the request came in, queued for a thread (``hr_plugin.arrival``) or else now: its
        # answer's deadline and its trigger's life count from it.
        now = time.monotonic()
        self.arrived = min(queued_at() or now, now)

    def __len__(self) -> int:
        with self._lock:
            return len(self._calls)

    def call(self, what: str, call: Callable[[], object]) -> None:
        with self._lock:
            if not self._sent:
                self._calls.append(Queued(what, call))
                return
        _send(what, call)

    def release(self) -> list[Queued]:
        """The answer has gone: hand back what was queued; from now on calls go out at once.

        Also when nothing was queued, since work after the answer of the same request (it holds
        this client) may be about to make a call, and nobody would send it later."""
        with self._lock:
            calls, self._calls, self._sent = self._calls, [], True
        return calls

    def drop(self) -> None:
        """Forget what is queued, before the answer (a refused replay shows nothing)."""
        with self._lock:
            self._calls = []

    def send(self) -> None:
        send_all(self.release())


def send_all(calls: Iterable[Queued]) -> None:
    for queued in calls:
        _send(queued.what, queued.call)


def _send(what: str, call: Callable[[], object]) -> None:
    """One queued call; it runs on the pool, where nobody would see an exception, so log it.

    The log is not all: a view call that failed has already told the person
    (``hr_plugin.slack.failures``), and the log keeps only Slack's error code."""
    try:
        call()
    except (SlackClientError, OSError) as exc:
        reason = slack_error(exc)
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


def arrived_at() -> float:
    """When the request being handled came in (``time.monotonic``); now, outside a request."""
    calls = _current.get()
    return calls.arrived if calls is not None else time.monotonic()


def drop_queued() -> None:
    """Forget the Slack calls the current request has queued; a no-op outside a request."""
    calls = _current.get()
    if calls is not None:
        calls.drop()


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

    @property
    def inner(self) -> Any:
        """The client without the queue (for a call that must be made now, in order)."""
        return self._client


def undeferred(client: Any) -> Any:
    """The client under the request's queue, for a call that must go now and be read."""
    return client.inner if isinstance(client, _DeferringClient) else client


class _DeferringRespond:
    def __init__(self, respond: Callable[..., object], calls: DeferredCalls) -> None:
        self._respond = respond
        self._calls = calls

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        self._calls.call("respond", partial(self._respond, *args, **kwargs))

    def __deepcopy__(self, memo: dict[int, Any]) -> _DeferringRespond:
        return self


def register(app: App, services: Services | None = None) -> None:
    """The global middleware that gives listeners the deferring client and ``respond``.

    With ``services`` (the app always gives them; tests of this layer alone may not) the client
    is watched first (``hr_plugin.slack.failures``): a view call Slack refuses, wherever and
    whenever it is finally made, tells the person, and a rate-limited Home publish is made
    again later."""
    notices = failures.notices_for(services) if services is not None else None

    def defer_showing_calls(req: BoltRequest, resp: BoltResponse, next: Callable[[], object]) -> BoltResponse:
        calls = _current.get()
        context = req.context
        if notices is not None and context.client is not None:
            facts = failures.RequestFacts(context, req.body, context.respond)
            context["client"] = failures.WatchedClient(context.client, facts, notices)
        if calls is not None:
            respond = context.respond  # built from the real client, before it is wrapped
            if respond is not None:
                context["respond"] = _DeferringRespond(respond, calls)
            context["client"] = _DeferringClient(context.client, calls)
        next()
        return resp

    use(app, defer_showing_calls)


class ClosesAfterAnswer(Protocol):
    """An answer that runs functions once it has been written (a Flask/Werkzeug response)."""

    def call_on_close(self, func: Callable[[], Any]) -> Callable[[], Any]: ...


Answer = TypeVar("Answer", bound=ClosesAfterAnswer)


# An answer whose work finds the pool holding more than this (running or waiting) waits for it to
# drain (``SendAfterAnswer``), never past ``HOLD_SECONDS`` after its request came in: Slack
# waits 3 s for it, and a slow-database submission may already have used 2 (``deadline``).
# As many as the threads: the work is mostly waiting on Slack's round trips, which the threads
# overlap. A smaller backlog brought the views sooner against the benchmark's fake Slack, which
# answers at once (``bench/README.md``, 2026-12-04, evening), but against Slack itself it would
# hold each answer for the Slack call of the one before.
BACKLOG: Final = LAZY_LISTENER_THREADS
HOLD_SECONDS: Final = 1.0


class SendAfterAnswer:
    """Queue during the request, send once answered.

    "Once answered" is when the answer is ready: the work goes to the pool then, while the
    server writes the answer. Without a pool (tests of this layer) it runs in the request's
    thread once the server has written the answer and closes it (WSGI's ``close()``, which runs
    the response's ``call_on_close`` functions).

    When the pool holds more work, running or waiting, than it has threads (``backlog``), the
    answer waits until it holds no more, up to ``hold`` seconds after the request came in. Why: what a person
    waits for is the modal or the Home, not the ack. Answering faster than the work after the
    answers can be done only lengthens the queue, so every view comes later, and a modal
    queued past its trigger's 3 seconds cannot open at all. Held, the answers pace the clicks
    to the work, and the queue stays short. Measured in the benchmark's quick runs before and after
    (``bench/README.md``, 2026-12-04, afternoon; the button's cheaper read came between them
    too), at 10 and 50 connections the modal's p99 went from 336 and 618 ms to 82 and 266 ms
    and the Home's from 548 and 854 ms to 139 and 381 ms, for acks slower and fewer a second."""

    def __init__(self, pool: Any, *, backlog: int = BACKLOG, hold: float = HOLD_SECONDS) -> None:
        self.pool = pool  # the pool for work after the answer (``LazyListenerPool``), or None
        self.backlog = backlog
        self.hold = hold

    def answer(self, respond: Callable[[], Answer], *, pace: bool = True) -> Answer:
        """``respond()``'s answer, its queued work sent after it; with ``pace`` False the answer
        never waits for the pool (a modal's submission: its answer is what the person waits
        for, the work after it only refreshes their Home)."""
        with deferring() as calls:
            answer = respond()
        queued = calls.release()
        if not queued:
            return answer
        if self.pool is not None:
            self.pool.submit(send_all, queued)
            if pace:
                self.pool.wait_below(self.backlog + 1, calls.arrived + self.hold - time.monotonic())
        else:
            answer.call_on_close(partial(send_all, queued))
        return answer
