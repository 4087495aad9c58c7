"""The private space's timing (#18), through signed requests: the optional arrival date given at
setup, milestones counted from it (or from the leave's start), the first conversation, the
expectations at first use, the quarterly rhythm with past reviews readable, up to three
micro-experiments a week with their follow-ups, and closeness outside the plan."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest

from hr_plugin import vault as vault_package
from hr_plugin.testing.signed_client import SignedResponse
from hr_plugin.testing.stack import AppStack
from tests.e2e import vault_flows as flow
from tests.e2e.conftest import TEAM

NONE_GOOD = "none_good"


@pytest.fixture
def enrolled(stack: AppStack, org: dict[str, str]) -> str:
    flow.enrol(stack, "UPARENT")
    return "UPARENT"


def _today(stack: AppStack) -> date:
    return stack.services.clock.now().date()


def _consent_with(stack: AppStack, user: str, arrival: str | None) -> tuple[dict[str, Any], SignedResponse]:
    stack.slack.block_action(user, flow.OPEN, "home", view=flow.HOME)
    modal = stack.fake.last_modal(user)
    assert modal is not None and modal["callback_id"] == flow.CONSENT, modal
    values = {"arrival_date": {"value": {"type": "datepicker", "selected_date": arrival}}} if arrival else {}
    return modal, stack.slack.view_submission(user, flow.CONSENT, values, view_id=modal["id"])


def _profile(stack: AppStack, user: str) -> Any:
    return vault_package.vault_for(stack.services).profile(TEAM, user)


# -- 1. the arrival date at setup ----------------------------------------------------------


def test_the_arrival_date_given_at_consent_is_sealed_with_it(stack: AppStack, enrolled: str) -> None:
    arrival = _today(stack) - timedelta(days=20)
    modal, answer = _consent_with(stack, enrolled, arrival.isoformat())

    picker = next(block for block in modal["blocks"] if block.get("block_id") == "arrival_date")
    assert picker["optional"] is True and "(optional)" in picker["label"]["text"]
    assert "only here" in picker["hint"]["text"]
    assert answer.json is not None and answer.json["response_action"] == "update", answer.body
    assert answer.json["view"]["callback_id"] == "vault.space"
    assert _profile(stack, enrolled).arrival_date == arrival.isoformat()


def test_no_arrival_date_is_fine_and_nothing_is_stored_for_it(stack: AppStack, enrolled: str) -> None:
    _, answer = _consent_with(stack, enrolled, None)
    assert answer.json is not None and answer.json["view"]["callback_id"] == "vault.space"
    assert _profile(stack, enrolled).arrival_date is None


@pytest.mark.parametrize("bad", ["far_ahead", "2026-02-30", "yesterday"])
def test_a_date_far_ahead_or_not_a_date_is_an_inline_error_and_the_screen_stays_usable(
    stack: AppStack, enrolled: str, bad: str
) -> None:
    raw = (_today(stack) + timedelta(days=400)).isoformat() if bad == "far_ahead" else bad
    modal, refused = _consent_with(stack, enrolled, raw)

    assert refused.json is not None and refused.json["response_action"] == "errors", refused.body
    assert set(refused.json["errors"]) == {"arrival_date"}
    assert vault_package.vault_for(stack.services).has_consented(TEAM, enrolled) is False

    soon = _today(stack) + timedelta(days=30)  # a little ahead is fine: set up before the arrival
    values = {"arrival_date": {"value": {"type": "datepicker", "selected_date": soon.isoformat()}}}
    again = stack.slack.view_submission(enrolled, flow.CONSENT, values, view_id=modal["id"])
    assert again.json is not None and again.json["view"]["callback_id"] == "vault.space", again.body
    assert _profile(stack, enrolled).arrival_date == soon.isoformat()


def test_my_settings_keep_changing_the_arrival_date_with_the_same_check(
    stack: AppStack, enrolled: str
) -> None:
    _consent_with(stack, enrolled, (_today(stack) - timedelta(days=3)).isoformat())
    stack.slack.block_action(enrolled, "vault.profile_open", "open", view=flow.space())
    settings = stack.fake.last_modal(enrolled)
    assert settings is not None and settings["callback_id"] == "vault.profile"
    picker = next(block for block in settings["blocks"] if block.get("block_id") == "arrival_date")
    assert picker["element"]["initial_date"] == (_today(stack) - timedelta(days=3)).isoformat()

    def save(day: str) -> SignedResponse:
        return stack.slack.view_submission(
            enrolled,
            "vault.profile",
            {
                "partner_questions": {"value": {"selected_option": {"value": "yes"}}},
                "arrival_date": {"value": {"selected_date": day}},
            },
            view_id=settings["id"],
        )

    refused = save((_today(stack) + timedelta(days=500)).isoformat())
    assert refused.json is not None and refused.json["response_action"] == "errors", refused.body
    assert set(refused.json["errors"]) == {"arrival_date"}
    changed = (_today(stack) - timedelta(days=10)).isoformat()
    saved = save(changed)
    assert saved.json is not None and saved.json["response_action"] == "update", saved.body
    assert _profile(stack, enrolled).arrival_date == changed


# -- 2. milestones, counted when the space is opened ---------------------------------------


def _advance(stack: AppStack, delta: timedelta) -> None:
    stack.services.clock.advance(delta)  # type: ignore[attr-defined]


def _open_space(stack: AppStack, user: str) -> dict[str, Any]:
    stack.slack.block_action(user, flow.OPEN, "home", view=flow.HOME)
    modal = stack.fake.last_modal(user)
    assert modal is not None and modal["callback_id"] == "vault.space", modal
    return modal


def _buttons(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        element["action_id"]: element
        for block in view["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    }


def _leave_partner_questions_out(stack: AppStack, user: str, arrival: date | None) -> None:
    stack.slack.block_action(user, "vault.profile_open", "open", view=flow.space())
    settings = stack.fake.last_modal(user)
    assert settings is not None
    values: dict[str, Any] = {"partner_questions": {"value": {"selected_option": {"value": "no"}}}}
    if arrival is not None:
        values["arrival_date"] = {"value": {"selected_date": arrival.isoformat()}}
    saved = stack.slack.view_submission(user, "vault.profile", values, view_id=settings["id"])
    assert saved.json is not None and saved.json["response_action"] == "update", saved.body


def _milestone_modal(stack: AppStack, user: str, key: str) -> dict[str, Any]:
    stack.slack.block_action(user, "vault.milestone_open", key, view=flow.space())
    modal = stack.fake.last_modal(user)
    assert modal is not None and modal["callback_id"] == "vault.reflection", modal
    return modal


def test_without_an_arrival_date_milestones_count_from_the_leaves_start(
    stack: AppStack, enrolled: str
) -> None:
    # The enrolment's leave started on 1 June 2026; today is 23 November: six months fall on 1 December.
    _consent_with(stack, enrolled, None)
    assert "vault.milestone_open" not in _buttons(_open_space(stack, enrolled))

    _advance(stack, timedelta(days=9))
    offered = _buttons(_open_space(stack, enrolled))["vault.milestone_open"]
    assert offered["value"] == "6_months" and offered.get("style") == "primary"


def test_an_arrival_date_overrides_the_leaves_start(stack: AppStack, enrolled: str) -> None:
    _consent_with(stack, enrolled, (_today(stack) - timedelta(weeks=6, days=1)).isoformat())
    space = _open_space(stack, enrolled)
    assert _buttons(space)["vault.milestone_open"]["value"] == "6_weeks"
    assert "Six weeks on" in json.dumps(space)


def test_milestones_are_offered_with_partner_questions_left_out_in_words_about_the_person(
    stack: AppStack, enrolled: str
) -> None:
    from hr_plugin.vault.content import milestone

    _consent_with(stack, enrolled, None)
    _leave_partner_questions_out(stack, enrolled, _today(stack) - timedelta(weeks=6, days=2))
    assert _buttons(_open_space(stack, enrolled))["vault.milestone_open"]["value"] == "6_weeks"

    text = json.dumps(_milestone_modal(stack, enrolled, "6_weeks"))
    solo, together = milestone("6_weeks", include_partner=False), milestone("6_weeks", include_partner=True)
    assert solo is not None and together is not None
    assert solo.question in text and together.question not in text
    assert "partner" not in text.lower()


def test_the_milestone_names_counselling_and_its_sessions_only_when_hr_set_it_up(
    stack: AppStack, enrolled: str
) -> None:
    from hr_plugin.resources import replace_resources

    _consent_with(stack, enrolled, (_today(stack) - timedelta(weeks=6, days=1)).isoformat())
    bare = json.dumps(_milestone_modal(stack, enrolled, "6_weeks"))
    assert "counselling" not in bare.lower() and "your company offers" not in bare.lower()
    assert "If you need support" in bare and "999" in bare  # the emergency fallback (GB)

    replace_resources(
        stack.factory,
        stack.services.clock,
        tenant_id=TEAM,
        actor="test",
        resources=[
            {
                "kind": "counselling",
                "country": "GB",
                "name": "Couples Counselling Ltd",
                "description": "Private sessions",
                "url": "https://counselling.example.org",
                "sessions": 6,
            }
        ],
    )
    offered = json.dumps(_milestone_modal(stack, enrolled, "6_weeks"))
    assert "your company offers 6 counselling sessions" in offered
    assert "Couples Counselling Ltd" in offered


# -- 3. the first conversation -------------------------------------------------------------


@pytest.mark.parametrize(
    ("weeks_ago", "highlighted"), [(1, False), (4, True), (6, True), (8, True), (10, False)]
)
def test_the_first_conversation_is_always_there_and_put_forward_in_weeks_four_to_eight(
    stack: AppStack, enrolled: str, weeks_ago: int, highlighted: bool
) -> None:
    _consent_with(stack, enrolled, (_today(stack) - timedelta(weeks=weeks_ago)).isoformat())
    space = _open_space(stack, enrolled)
    guide = _buttons(space)["vault.guide_open"]
    assert (guide.get("style") == "primary") is highlighted
    assert ("a good time for a first conversation" in json.dumps(space)) is highlighted

    stack.slack.block_action(enrolled, "vault.guide_open", "open", view=flow.space())
    reading = stack.fake.last_modal(enrolled)
    assert reading is not None and "whenever you are ready" in json.dumps(reading)


def test_the_first_conversation_is_not_offered_with_partner_questions_left_out(
    stack: AppStack, enrolled: str
) -> None:
    _consent_with(stack, enrolled, None)
    _leave_partner_questions_out(stack, enrolled, _today(stack) - timedelta(weeks=5))
    space = _open_space(stack, enrolled)
    assert "vault.guide_open" not in _buttons(space)
    assert "first conversation" not in json.dumps(space)
    before = len(stack.fake.calls_for("views.push", user=enrolled))
    stack.slack.block_action(enrolled, "vault.guide_open", "open", view=flow.space())  # a forged click
    assert len(stack.fake.calls_for("views.push", user=enrolled)) == before


# -- 4. what to expect, at first use -------------------------------------------------------


def _has_expectations(view: dict[str, Any]) -> bool:
    return any(block.get("block_id") == "expectations" for block in view["blocks"])


def test_what_to_expect_is_shown_at_first_use_and_stays_in_look_back(stack: AppStack, enrolled: str) -> None:
    _, answer = _consent_with(stack, enrolled, None)
    assert answer.json is not None and _has_expectations(answer.json["view"])
    assert not _has_expectations(_open_space(stack, enrolled))  # once, not every time

    assert _has_expectations(flow.open_checkin(stack, enrolled))  # the first check-in
    flow.check_in(stack, enrolled, "a quiet week")
    assert not _has_expectations(flow.open_checkin(stack, enrolled))
    assert _has_expectations(flow.look_back(stack, enrolled))


# -- 5. the quarterly rhythm, and past reviews ------------------------------------------------


def _write_review(stack: AppStack, user: str, words: str) -> None:
    stack.slack.block_action(user, "vault.review_open", "open", view=flow.space())
    review = stack.fake.last_modal(user)
    assert review is not None and review["callback_id"] == "vault.reflection"
    answers = {
        block["block_id"]: {"value": {"type": "plain_text_input", "value": f"{words} ({block['block_id']})"}}
        for block in review["blocks"]
        if block.get("type") == "input"
    }
    saved = stack.slack.view_submission(user, "vault.reflection", answers, view_id=review["id"])
    assert saved.json is not None and saved.json["response_action"] == "update", saved.body


def _past_reviews(stack: AppStack, user: str) -> dict[str, Any]:
    stack.slack.block_action(user, "vault.reviews_open", "open", view=flow.space())
    call = stack.fake.calls_for("views.push", user=user)[-1]
    assert call["ok"], call
    return dict(call["params"]["view"])


def test_the_quarterly_review_is_put_forward_every_13_weeks_and_past_ones_can_be_read(
    stack: AppStack, enrolled: str
) -> None:
    _consent_with(stack, enrolled, None)
    space = _open_space(stack, enrolled)
    review = _buttons(space)["vault.review_open"]
    assert review.get("style") is None and "About three months" not in json.dumps(space)
    assert "vault.reviews_open" not in _buttons(space)  # nothing to read yet

    _advance(stack, timedelta(weeks=13))
    due = _open_space(stack, enrolled)
    assert _buttons(due)["vault.review_open"].get("style") == "primary"
    assert "About three months" in json.dumps(due)

    _write_review(stack, enrolled, "first <b>&</b>")
    done = _open_space(stack, enrolled)
    assert _buttons(done)["vault.review_open"].get("style") is None
    assert "vault.reviews_open" in _buttons(done)

    _advance(stack, timedelta(weeks=13))
    assert _buttons(_open_space(stack, enrolled))["vault.review_open"].get("style") == "primary"
    _write_review(stack, enrolled, "second")
    reading = json.dumps(_past_reviews(stack, enrolled))
    assert reading.index("second (felt_good)") < reading.index("first &lt;b&gt;")  # newest first
    assert "first &lt;b&gt;&amp;&lt;/b&gt; (felt_good)" in reading and "<b>" not in reading
    assert "What felt heavy?" in reading


def test_a_milestone_answer_is_read_back_with_its_name_among_past_reflections(
    stack: AppStack, enrolled: str
) -> None:
    _consent_with(stack, enrolled, (_today(stack) - timedelta(weeks=6, days=1)).isoformat())
    assert "vault.reviews_open" not in _buttons(_open_space(stack, enrolled))  # nothing to read yet
    modal = _milestone_modal(stack, enrolled, "6_weeks")
    saved = stack.slack.view_submission(
        enrolled,
        "vault.reflection",
        {"answer": {"value": {"type": "plain_text_input", "value": "slowly <better> & kinder"}}},
        view_id=modal["id"],
    )
    assert saved.json is not None and saved.json["response_action"] == "update", saved.body

    assert "vault.reviews_open" in _buttons(_open_space(stack, enrolled))
    reading = json.dumps(_past_reviews(stack, enrolled))
    assert "*A moment to reflect: Six weeks on, " in reading
    assert "slowly &lt;better&gt; &amp; kinder" in reading and "<better>" not in reading
    answers = vault_package.vault_for(stack.services).reflections(TEAM, enrolled, "milestone")
    assert [answer["milestone"] for answer in answers] == ["6_weeks"]


def test_the_weekly_reminder_words_do_not_change_when_a_review_is_due(stack: AppStack, enrolled: str) -> None:
    from hr_plugin.vault.content import reminder_text

    _consent_with(stack, enrolled, None)
    flow.set_reminder(stack, enrolled, 0, "09:00")
    _advance(stack, timedelta(weeks=13))
    for _ in range(24 * 8):
        stack.ticks.run_due()
        _advance(stack, timedelta(hours=1))
    stack.settle()
    sent = [c["params"]["text"] for c in stack.fake.calls_for("chat.postMessage", user=enrolled) if c["ok"]]
    ours = [text for text in sent if "reflection" in text.lower() or "review" in text.lower()]
    assert ours and set(ours) == {reminder_text()}


def test_many_past_reviews_fit_one_modal_newest_first(stack: AppStack, enrolled: str) -> None:
    _consent_with(stack, enrolled, None)
    vault = vault_package.vault_for(stack.services)
    long = "x&" * 990
    for n in range(120):
        vault.save_reflection(
            TEAM, enrolled, "review", {"felt_good": f"review {n:03d} {long}", "felt_heavy": long}
        )
        _advance(stack, timedelta(days=1))
    view = _past_reviews(stack, enrolled)  # the fake Slack checks every limit
    assert len(view["blocks"]) <= 100
    text = json.dumps(view)
    assert "review 119" in text and "review 000" not in text
    assert text.index("review 119") < text.index("review 118")
    assert "Older reflections are in your export." in text


# -- 6. up to three micro-experiments a week, never reminded ---------------------------------


def _experiment_values(
    plans: list[tuple[str, int | None, str | None]], rating: str = "neutral"
) -> dict[str, Any]:
    values = flow.checkin_values("a week", rating)
    for index, (text, day, at) in enumerate(plans):
        suffix = "" if index == 0 else f"_{index + 1}"
        values[f"own_experiment{suffix}"] = {"value": {"type": "plain_text_input", "value": text}}
        if day is not None:
            values[f"experiment_day{suffix}"] = {"value": {"selected_option": {"value": str(day)}}}
        if at is not None:
            values[f"experiment_time{suffix}"] = {"value": {"selected_time": at}}
    return values


def _submit_checkin(stack: AppStack, user: str, values: dict[str, Any]) -> SignedResponse:
    modal = flow.open_checkin(stack, user)
    return stack.slack.view_submission(user, flow.CHECKIN, values, view_id=modal["id"])


def _row_counts(stack: AppStack) -> dict[str, int]:
    from sqlalchemy import func, select

    from hr_plugin.db import unit_of_work
    from hr_plugin.models import Base

    with unit_of_work(stack.factory) as session:
        return {
            table.name: int(session.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
            if table.name not in ("vault_records", "vault_nonces", "audit_log", "processed_events")
        }


def _outbox(stack: AppStack) -> list[tuple[str, str]]:
    from sqlalchemy import select

    from hr_plugin.db import unit_of_work
    from hr_plugin.models import OutboxMessage

    with unit_of_work(stack.factory) as session:
        return [
            (row.idempotency_key, json.dumps(row.payload)) for row in session.scalars(select(OutboxMessage))
        ]


PLANS: list[tuple[str, int | None, str | None]] = [
    ("a walk <together> & back", 1, "19:00"),
    ("ten quiet minutes", None, "07:30"),
    ("an early night", 4, None),
]


def test_three_experiments_with_day_and_time_are_sealed_followed_up_and_never_reminded(
    stack: AppStack, enrolled: str
) -> None:
    from hr_plugin.vault.content import reminder_text

    _consent_with(stack, enrolled, None)
    flow.check_in(stack, enrolled, "settling in")  # the first check-in, so counts below are steady
    before = _row_counts(stack)
    saved = _submit_checkin(stack, enrolled, _experiment_values(PLANS))
    assert saved.json is not None and saved.json["response_action"] == "update", saved.body

    vault = vault_package.vault_for(stack.services)
    latest = vault.entries(TEAM, enrolled)[-1]
    assert latest["experiments"] == [
        {"text": "a walk <together> & back", "day": 1, "time": "19:00"},
        {"text": "ten quiet minutes", "day": None, "time": "07:30"},
        {"text": "an early night", "day": 4, "time": None},
    ]
    # Nothing is scheduled or queued for them: no row anywhere but the sealed entry, and a week
    # of ticks (with no reminder chosen) sends nothing at all.
    assert _row_counts(stack) == before
    for _ in range(24 * 8):
        stack.ticks.run_due()
        _advance(stack, timedelta(hours=1))
    stack.settle()
    sent = json.dumps([c["params"] for c in stack.fake.calls if c["method"] == "chat.postMessage"])
    assert reminder_text() not in sent and not any(plan[0] in sent for plan in PLANS)
    assert not any("together" in text or "vault" in key for key, text in _outbox(stack))

    modal = flow.open_checkin(stack, enrolled)  # the next week looks back on each one
    text = json.dumps(modal)
    assert "a walk &lt;together&gt; &amp; back (Tuesday 19:00)" in text
    assert "ten quiet minutes (07:30)" in text and "an early night (Friday)" in text
    ids = [block.get("block_id") for block in modal["blocks"] if block.get("block_id")]
    assert len(ids) == len(set(ids)) and len(modal["blocks"]) <= 100
    assert {"follow_up", "follow_up_2", "follow_up_3", "follow_up_note_3"} <= set(ids)

    values = _experiment_values([])
    values["follow_up"] = {"value": {"selected_option": {"value": "tried"}}}
    values["follow_up_note_2"] = {"value": {"type": "plain_text_input", "value": "mornings are hard"}}
    values["follow_up_3"] = {"value": {"selected_option": {"value": "not_tried"}}}
    answered = stack.slack.view_submission(enrolled, flow.CHECKIN, values, view_id=modal["id"])
    assert answered.json is not None and answered.json["response_action"] == "update", answered.body
    assert vault.entries(TEAM, enrolled)[-1]["follow_ups"] == [
        {"index": 0, "experiment": "a walk <together> & back", "outcome": "tried", "note": ""},
        {"index": 1, "experiment": "ten quiet minutes", "outcome": None, "note": "mornings are hard"},
        {"index": 2, "experiment": "an early night", "outcome": "not_tried", "note": ""},
    ]

    looked = json.dumps(flow.look_back(stack, enrolled))
    assert "a walk &lt;together&gt; &amp; back (Tuesday 19:00): _Tried it_" in looked
    assert "ten quiet minutes (07:30)" in looked and "an early night (Friday): _Didn't get to it_" in looked

    exported = vault.export(TEAM, enrolled)
    planned = [p["text"] for entry in exported["checkins"] for p in entry["experiments"]]
    assert planned == [p[0] for p in PLANS]
    from hr_plugin.vault.export_page import export_document

    page = export_document(exported).decode()
    assert "a walk &lt;together&gt; &amp; back (Tuesday 19:00)" in page and "mornings are hard" in page


def test_a_day_without_an_experiment_or_a_bad_time_is_an_inline_error(stack: AppStack, enrolled: str) -> None:
    _consent_with(stack, enrolled, None)
    values = _experiment_values([("fine", None, None), ("", 2, None)])
    refused = _submit_checkin(stack, enrolled, values)
    assert refused.json is not None and refused.json["response_action"] == "errors", refused.body
    assert set(refused.json["errors"]) == {"own_experiment_2"}

    values = _experiment_values([("fine", None, None), ("also fine", None, None), ("third", 3, "25:99")])
    refused = _submit_checkin(stack, enrolled, values)
    assert refused.json is not None and set(refused.json["errors"]) == {"experiment_time_3"}
    assert vault_package.vault_for(stack.services).entries(TEAM, enrolled) == []


def test_an_entry_saved_with_one_experiment_string_is_read_as_a_list(stack: AppStack, enrolled: str) -> None:
    from hr_plugin.db import unit_of_work

    _consent_with(stack, enrolled, None)
    vault = vault_package.vault_for(stack.services)
    from hr_plugin.vault.signals import iso_week

    last_week = iso_week(_today(stack) - timedelta(weeks=1))
    with unit_of_work(stack.factory) as session:  # as the app stored it before #18
        owner = vault.owner(session, TEAM, enrolled)
        old = {
            "week": last_week,
            "saved_at": "2026-11-16T10:00:00+00:00",
            "restorative": "",
            "demand": "",
            "vulnerability": "",
            "rating": "neutral",
            "experiment": "one old experiment",
            "follow_up": "partly",
            "follow_up_note": "an old note",
            "from_reminder": False,
        }
        vault._write(session, owner, "checkin", old)
        session.commit()

    entry = vault.entries(TEAM, enrolled)[0]
    assert entry["experiments"] == [{"text": "one old experiment", "day": None, "time": None}]
    assert entry["follow_ups"] == [{"experiment": None, "outcome": "partly", "note": "an old note"}]
    assert "experiment" not in entry and "follow_up" not in entry
    assert vault.export(TEAM, enrolled)["checkins"][0]["experiments"][0]["text"] == "one old experiment"
    modal = flow.open_checkin(stack, enrolled)
    assert "one old experiment" in json.dumps(modal)
    assert "one old experiment" in json.dumps(flow.look_back(stack, enrolled))


# -- 7. closeness outside the plan -----------------------------------------------------------


def test_closeness_outside_the_plan_is_asked_sealed_and_shown_as_a_good_sign_only_when_true(
    stack: AppStack, enrolled: str
) -> None:
    _consent_with(stack, enrolled, None)
    modal = flow.open_checkin(stack, enrolled)
    question = next(block for block in modal["blocks"] if block.get("block_id") == "closeness_outside")
    assert question["optional"] is True
    assert [o["value"] for o in question["element"]["options"]] == ["yes", "no", "rather_not_say"]

    values = flow.checkin_values("a week", "neutral")
    values["closeness_outside"] = {"value": {"selected_option": {"value": "rather_not_say"}}}
    _submit_checkin(stack, enrolled, values)
    assert vault_package.vault_for(stack.services).entries(TEAM, enrolled)[-1]["closeness_outside"] == (
        "rather_not_say"
    )
    assert "Outside the plan" not in json.dumps(_open_space(stack, enrolled))

    values["closeness_outside"] = {"value": {"selected_option": {"value": "yes"}}}
    _submit_checkin(stack, enrolled, values)
    assert "*Outside the plan*" in json.dumps(_open_space(stack, enrolled))

    _advance(stack, timedelta(weeks=1))  # last week's answer still speaks this week
    assert "*Outside the plan*" in json.dumps(_open_space(stack, enrolled))
    _advance(stack, timedelta(weeks=1))
    assert "Outside the plan" not in json.dumps(_open_space(stack, enrolled))


def test_closeness_outside_the_plan_is_not_shown_beside_two_hard_weeks(
    stack: AppStack, enrolled: str
) -> None:
    _consent_with(stack, enrolled, None)
    _submit_checkin(stack, enrolled, flow.checkin_values("hard", NONE_GOOD))
    _advance(stack, timedelta(weeks=1))
    values = flow.checkin_values("hard again", NONE_GOOD)
    values["closeness_outside"] = {"value": {"selected_option": {"value": "yes"}}}
    _submit_checkin(stack, enrolled, values)
    space = json.dumps(_open_space(stack, enrolled))
    assert "*Two hard weeks*" in space and "Outside the plan" not in space
