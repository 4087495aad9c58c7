"""The companion process: work after the answer, away from the requests that wait for answers.

Why: with the work after the answer (opening a modal with what was read, republishing a Home:
several milliseconds of Python each) on threads of the web process, the next request waited for
the interpreter lock behind it. Measured with ``python -m bench --only slack_requests``: at one
connection the App Home's answer took 9 ms at the median instead of 1.5 ms, and at fifty the
web process answered a third as many requests a second as a bare Bolt app. An interpreter of its
own, at a lower CPU priority, leaves the answers the whole lock and the CPU first.

Each web worker starts one companion that builds the same Bolt app from the same settings. The
first is forked before the worker opens a connection or starts a thread (``cli.py`` starts it
first), so it shares the worker's imported modules instead of importing them again (about two
seconds of CPU); a replacement for one that died is spawned (a fresh interpreter), since by then
the worker has threads, which a fork must not copy. A request whose queued work can
be made elsewhere crosses as a small command (``hr_plugin.slack.deferred.Handoff``): the Slack
calls its first part queued, as data, and its work after the answer by name, with the request's
parsed body and the plain pieces of Bolt's context. The companion finds each function in the
registry its own wiring of the same listeners filled (``listening.named_work``), gives it
the arguments it asks for (``FollowUps``) and runs it: the request is not dispatched through
Bolt again (its parsing, authorize, middleware and matching: measured in-process, the CPU of
an ``app_home_opened`` here beyond the listener's own work went from 0.3 ms to 0.07 ms), and
no part before the answer runs here. Anything else (the private space's requests and every
submission among it) stays on the web worker's own pool, as does all of it while the companion
is starting, stopping or gone.

The companion still builds the Bolt app at start (so its listeners are wired, the features'
start-up steps run and the token is checked), but never dispatches a request through it.

Like the work after the answer on a thread, a handoff lives in memory: it only shows something
(a modal, a Home) and never holds a change, which is saved before the answer. A view Slack
refuses here is told to the person as on the worker (``hr_plugin.slack.failures``): the command
carries the request's ``response_url``, and the DM goes through the shared outbox.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from multiprocessing.context import ForkContext, SpawnContext
from multiprocessing.process import BaseProcess
from typing import Any

from slack_bolt import App, BoltContext
from slack_bolt.request import payload_utils
from slack_sdk import WebClient

from hr_plugin.services import Services
from hr_plugin.slack import failures
from hr_plugin.slack.deferred import Handoff, Named, Queued, replayed, send_all
from hr_plugin.slack.listening import named_work

log = logging.getLogger(__name__)

NICENESS = 10  # the companion yields the CPU to the web worker that answers Slack
THREADS = 8  # follow-ups in flight at once (most of their time is Slack's and the database's)
_POLL_SECONDS = 1.0  # how often an idle companion checks that its web worker is still there
_KILL_WAIT_SECONDS = 5.0  # for the kernel to reap a companion sent SIGKILL


class Companion:
    """The web worker's side: starts the process, hands it work, starts another if it dies,
    stops it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._closed = False
        self._was_ready = False
        self._new_process()

    def _new_process(self) -> None:
        # Forking copies one thread and every lock as it was; only a single-threaded worker forks.
        context: ForkContext | SpawnContext = (
            multiprocessing.get_context("fork")
            if threading.active_count() == 1
            else multiprocessing.get_context("spawn")
        )
        self._queue: multiprocessing.Queue[Handoff | None] = context.Queue()
        self._ready = context.Event()
        self._process: BaseProcess = context.Process(
            target=_serve,
            args=(self._queue, self._ready, os.getpid()),
            name="hr-plugin-companion",
            daemon=True,
        )

    def start(self) -> Companion:
        self._process.start()
        return self

    @property
    def pid(self) -> int | None:
        """The current companion process's id (a replacement has another)."""
        return self._process.pid

    @property
    def ready(self) -> bool:
        """It has started once (``/readyz`` waits for that; a restart later does not count).
        One that died before it was ever ready is replaced here, or readiness would wait for
        good: no request reaches a worker that is not ready, so none would replace it."""
        with self._lock:
            if self._closed:
                return False
            self._was_ready = self._was_ready or self._ready.is_set()
            if not self._was_ready:
                self._replace_if_dead()
            return self._was_ready

    def submit(self, handoff: Handoff) -> bool:
        """Queue ``handoff``; False when the companion cannot take it (the caller runs it):
        still starting (a trigger id lasts 3 s; a spawned replacement takes about 2 s to
        import the app), stopping or gone.
        A companion found dead is replaced; what it held was only ever something to show."""
        with self._lock:
            if self._closed or self._replace_if_dead() or not self._ready.is_set():
                return False
            self._queue.put(handoff)
            return True

    def _replace_if_dead(self) -> bool:
        """Start another process if this one has exited; True when it did. Under ``_lock``."""
        code = self._process.exitcode
        if code is None:
            return False
        log.warning("the companion process stopped (exit code %s); starting another", code)
        self._queue.close()
        self._new_process()
        self._process.start()
        return True

    def close(self, timeout: float) -> None:
        """Let the companion finish what it was handed (up to ``timeout``), then end it for good.

        A companion ignores SIGTERM (a stop sent to the whole process group is the worker's to
        handle), so ``terminate`` could not end one that overran: one left running outlived its
        worker, orphaned, and the worker's own exit waited for it. What ends it is SIGKILL. One
        that never became ready (a replacement still importing the app, or stuck reaching Slack)
        was handed nothing, so it is ended at once instead of holding the worker's stop up."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        process = self._process
        # Nothing is queued for a companion that is not ready (``submit``), and readiness is
        # never taken back, so one not ready now has never been handed anything.
        if process.is_alive() and self._ready.is_set():
            self._queue.put(None)
            process.join(timeout)
            if process.is_alive():
                log.warning("the companion process did not finish its work in %.0f s; stopping it", timeout)
        if process.is_alive():
            process.kill()
            process.join(_KILL_WAIT_SECONDS)
        self._queue.close()


def _serve(handoffs: multiprocessing.Queue[Handoff | None], ready: Any, parent: int) -> None:
    """The companion's main loop: build the app, then run each handoff on a thread.

    A stop signal sent to the whole process group (Ctrl-C, systemd) is left to the web worker,
    which then asks the companion to finish what it holds; a companion whose worker is gone
    finishes on its own."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.set_wakeup_fd(-1)  # a forked companion must not wake its worker's poller
    os.nice(NICENESS)
    from hr_plugin.observability.logs import configure_logging, default_log_format
    from hr_plugin.settings import Settings

    settings = Settings()
    configure_logging(settings.log_level, settings.log_format or default_log_format("serve"))
    follow_ups = build_follow_ups(settings)
    ready.set()
    with ThreadPoolExecutor(THREADS, thread_name_prefix="follow-up") as pool:
        while True:
            try:
                handoff = handoffs.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                if os.getppid() != parent:  # the web worker was killed without a word
                    return
                continue
            if handoff is None:
                break
            pool.submit(follow_ups.run, handoff)
    # Leaving the ``with`` waited for every follow-up in flight.


def build_follow_ups(settings: Any) -> FollowUps:
    """The same listeners as the web worker's app, wired so that their work after the answer
    is found by name (the app itself is never handed a request)."""
    from hr_plugin.services import make_services
    from hr_plugin.slack.app import build_app

    services = make_services(settings)
    return FollowUps(build_app(services), services)


class FollowUps:
    """Runs handoffs: the Slack calls queued on the worker, then the named work after the
    answer, in the order they were queued, with a client watched as the worker's is."""

    def __init__(self, app: App, services: Services) -> None:
        self.services = services
        self.named = named_work(services)  # filled when ``app`` was built
        self.client: WebClient = app.client  # its settings (base URL, retries) for each request's
        self.logger = app.logger
        self.notices = failures.notices_for(services)

    def run(self, handoff: Handoff) -> None:
        """Run ``handoff``; failures are logged, not raised (each step's by ``send_all``)."""
        try:
            send_all(self._steps(handoff))
        except Exception:
            log.exception("work after the answer failed in the companion process")

    def _steps(self, handoff: Handoff) -> list[Queued]:
        context = self._context(handoff)
        respond = context.respond  # Bolt's own, built from the unwatched client as on the worker
        client = failures.WatchedClient(
            context.client, failures.RequestFacts(context, handoff.body, respond), self.notices
        )
        context["client"] = client
        args = FollowUpArgs(handoff.body, context, self.logger)
        steps: list[Queued] = []
        for step in handoff.steps:
            if isinstance(step, Named):
                work = self.named.get(step.key)
                if work is None:  # both processes wire the same listeners: a bug, not a request
                    log.error("no work after the answer named %r in the companion process", step.key)
                    continue
                steps.append(Queued(work.name, partial(work.run, args, handoff.arrived)))
            elif step.target == "client" or respond is not None:
                steps.append(replayed(step, client, respond or _nobody))
        return steps

    def _context(self, handoff: Handoff) -> BoltContext:
        """Bolt's context as the worker had it, and a client for the request's token, made as
        Bolt makes one for each request."""
        context = BoltContext(handoff.context)
        context["logger"] = self.logger
        base = self.client
        context["client"] = WebClient(
            token=context.token or base.token,
            base_url=base.base_url,
            timeout=base.timeout,
            ssl=base.ssl,
            proxy=base.proxy,
            headers=base.headers,
            team_id=context.team_id,
            logger=base.logger,
            retry_handlers=base.retry_handlers.copy() if base.retry_handlers is not None else None,
        )
        return context


def _nobody(*_: Any, **__: Any) -> None:
    """No ``respond`` (Bolt always makes one; a queued reply then has nowhere to go)."""


class FollowUpArgs:
    """The arguments a function run after the answer may ask for by name
    (``hr_plugin.slack.listening.CROSSING_ARGUMENTS``), as Bolt would give them, made from the
    request's parsed body and context."""

    def __init__(self, body: dict[str, Any], context: BoltContext, logger: logging.Logger) -> None:
        self.body = body
        self.context = context
        self.logger = logger

    @property
    def client(self) -> Any:
        return self.context.client

    @property
    def respond(self) -> Any:
        return self.context.respond

    @property
    def options(self) -> dict[str, Any] | None:
        return payload_utils.to_options(self.body)

    @property
    def shortcut(self) -> dict[str, Any] | None:
        return payload_utils.to_shortcut(self.body)

    @property
    def action(self) -> dict[str, Any] | None:
        return payload_utils.to_action(self.body)

    @property
    def view(self) -> dict[str, Any] | None:
        return payload_utils.to_view(self.body)

    @property
    def command(self) -> dict[str, Any] | None:
        return payload_utils.to_command(self.body)

    @property
    def event(self) -> dict[str, Any] | None:
        return payload_utils.to_event(self.body)

    @property
    def message(self) -> dict[str, Any] | None:
        return payload_utils.to_message(self.body)

    @property
    def payload(self) -> dict[str, Any]:
        """Bolt's ``payload``: the first of the aliases the request has, else its body."""
        return (
            self.options
            or self.shortcut
            or self.action
            or self.view
            or self.command
            or self.event
            or self.message
            or self.body
        )
