"""What the plan's messages say. Managers get dates and capacity, never a reason.

The guidance and the need templates live in ``content/en.json`` so they can be edited and
translated without touching code.
"""

from __future__ import annotations

import json
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from hr_plugin.slack.blockkit import BlocksJson, escape

if TYPE_CHECKING:
    from hr_plugin.reintegration.plan_view import PlanView


@lru_cache(maxsize=1)
def content() -> dict[str, Any]:
    return dict(json.loads((resources.files("hr_plugin.reintegration") / "content" / "en.json").read_text()))


def need_templates() -> dict[str, dict[str, str]]:
    return dict(content()["need_templates"])


def compose_need(template: str, detail: str) -> str:
    """The exact words the manager will read (the employee previews them before sending)."""
    chosen = need_templates().get(template)
    if chosen is None:
        raise ValueError("unknown template")
    return chosen["text"].format(detail=detail.strip()).strip()


def day(value: date) -> str:
    return f"{value:%a %d %b}"


def schedule_lines(view: PlanView) -> list[str]:
    lines = [f"• Week of {day(week.week_start)}: {week.percent}%" for week in view.weeks]
    lines.append(f"• From {day(view.full_capacity_from)}: 100%")
    return lines


def manager_plan_text(view: PlanView, *, first: bool) -> str:
    lead = "returns" if first else "has an updated return plan"
    return (
        f"{escape(view.employee_name)} {lead}: back {day(view.return_date)}, "
        f"full capacity from {day(view.full_capacity_from)}."
    )


def manager_plan_blocks(view: PlanView, *, first: bool) -> BlocksJson:
    heading = "Return plan" if first else "Updated return plan"
    guidance = "\n".join(f"• {line}" for line in content()["manager_guidance"])
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": heading}},
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": f"*{escape(view.employee_name)}* is back on {day(view.return_date)}.\n"
                + "\n".join(schedule_lines(view)),
            },
        },
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*Adjusting commitments*\n{guidance}"}},
        {
            "type": "actions",
            "block_id": f"plan-{view.plan_id}",
            "elements": [
                {
                    "type": "button",
                    "action_id": "plan.acknowledge",
                    "style": "primary",
                    "text": {"type": "plain_text", "text": "Got it"},
                    "value": str(view.plan_id),
                }
            ],
        },
    ]
    return BlocksJson(blocks)


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
