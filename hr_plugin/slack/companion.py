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
be made again (``hr_plugin.slack.deferred.Handoff``) crosses as the body and headers Slack sent
and the Slack calls its first part queued; the companion dispatches it again in follow-up mode,
where listeners skip their part before the answer and only the work after it runs. Anything
else (the private space's submissions among it) stays on the web worker's own pool, as does all
of it while the companion is starting, stopping or gone.

Like the work after the answer on a thread, a handoff lives in memory: it only shows something
(a modal, a Home) and never holds a change, which is saved before the answer. A view Slack
refuses here is told to the person as on the worker (``hr_plugin.slack.failures``): the request
dispatched again carries its ``response_url``, and the DM goes through the shared outbox.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import signal
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.context import ForkContext, SpawnContext
from multiprocessing.process import BaseProcess
from typing import Any

from slack_bolt import App, BoltRequest

from hr_plugin.slack.deferred import Handoff, follow_up

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
    """The companion's main loop: build the app, then dispatch each handoff on a thread.

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
    app = build_follow_up_app(settings)
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
            pool.submit(dispatch, app, handoff)
    # Leaving the ``with`` waited for every follow-up in flight.


def build_follow_up_app(settings: Any) -> App:
    """The same listeners as the web worker's app. The request was verified there, so the
    signature is not checked again (its 5-minute window may close while work waits)."""
    from hr_plugin.services import make_services
    from hr_plugin.slack.app import build_app

    return build_app(make_services(settings), verify_requests=False)


def dispatch(app: App, handoff: Handoff) -> None:
    """Dispatch ``handoff``'s request again in follow-up mode; failures are logged, not raised."""
    try:
        with follow_up(handoff):
            headers: dict[str, str | Sequence[str]] = dict(handoff.headers)
            app.dispatch(BoltRequest(body=handoff.body, headers=headers))
    except Exception:
        log.exception("work after the answer failed in the companion process")
