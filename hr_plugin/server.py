"""Running the web app: gunicorn in production, a threaded local server for the demo and tests."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from socketserver import ThreadingMixIn
from types import FrameType
from typing import Any, Protocol, runtime_checkable
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from hr_plugin.observability import metrics
from hr_plugin.settings import Settings

GRACEFUL_TIMEOUT_SECONDS = 20  # under Kubernetes' default 30 s between SIGTERM and SIGKILL
LAZY_WORK_SECONDS = 10  # what a stopping worker gives work after the ack (lazy listeners)


@runtime_checkable
class GracefulApp(Protocol):
    """A WSGI app that can say it is stopping (readiness fails) and finish its own work."""

    def begin_shutdown(self) -> None: ...

    def close(self, timeout: float) -> None: ...


def run_gunicorn(settings: Settings, build_wsgi: Callable[[], Any]) -> None:
    """Serve with gunicorn's threaded workers; each worker builds its own app after the fork.

    SIGTERM to the master is a graceful stop: each worker stops accepting connections,
    answers the requests in flight (up to ``GRACEFUL_TIMEOUT_SECONDS``), lets its lazy
    listeners finish, and exits. Meanwhile ``/readyz`` answers 503.
    """
    from gunicorn.app.base import BaseApplication

    multiprocess = metrics.multiprocess_dir()
    if multiprocess:
        metrics.clear_multiprocess_dir(multiprocess)

    class HrPluginServer(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{settings.host}:{settings.port}")
            self.cfg.set("workers", settings.web_workers)
            # gthread, noting when each request waited for a thread (``hr_plugin.arrival``)
            self.cfg.set("worker_class", "hr_plugin.gunicorn_worker.QueueTimedThreadWorker")
            self.cfg.set("threads", settings.web_threads)
            self.cfg.set("graceful_timeout", GRACEFUL_TIMEOUT_SECONDS)
            self.cfg.set("accesslog", None)
            if "control_socket_disable" in self.cfg.settings:
                # gunicorn 27's control socket sits in $HOME, shared by every server on the
                # host (a cluster on one machine) or unwritable (a read-only container); the
                # app does not use it.
                self.cfg.set("control_socket_disable", True)
            self.cfg.set("loglevel", settings.log_level.lower())
            self.cfg.set("logger_class", _logger_class())
            self.cfg.set("post_worker_init", _post_worker_init)
            self.cfg.set("worker_exit", _worker_exit)
            self.cfg.set("child_exit", _child_exit)

        def load(self) -> Any:
            return build_wsgi()

    HrPluginServer().run()


def _logger_class() -> type:
    """gunicorn's own lines go through the process's handlers, so they share its format."""
    from gunicorn.glogging import Logger

    class SharedFormatLogger(Logger):
        def setup(self, cfg: Any) -> None:
            super().setup(cfg)
            for handler in list(self.error_log.handlers):
                self.error_log.removeHandler(handler)
            self.error_log.propagate = True

    return SharedFormatLogger


def _post_worker_init(worker: Any) -> None:
    """Chain onto the worker's SIGTERM handler: readiness fails as soon as the stop begins."""
    app = worker.wsgi
    if not isinstance(app, GracefulApp):
        return
    gunicorn_handler = signal.getsignal(signal.SIGTERM)

    def on_term(signum: int, frame: FrameType | None) -> None:
        app.begin_shutdown()
        if callable(gunicorn_handler):
            gunicorn_handler(signum, frame)

    signal.signal(signal.SIGTERM, on_term)


def _worker_exit(server: Any, worker: Any) -> None:
    """The worker has answered its last request: let work after the ack finish, then close."""
    app = getattr(worker, "wsgi", None)
    if isinstance(app, GracefulApp):
        app.close(timeout=LAZY_WORK_SECONDS)


def _child_exit(server: Any, worker: Any) -> None:
    metrics.forget_process(worker.pid)


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    # socketserver's default backlog is 5: a burst of Slack's requests (an event and its
    # retries, a button pressed by many people) would be reset before a thread picked it up.
    request_queue_size = 128


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class LocalServer:
    """The real WSGI app on a loopback port in a background thread."""

    def __init__(self, wsgi_app: Any, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = make_server(
            host, port, wsgi_app, server_class=_ThreadingServer, handler_class=_QuietHandler
        )
        # A short poll interval: ``stop()`` waits for the serving loop's next poll, and at the
        # default half second every stop (each test's app) spent that long doing nothing.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="local-http", daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> LocalServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
