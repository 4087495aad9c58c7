"""Block Kit builders, checked through ``to_dict()`` (which runs slack_sdk's validation)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from hr_plugin.home_model import HomeState, HrPanel, ManagerPanel, OwnEnrolment, WorkingHours
from hr_plugin.slack.views.help import help_blocks, help_text
from hr_plugin.slack.views.home import APPOINT_ADMIN_ACTION, home_view
from hr_plugin.slack.views.modals import appoint_admin_modal, working_hours_modal

HOURS = WorkingHours("Europe/Berlin", (0, 1, 2, 3), "08:30", "16:00")


def _text(payload: dict[str, object]) -> str:
    return json.dumps(payload)


def test_a_person_with_every_role_sees_every_section_in_order() -> None:
    state = HomeState(
        known=True,
        name="Sam",
        roles=frozenset({"employee", "manager", "hr_admin"}),
        working_hours=HOURS,
        enrolment=OwnEnrolment("active", date(2026, 1, 5), date(2026, 6, 1), True, False),
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
