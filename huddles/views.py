"""Block Kit for huddles on the App Home, and HR's settings modal. Pure builders.

A member sees their own next huddle and their group; a facilitator sees the group they hold;
HR sees times, sizes and totals, never a name.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Self

from pydantic import BaseModel
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ContextBlock,
    DividerBlock,
    InputBlock,
    MarkdownTextObject,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from hr_plugin.slack.blockkit import escape, state_value
from huddles.actions import (
    ATTEND_ACTION,
    LEAVE_ACTION,
    REJOIN_ACTION,
    SETTINGS_ACTION,
    SETTINGS_CALLBACK,
    SKIP_ACTION,
)
from huddles.messages import how_to_meet, when
from huddles.series import Cadence

ENABLED_BLOCK, EVERY_BLOCK, WEEK_BLOCK, AVOID_BLOCK = (
    "enabled",
    "every_months",
    "week_of_month",
    "avoided_weekdays",
)
MIN_BLOCK, MAX_BLOCK, ELIGIBLE_BLOCK, LINK_BLOCK = "min_size", "max_size", "eligible_months", "video_link"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
RSVP_WORDS = {
    "invited": "you haven't answered yet",
    "attending": "you're coming",
    "skipped": "you're skipping this one",
    "left": "you've left huddles",
}


def member_blocks(
    *,
    huddle_id: int | None,
    start_utc: datetime | None,
    rsvp: str | None,
    names: Sequence[str],
    video_link: str | None,
    left: bool,
    unplaced_reason: str | None,
) -> list[Block]:
    if left:
        return [
            DividerBlock(),
            SectionBlock(
                text=MarkdownTextObject(
                    text="*Peer huddles*\nYou've left peer huddles. You're welcome back."
                ),
                accessory=ButtonElement(text="Rejoin huddles", action_id=REJOIN_ACTION, value="rejoin"),
            ),
        ]
    if huddle_id is None or start_utc is None:
        text = (
            "*Peer huddles*\nOnce you're back, you'll be invited to a monthly 30-minute huddle "
            "with others returning."
        )
        if unplaced_reason:
            text += f"\nThis time we couldn't place you: {unplaced_reason}"
        return [DividerBlock(), SectionBlock(text=MarkdownTextObject(text=text))]
    group = ", ".join(escape(name) for name in names)
    meet = how_to_meet(video_link).replace("this conversation", "your huddle group message")
    blocks: list[Block] = [
        DividerBlock(),
        SectionBlock(
            text=MarkdownTextObject(
                text=f"*Your next peer huddle*\n{when(start_utc)}, 30 minutes; "
                f"{RSVP_WORDS.get(rsvp or '', '')}.\nWith: {group}.\n{meet}"
            )
        ),
    ]
    buttons = []
    if rsvp != "attending":
        buttons.append(ButtonElement(text="I'll be there", action_id=ATTEND_ACTION, value=str(huddle_id)))
    if rsvp != "skipped":
        buttons.append(ButtonElement(text="Skip this month", action_id=SKIP_ACTION, value=str(huddle_id)))
    buttons.append(ButtonElement(text="Leave huddles", action_id=LEAVE_ACTION, value=str(huddle_id)))
    blocks.append(ActionsBlock(block_id=f"home-huddle-{huddle_id}", elements=buttons))
    return blocks


def facilitator_blocks(
    *, huddle_id: int, start_utc: datetime, rsvp: str, names: Sequence[str]
) -> list[Block]:
    step_back = (
        ButtonElement(text="I can still do it", action_id=ATTEND_ACTION, value=str(huddle_id))
        if rsvp == "skipped"
        else ButtonElement(text="I can't make it", action_id=SKIP_ACTION, value=str(huddle_id))
    )
    return [
        DividerBlock(),
        SectionBlock(
            text=MarkdownTextObject(
                text=f"*You're facilitating a peer huddle*\n{when(start_utc)}, 30 minutes, with "
                f"{', '.join(escape(name) for name in names)}. Your notes arrive the day before."
            )
        ),
        ActionsBlock(block_id=f"home-facilitate-{huddle_id}", elements=[step_back]),
    ]


HOME_SCHEDULE_ROWS = 10  # upcoming huddles HR's Home lists; the console lists them all


def hr_blocks(
    *,
    schedule: Sequence[tuple[datetime, int, bool]],
    months: Sequence[tuple[str, int, int, int | None, int | None, float | None, int | None]],
    summary: str,
) -> list[Block]:
    """HR's view: upcoming huddles (time, size, facilitated) and monthly totals, no names."""
    lines = [
        f"• {start:%a %d %b %H:%M} UTC: {size} people, "
        + ("facilitated" if facilitated else "no facilitator")
        for start, size, facilitated in schedule[:HOME_SCHEDULE_ROWS]
    ]
    upcoming = "\n".join(lines) or "Nothing scheduled yet."
    hidden = "fewer than the anonymity minimum"
    totals = [
        f"• {month}: {huddles} huddle(s), {invited} invited; came: "
        + (str(came) if came is not None else hidden)
        + "; ratings: "
        + (f"{rated}, average {average}" if average is not None else hidden)
        + ("" if unplaced == 0 else f"; not placed: {unplaced if unplaced is not None else hidden}")
        for month, huddles, invited, came, rated, average, unplaced in months
    ]
    return [
        DividerBlock(),
        SectionBlock(
            text=MarkdownTextObject(text=f"*Peer huddles*\n{summary}\n*Upcoming*\n{upcoming}"),
            accessory=ButtonElement(text="Huddle settings", action_id=SETTINGS_ACTION, value="open"),
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=("\n".join(totals) or "No huddles yet.")
                    + "\nTotals across groups only; who attends or rates is never shown."
                )
            ]
        ),
    ]


def settings_modal(
    *,
    enabled: bool,
    every_months: int,
    week_of_month: int,
    avoided_weekdays: Sequence[int],
    min_size: int,
    max_size: int,
    eligible_months: int,
    video_link: str | None,
) -> View:
    on = Option(value="on", label="Run monthly peer huddles")
    every = [
        Option(value=str(n), label=label)
        for n, label in ((1, "Every month"), (2, "Every 2 months"), (3, "Every 3 months"))
    ]
    weeks = [Option(value="0", label="Any week")] + [
        Option(value=str(n), label=f"{label} week (days {7 * n - 6} to {7 * n})")
        for n, label in ((1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"))
    ]
    days = [Option(value=str(number), label=name) for number, name in enumerate(WEEKDAYS)]

    def number(block_id: str, label: str, initial: int, low: int, high: int) -> InputBlock:
        return InputBlock(
            block_id=block_id,
            label=label,
            element=NumberInputElement(
                action_id="value",
                is_decimal_allowed=False,
                initial_value=str(initial),
                min_value=str(low),
                max_value=str(high),
            ),
        )

    return View(
        type="modal",
        callback_id=SETTINGS_CALLBACK,
        title="Huddle settings",
        submit="Save",
        close="Cancel",
        blocks=[
            SectionBlock(text="Changes apply from the next cycle that hasn't been planned yet."),
            InputBlock(
                block_id=ENABLED_BLOCK,
                label="Huddles",
                optional=True,
                element=CheckboxesElement(
                    action_id="value", options=[on], initial_options=[on] if enabled else None
                ),
            ),
            InputBlock(
                block_id=EVERY_BLOCK,
                label="How often",
                element=StaticSelectElement(
                    action_id="value", options=every, initial_option=every[max(min(every_months, 3), 1) - 1]
                ),
            ),
            InputBlock(
                block_id=WEEK_BLOCK,
                label="Week of the month",
                element=StaticSelectElement(
                    action_id="value", options=weeks, initial_option=weeks[max(min(week_of_month, 4), 0)]
                ),
            ),
            InputBlock(
                block_id=AVOID_BLOCK,
                label="Days to avoid",
                optional=True,
                hint="Taken out of everyone's own working days (for example Fridays).",
                element=CheckboxesElement(
                    action_id="value",
                    options=days,
                    initial_options=[days[d] for d in avoided_weekdays if 0 <= d < 7] or None,
                ),
            ),
            number(MIN_BLOCK, "Smallest group", min_size, 4, 7),
            number(MAX_BLOCK, "Largest group", max_size, 4, 7),
            number(ELIGIBLE_BLOCK, "Months after the return people are invited", eligible_months, 1, 24),
            InputBlock(
                block_id=LINK_BLOCK,
                label="Video link",
                optional=True,
                hint="Leave empty and members start a Slack huddle in their group message.",
                element=PlainTextInputElement(action_id="value", initial_value=video_link or None),
            ),
        ],
    )


class SettingsInputError(ValueError):
    """An input of the settings modal that cannot be read; ``field`` is its block, where Slack
    shows the message."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


class SettingsSubmission(BaseModel):
    """HR's settings as submitted from ``settings_modal``, read before the service checks them."""

    enabled: bool
    every_months: int
    week_of_month: int
    avoided_weekdays: frozenset[int]
    min_size: int
    max_size: int
    eligible_months: int
    video_link: str | None

    @classmethod
    def from_view(cls, view: dict[str, Any]) -> Self:
        """The modal's values; a number Slack let through that is not whole, or a choice
        missing, raises ``SettingsInputError`` on its block (the first one, top to bottom)."""

        def number(block: str) -> int:
            raw = str(state_value(view, block).get("value") or "")
            if not raw.isdigit():
                raise SettingsInputError("Enter a whole number.", block)
            return int(raw)

        def option(block: str) -> int:
            raw = str((state_value(view, block).get("selected_option") or {}).get("value", ""))
            if not raw.isdigit():
                raise SettingsInputError("Choose one.", block)
            return int(raw)

        chosen_days = state_value(view, AVOID_BLOCK).get("selected_options") or []
        enabled = state_value(view, ENABLED_BLOCK).get("selected_options") or []
        # Slack sends text or nothing; anything else is kept as text for the service to refuse.
        link = state_value(view, LINK_BLOCK).get("value")
        return cls(
            enabled=bool(enabled),
            every_months=option(EVERY_BLOCK),
            week_of_month=option(WEEK_BLOCK),
            avoided_weekdays=frozenset(int(o["value"]) for o in chosen_days if str(o.get("value")).isdigit()),
            min_size=number(MIN_BLOCK),
            max_size=number(MAX_BLOCK),
            eligible_months=number(ELIGIBLE_BLOCK),
            video_link=str(link) if link else None,
        )

    def cadence(self) -> Cadence:
        """The rhythm and group sizes chosen, as planning reads them."""
        return Cadence(
            every_months=self.every_months,
            week_of_month=self.week_of_month,
            avoided_weekdays=self.avoided_weekdays,
            min_size=self.min_size,
            max_size=self.max_size,
            eligible_months=self.eligible_months,
        )
