"""How the fake answers: a ``Reply`` for the HTTP layer, or a ``SlackError`` refusal on its way to one.

Every part of the fake refuses by raising ``SlackError`` with Slack's error code (and, for
validation, ``response_metadata.messages``); the entry points in ``dispatch``, ``files`` and
``response_urls`` catch it and turn it into the JSON (or plain-text) answer Slack would give.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class SlackError(Exception):
    """A refusal, carried up to the dispatcher, which turns it into Slack's JSON answer."""

    def __init__(
        self,
        error: str,
        *,
        status: int = 200,
        messages: list[str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(error)
        self.error = error
        self.status = status
        self.messages = messages or []
        self.headers = dict(headers or {})

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error": self.error}
        if self.messages:
            # Slack puts validation details in ``response_metadata.messages``; the brief's
            # tests (and people reading the JSONL) find ``errors`` handier, so give both.
            body["errors"] = list(self.messages)
            body["response_metadata"] = {"messages": list(self.messages)}
        return body


def missing(name: str) -> SlackError:
    """Slack's refusal of a call without a required argument."""
    return SlackError("invalid_arguments", messages=[f"[ERROR] missing required field: {name}"])


def ratelimited(retry_after: float) -> SlackError:
    """HTTP 429 with ``Retry-After`` in whole seconds (at least 1), as Slack sends it."""
    seconds = max(1, math.ceil(retry_after))
    return SlackError("ratelimited", status=429, headers={"Retry-After": str(seconds)})


@dataclass
class Reply:
    """What the HTTP handler sends back: a status, a JSON payload or plain text, extra headers."""

    status: int
    payload: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    text: str | None = None  # a plain-text answer (the upload URL's), instead of the JSON payload
