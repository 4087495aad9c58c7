"""Peer huddles through the real app: planning, the group DM, RSVP, skip, leave, reminders, the
facilitator's notes, ratings and HR's view. Signed requests in, the fake Slack records what each
person saw, the scheduler's ticks on a simulated clock."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import inspect, select

from hr_plugin.admins import appoint_by_email
from hr_plugin.clock import SimulatedClock
from hr_plugin.db import unit_of_work
from hr_plugin.directory import import_directory, parse_directory_csv
from hr_plugin.models import OutboxMessage
from hr_plugin.slack_clients import make_client
from hr_plugin.testing.stack import BOT_TOKEN, AppStack, start_stack
from huddles import messages
from huddles import views as v
from huddles.models import Huddle, HuddleMember, HuddleRating
from mentoring import views as mentor_views
from tests.e2e import vault_flows as flow
from tests.e2e.conftest import TEAM, propose_enrolment

ORG = """email,name,manager_email,department,country,subdivision,timezone,working_days,working_hours
boss@example.com,Bea Boss,,Leadership,GB,,Europe/London,"0,1,2,3,4",09:00-17:00
hr@example.com,Hal Resources,boss@example.com,People,GB,,Europe/London,"0,1,2,3,4",09:00-17:00
lead@example.com,Lee Lead,boss@example.com,Engineering,GB,,Europe/London,"0,1,2,3,4",09:00-17:00
ana@example.com,Ana London,lead@example.com,Engineering,GB,,Europe/London,"0,1,2,3,4",09:00-17:00
ben@example.com,Ben London,lead@example.com,Engineering,GB,,Europe/London,"0,1,2,3,4",09:00-17:00
cem@example.com,Cem Berlin,lead@example.com,Engineering,DE,BE,Europe/Berlin,"0,1,2,3,4",09:00-17:00
dora@example.com,Dora Berlin,boss@example.com,Sales,DE,BE,Europe/Berlin,"0,1,2,3,4",09:00-17:00
eli@example.com,Eli New York,boss@example.com,Sales,US,NY,America/New_York,"0,1,2,3,4",09:00-17:00
fay@example.com,Fay New York,boss@example.com,Sales,US,NY,America/New_York,"0,1,2,3,4",09:00-17:00
gus@example.com,Gus Tokyo,boss@example.com,Sales,JP,,Asia/Tokyo,"0,1,2,3,4",09:00-17:00
mo@example.com,Mo Mentor,boss@example.com,Finance,GB,,Europe/London,"0,1,2,3,4",09:00-17:00
"""
MEMBERS = ("ana", "ben", "cem", "dora", "eli", "fay")


def user(name: str) -> str:
    return f"U{name.upper()}"


@pytest.fixture
def stack(database_url: str, clock: SimulatedClock) -> Iterator[AppStack]:
    with start_stack(database_url, clock) as running:
        yield running


@pytest.fixture
def program(stack: AppStack) -> AppStack:
    """Six returning parents in London, Berlin and New York, one in Tokyo; two facilitators,
    one of whom (Lee) manages three of the parents."""
    for row in csv.DictReader(io.StringIO(ORG)):
        handle = row["email"].split("@")[0]
        stack.fake.add_user(
            user(handle), name=handle, real_name=row["name"], email=row["email"], tz=row["timezone"]
        )
    import_directory(
        stack.factory,
        tenant_id=TEAM,
        rows=parse_directory_csv(ORG),
        slack=make_client(BOT_TOKEN, stack.fake.base_url, wait_on_rate_limit=True),
        clock=stack.services.clock,
        full=True,
        actor="test",
    )
    appoint_by_email(
        stack.factory, stack.services.clock, tenant_id=TEAM, email="hr@example.com", actor="test"
    )
    for name in (*MEMBERS, "gus"):
        propose_enrolment(stack, f"{name}@example.com", date(2026, 3, 2), date(2026, 9, 7))
        flow.enrol(stack, user(name))
    for name in ("lead", "mo"):
        _volunteer(stack, user(name))
    stack.ticks.context.drainer.drain(max_seconds=60)
    stack.fake.reset_calls()
    return stack


def _volunteer(stack: AppStack, who: str) -> None:
    stack.slack.block_action(who, mentor_views.BECOME_ACTION, "open", view=flow.HOME)
    result = stack.slack.view_submission(
        who,
        mentor_views.MENTOR_CALLBACK,
        {
            mentor_views.CONFIRM_BLOCK: {"value": {"selected_options": [{"value": "yes"}]}},
            mentor_views.CAPACITY_BLOCK: {"value": {"selected_option": {"value": "1"}}},
            mentor_views.FACILITATE_BLOCK: {"value": {"selected_options": [{"value": "yes"}]}},
        },
    )
    assert result.status == 200 and not (result.json or {}).get("errors"), result.body


def _plan_and_send(stack: AppStack) -> None:
    stack.ticks.run("huddles-plan")
    stack.ticks.run("huddles-plan")  # a second run (or a second leader) plans nothing more
    _drain_until(stack, stack.services.clock.now() + timedelta(days=1))


def _drain_until(stack: AppStack, moment: datetime) -> None:
    clock = stack.services.clock
    assert isinstance(clock, SimulatedClock)
    while clock.now() < moment:
        stack.ticks.run("huddles-deliver")
        stack.ticks.context.drainer.drain(max_seconds=30)
        clock.advance(timedelta(minutes=5))
    stack.ticks.run("huddles-deliver")
    stack.ticks.context.drainer.drain(max_seconds=30)


def _huddle(stack: AppStack) -> Huddle:
    with unit_of_work(stack.factory) as session:
        huddles = list(session.scalars(select(Huddle).order_by(Huddle.start_utc)))
        assert len(huddles) == 1, huddles
        session.expunge_all()
        return huddles[0]


def _posts(stack: AppStack, text: str) -> list[dict[str, Any]]:
    return [
        c for c in stack.fake.calls_for("chat.postMessage") if c["ok"] and text in c["params"].get("text", "")
    ]


def _group_invitation(stack: AppStack) -> dict[str, Any]:
    invitations = _posts(stack, "You're invited to this month's peer huddle")
    assert len(invitations) == 1, invitations
    return invitations[0]


def test_planning_invites_one_group_once_in_a_group_dm_with_a_calendar_file(program: AppStack) -> None:
    stack = program
    _plan_and_send(stack)
    huddle = _huddle(stack)
    invitation = _group_invitation(stack)
    members = {user(name) for name in MEMBERS}
    # The facilitator is Mo: Lee manages Ana, Ben and Cem, so he is never their facilitator.
    assert set(invitation["audience"]) == members | {user("mo")}
    assert len(invitation["audience"]) <= 8
    text = json.dumps(invitation["params"])
    assert f"<!date^{int(huddle.start_utc.timestamp())}^" in text
    assert "London" in text and "Berlin" in text and "New York" in text
    # The slot is inside everyone's working day: 14:00 to 16:00 UTC in December.
    assert huddle.start_utc.weekday() < 5 and 14 <= huddle.start_utc.hour < 16
    files = [c for c in stack.fake.calls_for("files.completeUploadExternal") if c["ok"]]
    assert len(files) == 1 and set(files[0]["audience"]) == members | {user("mo")}
    for who in members | {user("mo")}:
        (seen,) = stack.fake.files_seen_by(who)
        assert seen["filename"].endswith(".ics") and "BEGIN:VCALENDAR" in seen["content"]
    assert stack.fake.files_seen_by(user("gus")) == []
    # Gus (Tokyo) shares no hour with anyone: told why, privately, and nobody else sees it.
    told = _posts(stack, "We couldn't place you")
    assert [c["audience"] for c in told] == [[user("gus")]]
    assert "Lee" not in json.dumps(stack.fake.messages_seen_by(user("lead")))
    # Their manager learns nothing of it: no message, and nothing about it on his Home tab.
    assert not any(
        "huddle" in json.dumps(call["params"]) for call in stack.fake.messages_seen_by(user("lead"))
    )
    stack.slack.app_home_opened(user("lead"))
    stack.settle()
    lead_home = json.dumps(stack.fake.home_view(user("lead")))
    assert "huddle" not in lead_home.lower()  # he sees his reports' plans, never their huddles


def test_a_member_deactivated_after_planning_leaves_the_rest_of_the_group_their_invitation(
    program: AppStack,
) -> None:
    stack = program
    stack.ticks.run("huddles-plan")
    stack.fake.deactivate(user("fay"))  # after the group was formed; no directory import since

    _drain_until(stack, stack.services.clock.now() + timedelta(days=1))

    invitation = _group_invitation(stack)
    others = {user(name) for name in MEMBERS if name != "fay"} | {user("mo")}
    assert set(invitation["audience"]) == others
    files = [c for c in stack.fake.calls_for("files.completeUploadExternal") if c["ok"]]
    assert len(files) == 1 and set(files[0]["audience"]) == others
    assert stack.fake.messages_seen_by(user("fay")) == [] and stack.fake.files_seen_by(user("fay")) == []
    with unit_of_work(stack.factory) as session:
        failed = session.scalars(
            select(OutboxMessage.idempotency_key).where(OutboxMessage.status == "failed")
        )
        assert list(failed) == []


def test_rsvp_skip_and_leave_through_signed_requests(program: AppStack) -> None:
    stack = program
    _plan_and_send(stack)
    huddle = _huddle(stack)
    channel = _group_invitation(stack)["params"]["channel"]

    def click(who: str, action: str) -> Any:
        return stack.slack.block_action(who, action, str(huddle.id), channel_id=channel)

    click(user("ana"), messages.ATTEND_ACTION)
    click(user("ben"), messages.SKIP_ACTION)
    click(user("cem"), messages.LEAVE_ACTION)
    stack.settle()
    replies = stack.fake.calls_for("response_url")
    assert [(r["audience"], r["params"]["response_type"]) for r in replies] == [
        ([user("ana")], "ephemeral"),
        ([user("ben")], "ephemeral"),
        ([user("cem")], "ephemeral"),
    ]
    with unit_of_work(stack.factory) as session:
        rsvps = {
            member.employee_id: member.rsvp
            for member in session.scalars(select(HuddleMember).where(HuddleMember.huddle_id == huddle.id))
        }
    assert sorted(rsvps.values()) == sorted(
        ["attending", "skipped", "left", "invited", "invited", "invited", "invited"]
    )

    stack.slack.app_home_opened(user("cem"))
    stack.settle()
    home = json.dumps(stack.fake.home_view(user("cem")))
    assert "You've left peer huddles" in home and v.REJOIN_ACTION in home

    # The day before: reminders for everyone but Ben (skipped) and Cem (left); notes for Mo only.
    _drain_until(stack, huddle.start_utc - timedelta(hours=23))
    day = _posts(stack, "Reminder: your peer huddle is")
    assert sorted(c["audience"][0] for c in day) == sorted(user(n) for n in ("ana", "dora", "eli", "fay"))
    notes = [c for c in stack.fake.calls if "This month's prompts" in json.dumps(c["params"])]
    assert [c["audience"] for c in notes] == [[user("mo")]]

    # Ben changes his mind after the day-before round. Ten minutes before, on time, whoever said
    # they are coming is reminded (Ana, Ben) and the facilitator; the others had the day's note.
    click(user("ben"), messages.ATTEND_ACTION)
    _drain_until(stack, huddle.start_utc)
    soon = _posts(stack, "starts in 10 minutes")
    assert sorted(c["audience"][0] for c in soon) == sorted(user(n) for n in ("ana", "ben", "mo"))
    for call in soon:
        sent = datetime.fromisoformat(call["at"])
        assert huddle.start_utc - timedelta(minutes=10) <= sent < huddle.start_utc
    # Nothing was sent twice.
    with unit_of_work(stack.factory) as session:
        keys = list(
            session.scalars(select(OutboxMessage.idempotency_key).where(OutboxMessage.status == "sent"))
        )
    assert len(keys) == len(set(keys))
    sent_messages = [c for c in stack.fake.calls_for("chat.postMessage") if c["ok"]]
    assert len(sent_messages) == len({(tuple(c["audience"]), c["params"]["text"]) for c in sent_messages})


def test_ratings_are_kept_without_who_gave_them_and_hr_sees_totals_only(program: AppStack) -> None:
    stack = program
    _plan_and_send(stack)
    huddle = _huddle(stack)
    _drain_until(stack, huddle.start_utc + timedelta(minutes=40))
    asks = _posts(stack, "How was this month's peer huddle?")
    assert sorted(c["audience"][0] for c in asks) == sorted(user(n) for n in MEMBERS)

    for name, score in (("ana", 5), ("ben", 4), ("cem", 4)):
        result = stack.slack.block_action(
            user(name), f"{messages.RATE_ACTION}.{score}", f"{huddle.id}:{score}"
        )
        assert result.status == 200
    stack.slack.block_action(user("dora"), messages.MISSED_ACTION, f"{huddle.id}:0")
    again = stack.slack.block_action(user("ana"), f"{messages.RATE_ACTION}.1", f"{huddle.id}:1")
    assert again.status == 200
    replies = stack.fake.calls_for("response_url")
    assert all("5" not in r["params"]["text"] and "4" not in r["params"]["text"] for r in replies)
    assert "already answered" in replies[-1]["params"]["text"]

    with unit_of_work(stack.factory) as session:
        scores = sorted(session.scalars(select(HuddleRating.score)))
        columns = {column["name"] for column in inspect(session.get_bind()).get_columns("huddle_ratings")}
    assert scores == [4, 4, 5]
    assert columns == {"id", "tenant_id", "huddle_id", "score"}  # nothing that names or times the rater

    stack.slack.app_home_opened(user("hr"))
    stack.settle()
    home = json.dumps(stack.fake.home_view(user("hr")))
    assert "Peer huddles" in home
    assert "fewer than the anonymity minimum" in home  # 3 ratings: below 5, so not shown
    for name in ("Ana London", "Ben London", "Cem Berlin", "Dora Berlin", "Eli New York", "Mo Mentor"):
        assert name not in home


def test_hr_settings_show_inline_errors_and_the_schedule_has_no_names(program: AppStack) -> None:
    stack = program
    hr = user("hr")
    stack.slack.block_action(hr, v.SETTINGS_ACTION, "open", view=flow.HOME)
    modal = stack.fake.last_modal(hr)
    assert modal is not None and modal["callback_id"] == v.SETTINGS_CALLBACK

    def submit(min_size: str, max_size: str, link: str = "") -> Any:
        return stack.slack.view_submission(
            hr,
            v.SETTINGS_CALLBACK,
            {
                v.ENABLED_BLOCK: {"value": {"selected_options": [{"value": "on"}]}},
                v.EVERY_BLOCK: {"value": {"selected_option": {"value": "1"}}},
                v.WEEK_BLOCK: {"value": {"selected_option": {"value": "2"}}},
                v.AVOID_BLOCK: {"value": {"selected_options": [{"value": "4"}]}},
                v.MIN_BLOCK: {"value": {"value": min_size}},
                v.MAX_BLOCK: {"value": {"value": max_size}},
                v.ELIGIBLE_BLOCK: {"value": {"value": "9"}},
                v.LINK_BLOCK: {"value": {"value": link}},
            },
        )

    refused = submit("6", "5")
    assert refused.json is not None and v.MAX_BLOCK in refused.json["errors"]
    refused = submit("4", "7", "meet.example.com/x")
    assert refused.json is not None and v.LINK_BLOCK in refused.json["errors"]
    assert submit("4", "7", "https://meet.example.com/huddle").status == 200

    clock = stack.services.clock
    assert isinstance(clock, SimulatedClock)
    clock.advance(timedelta(days=1))  # planning for the 2nd week (8 to 14 December) opens on the 24th
    _plan_and_send(stack)
    huddle = _huddle(stack)
    # The 2nd week of December, never a Friday; the video link reaches the invitation.
    assert 8 <= huddle.start_utc.day <= 14 and huddle.start_utc.weekday() != 4
    assert "https://meet.example.com/huddle" in json.dumps(_group_invitation(stack)["params"])
    stack.slack.app_home_opened(hr)
    stack.settle()
    home = json.dumps(stack.fake.home_view(hr))
    assert f"{huddle.start_utc:%a %d %b %H:%M} UTC: 6 people, facilitated" in home
    assert "Ana London" not in home and "Mo Mentor" not in home


def test_the_next_month_keeps_the_group_without_the_leaver_and_opens_a_new_group_dm(
    program: AppStack,
) -> None:
    stack = program
    _plan_and_send(stack)
    first = _huddle(stack)
    channel = _group_invitation(stack)["params"]["channel"]
    stack.slack.block_action(user("cem"), messages.LEAVE_ACTION, str(first.id), channel_id=channel)
    stack.settle()
    clock = stack.services.clock
    assert isinstance(clock, SimulatedClock)
    clock.set(datetime(2026, 12, 21, 10, 0, tzinfo=first.start_utc.tzinfo))  # a Monday
    stack.fake.reset_calls()
    _plan_and_send(stack)
    with unit_of_work(stack.factory) as session:
        january = session.scalars(select(Huddle).where(Huddle.month == "2027-01")).one()
        assert january.series == first.series  # the same group, carried on
    invitation = _group_invitation(stack)
    assert set(invitation["audience"]) == {user(n) for n in MEMBERS if n != "cem"} | {user("mo")}
    assert invitation["params"]["channel"] != channel  # a different set of people: a new group DM
