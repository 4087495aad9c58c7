"""Buttons and commands that only show something: Slack gets its answer at once.

Why: a listener runs in the request thread (``process_before_response``), so whatever it does
before it returns is time Slack waits for the acknowledgement. A listener that changes
something saves first and answers after, so an answer means the change is saved. But one that
only reads and shows (opens a modal with someone's current settings, their private space, the
invitation waiting for them) has nothing to save: it answers at once and reads after the
answer (``hr_plugin.slack.listening``), so neither the database nor Slack's latency can push the answer past
Slack's 3 seconds. The trigger id it opens a modal with stays valid for 3 seconds after the
click; the reads take milliseconds. Should Slack refuse the modal all the same (the trigger
expired on a slow day), the person is told so (``hr_plugin.slack.failures``).

Such a button changes nothing, so a replay of it has nothing to repeat and the replay guard
(``hr_plugin.slack.listeners.events``) leaves it alone; the trigger id in a replayed request
has long expired.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack


def answer_now(ack: Ack) -> None:
    ack()


def never_acks(**_: Any) -> None:
    """The ``ack`` handed to a handler that runs after the answer has gone."""
