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
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from hr_plugin.enrolment.actions import (
    CONFIRM_ACTION,
    CONTACT_TOGGLE_ACTION,
    FAMILY_OPEN_ACTION,
    INVITE_ACTION,
    JOIN_ACTION,
    LEAVE_PROGRAM_ACTION,
    PROPOSE_ACTION,
    RETURN_DATE_ACTION,
    WITHDRAW_ACTION,
)
from hr_plugin.home_model import HomeState, HrPanel, ManagerPanel, OwnEnrolment, WorkingHours
from hr_plugin.slack.blockkit import escape
from hr_plugin.slack.views.help_links import HELP_LINKS_ACTION

APPOINT_ADMIN_ACTION = "admins.appoint_open"
WORKING_HOURS_ACTION = "settings.working_hours_open"
# The invitation message's own button, shown again on the Home: one id (enrolment's), by this name
# for the Home's callers.
INVITE_OPEN_ACTION = INVITE_ACTION

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# HR admins named on the Home; at the directory's longest names (200) ten still fit a section.
ADMINS_SHOWN = 10


def home_view(state: HomeState) -> View:
    blocks: list[Block] = [HeaderBlock(text="Return to work")]
    if not state.known:
        blocks += _unknown_person()
    else:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=f"Hello {escape(state.name)}.")))
        if state.enrolment is not None:
            blocks += _employee_section(state.enrolment)
            blocks += list(state.sections.get("employee", ()))
        if state.manager is not None:
            blocks += _manager_section(state.manager, has_plans=bool(state.sections.get("manager")))
            blocks += list(state.sections.get("manager", ()))
        if state.hr is not None:
            blocks += _hr_section(state.hr)
            blocks += list(state.sections.get("hr_admin", ()))
        blocks += list(state.sections.get("mentor", ()))
        if not (state.enrolment or state.manager or state.hr or state.sections.get("mentor")):
            blocks += _everyone_section()
        blocks += list(state.sections.get("everyone", ()))
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
                    "or coming back from, parental leave, you can ask to join; HR confirms."
                )
            ),
            accessory=ButtonElement(text="Ask to join", action_id=JOIN_ACTION, value="open"),
        )
    ]


def _employee_section(enrolment: OwnEnrolment) -> list[Block]:
    dates = f"Leave from {_day(enrolment.leave_start)}, expected back {_day(enrolment.expected_return)}."
    if enrolment.status == "proposed":
        return [
            DividerBlock(),
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"*Your return*\nHR has invited you to the program. {dates} Joining is your choice."
                ),
                accessory=ButtonElement(text="Have a look", action_id=INVITE_ACTION, value="home"),
            ),
        ]
    if enrolment.status == "awaiting_hr":
        text = f"*Your return*\nYou asked to join; HR will confirm. {dates}"
    else:
        text = f"*Your return*\n{dates}"
    contact = "on" if enrolment.contact_during_leave else "off"
    # The mark that leaves baby and partner content out is private: the Home (perhaps on a
    # shared screen) never shows it, nor words that differ with it. The modal behind the one
    # button below, the same for everyone, shows and changes it.
    return [
        DividerBlock(),
        SectionBlock(
            text=MarkdownTextObject(text=text),
            accessory=ButtonElement(text="Change return date", action_id=RETURN_DATE_ACTION, value="open"),
        ),
        ContextBlock(elements=[MarkdownTextObject(text=f"Messages during leave: {contact}.")]),
        ActionsBlock(
            block_id="enrolment",
            elements=[
                ButtonElement(
                    text="Allow messages during leave" if contact == "off" else "No messages during leave",
                    action_id=CONTACT_TOGGLE_ACTION,
                    value="on" if contact == "off" else "off",
                ),
                ButtonElement(text="Content choices", action_id=FAMILY_OPEN_ACTION, value="open"),
                ButtonElement(
                    text="Leave the program",
                    action_id=LEAVE_PROGRAM_ACTION,
                    value="leave",
                    confirm=ConfirmObject(
                        title="Leave the program?",
                        text="Your plan ends and nobody is asked why. You can ask to join again later.",
                        confirm="Leave",
                        deny="Stay",
                    ),
                ),
            ],
        ),
    ]


def _manager_section(panel: ManagerPanel, *, has_plans: bool) -> list[Block]:
    listing = "Their return plans:" if has_plans else "Nobody on your team has a return plan right now."
    people = "person reports" if panel.direct_reports == 1 else "people report"
    return [
        DividerBlock(),
        SectionBlock(
            text=MarkdownTextObject(text=f"*Your team*\n{panel.direct_reports} {people} to you.\n{listing}")
        ),
    ]


def _hr_section(panel: HrPanel) -> list[Block]:
    imported = _moment(panel.last_import_at) if panel.last_import_at else "never"
    admins = _listed(panel.admins, ADMINS_SHOWN) if panel.admins else "none yet"
    blocks: list[Block] = [
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
        ActionsBlock(
            block_id="hr",
            elements=[
                ButtonElement(text="Propose an enrolment", action_id=PROPOSE_ACTION, value="open"),
                ButtonElement(text="Help links", action_id=HELP_LINKS_ACTION, value="open"),
            ],
        ),
    ]
    for pending in panel.awaiting_confirmation:
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"{escape(pending.name)} asked to join, back {_day(pending.expected_return)}."
                ),
                accessory=ButtonElement(
                    text="Confirm", action_id=CONFIRM_ACTION, value=str(pending.enrolment_id), style="primary"
                ),
            )
        )
    if panel.upcoming_returns:
        blocks.append(SectionBlock(text=MarkdownTextObject(text="*Upcoming returns*")))
    for pending in panel.upcoming_returns:
        state = "invited" if pending.status == "proposed" else "enrolled"
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(
                    text=f"{escape(pending.name)}: back {_day(pending.expected_return)} ({state})"
                ),
                accessory=ButtonElement(
                    text="Withdraw",
                    action_id=WITHDRAW_ACTION,
                    value=str(pending.enrolment_id),
                    confirm=ConfirmObject(
                        title="Withdraw quietly?",
                        text="For someone who is not returning. Nobody is messaged.",
                        confirm="Withdraw",
                        deny="Cancel",
                    ),
                ),
            )
        )
    return blocks


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


# Characters of the HR section left for the admins' names (the rest of its text is under 300).
ADMINS_CHARS = 2600


def _listed(names: tuple[str, ...], shown: int) -> str:
    """``A, B, C and 4 more``: a long list would push the section past Slack's 3,000 characters.

    Names are escaped for ``mrkdwn``, which can make one several times longer (``<`` is
    ``&lt;``), so the list also stops at ``ADMINS_CHARS``.
    """
    listed = [escape(name) for name in names[:shown]]
    while len(", ".join(listed)) > ADMINS_CHARS:
        listed.pop()
    more = len(names) - len(listed)
    return ", ".join(listed) + (f" and {more} more" if more else "")


def _day(value: date) -> str:
    return value.strftime("%a %d %b %Y")


def _moment(value: datetime) -> str:
    return value.strftime("%d %b %Y %H:%M UTC")
