"""What mentoring's messages say. Plain, kind, and never a reason for a decline or an ending.

What one person is told about another (the request to a mentor above all) reads the same for
everyone, with no baby or partner in it: a wording that changed for someone with the mark that
leaves that content out (after a loss, for example) would tell the reader about the mark.
"""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from hr_plugin.slack.blockkit import BlocksJson, escape
from mentoring.actions import ACCEPT_ACTION, DECLINE_ACTION, MET_NOT_YET_ACTION, MET_YES_ACTION

FIRST_CONVERSATION = (
    "What helped most in your first weeks back, and what would you skip?",
    "Which meetings or habits are worth protecting, and which can wait?",
    "How do you say no to extra work without feeling you owe an explanation?",
)


def _bullets(lines: Sequence[str]) -> str:
    return "\n".join(f"• {line}" for line in lines)


def _button(label: str, action_id: str, value: str, style: str | None = None) -> ButtonElement:
    """A button whose label is sent without ``emoji``, as these messages always were: a plain
    ``str`` label would make ``slack_sdk`` add ``"emoji": true`` to the stored JSON."""
    return ButtonElement(text=PlainTextObject(text=label), action_id=action_id, value=value, style=style)


def _json(blocks: Sequence[Block]) -> BlocksJson:
    """The blocks as the JSON the outbox stores and Slack receives."""
    return BlocksJson([block.to_dict() for block in blocks])


def ask_text(mentee_name: str) -> str:
    return (
        f"Would you mentor {escape(mentee_name)}, who is coming back to work? "
        "You can say no without a reason."
    )


def ask_blocks(match_id: int, mentee_name: str, reasons: Sequence[str]) -> BlocksJson:
    why = _bullets(reasons) if reasons else "• You have been through a return yourself."
    return _json(
        [
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"*Would you mentor {escape(mentee_name)}?*\n"
                    "They are coming back to work after a period of leave. "
                    f"Why we thought of you:\n{why}\nYou can say no; nobody is told why, and nobody asks."
                )
            ),
            ActionsBlock(
                block_id=f"mentor-ask-{match_id}",
                elements=[
                    _button("Yes, happy to", ACCEPT_ACTION, str(match_id), "primary"),
                    _button("Not this time", DECLINE_ACTION, str(match_id)),
                ],
            ),
        ]
    )


def intro_text(mentee_name: str, mentor_name: str) -> str:
    return f"{escape(mentee_name)}, meet {escape(mentor_name)}: your mentoring match for the return to work."


def intro_blocks(mentee_name: str, mentor_name: str, reasons: Sequence[str]) -> BlocksJson:
    why = _bullets(reasons) if reasons else "• You have both been through a return to work."
    mentee_name, mentor_name = escape(mentee_name), escape(mentor_name)
    return _json(
        [
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"*{mentee_name}, meet {mentor_name}.*\n"
                    f"{mentor_name} went through their own return and offered to be a mentor. "
                    f"Why you two:\n{why}"
                )
            ),
            SectionBlock(
                text=MarkdownTextObject(
                    text="*For a first conversation* (30 minutes is plenty):\n" + _bullets(FIRST_CONVERSATION)
                )
            ),
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text="Either of you can end the match at any time from the app's Home tab; "
                        "the other is told kindly, without a reason."
                    )
                ]
            ),
        ]
    )


# The mentor's answer, in place of the request. A decline is saved before this shows; the next
# best mentor is asked by the scheduler's rematch tick a few seconds later, so the words promise
# the search, not a result.
ACCEPTED_REPLY = "Thank you. We've introduced you in a group message."
DECLINED_REPLY = (
    "Thanks for letting us know. Your answer is saved and nobody is told why; "
    "we are looking for another mentor for them."
)


def waiting_text() -> str:
    return (
        "We have not found the right mentor for you yet. We keep looking and will tell you as soon as "
        "someone says yes."
    )


def ended_text(ender_name: str, *, to_mentee: bool) -> str:
    ender_name = escape(ender_name)
    if to_mentee:
        return (
            f"Your mentoring match with {ender_name} has come to an end. Thank you both. "
            "We are looking for another mentor for you."
        )
    return f"Your mentoring match with {ender_name} has come to an end. Thank you for the time you gave."


def met_text(other_name: str) -> str:
    return f"Did you and {escape(other_name)} manage to meet? Only the program's counts use your answer."


def met_blocks(match_id: int, other_name: str) -> BlocksJson:
    return _json(
        [
            SectionBlock(text=MarkdownTextObject(text=met_text(other_name))),
            ActionsBlock(
                block_id=f"mentor-met-{match_id}",
                elements=[
                    _button("Yes, we met", MET_YES_ACTION, str(match_id)),
                    _button("Not yet", MET_NOT_YET_ACTION, str(match_id)),
                ],
            ),
        ]
    )
