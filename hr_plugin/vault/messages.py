"""The one message the private space sends with buttons: the weekly reminder.

It says nothing about the check-in: the same discreet words every week, whether or not a
signal waits in the private space (signals never cause a message of their own), and its
buttons carry no more than which button it is.
"""

from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, ButtonElement, PlainTextObject, SectionBlock

from hr_plugin.slack.blockkit import BlocksJson
from hr_plugin.vault import content
from hr_plugin.vault.actions import OPEN_ACTION, PAUSE_ACTION, STOP_ACTION

FROM_REMINDER = "reminder"
"""The value of the reminder's "Open": the space opened from it marks a check-in as prompted."""


def _label(text: str) -> PlainTextObject:
    """A button's label as plain text without the ``emoji`` flag a bare string would add."""
    return PlainTextObject(text=text)


def reminder_blocks() -> BlocksJson:
    """The reminder's blocks, as the JSON an outbox row keeps: the text and Open, Pause, Stop."""
    blocks = [
        SectionBlock(text=PlainTextObject(text=content.reminder_text())),
        ActionsBlock(
            block_id="reflection",
            elements=[
                ButtonElement(
                    text=_label("Open"), action_id=OPEN_ACTION, value=FROM_REMINDER, style="primary"
                ),
                ButtonElement(text=_label("Pause 2 weeks"), action_id=PAUSE_ACTION, value="2"),
                ButtonElement(text=_label("Stop reminders"), action_id=STOP_ACTION, value="stop"),
            ],
        ),
    ]
    return BlocksJson([block.to_dict() for block in blocks])
