"""The App Home, one section per role the person holds, with honest empty states.

The home tab can be on a shared screen: it never shows anything private, only what the
person would be comfortable having a colleague glance at.
"""

from __future__ import annotations

from datetime import date, datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from hr_plugin.home_model import HomeState, HrPanel, ManagerPanel, OwnLeave, WorkingHours

APPOINT_ADMIN_ACTION = "admins.appoint_open"
WORKING_HOURS_ACTION = "settings.working_hours_open"

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def home_view(state: HomeState) -> View:
    blocks: list[Block] = [HeaderBlock(text="Return to work")]
    if not state.known:
        blocks += _unknown_person()
    else:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=f"Hello {state.name}.")))
        if state.leave is not None:
            blocks += _employee_section(state.leave)
        if state.manager is not None:
            blocks += _manager_section(state.manager)
        if state.hr is not None:
            blocks += _hr_section(state.hr)
        if not (state.leave or state.manager or state.hr):
            blocks += _everyone_section()
        if state.working_hours is not None:
            blocks += _working_hours_section(state.working_hours)
    if state.can_appoint_admins:
        blocks += _appoint_admins_section()
    blocks.append(
        ContextBlock(elements=[MarkdownTextObject(text="Type `/rtw help` to see what you can do here.")])
    )
    return View(type="home", blocks=blocks)


def _unknown_person() -> list[Block]:
    return [
        SectionBlock(
            text=MarkdownTextObject(
                text=(
                    "This app runs your company's return-to-work program for people coming back "
                    "after a new child arrives, by birth, adoption or surrogacy.\n\n"
                    "You are not in the program's directory yet. HR adds people from the company "
                    "directory; if you think you should be here, ask your HR team."
                )
            )
        )
    ]


def _everyone_section() -> list[Block]:
    return [
        SectionBlock(
            text=MarkdownTextObject(
                text=(
                    "You have no part in the return-to-work program right now. If you are going on, "
                    "or coming back from, parental leave, your HR team can add you."
                )
            )
        )
    ]


def _employee_section(leave: OwnLeave) -> list[Block]:
    return [
        DividerBlock(),
        SectionBlock(
            text=MarkdownTextObject(
                text=(
                    "*Your return*\n"
                    f"Leave from {_day(leave.leave_start)}, expected back {_day(leave.expected_return)}.\n"
                    "Your week-by-week plan appears here once it has been set up."
                )
            )
        ),
    ]


def _manager_section(panel: ManagerPanel) -> list[Block]:
    if panel.plans:
        listing = "\n".join(f"• {line}" for line in panel.plans)
    else:
        listing = "Nobody on your team has a return plan right now."
    people = "person reports" if panel.direct_reports == 1 else "people report"
    return [
        DividerBlock(),
        SectionBlock(
            text=MarkdownTextObject(text=f"*Your team*\n{panel.direct_reports} {people} to you.\n{listing}")
        ),
    ]


def _hr_section(panel: HrPanel) -> list[Block]:
    imported = _moment(panel.last_import_at) if panel.last_import_at else "never"
    admins = ", ".join(panel.admins) if panel.admins else "none yet"
    return [
        DividerBlock(),
        SectionBlock(
            text=MarkdownTextObject(
                text=(
                    "*Program administration*\n"
                    f"Directory: {panel.people_active} people, last imported {imported}.\n"
                    f"Without a Slack account found: {panel.people_without_slack}. "
                    f"Marked as having left: {panel.people_left}.\n"
                    f"HR admins: {admins}."
                )
            )
        ),
    ]


def _working_hours_section(hours: WorkingHours) -> list[Block]:
    days = ", ".join(WEEKDAY_NAMES[day] for day in hours.days) or "none"
    return [
        DividerBlock(),
        SectionBlock(
            text=MarkdownTextObject(
                text=(
                    "*When we may message you*\n"
                    f"{days}, {hours.start} to {hours.end} ({hours.timezone}). Messages you did not ask "
                    "for wait until then."
                )
            ),
            accessory=ButtonElement(text="Change", action_id=WORKING_HOURS_ACTION, value="open"),
        ),
    ]


def _appoint_admins_section() -> list[Block]:
    return [
        DividerBlock(),
        ActionsBlock(
            block_id="admins",
            elements=[
                ButtonElement(text="Appoint an HR admin", action_id=APPOINT_ADMIN_ACTION, value="open")
            ],
        ),
    ]


def _day(value: date) -> str:
    return value.strftime("%a %d %b %Y")


def _moment(value: datetime) -> str:
    return value.strftime("%d %b %Y %H:%M UTC")
