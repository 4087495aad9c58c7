"""Modals for joining the program, answering an invitation, and HR proposing an enrolment, and
what their submissions say (``EnrolmentSubmission``), read beside the block ids that define it."""

from __future__ import annotations

from datetime import date
from typing import Any, Self

from pydantic import BaseModel
from slack_sdk.models.blocks import (
    CheckboxesElement,
    DatePickerElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    SectionBlock,
    UserSelectElement,
)
from slack_sdk.models.views import View

from hr_plugin.enrolment.actions import (
    ACCEPT_CALLBACK,
    CONTENT_CHOICES_CALLBACK,
    PROPOSE_CALLBACK,
    RETURN_DATE_CALLBACK,
    SELF_ENROL_CALLBACK,
)
from hr_plugin.slack.payloads import state_value

EMPLOYEE_BLOCK, LEAVE_START_BLOCK, RETURN_BLOCK, CHOICES_BLOCK = (
    "employee",
    "leave_start",
    "expected_return",
    "choices",
)
CONTACT_CHOICE, FAMILY_CHOICE = "contact_during_leave", "leave_out_family"

CONSENT_TEXT = (
    "Joining is your choice, and you can leave at any time from the Home tab without giving a reason. "
    "Your manager will see your capacity plan and its dates, and nothing else."
)


def _choices(contact: bool, leave_out_family: bool) -> InputBlock:
    options = [
        Option(value=CONTACT_CHOICE, label="You may message me while I am on leave"),
        Option(
            value=FAMILY_CHOICE,
            label="Leave out content about a baby or a partner",
            description="For example after a loss. You can change this later.",
        ),
    ]
    chosen = [option for option, on in zip(options, (contact, leave_out_family), strict=True) if on]
    return InputBlock(
        block_id=CHOICES_BLOCK,
        label="Your choices",
        optional=True,
        element=CheckboxesElement(action_id="value", options=options, initial_options=chosen or None),
    )


def accept_modal(leave_start: date, expected_return: date) -> View:
    return View(
        type="modal",
        callback_id=ACCEPT_CALLBACK,
        title="Return to work",
        submit="Join",
        close="Not now",
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(
                    text=(
                        f"HR has your leave from *{leave_start:%d %b %Y}*, "
                        f"back *{expected_return:%d %b %Y}*.\n\n"
                        + CONSENT_TEXT
                        + "\n\nUntil you return, we only message you if you tick the first box below."
                    )
                )
            ),
            _choices(contact=False, leave_out_family=False),
        ],
    )


def self_enrol_modal() -> View:
    return View(
        type="modal",
        callback_id=SELF_ENROL_CALLBACK,
        title="Join the program",
        submit="Ask to join",
        close="Cancel",
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=CONSENT_TEXT + " HR confirms your place.")),
            InputBlock(
                block_id=LEAVE_START_BLOCK,
                label="First day of your leave",
                element=DatePickerElement(action_id="value"),
            ),
            InputBlock(
                block_id=RETURN_BLOCK,
                label="Expected return date",
                element=DatePickerElement(action_id="value"),
            ),
            _choices(contact=False, leave_out_family=False),
        ],
    )


def propose_modal() -> View:
    return View(
        type="modal",
        callback_id=PROPOSE_CALLBACK,
        title="Propose an enrolment",
        submit="Propose",
        close="Cancel",
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(
                    text=(
                        "The employee is invited and decides. "
                        "Nothing reaches someone on leave unless they agree."
                    )
                )
            ),
            InputBlock(
                block_id=EMPLOYEE_BLOCK,
                label="Employee",
                element=UserSelectElement(action_id="value", placeholder="Choose a person"),
            ),
            InputBlock(
                block_id=LEAVE_START_BLOCK,
                label="First day of leave",
                element=DatePickerElement(action_id="value"),
            ),
            InputBlock(
                block_id=RETURN_BLOCK,
                label="Expected return date",
                element=DatePickerElement(action_id="value"),
            ),
        ],
    )


def return_date_modal(current: date) -> View:
    return View(
        type="modal",
        callback_id=RETURN_DATE_CALLBACK,
        title="Change the return date",
        submit="Save",
        close="Cancel",
        blocks=[
            SectionBlock(text="Your plan is rebuilt from the new date, and your manager gets the new dates."),
            InputBlock(
                block_id=RETURN_BLOCK,
                label="Expected return date",
                element=DatePickerElement(action_id="value", initial_date=current.isoformat()),
            ),
        ],
    )


def content_choices_modal(leave_out_family: bool) -> View:
    """The leave-out mark, shown and changed only here: never on the App Home (DESIGN.md)."""
    option = Option(
        value=FAMILY_CHOICE,
        label="Leave out content about a baby or a partner",
        description="For example after a loss. You can change this at any time.",
    )
    return View(
        type="modal",
        callback_id=CONTENT_CHOICES_CALLBACK,
        title="Content choices",
        submit="Save",
        close="Cancel",
        blocks=[
            SectionBlock(text="What the program shows you. Only you see this choice."),
            InputBlock(
                block_id=CHOICES_BLOCK,
                label="Your choice",
                optional=True,
                element=CheckboxesElement(
                    action_id="value",
                    options=[option],
                    initial_options=[option] if leave_out_family else None,
                ),
            ),
        ],
    )


def _date(view: dict[str, Any], block_id: str) -> date | None:
    """The date picked in ``block_id``; None when none was picked, or Slack sent no date."""
    raw = state_value(view, block_id).get("selected_date")
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


class EnrolmentSubmission(BaseModel):
    """Any of the enrolment modals: fields a modal lacks stay empty.

    The service checks what is missing or wrong (``check_dates``) and names the input it
    belongs to, so one reading serves the five modals.
    """

    employee_user_id: str | None = None
    leave_start: date | None = None
    expected_return: date | None = None
    choices: frozenset[str] = frozenset()

    @classmethod
    def from_view(cls, view: dict[str, Any]) -> Self:
        selected = state_value(view, CHOICES_BLOCK).get("selected_options") or []
        return cls(
            employee_user_id=state_value(view, EMPLOYEE_BLOCK).get("selected_user"),
            leave_start=_date(view, LEAVE_START_BLOCK),
            expected_return=_date(view, RETURN_BLOCK),
            choices=frozenset(str(option.get("value")) for option in selected),
        )

    @property
    def contact_during_leave(self) -> bool:
        """The first box of the choices: the employee may be messaged while on leave."""
        return CONTACT_CHOICE in self.choices

    @property
    def leave_out_family(self) -> bool:
        """The box that leaves content about a baby or a partner out."""
        return FAMILY_CHOICE in self.choices
