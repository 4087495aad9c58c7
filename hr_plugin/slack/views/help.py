"""The reply to ``/rtw help``: what the person can do, in a few plain lines."""

from __future__ import annotations

from collections.abc import Mapping

from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject, SectionBlock


def help_blocks(commands: Mapping[str, str], unknown: str | None = None) -> list[Block]:
    lines = "\n".join(f"• `/rtw {name}`: {summary}" for name, summary in commands.items())
    blocks: list[Block] = []
    if unknown:
        blocks.append(
            SectionBlock(text=MarkdownTextObject(text=f"I don't know `/rtw {unknown}`. Here is what I know:"))
        )
    blocks += [
        SectionBlock(
            text=MarkdownTextObject(
                text=(
                    "*Return to work*: support for coming back after a new child arrives.\n"
                    f"{lines}\n"
                    "Open the app's *Home* tab for your own overview."
                )
            )
        ),
        ContextBlock(
            elements=[MarkdownTextObject(text="Replies to these commands are visible only to you.")]
        ),
    ]
    return blocks


def help_text(commands: Mapping[str, str]) -> str:
    return "Return to work: " + "; ".join(f"/rtw {name}" for name in commands)
