"""The longer track through signed requests: an explicit opt-in, every tool saved and read back
by its owner, any step opened at any time, the week from the sealed start date under the
clock, one save per screen, the help HR set up (and only that), the export, and the canary
typed into every free-text field reaching nobody but its owner."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from hr_plugin import vault as vault_package
from hr_plugin.db import unit_of_work
from hr_plugin.models import HelpResource
from hr_plugin.testing.stack import AppStack
from tests.e2e import vault_flows as flow
from tests.e2e.conftest import TEAM

CANARY = "CANARY-9d2e"
TRACK_OPEN, TRACK, TRACK_LIST = "vault.track_open", "vault.track", "vault.track_list"

# Every free-text field of every tool, by tool.
TEXT = {
    "goals": ("my_problem", "my_outcome", "their_problem", "their_outcome"),
    "rules": ("pause_phrase", "return_phrase", "red_lines"),
    "ask": ("when", "felt", "ask"),
    "touch": ("green", "yellow", "red"),
    "ritual": ("what", "when"),
}


@pytest.fixture
def enrolled(stack: AppStack, org: dict[str, str]) -> str:
    flow.enrol(stack, "UPARENT")
    flow.consent(stack, "UPARENT")
    return "UPARENT"


def _typed(value: str) -> dict[str, Any]:
    return {"value": {"type": "plain_text_input", "value": value}}


def _picked(value: str) -> dict[str, Any]:
    return {"value": {"type": "static_select", "selected_option": {"value": value}}}


def _list_view() -> dict[str, Any]:
    return {"type": "modal", "id": "VTRACK", "callback_id": TRACK_LIST, "private_metadata": ""}


def start(stack: AppStack, user: str) -> dict[str, Any]:
    """Click "A longer track" in the space and opt in; returns the track's list the app showed."""
    stack.slack.block_action(user, TRACK_OPEN, "open", view=flow.space())
    modal = stack.fake.last_modal(user)
    assert modal is not None and modal["callback_id"] == TRACK, modal
    assert "Start the track" in json.dumps(modal)
    answer = stack.slack.view_submission(user, TRACK, {}, view_id=modal["id"])
    assert answer.json is not None and answer.json["response_action"] == "update", answer.body
    shown = dict(answer.json["view"])
    assert shown["callback_id"] == TRACK_LIST
    return shown


def open_step(stack: AppStack, user: str, step: str) -> dict[str, Any]:
    stack.slack.block_action(user, f"vault.track_step.{step}", step, view=_list_view())
    call = stack.fake.calls_for("views.push", user=user)[-1]
    assert call["ok"], call
    modal = stack.fake.last_modal(user)
    assert modal is not None
    return modal


def values_for(step: str, words: str) -> dict[str, Any]:
    values: dict[str, Any] = {name: _typed(f"{words} {name}") for name in TEXT.get(step, ())}
    if step == "household":
        values |= {f"task_{n}": _typed(f"{words} task {n}") for n in range(12)}
        values |= {f"owner_{n}": _picked("shared" if n % 2 else "me") for n in range(12)}
    if step == "touch":
        values["stage"] = {"value": {"type": "radio_buttons", "selected_option": {"value": "2"}}}
    if step == "tally":
        values |= {"repairs": _picked("2"), "gestures": _picked("3")}
    return values


def save(stack: AppStack, user: str, step: str, words: str) -> dict[str, Any]:
    modal = open_step(stack, user, step)
    assert modal["callback_id"] == TRACK
    answer = stack.slack.view_submission(user, TRACK, values_for(step, words), view_id=modal["id"])
    assert answer.json is not None, answer.body
    return dict(answer.json)


def _list_text(stack: AppStack, user: str) -> str:
    stack.slack.block_action(user, TRACK_OPEN, "open", view=flow.space())
    modal = stack.fake.last_modal(user)
    assert modal is not None and modal["callback_id"] == TRACK_LIST, modal
    return json.dumps(modal)


def test_the_track_is_offered_in_the_space_and_starts_only_on_an_explicit_click(
    stack: AppStack, enrolled: str
) -> None:
    stack.slack.block_action(enrolled, flow.OPEN, "home", view=flow.HOME)
    space = stack.fake.last_modal(enrolled)
    assert space is not None and TRACK_OPEN in json.dumps(space)
    vault = vault_package.vault_for(stack.services)
    stack.slack.block_action(enrolled, TRACK_OPEN, "open", view=flow.space())
    opt_in = stack.fake.last_modal(enrolled)
    assert opt_in is not None and opt_in["callback_id"] == TRACK
    assert vault.track_progress(TEAM, enrolled).active is False  # looking is not starting

    shown = start(stack, enrolled)
    twice = stack.slack.view_submission(enrolled, TRACK, {}, view_id=opt_in["id"])  # the first screen
    again = stack.slack.view_submission(enrolled, TRACK, {}, view_id=opt_in["id"])
    assert twice.json is not None and "Start the track" not in json.dumps(twice.json)
    assert again.json is not None and "expired" in json.dumps(again.json)

    progress = vault.track_progress(TEAM, enrolled)
    assert progress.active and progress.week == 1
    text_shown = json.dumps(shown)
    assert "week 1 of about eight" in text_shown
    for step in ("goals", "rules", "household", "ask", "touch", "ritual", "help", "tally"):
        assert f"vault.track_step.{step}" in text_shown
    assert "vault.review_open" in text_shown and "vault.ritual" in text_shown  # the existing screens
    assert len(shown["blocks"]) <= 100


def test_every_tool_saves_and_shows_what_was_saved_when_opened_again(stack: AppStack, enrolled: str) -> None:
    start(stack, enrolled)
    for step in ("goals", "rules", "household", "ask", "touch", "ritual", "tally"):
        answer = save(stack, enrolled, step, f"{CANARY} {step}")
        assert answer["response_action"] == "update", (step, answer)
        assert "Saved in your private space" in json.dumps(answer["view"])

    for step in ("goals", "rules", "household", "ask", "touch", "ritual"):
        reopened = json.dumps(open_step(stack, enrolled, step))
        assert f"{CANARY} {step}" in reopened, step
    touch = open_step(stack, enrolled, "touch")
    stage = next(b for b in touch["blocks"] if b.get("block_id") == "stage")
    assert stage["element"]["initial_option"]["value"] == "2"
    household = open_step(stack, enrolled, "household")
    owner = next(b for b in household["blocks"] if b.get("block_id") == "owner_1")
    assert owner["element"]["initial_option"]["value"] == "shared"
    assert "You last looked at the list on" in json.dumps(household)
    assert len(household["blocks"]) <= 100
    assert "So far: 2 repairs and 3 warm gestures" in json.dumps(open_step(stack, enrolled, "tally"))

    # Repeating a step: a second ask is kept beside the first; the tally adds up.
    save(stack, enrolled, "ask", f"{CANARY} second")
    save(stack, enrolled, "tally", "")
    asks = json.dumps(open_step(stack, enrolled, "ask"))
    assert f"{CANARY} ask when" in asks and f"{CANARY} second when" in asks
    assert "So far: 4 repairs and 6 warm gestures" in json.dumps(open_step(stack, enrolled, "tally"))
    listed = _list_text(stack, enrolled)
    assert listed.count("you have written something here") == 7


def test_any_step_opens_any_time_and_the_week_follows_the_start_date(stack: AppStack, enrolled: str) -> None:
    clock = stack.services.clock
    start(stack, enrolled)
    # Skipping ahead: the ritual of weeks 5 and 6 saves in week 1.
    assert save(stack, enrolled, "ritual", "Sunday walk")["response_action"] == "update"
    first = _list_text(stack, enrolled)
    assert "week 1 of about eight" in first
    assert '"style": "primary", "value": "goals"' in first or _primary(stack, enrolled) == "goals"

    save(stack, enrolled, "goals", "aims")
    clock.advance(timedelta(days=15))  # type: ignore[attr-defined]
    assert "week 3 of about eight" in _list_text(stack, enrolled)
    assert _primary(stack, enrolled) == "household"
    clock.advance(timedelta(weeks=4))  # type: ignore[attr-defined]
    assert "week 7 of about eight" in _list_text(stack, enrolled)
    assert _primary(stack, enrolled) == "help"
    clock.advance(timedelta(weeks=3))  # type: ignore[attr-defined]
    after = _list_text(stack, enrolled)
    assert "9 weeks ago" in after and _primary(stack, enrolled) == "review"
    # Going back to an earlier step is as open as any other.
    assert save(stack, enrolled, "rules", "pause")["response_action"] == "update"
    # The household list asks for a fresh look a month after it was last saved.
    save(stack, enrolled, "household", "list")
    clock.advance(timedelta(days=31))  # type: ignore[attr-defined]
    assert "a good time to look at it again" in json.dumps(open_step(stack, enrolled, "household"))


def _primary(stack: AppStack, user: str) -> str:
    stack.slack.block_action(user, TRACK_OPEN, "open", view=flow.space())
    modal = stack.fake.last_modal(user)
    assert modal is not None
    primary = [
        b["accessory"]["value"] for b in modal["blocks"] if b.get("accessory", {}).get("style") == "primary"
    ]
    assert len(primary) == 1, primary
    return str(primary[0])


def test_a_screen_saves_once_and_a_too_long_field_is_refused_beside_it(
    stack: AppStack, enrolled: str
) -> None:
    start(stack, enrolled)
    modal = open_step(stack, enrolled, "goals")
    too_long = values_for("goals", "x") | {"my_problem": _typed("y" * 601)}
    refused = stack.slack.view_submission(enrolled, TRACK, too_long, view_id=modal["id"])
    assert refused.json is not None and refused.json["response_action"] == "errors"
    assert set(refused.json["errors"]) == {"my_problem"} and "y" * 20 not in refused.body

    first = stack.slack.view_submission(enrolled, TRACK, values_for("goals", "first"), view_id=modal["id"])
    again = stack.slack.view_submission(enrolled, TRACK, values_for("goals", "again"), view_id=modal["id"])
    assert first.json is not None and "Saved" in json.dumps(first.json)
    assert again.json is not None and "expired" in json.dumps(again.json)
    goals = vault_package.vault_for(stack.services).track_progress(TEAM, enrolled).parts["goals"]
    assert goals["my_problem"] == "first my_problem"

    # Another purpose's token, or someone else's, saves nothing here.
    tally = open_step(stack, enrolled, "tally")
    forged = stack.slack.view_submission(
        enrolled,
        TRACK,
        values_for("goals", "forged"),
        private_metadata="track-goals" + tally["private_metadata"][11:],
    )
    assert forged.json is not None and "expired" in json.dumps(forged.json)
    other = stack.slack.view_submission("UPEER", TRACK, values_for("tally", ""), view_id=tally["id"])
    assert other.json is not None and "expired" in json.dumps(other.json)


def test_leaving_the_track_stops_the_weeks_and_keeps_what_was_written(stack: AppStack, enrolled: str) -> None:
    start(stack, enrolled)
    save(stack, enrolled, "goals", "kept")
    stack.slack.block_action(enrolled, "vault.track_stop_open", "stop", view=_list_view())
    modal = stack.fake.last_modal(enrolled)
    assert modal is not None and modal["callback_id"] == TRACK
    left = stack.slack.view_submission(enrolled, TRACK, {}, view_id=modal["id"])
    assert left.json is not None and left.json["response_action"] == "update"

    progress = vault_package.vault_for(stack.services).track_progress(TEAM, enrolled)
    assert progress.active is False and progress.parts["goals"]["my_problem"] == "kept my_problem"
    stack.slack.block_action(enrolled, TRACK_OPEN, "open", view=flow.space())
    again = stack.fake.last_modal(enrolled)
    assert again is not None and "Start the track" in json.dumps(again)  # starting again is one click


def test_without_partner_questions_the_track_is_not_offered(stack: AppStack, enrolled: str) -> None:
    stack.slack.block_action(enrolled, "vault.profile_open", "open", view=flow.space())
    profile = stack.fake.last_modal(enrolled)
    assert profile is not None
    stack.slack.view_submission(
        enrolled,
        "vault.profile",
        {"partner_questions": {"value": {"type": "radio_buttons", "selected_option": {"value": "no"}}}},
        view_id=profile["id"],
    )
    stack.slack.block_action(enrolled, flow.OPEN, "home", view=flow.HOME)
    space = stack.fake.last_modal(enrolled)
    assert space is not None and space["callback_id"] == "vault.space"
    assert TRACK_OPEN not in json.dumps(space)

    pushes = len(stack.fake.calls_for("views.push", user=enrolled))
    stack.slack.block_action(enrolled, TRACK_OPEN, "open", view=flow.space())  # an old screen's button
    stack.slack.block_action(enrolled, "vault.track_step.touch", "touch", view=_list_view())
    assert len(stack.fake.calls_for("views.push", user=enrolled)) == pushes


def test_feeling_stuck_names_counselling_only_when_hr_set_it_up(stack: AppStack, enrolled: str) -> None:
    start(stack, enrolled)
    plain = json.dumps(open_step(stack, enrolled, "help"))
    assert "doctor or local health service" in plain
    assert "sessions" not in plain and "ask HR" not in plain and "counselling" not in plain.lower()
    assert "999" in plain or "emergency" in plain.lower()  # the footer's fallback

    with unit_of_work(stack.factory) as session:
        session.add(
            HelpResource(
                tenant_id=TEAM,
                country="GB",
                kind="counselling",
                name="Couples EAP",
                description="Free and confidential",
                url="https://example.com/eap",
                sessions=6,
            )
        )
        session.commit()
    offered = json.dumps(open_step(stack, enrolled, "help"))
    assert "Couples EAP" in offered and "6" in offered


def _everything(stack: AppStack, user: str) -> None:
    """Type the canary into every free-text field of the track, and open every screen."""
    start(stack, user)
    for step in ("goals", "rules", "household", "ask", "touch", "ritual", "tally"):
        save(stack, user, step, f"{CANARY}:{user}")
        open_step(stack, user, step)
    save(stack, user, "goals", f"{CANARY}:{user}" * 50)  # refused: too long
    open_step(stack, user, "help")
    _list_text(stack, user)
    stack.slack.block_action(user, flow.EXPORT, "open", view=flow.space())
    stack.slack.app_home_opened(user)
    stack.settle()


def test_the_canary_reaches_its_owner_only(
    stack: AppStack, enrolled: str, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")
    _everything(stack, enrolled)
    for other in ("UPEER", "ULEAD", "UHR", "UBOSS"):
        stack.slack.app_home_opened(other)
        stack.slack.block_action(other, TRACK_OPEN, "open", view=flow.space())
        stack.slack.block_action(other, "vault.track_step.goals", "goals", view=_list_view())
        stack.slack.block_action(other, flow.EXPORT, "open", view=flow.space())
    stack.settle()
    stack.ticks.context.drainer.drain(max_seconds=5)

    seen = [call for call in stack.fake.calls if CANARY in json.dumps(call)]
    assert seen, "the owner must see their own words, or this test proves nothing"
    for call in seen:
        assert call["audience"] == [enrolled], call["method"]
        assert call["method"] in ("views.push", "views.open", "views.update", "ack"), call["method"]
    for record in caplog.records:
        rendered = record.getMessage() + (
            logging.Formatter().formatException(record.exc_info) if record.exc_info else ""
        )
        assert CANARY not in rendered, f"{record.name}: {rendered[:200]}"
    # Nothing in any table in plaintext (the outbox and the scheduler's jobs included), nor in
    # the database files.
    if database_url.startswith("sqlite:///"):
        main = Path(database_url.removeprefix("sqlite:///"))
        for path in main.parent.iterdir():
            if path.name.startswith(main.stem):
                assert CANARY.encode() not in path.read_bytes(), path.name
    with stack.services.engine.connect() as connection:
        query = (
            "SELECT name FROM sqlite_master WHERE type='table'"
            if database_url.startswith("sqlite")
            else "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        )
        tables = [name for (name,) in connection.execute(text(query))]
        assert "outbox_messages" in tables or any("outbox" in t for t in tables)
        for table in tables:
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                assert CANARY.encode() not in repr(tuple(row)).encode(), table
                assert not any(
                    isinstance(v, bytes | memoryview) and CANARY.encode() in bytes(v) for v in row
                ), table
            if table == "vault_records":
                kinds = {k for (k,) in connection.execute(text("SELECT DISTINCT kind FROM vault_records"))}
                assert "track" in kinds and not kinds & {"goals", "touch", "household", "tally"}


def test_the_owners_export_carries_the_track(stack: AppStack, enrolled: str) -> None:
    import urllib.request

    start(stack, enrolled)
    for step in ("goals", "household", "ask", "touch", "tally"):
        save(stack, enrolled, step, CANARY)
    exported = vault_package.vault_for(stack.services).export(TEAM, enrolled)
    parts = {record["part"] for record in exported["track"]}
    assert parts == {"state", "goals", "household", "ask", "touch", "tally"}
    assert any(record.get("when") == f"{CANARY} when" for record in exported["track"])

    stack.services.settings.public_url = stack.server.url
    stack.slack.block_action(enrolled, flow.EXPORT, "open", view=flow.space())
    export_view = stack.fake.calls_for("views.push", user=enrolled)[-1]["params"]["view"]
    link = json.dumps(export_view).split("<", 1)[1].split("|", 1)[0]
    with urllib.request.urlopen(urllib.request.Request(link, data=b"download=yes"), timeout=5) as response:
        downloaded = response.read()
    assert any(r.get("my_problem") == f"{CANARY} my_problem" for r in flow.exported_data(downloaded)["track"])
    assert b"<h2>The longer track</h2>" in downloaded
    assert f"my problem: {CANARY} my_problem".encode() in downloaded
    assert f"{CANARY} task 0 (me)".encode() in downloaded
