"""What the plan's messages say and show: the text and Block Kit of every message the plan sends
(to the employee, their manager, HR) and the need an employee sends their manager.

Managers get dates and capacity, never a reason. Pure: the blocks are built with
``slack_sdk.models`` and handed over as JSON (``BlocksJson``), because they go into an outbox
row. The words shared with the views (dates, the schedule, the content file) are in ``wording``.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from hr_plugin.reintegration import wording
from hr_plugin.reintegration.actions import ACKNOWLEDGE_ACTION
from hr_plugin.reintegration.wording import day, schedule_lines
from hr_plugin.slack.blockkit import BlocksJson, escape

if TYPE_CHECKING:
    from hr_plugin.reintegration.plan_view import PlanView


def need_templates() -> dict[str, dict[str, str]]:
    """The kinds of need an employee can send (a label for the modal, the text for the manager)."""
    return dict(wording.content()["need_templates"])


def compose_need(template: str, detail: str) -> str:
    """The exact words the manager will read (the employee previews them before sending)."""
    chosen = need_templates().get(template)
    if chosen is None:
        raise ValueError("unknown template")
    return chosen["text"].format(detail=detail.strip()).strip()


def manager_plan_text(view: PlanView, *, first: bool) -> str:
    lead = "returns" if first else "has an updated return plan"
    return (
        f"{escape(view.employee_name)} {lead}: back {day(view.return_date)}, "
        f"full capacity from {day(view.full_capacity_from)}."
    )


def manager_plan_blocks(view: PlanView, *, first: bool) -> BlocksJson:
    heading = "Return plan" if first else "Updated return plan"
    # Plain text objects given whole: from a bare string slack_sdk would add ``"emoji": true``,
    # which this message has never carried.
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=heading)),
        SectionBlock(
            text=MarkdownTextObject(
                text=f"*{escape(view.employee_name)}* is back on {day(view.return_date)}.\n"
                + "\n".join(schedule_lines(view))
            )
        ),
        SectionBlock(text=MarkdownTextObject(text=f"*Adjusting commitments*\n{wording.manager_guidance()}")),
        ActionsBlock(
            block_id=f"plan-{view.plan_id}",
            elements=[
                ButtonElement(
                    text=PlainTextObject(text="Got it"),
                    action_id=ACKNOWLEDGE_ACTION,
                    value=str(view.plan_id),
                    style="primary",
                )
            ],
        ),
    ]
    return BlocksJson([block.to_dict() for block in blocks])


def employee_plan_text(view: PlanView, *, first: bool) -> str:
    if first:
        return (
            f"Your return plan is ready: back {day(view.return_date)}, full capacity from "
            f"{day(view.full_capacity_from)}. The Home tab has it week by week."
        )
    return f"Your return plan was updated: full capacity from {day(view.full_capacity_from)}."


def week_change_text(name: str, percent: int, full_from: date) -> str:
    name = escape(name)
    if percent >= 100:
        return f"{name} is at full capacity from this week."
    return f"This week {name} works at {percent}% capacity (full capacity from {day(full_from)})."


def missing_manager_text(name: str) -> str:
    return (
        f"The return plan for {escape(name)} has no manager in the directory to receive it. "
        "Update the directory so their manager gets the plan."
    )


def need_text(name: str, words: str) -> str:
    """The message a manager gets: the person's words quoted, line by line, as words only.

    Escaped so that nothing they typed becomes a ping, a mention or a link in their manager's
    DM; each line quoted so that a line break cannot step out of the quote and pass their words
    off as the app's.
    """
    quoted = "\n".join(f">{line}" for line in escape(words).split("\n"))
    return f"{escape(name)} shared a work need with you:\n{quoted}"
