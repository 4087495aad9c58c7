"""Block Kit for mentoring: App Home parts by role, the modals behind them, and what each modal
submits, parsed beside the block ids it reads."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Self

from pydantic import BaseModel, ConfigDict
from pydantic.dataclasses import dataclass
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ConfirmObject,
    DatePickerElement,
    DividerBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    SectionBlock,
    StaticMultiSelectElement,
    StaticSelectElement,
    UserMultiSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from hr_plugin.slack.blockkit import escape, fit_lines
from hr_plugin.slack.payloads import state_value
from mentoring.actions import (
    ASSIGN_ACTION,
    ASSIGN_CALLBACK,
    BECOME_ACTION,
    END_ACTION,
    MENTOR_CALLBACK,
    PAUSE_ACTION,
    PREFERENCES_ACTION,
    PREFERENCES_CALLBACK,
    RESUME_ACTION,
    STOP_ACTION,
)
from mentoring.scoring import TAGS

CONFIRM_BLOCK, CAPACITY_BLOCK, TAGS_BLOCK, SHARE_BLOCK, RETURNED_BLOCK = (
    "confirm",
    "capacity",
    "tags",
    "share",
    "returned_on",
)
FACILITATE_BLOCK = "facilitate"
PREFERENCES_BLOCK, EXCLUDED_BLOCK, CHOICES_BLOCK = "preferences", "excluded", "choices"
MENTEE_BLOCK, MENTOR_BLOCK = "mentee", "mentor"


@dataclass(frozen=True)
class MentorForm:
    """The mentor form (``mentor_modal``): what a mentor offers, as submitted or as saved.

    The service takes it to save and gives it back to fill the form again, so one type serves
    both. A pydantic dataclass rather than a ``BaseModel``: callers build it positionally too,
    which a ``BaseModel`` refuses. The service checks the values, with words for the person.
    """

    confirmed_transition: bool
    capacity: int
    tags: frozenset[str]
    share_tags: bool
    returned_on: date | None
    facilitates_huddles: bool = False

    @classmethod
    def from_view(cls, view: dict[str, Any]) -> Self:
        """The submitted form; a capacity that is not a number reads as 0, which the service refuses."""
        capacity = (state_value(view, CAPACITY_BLOCK).get("selected_option") or {}).get("value", "0")
        returned = state_value(view, RETURNED_BLOCK).get("selected_date")
        return cls(
            confirmed_transition=bool(_selected(view, CONFIRM_BLOCK)),
            capacity=int(capacity) if str(capacity).isdigit() else 0,
            tags=frozenset(_selected(view, TAGS_BLOCK)),
            share_tags="share" in _selected(view, SHARE_BLOCK),
            returned_on=date.fromisoformat(returned) if returned else None,
            facilitates_huddles="yes" in _selected(view, FACILITATE_BLOCK),
        )


class PreferencesForm(BaseModel):
    """The mentee's preferences (``preferences_modal``), as submitted or as saved."""

    model_config = ConfigDict(frozen=True)

    preferences: list[str]
    excluded_user_ids: list[str]
    wants_mentor: bool
    manager_may_know: bool

    @classmethod
    def from_view(cls, view: dict[str, Any]) -> Self:
        choices = _selected(view, CHOICES_BLOCK)
        return cls(
            preferences=_selected(view, PREFERENCES_BLOCK),
            excluded_user_ids=state_value(view, EXCLUDED_BLOCK).get("selected_users") or [],
            wants_mentor="no_mentor" not in choices,
            manager_may_know="manager_may_know" in choices,
        )


class AssignForm(BaseModel):
    """HR's pairing by hand (``assign_modal``): either person may be missing, which the service
    names on its field."""

    model_config = ConfigDict(frozen=True)

    mentee_user_id: str | None
    mentor_user_id: str | None

    @classmethod
    def from_view(cls, view: dict[str, Any]) -> Self:
        return cls(
            mentee_user_id=state_value(view, MENTEE_BLOCK).get("selected_user"),
            mentor_user_id=state_value(view, MENTOR_BLOCK).get("selected_user"),
        )


def _selected(view: dict[str, Any], block: str) -> list[str]:
    """The values chosen in a checkboxes or multi-select input."""
    return [str(option.get("value")) for option in state_value(view, block).get("selected_options") or []]


def _tag_options() -> list[Option]:
    return [Option(value=key, label=label[:75]) for key, label in TAGS.items()]


def _tags_element(chosen_tags: Sequence[str], placeholder: str) -> StaticMultiSelectElement:
    """All the experience tags in one multi-select.

    Why not checkboxes: Slack allows at most 10 options in a checkboxes element and there are
    more tags than that. A multi-select holds up to 100, shows what is chosen at a glance, and
    submits its choice as ``selected_options`` just as checkboxes did.
    """
    options = _tag_options()
    chosen = [option for option in options if option.value in chosen_tags]
    return StaticMultiSelectElement(
        action_id="value", placeholder=placeholder, options=options, initial_options=chosen or None
    )


def _bullets(lines: Sequence[str]) -> str:
    return "\n".join(f"• {line}" for line in lines)


def mentee_blocks(
    *, mentor_name: str | None, status: str | None, reasons: Sequence[str], match_id: int | None
) -> list[Block]:
    if status == "active" and mentor_name:
        text = f"*Your mentor*\n{escape(mentor_name)}" + (f"\n{_bullets(reasons)}" if reasons else "")
        end = ButtonElement(
            text="End this match",
            action_id=END_ACTION,
            value=str(match_id),
            confirm=ConfirmObject(
                title="End the match?",
                text="They are told kindly, without a reason, and we look for another mentor for you.",
                confirm="End it",
                deny="Keep",
            ),
        )
        actions: list[ButtonElement] = [end]
    elif status in ("asked", "looking"):
        # One wording while a mentor is asked and while a rematch waits for its tick: two would
        # tell the mentee that the mentor asked had said no.
        text = (
            "*Your mentor*\nWe are looking for a mentor who went through a return themselves. "
            "You'll hear soon."
        )
        actions = []
    else:
        text = "*Your mentor*\nWhen you're a few weeks from your return, we'll look for a mentor for you."
        actions = []
    actions.append(ButtonElement(text="Mentoring preferences", action_id=PREFERENCES_ACTION, value="open"))
    return [
        SectionBlock(text=MarkdownTextObject(text=text)),
        ActionsBlock(block_id="mentee", elements=actions),
    ]


def mentor_blocks(*, paused: bool, capacity: int, mentees: Sequence[tuple[int, str, str]]) -> list[Block]:
    lines = [
        f"• {escape(name)}" + (" (asked, waiting for your answer)" if status == "asked" else "")
        for _, name, status in mentees
    ]
    state = "paused: nobody new is asked" if paused else f"open for up to {capacity} mentee(s)"
    blocks: list[Block] = [
        DividerBlock(),
        SectionBlock(
            text=MarkdownTextObject(text=fit_lines(lines, head=f"*Mentoring*\nYou are a mentor, {state}."))
        ),
    ]
    buttons = [
        ButtonElement(
            text="Resume" if paused else "Pause",
            action_id=RESUME_ACTION if paused else PAUSE_ACTION,
            value="toggle",
        ),
        ButtonElement(text="Edit", action_id=BECOME_ACTION, value="edit"),
        ButtonElement(
            text="Stop mentoring",
            action_id=STOP_ACTION,
            value="stop",
            confirm=ConfirmObject(
                title="Stop mentoring?",
                text="Your current mentees keep you; nobody new is asked.",
                confirm="Stop",
                deny="Cancel",
            ),
        ),
    ]
    blocks.append(ActionsBlock(block_id="mentor", elements=buttons))
    # One row per match: Slack refuses two buttons with the same action_id in one block.
    blocks += [
        ActionsBlock(
            block_id=f"mentor-end-{match_id}",
            elements=[
                ButtonElement(
                    text=f"End match with {name}"[:75],
                    action_id=END_ACTION,
                    value=str(match_id),
                    # The click only saves the ending; this is where the mentor hears what follows.
                    confirm=ConfirmObject(
                        title="End the match?",
                        text="They are told kindly, without a reason, and we look for another mentor "
                        "for them.",
                        confirm="End it",
                        deny="Keep",
                    ),
                )
            ],
        )
        for match_id, name, status in mentees
        if status == "active"
    ]
    return blocks


def become_blocks() -> list[Block]:
    return [
        DividerBlock(),
        SectionBlock(
            text=MarkdownTextObject(
                text="*Mentoring*\nBeen through a return after a new child? You could help "
                "someone coming back now."
            ),
            accessory=ButtonElement(text="Become a mentor", action_id=BECOME_ACTION, value="open"),
        ),
    ]


def manager_blocks(pairs: Sequence[tuple[str, str]]) -> list[Block]:
    lines = [f"• {escape(report)}'s mentor: {escape(mentor)}" for report, mentor in pairs]
    return [
        SectionBlock(
            text=MarkdownTextObject(text=fit_lines(lines, head="_Shared with you by your reports:_"))
        )
    ]


def hr_blocks(
    matched: int, waiting: int, unmatched: int, pairs: Sequence[tuple[str, str, str]]
) -> list[Block]:
    lines = [
        f"• {escape(mentee)} with {escape(mentor)}" + (" (asked)" if status == "asked" else "")
        for mentee, mentor, status in pairs[:10]
    ]
    head = (
        f"*Mentoring*\nMatched: {matched}. Waiting for a mentor's answer: {waiting}. "
        f"Not matched yet: {unmatched}."
    )
    return [
        SectionBlock(
            text=MarkdownTextObject(text=fit_lines(lines, head=head)),
            accessory=ButtonElement(text="Pair by hand", action_id=ASSIGN_ACTION, value="open"),
        )
    ]


def mentor_modal(
    *, capacity: int, tags: Sequence[str], share: bool, returned_on: date | None, facilitates: bool = False
) -> View:
    share_option = Option(value="share", label="Show these to my mentees once we are matched")
    facilitate_option = Option(
        value="yes",
        label="I'll facilitate a monthly peer huddle",
        description="30 minutes with a few returning parents; prompts arrive the day before.",
    )
    return View(
        type="modal",
        callback_id=MENTOR_CALLBACK,
        title="Become a mentor",
        submit="Save",
        close="Cancel",
        blocks=[
            InputBlock(
                block_id=CONFIRM_BLOCK,
                label="Your own experience",
                element=CheckboxesElement(
                    action_id="value",
                    options=[Option(value="yes", label="I went through my own parental transition")],
                ),
            ),
            InputBlock(
                block_id=CAPACITY_BLOCK,
                label="How many mentees at once",
                element=StaticSelectElement(
                    action_id="value",
                    options=[Option(value=str(n), label=str(n)) for n in (1, 2, 3)],
                    initial_option=Option(value=str(capacity), label=str(capacity)),
                ),
            ),
            InputBlock(
                block_id=TAGS_BLOCK,
                label="Experiences you could speak to",
                optional=True,
                hint="Optional. Used to suggest matches.",
                element=_tags_element(tags, "Choose any that apply"),
            ),
            InputBlock(
                block_id=SHARE_BLOCK,
                label="Sharing",
                optional=True,
                element=CheckboxesElement(
                    action_id="value",
                    options=[share_option],
                    initial_options=[share_option] if share else None,
                ),
            ),
            InputBlock(
                block_id=FACILITATE_BLOCK,
                label="Peer huddles",
                optional=True,
                element=CheckboxesElement(
                    action_id="value",
                    options=[facilitate_option],
                    initial_options=[facilitate_option] if facilitates else None,
                ),
            ),
            InputBlock(
                block_id=RETURNED_BLOCK,
                label="When you came back to work (optional)",
                optional=True,
                element=DatePickerElement(
                    action_id="value", initial_date=returned_on.isoformat() if returned_on else None
                ),
            ),
        ],
    )


def preferences_modal(
    *,
    preferences: Sequence[str],
    excluded_user_ids: Sequence[str],
    wants_mentor: bool,
    manager_may_know: bool,
) -> View:
    choice_options = [
        Option(value="no_mentor", label="I'd rather not have a mentor"),
        Option(value="manager_may_know", label="My manager may know who my mentor is"),
    ]
    chosen_choices = [choice_options[0]] if not wants_mentor else []
    if manager_may_know:
        chosen_choices.append(choice_options[1])
    return View(
        type="modal",
        callback_id=PREFERENCES_CALLBACK,
        title="Mentoring preferences",
        submit="Save",
        close="Cancel",
        blocks=[
            SectionBlock(text="These stay between you and the matcher: nobody else sees them."),
            InputBlock(
                block_id=PREFERENCES_BLOCK,
                label="A mentor who knows about",
                optional=True,
                element=_tags_element(preferences, "Choose any that matter to you"),
            ),
            InputBlock(
                block_id=EXCLUDED_BLOCK,
                label="People you'd rather not be matched with",
                optional=True,
                element=UserMultiSelectElement(
                    action_id="value", initial_users=list(excluded_user_ids) or None
                ),
            ),
            InputBlock(
                block_id=CHOICES_BLOCK,
                label="Choices",
                optional=True,
                element=CheckboxesElement(
                    action_id="value", options=choice_options, initial_options=chosen_choices or None
                ),
            ),
        ],
    )


def assign_modal() -> View:
    return View(
        type="modal",
        callback_id=ASSIGN_CALLBACK,
        title="Pair by hand",
        submit="Ask the mentor",
        close="Cancel",
        blocks=[
            SectionBlock(
                text="The mentor is asked first, as with any match. People in the same reporting "
                "line are never paired."
            ),
            InputBlock(
                block_id=MENTEE_BLOCK,
                label="Returning employee",
                element=UserSelectElement(action_id="value"),
            ),
            InputBlock(block_id=MENTOR_BLOCK, label="Mentor", element=UserSelectElement(action_id="value")),
        ],
    )
