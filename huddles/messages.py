"""What huddle messages say and show: pure builders, Block Kit from ``slack_sdk.models``.

Times are written with Slack's date token, which every reader sees in their own time zone, and
also spelt out per time zone of the group, so nobody has to convert. Nothing here names who
said what; the facilitator's notes go only to the facilitator.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from hr_plugin.slack.blockkit import BlocksJson, escape
from huddles import calendar
from huddles.actions import (
    ATTEND_ACTION,
    GOOGLE_CALENDAR_ACTION,
    LEAVE_ACTION,
    MISSED_ACTION,
    OUTLOOK_CALENDAR_ACTION,
    RATE_ACTION,
    SCORES,
    SKIP_ACTION,
)
from huddles.prompts import FacilitatorNotes

TITLE = "Peer huddle: returning parents"


@dataclass(frozen=True)
class Meeting:
    """One huddle as its messages need it."""

    huddle_id: int
    start_utc: datetime
    minutes: int
    video_link: str | None
    timezones: tuple[str, ...]  # the group's zones, for the spelt-out times


def when(start_utc: datetime) -> str:
    """Slack's date token: each reader sees the date and time in their own zone, with "today" or
    "tomorrow" where that applies (the ``_pretty`` format)."""
    fallback = f"{start_utc:%a %d %b %Y %H:%M} UTC"
    return f"<!date^{int(start_utc.timestamp())}^{{date_long_pretty}} at {{time}}|{fallback}>"


def local_times(start_utc: datetime, timezones: Sequence[str]) -> str:
    """``10:00 London · 11:00 Berlin · 05:00 New York``, one entry per zone, in time order."""

    def local(name: str) -> datetime:
        return start_utc.astimezone(ZoneInfo(name))

    ordered = sorted(set(timezones), key=lambda name: (local(name).replace(tzinfo=None), name))
    return " · ".join(f"{local(name):%a %H:%M} {name.split('/')[-1].replace('_', ' ')}" for name in ordered)


def how_to_meet(video_link: str | None) -> str:
    """How to join, for ``mrkdwn``: HR's link is HR's text, escaped like any other."""
    return escape(_how_to_meet(video_link))


def _how_to_meet(video_link: str | None) -> str:
    if video_link:
        return f"Join with the video link HR set up: {video_link}"
    return "When it's time, anyone can start a Slack huddle in this conversation (the headphones icon)."


def calendar_description(video_link: str | None) -> str:
    """For a calendar event, not Slack: the link as it is (the calendar links encode it)."""
    return (
        "30 minutes with a few colleagues who are also back from parental leave, and a mentor who "
        "facilitates. " + _how_to_meet(video_link).replace("this conversation", "the group message")
    )


def invitation_text(meeting: Meeting) -> str:
    return f"You're invited to this month's peer huddle, {when(meeting.start_utc)}, for 30 minutes."


def invitation_blocks(meeting: Meeting) -> BlocksJson:
    details = calendar_description(meeting.video_link)
    start, minutes = meeting.start_utc, meeting.minutes
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(
                text=f"*This month's peer huddle*\n{when(start)}, for {minutes} minutes.\n"
                f"_{local_times(start, meeting.timezones)}_"
            )
        ),
        SectionBlock(
            text=MarkdownTextObject(
                text="A small group of colleagues who are also back from parental leave, with a mentor "
                "who facilitates. What is said here stays here; nobody records or takes automated "
                "notes, and the app records nothing. Anyone may pass.\n" + how_to_meet(meeting.video_link)
            )
        ),
        ActionsBlock(
            block_id=f"huddle-rsvp-{meeting.huddle_id}",
            elements=[
                ButtonElement(
                    text="I'll be there",
                    action_id=ATTEND_ACTION,
                    value=str(meeting.huddle_id),
                    style="primary",
                ),
                ButtonElement(text="Skip this month", action_id=SKIP_ACTION, value=str(meeting.huddle_id)),
                ButtonElement(
                    text="Leave huddles",
                    action_id=LEAVE_ACTION,
                    value=str(meeting.huddle_id),
                    confirm=ConfirmObject(
                        title="Leave peer huddles?",
                        text="You won't be grouped again. You can rejoin from the app's Home tab.",
                        confirm="Leave",
                        deny="Stay",
                    ),
                ),
            ],
        ),
        ActionsBlock(
            block_id=f"huddle-calendar-{meeting.huddle_id}",
            elements=[
                ButtonElement(
                    text="Add to Google Calendar",
                    action_id=GOOGLE_CALENDAR_ACTION,
                    url=calendar.google_calendar_link(
                        start_utc=start, minutes=minutes, title=TITLE, details=details
                    ),
                ),
                ButtonElement(
                    text="Add to Outlook",
                    action_id=OUTLOOK_CALENDAR_ACTION,
                    url=calendar.outlook_link(start_utc=start, minutes=minutes, title=TITLE, details=details),
                ),
            ],
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="Your answer is private: the group is not told who comes. An .ics file follows "
                    "for other calendars."
                )
            ]
        ),
    ]
    return BlocksJson([block.to_dict() for block in blocks])


def ics_file(meeting: Meeting, stamp: datetime, tenant_id: str) -> tuple[str, str]:
    """The file name and text of the calendar invitation (the same UID if it is ever re-sent)."""
    content = calendar.ics(
        uid=f"huddle-{meeting.huddle_id}@{tenant_id}.rtw",
        start_utc=meeting.start_utc,
        minutes=meeting.minutes,
        title=TITLE,
        description=calendar_description(meeting.video_link),
        stamp=stamp,
    )
    return f"peer-huddle-{meeting.start_utc:%Y-%m-%d}.ics", content.decode("utf-8")


def ics_comment() -> str:
    return "The huddle as a calendar file, for any calendar app."


def day_reminder_text(meeting: Meeting, *, answered: bool) -> str:
    meet = how_to_meet(meeting.video_link).replace("this conversation", "your huddle group message")
    nudge = "" if answered else " Say you're coming in the group message to get a reminder 10 minutes before."
    return f"Reminder: your peer huddle is {when(meeting.start_utc)}. {meet}{nudge}"


def soon_reminder_text(meeting: Meeting) -> str:
    return f"Your peer huddle starts in 10 minutes, {when(meeting.start_utc)}. " + how_to_meet(
        meeting.video_link
    ).replace("this conversation", "your huddle group message")


def notes_text(meeting: Meeting) -> str:
    return f"Your notes for the peer huddle you're facilitating, {when(meeting.start_utc)}: just for you."


def notes_blocks(meeting: Meeting, notes: FacilitatorNotes, group_size: int) -> BlocksJson:
    def bullets(lines: Sequence[str]) -> str:
        return "\n".join(f"• {line}" for line in lines)

    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(
                text=f"*Facilitating the peer huddle*\n{when(meeting.start_utc)}, "
                f"{meeting.minutes} minutes, {group_size} people. These notes are for you only; "
                "the group does not see them."
            )
        ),
        SectionBlock(
            text=MarkdownTextObject(
                text="*Ground rules, said out loud first*\n" + bullets(notes.ground_rules)
            )
        ),
        SectionBlock(text=MarkdownTextObject(text="*This month's prompts*\n" + bullets(notes.prompts))),
        SectionBlock(text=MarkdownTextObject(text="*How to hold it*\n" + bullets(notes.facilitation))),
    ]
    return BlocksJson([block.to_dict() for block in blocks])


def feedback_text() -> str:
    return "How was this month's peer huddle? Your rating is saved without your name."


def feedback_blocks(huddle_id: int) -> BlocksJson:
    scores = [
        ButtonElement(text=f"{score}", action_id=f"{RATE_ACTION}.{score}", value=f"{huddle_id}:{score}")
        for score in SCORES
    ]
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(
                text="*How was this month's peer huddle?*\n1 is not helpful, 5 is very helpful. "
                "Your rating is saved without your name, and HR sees only totals across groups."
            )
        ),
        ActionsBlock(
            block_id=f"huddle-rate-{huddle_id}",
            elements=[
                *scores,
                ButtonElement(text="I couldn't make it", action_id=MISSED_ACTION, value=f"{huddle_id}:0"),
            ],
        ),
    ]
    return BlocksJson([block.to_dict() for block in blocks])


def unplaced_text(month_label: str, reason: str) -> str:
    return (
        f"We couldn't place you in a peer huddle for {escape(month_label)}: {escape(reason)} "
        "We'll try again next time; nothing is needed from you."
    )


def rsvp_reply(answer: str) -> str:
    return {
        "attend": "Thanks, you're down as coming. Reminders arrive the day before and 10 minutes before.",
        "skip": "No problem: you'll skip this month and stay in the group for next month.",
        "leave": "You've left peer huddles. You can rejoin any time from the app's Home tab.",
    }[answer]


def rating_reply(score: int) -> str:
    if score == 0:
        return "Thanks for letting us know. See you next time."
    return "Thank you. Your rating is saved without your name."
