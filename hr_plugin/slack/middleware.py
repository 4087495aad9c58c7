"""Global middleware called with the request alone.

Bolt wraps a middleware function so that it may ask for any listener argument, and builds all
of them (the payload's views, ``say``, ``respond``...) for every request, before each such
function runs. Ours only read the request, so they take ``(req, resp, next)`` and are called
with just those: profiled, that building was a fifth of a slash command's time before its
answer.
"""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

Process = Callable[[BoltRequest, BoltResponse, Callable[[], object]], BoltResponse | None]


def use(app: App, process: Process) -> None:
    """Add global middleware ``process(req, resp, next)``, called as it is."""
    app.use(_Direct(process))


class _Direct(Middleware):
    def __init__(self, process: Process) -> None:
        self._process = process

    def process(
        self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse | None:
        return self._process(req, resp, next)

    @property
    def name(self) -> str:
        return getattr(self._process, "__name__", "middleware")
