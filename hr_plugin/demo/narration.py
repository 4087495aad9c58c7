"""The demo's narration, held to what happened.

Every line the demo prints about an outcome is first checked against the database (through
the services' public read functions) or against what the fake Slack recorded. A line whose
outcome did not happen is never printed: the demo stops with ``NarrationError`` instead, so a
story that drifts from the code fails loudly rather than telling the reader something false.

Some outcomes arrive later than the click that causes them (a message waits for its
recipient's working hours, or for a return from leave). ``Narrator.later`` keeps such a line
until its check sees the outcome, prints it then, with the moment it happened, and fails the
demo if it has not happened by a deadline.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from hr_plugin.clock import Clock
from hr_plugin.db import unit_of_work
from hr_plugin.directory import find_by_slack_id
from hr_plugin.models import Employee
from hr_plugin.testing.fake_slack import FakeSlack
from hr_plugin.testing.stack import AppStack
from mentoring import service as mentoring


class NarrationError(AssertionError):
    """The demo was about to say something that did not happen."""


def require(condition: bool, claim: str, found: object) -> None:
    """Stop the demo unless ``condition`` holds: ``claim`` is what it would have said."""
    if not condition:
        raise NarrationError(f"The demo would say {claim!r}, but {found}")


@dataclass
class _Pending:
    claim: str
    check: Callable[[], str | None]
    deadline: datetime


class Narrator:
    """Prints checked lines; keeps lines about later outcomes until they happen."""

    def __init__(self, clock: Clock, say: Callable[[str], None]) -> None:
        self.clock = clock
        self._say = say
        self.lines: list[str] = []
        self._pending: list[_Pending] = []

    def __call__(self, line: str) -> None:
        self.lines.append(line)
        self._say(line)

    def later(self, claim: str, check: Callable[[], str | None], within: timedelta) -> None:
        """Print ``check()``'s line once it returns one; fail if it has not by ``within`` from now."""
        self._pending.append(_Pending(claim, check, self.clock.now() + within))

    def poll(self) -> None:
        """Print the lines whose outcome has now happened; fail on any past its deadline."""
        waiting = []
        for pending in self._pending:
            line = pending.check()
            if line is not None:
                self(line)
            elif self.clock.now() > pending.deadline:
                raise NarrationError(
                    f"The demo meant to say {pending.claim!r}, but it had not happened by "
                    f"{pending.deadline:%d %b %Y %H:%M} UTC"
                )
            else:
                waiting.append(pending)
        self._pending = waiting

    def finish(self) -> None:
        """At the end of the quarter, everything promised must have happened."""
        self.poll()
        if self._pending:
            claims = "; ".join(pending.claim for pending in self._pending)
            raise NarrationError(f"The quarter ended before these happened: {claims}")


# -- reading what happened ---------------------------------------------------------------------


def inline_errors(body: Any, claim: str) -> str:
    """The inline errors a modal answered with; the demo fails if it accepted the input."""
    errors = (
        body.get("errors") if isinstance(body, dict) and body.get("response_action") == "errors" else None
    )
    require(bool(errors), claim, f"the modal answered {body!r}, not an inline error")
    assert isinstance(errors, dict)
    return "; ".join(str(message) for message in errors.values())


def accepted(body: Any, claim: str) -> None:
    """A modal submission went through: no inline errors in the answer."""
    refused = isinstance(body, dict) and body.get("response_action") == "errors"
    require(not refused, claim, f"the modal refused it: {body.get('errors') if refused else ''}")


def person(stack: AppStack, user_id: str) -> Employee:
    """The directory's row for a Slack user (the demo fails if there is none)."""
    with unit_of_work(stack.factory) as session:
        row = find_by_slack_id(session, stack.fake.team_id, user_id)
        require(row is not None, f"<{user_id}> takes part", "the directory has nobody with that Slack id")
        assert row is not None
        session.expunge(row)
        return row


def when(call: dict[str, Any]) -> str:
    """A recorded call's simulated moment, as the narration prints it."""
    return datetime.fromisoformat(str(call["at"])).strftime("%d %b %H:%M")


def seen_since(fake: FakeSlack, user_id: str, since: int) -> list[dict[str, Any]]:
    """What reached this person after the first ``since`` recorded calls they were in."""
    return [call for call in fake.calls_for(user=user_id)[since:] if call["ok"]]


def mentions(call: dict[str, Any], *words: str) -> bool:
    text = json.dumps(call["params"], ensure_ascii=False)
    return all(word in text for word in words)


def ask_recorded(fake: FakeSlack, mentor_user: str, mentee_name: str, match_id: int) -> dict[str, Any] | None:
    """The DM asking this mentor about this match, if Slack accepted it."""
    for call in fake.calls_for("chat.postMessage", user=mentor_user):
        mine = call["ok"] and call["audience"] == [mentor_user]
        if mine and str(match_id) in _button_values(call) and mentions(call, mentee_name):
            return call
    return None


def introduction_recorded(fake: FakeSlack, mentee_user: str, mentor_user: str) -> dict[str, Any] | None:
    """The group message introducing the two, if Slack accepted it."""
    for call in fake.calls_for("chat.postMessage", user=mentee_user):
        if call["ok"] and sorted(call["audience"]) == sorted([mentee_user, mentor_user]):
            return call
    return None


def check_hr_pairing(stack: AppStack, mentee_user: str, mentor_user: str) -> int:
    """HR's pairing by hand stands: the mentee's open match is with this mentor, who is being
    asked or has said yes. Returns the match id; the demo fails otherwise."""
    mentee, mentor = person(stack, mentee_user), person(stack, mentor_user)
    claim = f"Priya pairs {mentee.name} with {mentor.name}"
    with unit_of_work(stack.factory) as session:
        own = mentoring.mentee_view(session, stack.fake.team_id, mentee.id)
        theirs = mentoring.mentor_views(session, stack.fake.team_id, mentor.id)
    require(own is not None, claim, f"{mentee.name} has no open match (the pairing was refused)")
    assert own is not None
    match = next((view for view in theirs if view.match_id == own.match_id), None)
    require(match is not None, claim, f"{mentee.name}'s open match is with someone else")
    return own.match_id


def button_value(view: dict[str, Any], action_id: str) -> str | None:
    """The value of the first button with this action in a published view (what a click sends)."""
    for block in view.get("blocks", []):
        elements = [block.get("accessory") or {}, *block.get("elements", [])]
        for element in elements:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return str(element.get("value"))
    return None


def _button_values(call: dict[str, Any]) -> list[str]:
    return [
        str(element.get("value"))
        for block in call["params"].get("blocks") or []
        for element in block.get("elements", [])
        if isinstance(element, dict)
    ]
