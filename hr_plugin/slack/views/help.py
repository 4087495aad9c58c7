"""The reply to ``/rtw help``: what the person can do, in a few plain lines."""

from __future__ import annotations

from collections.abc import Mapping

from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject, SectionBlock

from hr_plugin.slack.blockkit import escape

# What is quoted back of an unknown subcommand: a typo fits, a pasted page would break the block.
UNKNOWN_QUOTED_CHARS = 60


def help_blocks(commands: Mapping[str, str], unknown: str | None = None) -> list[Block]:
    lines = "\n".join(f"• `/rtw {name}`: {summary}" for name, summary in commands.items())
    blocks: list[Block] = []
    if unknown:
        quoted = unknown if len(unknown) <= UNKNOWN_QUOTED_CHARS else unknown[:UNKNOWN_QUOTED_CHARS] + "…"
        quoted = escape(quoted.replace("`", "'"))
        blocks.append(
            SectionBlock(text=MarkdownTextObject(text=f"I don't know `/rtw {quoted}`. Here is what I know:"))
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
