"""Modals opened from the App Home: appointing an HR admin, and one's own working hours."""

from __future__ import annotations

import functools
import json
from typing import Any

from slack_sdk.models.blocks import (
    CheckboxesElement,
    InputBlock,
    Option,
    SectionBlock,
    TimePickerElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from hr_plugin.home_model import WorkingHours

APPOINT_ADMIN_CALLBACK = "admins.appoint"
APPOINTEE_BLOCK, APPOINTEE_ACTION = "appointee", "user"
WORKING_HOURS_CALLBACK = "settings.working_hours"
DAYS_BLOCK, START_BLOCK, END_BLOCK = "days", "start", "end"
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def appoint_admin_modal() -> View:
    return View(
        type="modal",
        callback_id=APPOINT_ADMIN_CALLBACK,
        title="Appoint an HR admin",
        submit="Appoint",
        close="Cancel",
        blocks=[
            SectionBlock(
                text=(
                    "HR admins configure the program and see its figures. They never see anyone's "
                    "private check-in, and they see program figures only for groups large enough "
                    "to keep individuals anonymous."
                )
            ),
            InputBlock(
                block_id=APPOINTEE_BLOCK,
                label="Who",
                element=UserSelectElement(action_id=APPOINTEE_ACTION, placeholder="Choose a person"),
            ),
        ],
    )


def working_hours_payload(current: WorkingHours) -> dict[str, Any]:
    """``working_hours_modal`` as the dict Slack is sent: a fresh copy each time, read from text
    built once for each distinct set of hours (most people share a few).

    Why: slack_sdk's ``to_dict`` validates and walks every block on each call, 0.45 ms of CPU
    measured in process, a quarter of what a click of the button costs after its answer;
    reading the cached text back costs a tenth of that, and no caller can change another's."""
    payload: dict[str, Any] = json.loads(_working_hours_json(current))
    return payload


@functools.lru_cache(maxsize=1024)
def _working_hours_json(current: WorkingHours) -> str:
    return json.dumps(working_hours_modal(current).to_dict())


def working_hours_modal(current: WorkingHours) -> View:
    options = [Option(value=str(day), label=name) for day, name in enumerate(DAY_NAMES)]
    chosen = [options[day] for day in current.days]
    return View(
        type="modal",
        callback_id=WORKING_HOURS_CALLBACK,
        title="Your working hours",
        submit="Save",
        close="Cancel",
        blocks=[
            SectionBlock(
                text=(
                    f"Times are in your Slack time zone ({current.timezone}). Messages you did not "
                    "ask for wait until your working hours; reminders you set yourself come on time."
                )
            ),
            InputBlock(
                block_id=DAYS_BLOCK,
                label="Working days",
                element=CheckboxesElement(action_id="value", options=options, initial_options=chosen or None),
            ),
            InputBlock(
                block_id=START_BLOCK,
                label="Day starts",
                element=TimePickerElement(action_id="value", initial_time=current.start),
            ),
            InputBlock(
                block_id=END_BLOCK,
                label="Day ends",
                element=TimePickerElement(action_id="value", initial_time=current.end),
            ),
        ],
    )
