"""The recording: every request the fake answered, with the people who would see it.

This is what the privacy tests and ``hr-plugin demo`` read: "who saw what" is answered from
``calls``, in the ``slack-calls.jsonl`` shape DESIGN.md fixes (``method``, ``params``,
``audience``, ``status``, ``ok``, ``at``). Which token each call carried is kept beside the
recording (``tokens_used``), never in it. HTTP acks reach it through ``record_ack``, held to
the same limits as a Web API call.
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from hr_plugin.testing.fake_slack.content import check_ack
from hr_plugin.testing.fake_slack.state import SlackState
from hr_plugin.testing.slack_limits import Violation

# Methods whose successful calls put something in front of a person; ``messages_seen_by``
# reads only these. Directory lookups and ``conversations.open`` show nobody anything.
CONTENT_METHODS = frozenset(
    {
        "chat.postMessage",
        "chat.update",
        "chat.postEphemeral",
        "views.publish",
        "views.open",
        "views.push",
        "views.update",
        "response_url",
        "ack",
        "files.completeUploadExternal",
    }
)


class Arrival(NamedTuple):
    """When one recorded request reached the fake and the few fields that say what it was for;
    read without copying the request (``Recording.arrivals``)."""

    position: int  # its place in ``calls``
    method: str
    ok: bool
    received: float  # wall clock, ``time.time()``, when the request reached the fake
    trigger_id: str  # the ``trigger_id`` argument, "" when none
    user_id: str  # the ``user_id`` argument, "" when none
    view_id: str  # the ``view_id`` argument, "" when none
    audience: tuple[str, ...]


class Recording(SlackState):
    """Writing the recording (``_record``, ``record_ack``) and reading it back, filtered."""

    @property
    def calls(self) -> list[dict[str, Any]]:
        """A snapshot of every recorded request, oldest first."""
        with self._lock:
            return copy.deepcopy(self._calls)

    def calls_for(self, method: str | None = None, user: str | None = None) -> list[dict[str, Any]]:
        """Recorded calls of one method and/or with one person in the audience."""
        return self._select(
            lambda call: (
                (method is None or call["method"] == method) and (user is None or user in call["audience"])
            )
        )

    def call_count(self, method: str | None = None) -> int:
        """How many requests were recorded (of one method): a poller's cheap question, answered
        without copying any of them."""
        with self._lock:
            if method is None:
                return len(self._calls)
            return sum(1 for call in self._calls if call["method"] == method)

    def arrivals(self, methods: Collection[str], since: int = 0) -> list[Arrival]:
        """The recorded requests of ``methods`` from ``since`` (an index into ``calls``, e.g. an
        earlier ``call_count()``) on: when each reached the fake and whom it was for, without
        copying views. A benchmark correlates them with the requests it sent (trigger id, user,
        view id)."""
        with self._lock:
            return [
                Arrival(
                    index,
                    call["method"],
                    call["ok"],
                    self._call_received[index],
                    _text(call["params"], "trigger_id"),
                    _text(call["params"], "user_id"),
                    _text(call["params"], "view_id"),
                    tuple(call["audience"]),
                )
                for index, call in enumerate(self._calls[since:], start=since)
                if call["method"] in methods
            ]

    def messages_seen_by(self, user_id: str) -> list[dict[str, Any]]:
        """Everything that reached this person's screen: accepted content calls they were in."""
        return self._select(
            lambda call: call["ok"] and call["method"] in CONTENT_METHODS and user_id in call["audience"]
        )

    def files_seen_by(self, user_id: str) -> list[dict[str, Any]]:
        """The files shared where this person sees them, one dict per file, oldest first.

        Each holds ``id``, ``filename``, ``title``, ``content`` (the uploaded bytes as text),
        ``initial_comment``, ``channel_id`` and ``at``.
        """
        return [
            {
                **file,
                "initial_comment": call["params"].get("initial_comment", ""),
                "channel_id": call["params"].get("channel_id", ""),
                "at": call["at"],
            }
            for call in self.messages_seen_by(user_id)
            if call["method"] == "files.completeUploadExternal"
            for file in call["params"]["files"]
        ]

    def _select(self, keep: Callable[[dict[str, Any]], bool]) -> list[dict[str, Any]]:
        # Filter first, copy after: a long demo records thousands of calls.
        with self._lock:
            return [copy.deepcopy(call) for call in self._calls if keep(call)]

    def text_seen_by(self, user_id: str) -> str:
        """All strings in what this person saw, joined: a canary search needs only ``in``."""
        return "\n".join(
            text for call in self.messages_seen_by(user_id) for text in _strings_in(call["params"])
        )

    def write_jsonl(self, path: str | Path) -> Path:
        """Write ``slack-calls.jsonl``: one JSON object per recorded call."""
        target = Path(path)
        with target.open("w", encoding="utf-8") as out:
            for call in self.calls:
                out.write(json.dumps(call, ensure_ascii=False, sort_keys=True) + "\n")
        return target

    def reset_calls(self) -> None:
        """Forget the recording (the workspace state stays)."""
        with self._lock:
            self._calls.clear()
            self._call_tokens.clear()
            self._call_received.clear()

    def tokens_used(self, method: str | None = None) -> list[str]:
        """The token each recorded call of ``method`` carried, oldest first ("" when none)."""
        with self._lock:
            return [
                token
                for call, token in zip(self._calls, self._call_tokens, strict=True)
                if method is None or call["method"] == method
            ]

    def record_ack(
        self,
        body: dict[str, Any],
        audience: list[str],
        status: int,
        *,
        submitted_view: Mapping[str, Any] | None = None,
    ) -> None:
        """Record an HTTP ack body that showed someone content (method ``"ack"``).

        Slack holds an ack to the same limits as a Web API call: a ``response_action`` of
        ``update`` or ``push`` carries a modal view, an ack with ``text``/``blocks`` is a
        message, and the keys of ``response_action: errors`` must be block ids of input blocks
        in the submitted view (``submitted_view``, when known). An ack that breaks them shows the
        person Slack's error instead: it is recorded with ``ok`` false, and the reasons are kept
        in ``ack_violations``.
        """
        violations = check_ack(body, submitted_view)
        with self._lock:
            self._ack_violations.extend(violations)
        ok = 200 <= status < 300 and not violations
        self._record("ack", copy.deepcopy(body), list(audience), status, ok)

    @property
    def ack_violations(self) -> list[Violation]:
        """Why recorded acks were refused, oldest first (empty when every ack was valid)."""
        with self._lock:
            return list(self._ack_violations)

    def _record(
        self,
        method: str,
        params: Any,
        audience: list[str],
        status: int,
        ok: bool,
        token: str = "",
        received: float | None = None,
    ) -> None:
        """``received``: when the request reached the fake (wall clock); now when not given."""
        with self._lock:
            self._call_tokens.append(token)
            self._call_received.append(time.time() if received is None else received)
            self._calls.append(
                {
                    "method": method,
                    "params": params,
                    "audience": audience,
                    "status": status,
                    "ok": ok,
                    "at": self.clock.now().isoformat(),
                }
            )


def _text(params: Any, name: str) -> str:
    value = params.get(name) if isinstance(params, dict) else None
    return value if isinstance(value, str) else ""


def _strings_in(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings_in(item)
