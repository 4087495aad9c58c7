"""Block Kit builders, checked through ``to_dict()`` (which runs slack_sdk's validation)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from hr_plugin.home_model import HomeState, HrPanel, ManagerPanel, OwnEnrolment, WorkingHours
from hr_plugin.slack.blockkit import SECTION_TEXT_MAX, fit_lines
from hr_plugin.slack.views.help import help_blocks, help_text
from hr_plugin.slack.views.home import APPOINT_ADMIN_ACTION, home_view
from hr_plugin.slack.views.modals import appoint_admin_modal, working_hours_modal, working_hours_payload
from mentoring.actions import END_ACTION
from mentoring.views import mentee_blocks, mentor_blocks

HOURS = WorkingHours("Europe/Berlin", (0, 1, 2, 3), "08:30", "16:00")


def _text(payload: dict[str, object]) -> str:
    return json.dumps(payload)


def test_a_person_with_every_role_sees_every_section_in_order() -> None:
    state = HomeState(
        known=True,
        name="Sam",
        roles=frozenset({"employee", "manager", "hr_admin"}),
        working_hours=HOURS,
        enrolment=OwnEnrolment("active", date(2026, 1, 5), date(2026, 6, 1), True),
        manager=ManagerPanel(direct_reports=1),
        hr=HrPanel(40, 2, 1, ("Priya",), datetime(2026, 1, 5, 9, tzinfo=UTC)),
        can_appoint_admins=True,
    )

    view = home_view(state).to_dict()
    text = _text(view)

    assert view["type"] == "home"
    positions = [text.index(word) for word in ("Your return", "Your team", "Program administration")]
    assert positions == sorted(positions)
    assert "1 person reports to you" in text
    assert "Mon, Tue, Wed, Thu, 08:30 to 16:00 (Europe/Berlin)" in text
    assert APPOINT_ADMIN_ACTION in text


def test_a_person_without_a_role_gets_an_honest_empty_state() -> None:
    text = _text(home_view(HomeState(known=True, name="Kim", working_hours=HOURS)).to_dict())

    assert "no part in the return-to-work program right now" in text
    assert "Your team" not in text and APPOINT_ADMIN_ACTION not in text


def test_a_manager_without_plans_is_told_so() -> None:
    text = _text(home_view(HomeState(known=True, name="Lee", manager=ManagerPanel(3))).to_dict())

    assert "3 people report to you" in text
    assert "Nobody on your team has a return plan right now" in text


def test_modals_fit_slacks_limits() -> None:
    for modal in (appoint_admin_modal(), working_hours_modal(HOURS)):
        payload = modal.to_dict()
        assert len(payload["title"]["text"]) <= 24
        assert payload["callback_id"]


def test_working_hours_modal_starts_from_the_current_settings() -> None:
    payload = working_hours_modal(HOURS).to_dict()
    days = payload["blocks"][1]["element"]["initial_options"]

    assert [option["value"] for option in days] == ["0", "1", "2", "3"]
    assert payload["blocks"][2]["element"]["initial_time"] == "08:30"


def test_help_lists_commands_and_names_an_unknown_one() -> None:
    blocks = [block.to_dict() for block in help_blocks({"help": "what this app can do"}, unknown="zap")]

    assert "`/rtw zap`" in blocks[0]["text"]["text"]
    assert "`/rtw help`: what this app can do" in blocks[1]["text"]["text"]
    assert help_text({"help": "x", "checkin": "y"}) == "Return to work: /rtw help; /rtw checkin"


def test_a_long_list_of_names_keeps_whole_names_and_counts_the_rest() -> None:
    name = "N" * 200
    text = fit_lines([f"• {name}" for _ in range(40)], head="*Heading*")
    lines = text.split("\n")

    assert len(text) <= SECTION_TEXT_MAX and lines[0] == "*Heading*"
    assert all(line == f"• {name}" for line in lines[1:-1])
    assert lines[-1] == f"…and {40 - (len(lines) - 2)} more"
    assert fit_lines(["• a", "• b"], head="*Heading*") == "*Heading*\n• a\n• b"


def test_the_hr_home_names_ten_admins_and_counts_the_others() -> None:
    admins = tuple(f"Admin {n}" for n in range(25))
    hr = HrPanel(100_000, 0, 0, admins, None)
    text = _text(home_view(HomeState(known=True, name="Hal", hr=hr)).to_dict())

    assert "HR admins: Admin 0, Admin 1" in text and "Admin 9 and 15 more." in text
    assert "Admin 10" not in text


def test_a_mentor_can_end_each_active_match_from_the_home() -> None:
    mentees = [(11, "Ana", "active"), (12, "Bo", "active"), (13, "Cy", "active"), (14, "Di", "asked")]
    blocks = [block.to_dict() for block in mentor_blocks(paused=False, capacity=3, mentees=mentees)]
    ends = [
        (block["block_id"], element["value"])
        for block in blocks
        for element in block.get("elements", [])
        if element.get("action_id") == END_ACTION
    ]

    assert ends == [("mentor-end-11", "11"), ("mentor-end-12", "12"), ("mentor-end-13", "13")]


def test_ending_from_either_side_says_first_that_another_mentor_is_looked_for() -> None:
    """The click only saves the ending (the rematch tick does the looking), so the confirm
    dialog is where each side hears what follows; never a reason, never who asked for it."""
    mentor_home = mentor_blocks(paused=False, capacity=1, mentees=[(11, "Ana", "active")])
    mentee_home = mentee_blocks(mentor_name="Ana", status="active", reasons=(), match_id=11)
    confirms = [
        element["confirm"]["text"]["text"]
        for block in [b.to_dict() for b in [*mentor_home, *mentee_home]]
        for element in block.get("elements", [])
        if element.get("action_id") == END_ACTION
    ]

    assert confirms == [
        "They are told kindly, without a reason, and we look for another mentor for them.",
        "They are told kindly, without a reason, and we look for another mentor for you.",
    ]


def test_a_mentee_reads_the_same_while_a_mentor_is_asked_and_while_a_rematch_waits() -> None:
    def text(status: str | None) -> str:
        return str(mentee_blocks(mentor_name=None, status=status, reasons=(), match_id=None)[0].to_dict())

    assert text("asked") == text("looking") != text(None)


def test_the_working_hours_payload_is_the_modal_and_each_caller_gets_its_own_copy() -> None:
    first = working_hours_payload(HOURS)
    assert first == working_hours_modal(HOURS).to_dict()
    first["blocks"][1]["element"]["initial_options"].clear()
    first["title"] = "changed"
    assert working_hours_payload(HOURS) == working_hours_modal(HOURS).to_dict(), "the cache was changed"
    other = WorkingHours("Asia/Tokyo", (1,), "10:00", "12:00")
    assert working_hours_payload(other) == working_hours_modal(other).to_dict()
