"""The two single-use links made for home, through signed requests and real HTTP: the questions
on paper and the weekly ritual for both calendars. Each downloads once; neither names the
company or carries anything the person wrote."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import datetime, timedelta

import pytest
from icalendar import Calendar

from hr_plugin.testing.stack import AppStack
from tests.e2e import vault_flows as flow

CANARY = "CANARY-links-4b7e"
PAPER, RITUAL = "vault.paper", "vault.ritual"


@pytest.fixture
def enrolled(stack: AppStack, org: dict[str, str]) -> str:
    stack.services.settings.public_url = stack.server.url
    flow.enrol(stack, "UPARENT")
    flow.consent(stack, "UPARENT")
    flow.check_in(stack, "UPARENT", CANARY, "neutral")
    return "UPARENT"


def _refused_again(link: str) -> int:
    with pytest.raises(urllib.error.HTTPError) as again:
        urllib.request.urlopen(urllib.request.Request(link, data=b"download=yes"), timeout=5)
    return again.value.code


def test_the_questions_on_paper_download_once_and_hold_nothing_from_the_app(
    stack: AppStack, enrolled: str
) -> None:
    link = flow.export_link(stack, enrolled, PAPER)

    content_type, page = flow.download(link)

    assert content_type.startswith("text/html")
    text = page.decode()
    assert "What touch felt restorative this week?" in text and "The other" in text
    assert CANARY not in text and "example.com" not in text and "Return to Work" not in text
    assert _refused_again(link) == 404


def test_the_ritual_needs_a_time_then_downloads_once_as_a_neutral_weekly_event(
    stack: AppStack, enrolled: str
) -> None:
    stack.slack.block_action(enrolled, RITUAL, "open", view=flow.space())
    told = json.dumps(stack.fake.calls_for("views.push", user=enrolled)[-1]["params"]["view"])
    assert "Choose a day and time under Reminders first" in told and "/vault/export/" not in told

    flow.set_reminder(stack, enrolled, 6, "20:30")
    link = flow.export_link(stack, enrolled, RITUAL)
    content_type, ics = flow.download(link)

    assert content_type.startswith("text/calendar")
    (event,) = Calendar.from_ical(ics).walk("VEVENT")
    start = event.decoded("dtstart")
    assert isinstance(start, datetime) and start.weekday() == 6 and (start.hour, start.minute) == (20, 30)
    assert str(start.tzinfo) == "Europe/London"
    assert event.decoded("dtend") - start == timedelta(minutes=15)
    assert str(event["summary"]) == "Our weekly 15 minutes"
    assert event["rrule"]["FREQ"] == ["WEEKLY"] and event["rrule"]["BYDAY"] == ["SU"]
    assert "description" not in event and CANARY.encode() not in ics
    assert _refused_again(link) == 404


def test_without_a_partner_the_ritual_is_not_offered(stack: AppStack, org: dict[str, str]) -> None:
    stack.services.settings.public_url = stack.server.url
    flow.enrol(stack, "UPARENT")
    space = flow.consent(stack, "UPARENT")
    assert RITUAL in json.dumps(space) and PAPER in json.dumps(space)

    stack.slack.block_action("UPARENT", "vault.profile_open", "open", view=flow.space())
    modal = stack.fake.last_modal("UPARENT")
    assert modal is not None
    stack.slack.view_submission(
        "UPARENT",
        "vault.profile",
        {"partner_questions": {"value": {"selected_option": {"value": "no"}}}},
        view_id=modal["id"],
    )
    stack.slack.block_action("UPARENT", flow.OPEN, "home", view=flow.HOME)
    reopened = stack.fake.last_modal("UPARENT")

    assert reopened is not None and RITUAL not in json.dumps(reopened) and PAPER in json.dumps(reopened)
