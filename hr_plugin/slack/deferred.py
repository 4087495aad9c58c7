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

Under ``serve`` the queue usually leaves the process: when everything in it can be made
elsewhere, it goes to the companion process as a ``Handoff`` (``hr_plugin.slack.companion``), a
small command: the queued Slack calls as data, the work after the answer by name (``Named``:
the companion finds the same function in the registry its own wiring filled,
``hr_plugin.slack.listening.named_work``), and what that work reads of the request (its parsed body and
the scalar pieces of Bolt's context). The request is not dispatched through Bolt again, and
the part before the answer never runs there. A private feature's request never crosses
(``SendAfterAnswer.answer``).

No silent failure: a queued call that Slack refuses is logged with its error code, and when it
showed a view (``views.open``/``push``/``update``/``publish``) the person learns it, in an
ephemeral reply through the request's ``response_url`` or else a DM, in one wording that names
no surface; a rate-limited Home publish is made again after ``Retry-After``. The request's
client is watched for that before it is wrapped here, and the companion watches the client it
makes the calls with in the same way (``hr_plugin.slack.failures``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Executor
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Final, Literal, NamedTuple, Protocol, TypeVar

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk.errors import SlackClientError

from hr_plugin.arrival import queued_at
from hr_plugin.observability import metrics
from hr_plugin.services import Services
from hr_plugin.slack import failures
from hr_plugin.slack.middleware import use
from hr_plugin.slack_clients import slack_error

log = logging.getLogger(__name__)

DEFERRED_METHODS = frozenset({"views_open", "views_push", "views_update"})


@dataclass(frozen=True)
class SlackCall:
    """A queued Slack call as data, so another process can make it: a ``WebClient`` method
    (``views_open``...) or ``respond``, with its arguments."""

    target: Literal["client", "respond"]
    method: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Named:
    """Work after the answer by its name (``hr_plugin.slack.listening.named_work``), which both processes
    fill from the same declared listeners (``hr_plugin.slack.listening``): the companion runs the
    same function with the request's arguments made again from the ``Handoff``."""

    key: str


Recipe = SlackCall | Named | None  # None: it can only run in this process

# What of Bolt's context crosses with a request: who and where (the tenant is read from these),
# the token its client used, and the ``response_url``. Only plain values: nothing of the client,
# the logger or the authorize result.
CONTEXT_KEYS: Final = (
    "enterprise_id",
    "is_enterprise_install",
    "team_id",
    "user_id",
    "actor_enterprise_id",
    "actor_team_id",
    "actor_user_id",
    "channel_id",
    "thread_ts",
    "response_url",
    "token",
    "bot_token",
    "bot_id",
    "bot_user_id",
)


class Queued(NamedTuple):
    """One piece of work queued behind a request's answer, and how to make it elsewhere."""

    what: str
    call: Callable[[], object]
    recipe: Recipe = None


@dataclass(frozen=True)
class Handoff:
    """The command the companion process gets for a request's work after the answer: what to
    run, in the order it was queued (Slack calls as data, work by name), and what that work reads
    of the request: its parsed body and the plain pieces of Bolt's context (``CONTEXT_KEYS``).
    Neither the raw body nor the headers travel, nor anything read from the database."""

    steps: tuple[SlackCall | Named, ...]
    # Out of its repr, which might reach a log: what someone typed, the token.
    body: dict[str, Any] = field(repr=False)
    context: dict[str, str | bool] = field(repr=False)
    arrived: float  # when the request came in, on the wall clock both processes read

    @property
    def calls(self) -> tuple[SlackCall, ...]:
        """The Slack calls among the steps."""
        return tuple(step for step in self.steps if isinstance(step, SlackCall))


class DeferredCalls:
    """The Slack calls queued while one request is handled. Once sent, it queues no more: a
    call made later (work after the answer, holding the same client) goes out at once."""

    def __init__(self) -> None:
        self._calls: list[Queued] = []
        self._lock = threading.Lock()
        self._sent = False
        self.request: tuple[dict[str, Any], Mapping[str, Any]] | None = None  # parsed body, Bolt's context
        # When the request came in, queued for a thread (``hr_plugin.arrival``) or else now: its
        # answer's deadline counts from it. The same on the wall clock, for the companion.
        now = time.monotonic()
        self.arrived = min(queued_at() or now, now)
        self.arrived_wall = time.time() - (now - self.arrived)
        self._here = False

    def __len__(self) -> int:
        with self._lock:
            return len(self._calls)

    def call(self, what: str, call: Callable[[], object], recipe: Recipe = None) -> None:
        with self._lock:
            if not self._sent:
                self._calls.append(Queued(what, call, recipe))
                return
        _send(what, call)

    def release(self) -> list[Queued]:
        """The answer has gone: hand back what was queued; from now on calls go out at once.

        Also when nothing was queued, since work after the answer of the same request (it holds
        this client) may be about to make a call, and nobody would send it later."""
        with self._lock:
            calls, self._calls, self._sent = self._calls, [], True
        return calls

    def handoff(self, released: list[Queued]) -> Handoff | None:
        """``released`` as a ``Handoff``, when all of it can be made elsewhere: some work after
        the answer by name (a request that only queued Slack calls stays: it has nothing to
        gain there), and nothing that can only run here."""
        steps = [queued.recipe for queued in released]
        if self.request is None or self._here or None in steps:
            return None
        if not any(isinstance(step, Named) for step in steps):
            return None
        body, context = self.request
        pieces = {key: context[key] for key in CONTEXT_KEYS if isinstance(context.get(key), str | bool)}
        return Handoff(tuple(step for step in steps if step is not None), body, pieces, self.arrived_wall)

    def drop(self) -> None:
        """Forget what is queued, before the answer (a refused replay shows nothing)."""
        with self._lock:
            self._calls = []

    def keep_here(self) -> None:
        """What is queued must run in this process (a loading view it holds is replaced here:
        ``hr_plugin.slack.triggers``)."""
        with self._lock:
            self._here = True

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


def after_answer(
    what: str, call: Callable[[], object], pool: Executor | None, *, named: str | None = None
) -> None:
    """Run ``call`` once the request's answer is ready, after the Slack calls queued before it.

    Work a listener leaves for after its answer (showing what it read, republishing a Home)
    goes in the same queue as its deferred Slack calls, so it starts only when Slack has its
    answer. Outside a request (Socket Mode, the scheduler, the companion) it goes to ``pool``
    at once, or runs here when there is none. Failures are logged, as for the Slack calls
    (``_send``). ``named``: the key under which the companion finds the same work
    (``hr_plugin.slack.listening.named_work``); without it, the work stays in this process.
    """
    calls = _current.get()
    if calls is not None:
        calls.call(what, call, Named(named) if named is not None else None)
    elif pool is not None:
        pool.submit(_send, what, call)
    else:
        _send(what, call)


def arrived_at() -> float:
    """When the request being handled came in (``time.monotonic``); now, outside a request."""
    calls = _current.get()
    return calls.arrived if calls is not None else time.monotonic()


def arrived_wall() -> float:
    """When the request being handled came in, on the wall clock (``time.time``), which the
    companion process reads too (``Handoff.arrived``); now, outside a request."""
    calls = _current.get()
    return calls.arrived_wall if calls is not None else time.time()


def keeping_here() -> Callable[[], None]:
    """A function that keeps the current request's queued work in this process when called,
    from any thread (``DeferredCalls.keep_here``); a no-op outside a request."""
    calls = _current.get()
    return calls.keep_here if calls is not None else (lambda: None)


def drop_queued() -> None:
    """Forget the Slack calls the current request has queued; a no-op outside a request."""
    calls = _current.get()
    if calls is not None:
        calls.drop()


def replayed(call: SlackCall, client: Any, respond: Callable[..., object]) -> Queued:
    """A Slack call queued in another process, to be made with this process's ``client`` or
    ``respond``."""
    if call.target == "respond":
        return Queued("respond", partial(respond, *call.args, **call.kwargs))
    return Queued(call.method, partial(getattr(client, call.method), *call.args, **call.kwargs))


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
            recipe = SlackCall("client", name, args, kwargs)
            self._calls.call(name, partial(attribute, *args, **kwargs), recipe)

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
        self._calls.call(
            "respond", partial(self._respond, *args, **kwargs), SlackCall("respond", "respond", args, kwargs)
        )

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
            calls.request = (req.body, context)
            respond = context.respond  # built from the real client, before it is wrapped
            if respond is not None:
                context["respond"] = _DeferringRespond(respond, calls)
            context["client"] = _DeferringClient(context.client, calls)
        next()
        return resp

    use(app, defer_showing_calls)


class HandsOff(Protocol):
    def submit(self, handoff: Handoff) -> bool: ...


class ClosesAfterAnswer(Protocol):
    """An answer that runs functions once it has been written (a Flask/Werkzeug response)."""

    def call_on_close(self, func: Callable[[], Any]) -> Callable[[], Any]: ...


Answer = TypeVar("Answer", bound=ClosesAfterAnswer)


class SendAfterAnswer:
    """Queue during the request, send once answered, in the companion process when there is one
    and the work can go there.

    "Once answered" is when the answer is ready: the work is handed to the companion or the
    pool then, while the server writes the answer. Without a pool (tests of this layer) it runs
    in the request's thread once the server has written the answer and closes it (WSGI's
    ``close()``, which runs the response's ``call_on_close`` functions)."""

    def __init__(self, pool: Any, companion: HandsOff | None = None) -> None:
        self.pool = pool  # the pool for work after the answer (``LazyListenerPool``), or None
        self.companion = companion

    def answer(self, respond: Callable[[], Answer], *, private: bool = False) -> Answer:
        """``respond()``'s answer, its queued work sent after it. ``private``: a private feature's
        request (``hr_plugin.slack.private_requests``), whose work is neither counted in /metrics
        nor handed to the companion: nothing of the private space leaves this process."""
        with deferring() as calls:
            answer = respond()
        queued = calls.release()
        if not queued:
            return answer
        handed = not private and self._handed_to_companion(calls, queued)
        if not private:
            metrics.WORK_AFTER_ANSWER.labels(place="companion" if handed else "worker").inc()
        if handed:
            return answer
        if self.pool is not None:
            self.pool.submit(send_all, queued)
        else:
            answer.call_on_close(partial(send_all, queued))
        return answer

    def _handed_to_companion(self, calls: DeferredCalls, queued: list[Queued]) -> bool:
        if self.companion is None:
            return False
        handoff = calls.handoff(queued)
        return handoff is not None and self.companion.submit(handoff)
