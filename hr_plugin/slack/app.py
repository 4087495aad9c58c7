"""Builds the Bolt app. Nothing else happens here: surfaces register themselves."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from hr_plugin.services import Services
from hr_plugin.slack.listeners import register_listeners
from hr_plugin.slack_clients import make_client

# Listeners run in the request thread (process_before_response); this pool serves only the
# lazy listeners that do slower Slack calls after the ack. Sized to stay under the
# database pool, so a burst of them cannot starve request handling of connections.
LAZY_LISTENER_THREADS = 8


class LazyListenerPool(ThreadPoolExecutor):
    """The pool for work after the ack, counting what is still running so a shutdown (or the
    demo, before it moves its simulated clock) can wait for it to finish."""

    def __init__(self, max_workers: int) -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix="lazy")
        self._running = 0
        self._lock = threading.Lock()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._lock:
            self._running += 1
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(self._done)
        return future

    def _done(self, _future: Future[Any]) -> None:
        with self._lock:
            self._running -= 1

    def wait_idle(self, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if self._running == 0:
                    return True
            time.sleep(0.005)
        return False


def build_app(services: Services, *, client: WebClient | None = None) -> App:
    settings = services.settings
    keep_payloads_out_of_logs()
    services.lazy_pool = LazyListenerPool(LAZY_LISTENER_THREADS)
    if client is None and settings.slack_bot_token:
        # On the ack path a rate limit must not make us sleep: no retry handler here.
        client = make_client(settings.slack_bot_token, settings.slack_api_url, wait_on_rate_limit=False)
    app = App(
        token=None if client is not None else settings.slack_bot_token,
        signing_secret=settings.slack_signing_secret or "",
        client=client,
        process_before_response=True,
        listener_executor=services.lazy_pool,
        logger=logging.getLogger("hr_plugin.slack"),
    )
    register_listeners(app, services)
    return app


def keep_payloads_out_of_logs() -> None:
    """Slack's libraries print whole request and response bodies at DEBUG, and those bodies
    can hold what someone typed into a private modal. Their loggers never go below INFO."""
    for name in ("slack_sdk", "slack_bolt", "hr_plugin.slack"):
        logger = logging.getLogger(name)
        if logger.level < logging.INFO:  # unset (inherits the root's DEBUG later) or set too low
            logger.setLevel(logging.INFO)
