"""Messages about a person to anyone else read the same for everyone and name no baby or partner.

Why: an enrolment can carry the mark that leaves baby and partner content out (after a loss,
for example). A message to a mentor, a manager or a huddle group that mentioned a new child
would reach that person's colleagues as a story that is not theirs to hear, and one that
changed its words for marked people would tell the reader about the mark. So these builders
take no such mark, and their words hold none of these. The e2e side: ``tests/e2e/test_privacy_slips.py``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest

from hr_plugin.reintegration import messages as plan_messages
from hr_plugin.reintegration.plan_view import PlanView, WeekLine
from huddles import messages as huddle_messages
from mentoring import messages as mentoring_messages

FAMILY_WORDS = re.compile(r"baby|babies|child|partner|birth|born|pregnan|newborn|infant", re.IGNORECASE)
NAME, OTHER = "Pat Parent", "Mo Mentor"
PLAN = PlanView(
    plan_id=7,
    employee_name=NAME,
    return_date=date(2026, 12, 7),
    full_capacity_from=date(2027, 1, 4),
    weeks=(WeekLine(date(2026, 12, 7), 50, 5), WeekLine(date(2026, 12, 14), 75, 5)),
    extension_weeks_taken=0,
    extension_allowed=1,
    acknowledged=False,
    policy_name="Default",
)
MEETING = huddle_messages.Meeting(
    huddle_id=3,
    start_utc=datetime(2026, 12, 10, 10, 0, tzinfo=UTC),
    minutes=30,
    video_link=None,
    timezones=("Europe/London",),
)

# Every builder whose message is about one person and goes to someone else.
ABOUT_SOMEONE_TO_OTHERS: dict[str, Callable[[], Any]] = {
    "mentor request (text)": lambda: mentoring_messages.ask_text(NAME),
    "mentor request (blocks)": lambda: mentoring_messages.ask_blocks(1, NAME, ["You work similar hours"]),
    "mentor request (no reasons)": lambda: mentoring_messages.ask_blocks(1, NAME, []),
    "introduction (text)": lambda: mentoring_messages.intro_text(NAME, OTHER),
    "introduction (blocks)": lambda: mentoring_messages.intro_blocks(NAME, OTHER, []),
    "match ended": lambda: mentoring_messages.ended_text(NAME, to_mentee=False),
    "did you meet": lambda: mentoring_messages.met_blocks(1, NAME),
    "manager's plan (text)": lambda: plan_messages.manager_plan_text(PLAN, first=True),
    "manager's plan (blocks)": lambda: plan_messages.manager_plan_blocks(PLAN, first=True),
    "manager's updated plan": lambda: plan_messages.manager_plan_blocks(PLAN, first=False),
    "manager's week change": lambda: plan_messages.week_change_text(NAME, 75, date(2027, 1, 4)),
    "HR: plan without a manager": lambda: plan_messages.missing_manager_text(NAME),
    "huddle invitation (text)": lambda: huddle_messages.invitation_text(MEETING),
    "huddle invitation (blocks)": lambda: huddle_messages.invitation_blocks(MEETING),
    "huddle reminder": lambda: huddle_messages.day_reminder_text(MEETING, answered=False),
}


@pytest.mark.parametrize("message", list(ABOUT_SOMEONE_TO_OTHERS))
def test_a_message_about_someone_names_no_baby_child_or_partner(message: str) -> None:
    rendered = json.dumps(ABOUT_SOMEONE_TO_OTHERS[message](), default=str)

    assert NAME in rendered or message.startswith("huddle")  # it was rendered, and is about someone
    assert not FAMILY_WORDS.search(rendered), rendered
