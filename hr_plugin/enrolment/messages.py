"""What enrolment's messages say: the invitation HR's proposal sends, and the short notes that
tell HR someone asked to join and tell the employee HR confirmed.

None of them says more than that: the details wait on the App Home, where only the person sees
them.
"""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from hr_plugin.enrolment.actions import DECLINE_ACTION, INVITE_ACTION
from hr_plugin.slack.blockkit import BlocksJson

TO_CONFIRM_TEXT = "Someone has asked to join the return-to-work program. Open the app's Home tab to confirm."
CONFIRMED_TEXT = "HR has confirmed your place in the return-to-work program. Your Home tab has the details."


def _label(text: str) -> PlainTextObject:
    """A button's label as the invitation has always sent it: without ``emoji``, which
    ``slack_sdk`` adds to a label given as a plain string."""
    return PlainTextObject(text=text)


def invitation_text() -> str:
    return "HR has invited you to the return-to-work program. It is your choice: have a look when you like."


def invitation_blocks(enrolment_id: int) -> BlocksJson:
    """The invitation as the outbox stores it: JSON, with the enrolment's id on both buttons."""
    blocks = [
        SectionBlock(
            text=MarkdownTextObject(
                text=(
                    "*You're invited to the return-to-work program*\n"
                    "It offers a planned, gradual return, a mentor who has been through it, and "
                    "monthly peer huddles. Joining is your choice, and you can leave at any time "
                    "without giving a reason."
                )
            )
        ),
        ActionsBlock(
            block_id=f"enrolment-{enrolment_id}",
            elements=[
                ButtonElement(
                    text=_label("Have a look"),
                    action_id=INVITE_ACTION,
                    value=str(enrolment_id),
                    style="primary",
                ),
                ButtonElement(text=_label("No, thanks"), action_id=DECLINE_ACTION, value=str(enrolment_id)),
            ],
        ),
    ]
    return BlocksJson([block.to_dict() for block in blocks])
