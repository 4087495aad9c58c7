"""The plan's words that views and messages share: the content file, a date as people read it, a
plan as lines of weeks and percents.

Pure, no Slack: the guidance and the need templates live in ``content/en.json`` so they can be
edited and translated without touching code; ``views`` (the Home tab and modals) and
``messages`` (what is sent) both read them here, so a plan reads the same wherever it is shown.
"""

from __future__ import annotations

import json
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hr_plugin.reintegration.plan_view import PlanView


@lru_cache(maxsize=1)
def content() -> dict[str, Any]:
    return dict(json.loads((resources.files("hr_plugin.reintegration") / "content" / "en.json").read_text()))


def day(value: date) -> str:
    return f"{value:%a %d %b}"


def schedule_lines(view: PlanView) -> list[str]:
    lines = [f"• Week of {day(week.week_start)}: {week.percent}%" for week in view.weeks]
    lines.append(f"• From {day(view.full_capacity_from)}: 100%")
    return lines


def manager_guidance() -> str:
    """What a manager can do about commitments while someone returns, one bullet a line."""
    return "\n".join(f"• {line}" for line in content()["manager_guidance"])
