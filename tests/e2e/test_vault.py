"""The private check-in through signed requests: consent first, only the owner sees anything,
forged and replayed requests are refused, and reminders are discreet."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from hr_plugin import vault as vault_package
from hr_plugin.db import unit_of_work
from hr_plugin.models import OutboxMessage
from hr_plugin.testing.signed_client import SlackRequestClient
from hr_plugin.testing.stack import AppStack
from tests.e2e import vault_flows as flow
from tests.e2e.conftest import TEAM

CANARY = "CANARY-7f3a"


@pytest.fixture
def enrolled(stack: AppStack, org: dict[str, str]) -> str:
    flow.enrol(stack, "UPARENT")
    return "UPARENT"


def _seen_with_canary(stack: AppStack) -> list[dict[str, object]]:
    return [call for call in stack.fake.calls if CANARY in json.dumps(call)]


def test_nothing_is_stored_before_consent_and_consent_opens_the_space(stack: AppStack, enrolled: str) -> None:
    stack.slack.block_action(enrolled, flow.OPEN, "home", view=flow.HOME)
    modal = stack.fake.last_modal(enrolled)
    assert modal is not None and modal["callback_id"] == flow.CONSENT
    text = json.dumps(modal)
    for point in ("manager", "not medical advice", "Slack", "export", "delete"):
        assert point.lower() in text.lower(), point
    assert vault_package.vault_for(stack.services).has_consented(TEAM, enrolled) is False

    space = flow.consent(stack, enrolled)

    assert space["callback_id"] == "vault.space"
    assert vault_package.vault_for(stack.services).has_consented(TEAM, enrolled) is True


def test_someone_not_enrolled_cannot_open_a_space(stack: AppStack, org: dict[str, str]) -> None:
    stack.slack.block_action("UPEER", flow.OPEN, "home", view=flow.HOME)
    modal = stack.fake.last_modal("UPEER")
    assert modal is not None and modal["callback_id"] == "vault.consent"
    refused = stack.slack.view_submission("UPEER", flow.CONSENT, {}, view_id=modal["id"])
    assert refused.json is not None and "once you are enrolled" in json.dumps(refused.json)
    assert vault_package.vault_for(stack.services).has_consented(TEAM, "UPEER") is False


def test_a_check_in_is_seen_by_its_owner_only(stack: AppStack, enrolled: str) -> None:
    flow.consent(stack, enrolled)
    saved = flow.check_in(
        stack, enrolled, f"{CANARY} restful evening", "restorative", experiment=f"{CANARY} walk"
    )
    assert saved.json is not None and saved.json["response_action"] == "update"

    mine = flow.look_back(stack, enrolled)
    # Everyone else tries every surface that could show it.
    for other in ("UPEER", "ULEAD", "UHR", "UBOSS"):
        stack.slack.app_home_opened(other)
        stack.slack.block_action(other, flow.OPEN, "home", view=flow.HOME)
        stack.slack.block_action(other, flow.LOOK_BACK, "open", view=flow.space())
        stack.slack.block_action(other, flow.EXPORT, "open", view=flow.space())
        stack.slack.slash_command(other, "/rtw", "checkin")
    stack.slack.app_home_opened(enrolled)
    stack.settle()

    assert CANARY in json.dumps(mine)  # it does reach its owner, so the rest cannot pass vacuously
    for call in _seen_with_canary(stack):
        assert call["audience"] == [enrolled], call["method"]
        assert call["method"] in ("views.push", "views.open", "views.update", "ack"), call["method"]
    homes = [call for call in stack.fake.calls_for("views.publish") if CANARY in json.dumps(call)]
    assert homes == []


def test_another_tenant_with_the_same_user_id_sees_nothing(stack: AppStack, enrolled: str) -> None:
    flow.consent(stack, enrolled)
    flow.check_in(stack, enrolled, CANARY)
    stranger = SlackRequestClient(
        stack.slack.app_url, stack.settings.slack_signing_secret or "", stack.fake, team_id="T0OTHER"
    )

    before = len(stack.fake.calls)
    stranger.block_action(enrolled, flow.OPEN, "home", view=flow.HOME)
    stranger.block_action(enrolled, flow.LOOK_BACK, "open", view=flow.space())
    stranger.block_action(enrolled, flow.EXPORT, "open", view=flow.space())

    answered = stack.fake.calls[before:]
    assert answered, "the stranger's clicks must be answered"
    assert all(CANARY not in json.dumps(call) for call in answered)
    assert "for people in the return-to-work program" in json.dumps(answered[0]["params"])


def test_forged_altered_and_replayed_submissions_are_refused(stack: AppStack, enrolled: str) -> None:
    flow.consent(stack, enrolled)
    modal = flow.open_checkin(stack, enrolled)
    token = modal["private_metadata"]
    values = flow.checkin_values(f"{CANARY} first", "neutral")

    as_someone_else = stack.slack.view_submission("UPEER", flow.CHECKIN, values, private_metadata=token)
    # One hex digit of the signature changed (never to itself: "00" would be the token 1 time in 256).
    tampered = token[:-1] + ("0" if token[-1] != "0" else "1")
    altered = stack.slack.view_submission(enrolled, flow.CHECKIN, values, private_metadata=tampered)
    other_purpose = stack.slack.view_submission(
        enrolled, flow.CHECKIN, values, private_metadata="delete" + token[token.index(".") :]
    )
    first = stack.slack.view_submission(enrolled, flow.CHECKIN, values, private_metadata=token)
    replay = stack.slack.view_submission(
        enrolled, flow.CHECKIN, flow.checkin_values("second", "demanding"), private_metadata=token
    )

    for refused in (as_someone_else, altered, other_purpose, replay):
        assert refused.json is not None and "expired" in json.dumps(refused.json)
    assert first.json is not None and "expired" not in json.dumps(first.json)
    entries = vault_package.vault_for(stack.services).entries(TEAM, enrolled)
    assert [entry["rating"] for entry in entries] == ["neutral"]


def test_invalid_input_gets_an_inline_error_that_does_not_echo_the_text(
    stack: AppStack, enrolled: str
) -> None:
    flow.consent(stack, enrolled)
    no_rating = flow.check_in(stack, enrolled, CANARY, rating=None)
    too_long = flow.check_in(stack, enrolled, CANARY * 300, rating="neutral")

    assert no_rating.json is not None and no_rating.json["response_action"] == "errors"
    assert "rating" in no_rating.json["errors"]
    assert too_long.json is not None and too_long.json["response_action"] == "errors"
    assert CANARY not in json.dumps(no_rating.json) + json.dumps(too_long.json)
    assert vault_package.vault_for(stack.services).entries(TEAM, enrolled) == []


def test_reminders_are_discreet_on_the_chosen_local_time_once_a_week_and_stop_in_one_click(
    stack: AppStack, enrolled: str
) -> None:
    from hr_plugin.vault.content import contains_sensitive_word, reminder_text

    flow.consent(stack, enrolled)
    stack.slack.block_action(enrolled, flow.REMINDERS_OPEN, "open", view=flow.space())
    modal = stack.fake.last_modal(enrolled)
    assert modal is not None
    stack.slack.view_submission(
        enrolled,
        flow.REMINDERS,
        {
            "weekday": {"value": {"selected_option": {"value": "2"}}},
            "time": {"value": {"selected_time": "20:30"}},
        },
        view_id=modal["id"],
    )
    clock = stack.services.clock
    for _ in range(24 * 16):  # sixteen days, hour by hour, through the ticks
        stack.ticks.run_due()
        clock.advance(timedelta(hours=1))  # type: ignore[attr-defined]

    reminders = [
        call
        for call in stack.fake.calls_for("chat.postMessage", user=enrolled)
        if call["params"].get("text") == reminder_text()
    ]
    moments = [datetime.fromisoformat(call["at"]) for call in reminders if call["ok"]]
    assert [m.date() for m in moments] == [datetime(2026, 11, 25).date(), datetime(2026, 12, 2).date()]
    assert moments[0] >= datetime(2026, 11, 25, 20, 30, tzinfo=UTC)  # 20:30 in London (UTC in winter)
    assert moments[0] < datetime(2026, 11, 25, 21, 30, tzinfo=UTC)
    for call in reminders:
        assert not contains_sensitive_word(json.dumps(call["params"]))

    stop = next(
        element
        for block in reminders[-1]["params"]["blocks"]
        for element in block.get("elements", [])
        if element.get("action_id") == "vault.stop"
    )
    stack.slack.block_action(enrolled, "vault.stop", stop["value"], block_id="reflection")
    for _ in range(24 * 8):
        stack.ticks.run_due()
        clock.advance(timedelta(hours=1))  # type: ignore[attr-defined]
    after_stop = [
        c
        for c in stack.fake.calls_for("chat.postMessage", user=enrolled)
        if c["params"].get("text") == reminder_text()
    ]
    assert len(after_stop) == len(reminders)
    with unit_of_work(stack.factory) as session:
        keys = [row.idempotency_key for row in session.scalars(select(OutboxMessage))]
    assert all(CANARY not in key for key in keys)


def test_export_through_a_single_use_link_and_delete_for_good(stack: AppStack, enrolled: str) -> None:
    import urllib.error
    import urllib.request

    stack.services.settings.public_url = stack.server.url
    flow.consent(stack, enrolled)
    flow.check_in(stack, enrolled, CANARY, "none_good")

    stack.slack.block_action(enrolled, flow.EXPORT, "open", view=flow.space())
    export_view = stack.fake.calls_for("views.push", user=enrolled)[-1]["params"]["view"]
    link = json.dumps(export_view).split("<", 1)[1].split("|", 1)[0]
    assert link.startswith(stack.server.url + "/vault/export/")
    with urllib.request.urlopen(link, timeout=5) as response:  # a GET shows the page only
        page = response.read().decode()
    with urllib.request.urlopen(urllib.request.Request(link, data=b"download=yes"), timeout=5) as response:
        downloaded = response.read()
        exported = flow.exported_data(downloaded)
    with pytest.raises(urllib.error.HTTPError) as again:
        urllib.request.urlopen(urllib.request.Request(link, data=b"download=yes"), timeout=5)

    assert '<form method="post">' in page and CANARY not in page
    assert exported["checkins"][0]["restorative"] == CANARY
    assert f"<p>{CANARY}</p>".encode() in downloaded  # readable on the page too
    assert b'download="my-private-space.json"' in downloaded
    assert again.value.code == 404

    stack.slack.block_action(enrolled, flow.DELETE_OPEN, "open", view=flow.space())
    modal = stack.fake.last_modal(enrolled)
    assert modal is not None and modal["callback_id"] == flow.DELETE
    done = stack.slack.view_submission(enrolled, flow.DELETE, {}, view_id=modal["id"])
    assert done.json == {"response_action": "clear"}
    vault = vault_package.vault_for(stack.services)
    assert vault.has_consented(TEAM, enrolled) is False
    with unit_of_work(stack.factory) as session:
        employee_id = vault.owner(session, TEAM, enrolled).employee_id
    assert vault.keystore.data_key(TEAM, employee_id, create=False) is None


def test_every_private_screen_shows_the_help_hr_configured_for_the_country(
    stack: AppStack, enrolled: str
) -> None:
    from hr_plugin.resources import replace_resources

    replace_resources(
        stack.factory,
        stack.services.clock,
        tenant_id=TEAM,
        actor="test",
        resources=[
            {
                "kind": "crisis",
                "country": "GB",
                "name": "UK night line",
                "description": "Any hour",
                "url": "https://help.example.org/uk",
            },
            {
                "kind": "crisis",
                "country": "DE",
                "name": "Berlin line",
                "description": "Jederzeit",
                "url": "https://help.example.org/de",
            },
        ],
    )
    flow.consent(stack, enrolled)
    flow.open_checkin(stack, enrolled)
    flow.look_back(stack, enrolled)

    screens = [
        c
        for c in stack.fake.calls
        if c["audience"] == [enrolled] and c["method"] in ("views.open", "views.push")
    ]
    assert len(screens) >= 3
    for call in screens:
        text = json.dumps(call["params"])
        assert "<https://help.example.org/uk|UK night line>" in text
        assert "Berlin line" not in text
        assert "medical advice" in text.lower()


def test_entries_are_erased_after_leaving_the_program_with_notice_first(
    stack: AppStack, enrolled: str
) -> None:
    from hr_plugin.enrolment import leave_program
    from hr_plugin.vault.content import contains_sensitive_word

    flow.consent(stack, enrolled)
    flow.check_in(stack, enrolled, CANARY, "neutral")
    leave_program(
        stack.factory, stack.services.clock, stack.services.enrolment_hooks, tenant_id=TEAM, user_id=enrolled
    )
    vault = vault_package.vault_for(stack.services)
    clock = stack.services.clock
    for _ in range(12 * 8):  # eight days of ticks
        stack.ticks.run_due()
        clock.advance(timedelta(hours=2))  # type: ignore[attr-defined]
    assert vault.has_consented(TEAM, enrolled)  # still there, well inside the retention period

    for _ in range(4 * 90):  # ninety days more, four ticks a day
        stack.ticks.run_due()
        clock.advance(timedelta(hours=6))  # type: ignore[attr-defined]

    notices = [
        c for c in stack.fake.calls_for("chat.postMessage", user=enrolled) if "erased" in c["params"]["text"]
    ]
    assert len(notices) == 1 and not contains_sensitive_word(notices[0]["params"]["text"])
    assert vault.has_consented(TEAM, enrolled) is False


def test_partner_questions_can_be_left_out_and_milestones_follow_the_private_arrival_date(
    stack: AppStack, enrolled: str
) -> None:
    from hr_plugin.vault.content import checkin_questions, milestone

    flow.consent(stack, enrolled)
    stack.slack.block_action(enrolled, "vault.profile_open", "open", view=flow.space())
    profile = stack.fake.last_modal(enrolled)
    assert profile is not None
    arrival = (stack.services.clock.now() - timedelta(weeks=6, days=2)).date()
    stack.slack.view_submission(
        enrolled,
        "vault.profile",
        {
            "partner_questions": {"value": {"selected_option": {"value": "no"}}},
            "arrival_date": {"value": {"selected_date": arrival.isoformat()}},
        },
        view_id=profile["id"],
    )
    solo = checkin_questions(include_partner_questions=False)
    together = checkin_questions(include_partner_questions=True)
    modal = flow.open_checkin(stack, enrolled)
    labels = json.dumps([block.get("label") for block in modal["blocks"]])
    assert all(question.text in labels for question in solo)
    assert any(question.text not in labels for question in together)

    stack.slack.view_submission(  # partner questions back on: the 6-week reflection is offered
        enrolled,
        "vault.profile",
        {
            "partner_questions": {"value": {"selected_option": {"value": "yes"}}},
            "arrival_date": {"value": {"selected_date": arrival.isoformat()}},
        },
        private_metadata=vault_package.vault_for(stack.services).token(TEAM, enrolled, "profile"),
    )
    stack.slack.block_action(enrolled, flow.OPEN, "home", view=flow.HOME)
    space = stack.fake.calls_for("views.open", user=enrolled)[-1]["params"]["view"]
    assert "vault.milestone_open" in json.dumps(space)
    stack.slack.block_action(enrolled, "vault.milestone_open", "6_weeks", view=flow.space())
    reflection = stack.fake.last_modal(enrolled)
    six_weeks = milestone("6_weeks", include_partner=True)
    assert reflection is not None and six_weeks is not None and six_weeks.question in json.dumps(reflection)
