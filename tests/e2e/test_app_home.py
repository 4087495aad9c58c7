"""Each role's App Home, published to that person only; the settings and admin flows behind it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from hr_plugin.db import unit_of_work
from hr_plugin.models import AuditEntry, Employee, HrAdmin, OutboxMessage
from hr_plugin.slack.views.home import APPOINT_ADMIN_ACTION, WORKING_HOURS_ACTION
from hr_plugin.slack.views.modals import (
    APPOINT_ADMIN_CALLBACK,
    APPOINTEE_ACTION,
    APPOINTEE_BLOCK,
    DAYS_BLOCK,
    END_BLOCK,
    START_BLOCK,
    WORKING_HOURS_CALLBACK,
)
from hr_plugin.slack_clients import make_client
from hr_plugin.testing.stack import BOT_TOKEN, AppStack
from tests.waiting import wait_for


def _open_home(stack: AppStack, user_id: str) -> dict[str, Any]:
    published_before = len(stack.fake.calls_for("views.publish", user=user_id))
    assert stack.slack.app_home_opened(user_id).status == 200
    wait_for(lambda: len(stack.fake.calls_for("views.publish", user=user_id)) > published_before)
    call = stack.fake.calls_for("views.publish", user=user_id)[-1]
    assert call["ok"], call
    return dict(call["params"])


def _home_text(params: dict[str, Any]) -> str:
    return json.dumps(params["view"])


def _appoint(stack: AppStack, actor: str, appointee: str) -> Any:
    return stack.slack.view_submission(
        actor,
        APPOINT_ADMIN_CALLBACK,
        {APPOINTEE_BLOCK: {APPOINTEE_ACTION: {"type": "users_select", "selected_user": appointee}}},
    )


@pytest.mark.parametrize(
    ("user_id", "present", "absent"),
    [
        (
            "UPARENT",
            ["Your return", "expected back Mon 07 Dec 2026"],
            ["Your team", "Program administration"],
        ),
        ("ULEAD", ["Your team", "2 people report to you"], ["Your return", "Program administration"]),
        ("UPEER", ["no part in the return-to-work program"], ["Your team", "Your return"]),
    ],
)
def test_each_role_sees_its_own_home_and_only_they_see_it(
    stack: AppStack, org: dict[str, str], user_id: str, present: list[str], absent: list[str]
) -> None:
    params = _open_home(stack, user_id)

    text = _home_text(params)
    for phrase in present:
        assert phrase in text
    for phrase in absent:
        assert phrase not in text
    assert params["user_id"] == user_id
    assert all(call["audience"] == [user_id] for call in stack.fake.calls_for("views.publish"))


def test_a_stranger_gets_an_honest_home(stack: AppStack, org: dict[str, str]) -> None:
    stack.fake.add_user("UNEW", name="new", real_name="New Person", email="new@example.com")

    text = _home_text(_open_home(stack, "UNEW"))

    assert "not in the program's directory yet" in text
    assert "Appoint an HR admin" not in text


def test_workspace_owner_appoints_the_first_hr_admin_who_then_sees_the_hr_home(
    stack: AppStack, org: dict[str, str]
) -> None:
    owner_home = _open_home(stack, "UBOSS")
    assert "Appoint an HR admin" in _home_text(owner_home)

    stack.slack.block_action(
        "UBOSS", APPOINT_ADMIN_ACTION, "open", block_id="admins", view=owner_home["view"]
    )
    opened = stack.fake.calls_for("views.open")
    assert [call["audience"] for call in opened] == [["UBOSS"]]

    result = _appoint(stack, "UBOSS", "UHR")

    assert result.status == 200
    assert result.json is None or "errors" not in (result.json or {})
    hr_text = _home_text(_open_home(stack, "UHR"))
    assert "Program administration" in hr_text
    assert "Directory: 5 people" in hr_text
    with unit_of_work(stack.factory) as session:
        assert (
            session.scalar(select(AuditEntry.actor).where(AuditEntry.action == "admins.appointed")) == "UBOSS"
        )
        notice = session.scalars(
            select(OutboxMessage).where(OutboxMessage.idempotency_key.startswith("admin-appointed:"))
        ).one()
        assert notice.recipient_user_id == "UHR"


def test_a_plain_member_cannot_appoint_admins(stack: AppStack, org: dict[str, str]) -> None:
    result = _appoint(stack, "UPEER", "UPEER")

    assert result.json is not None
    assert result.json["response_action"] == "errors"
    assert "Only an HR admin or a workspace admin" in result.json["errors"][APPOINTEE_BLOCK]
    with unit_of_work(stack.factory) as session:
        assert session.scalars(select(HrAdmin)).all() == []


def test_hr_admin_appoints_another(stack: AppStack, org: dict[str, str]) -> None:
    _appoint(stack, "UBOSS", "UHR")
    result = _appoint(stack, "UHR", "ULEAD")

    assert result.status == 200
    with unit_of_work(stack.factory) as session:
        assert len(session.scalars(select(HrAdmin)).all()) == 2


def test_working_hours_are_validated_inline_and_saved(stack: AppStack, org: dict[str, str]) -> None:
    home = _open_home(stack, "UPEER")
    stack.slack.block_action("UPEER", WORKING_HOURS_ACTION, "open", view=home["view"])
    assert stack.fake.calls_for("views.open")[-1]["ok"]

    def submit(days: list[int], start: str, end: str) -> Any:
        return stack.slack.view_submission(
            "UPEER",
            WORKING_HOURS_CALLBACK,
            {
                DAYS_BLOCK: {"value": {"selected_options": [{"value": str(day)} for day in days]}},
                START_BLOCK: {"value": {"selected_time": start}},
                END_BLOCK: {"value": {"selected_time": end}},
            },
        )

    no_days = submit([], "09:00", "17:00")
    backwards = submit([0, 1], "17:00", "09:00")
    saved = submit([1, 2, 3], "10:00", "15:30")

    assert no_days.json == {
        "response_action": "errors",
        "errors": {DAYS_BLOCK: "Pick at least one working day."},
    }
    assert backwards.json is not None and END_BLOCK in backwards.json["errors"]
    assert saved.status == 200 and not saved.json
    with unit_of_work(stack.factory) as session:
        peer = session.scalars(select(Employee).where(Employee.slack_user_id == "UPEER")).one()
        assert (peer.working_days, peer.work_start, peer.work_end) == ("1,2,3", "10:00", "15:30")
    wait_for(
        lambda: (
            "Tue, Wed, Thu, 10:00 to 15:30"
            in _home_text(stack.fake.calls_for("views.publish", user="UPEER")[-1]["params"])
        )
    )


# -- a Home the tab already shows ----------------------------------------------------------------


def _publishes(stack: AppStack, user_id: str) -> int:
    return len(stack.fake.calls_for("views.publish", user=user_id))


def _opened(stack: AppStack, user_id: str) -> None:
    """The person opens the tab; the event carries the view it shows, as Slack's does."""
    assert stack.slack.app_home_opened(user_id).status == 200
    stack.settle()


def _rename(stack: AppStack, user_id: str, name: str) -> None:
    with unit_of_work(stack.factory) as session:
        person = session.scalars(select(Employee).where(Employee.slack_user_id == user_id)).one()
        person.name = name
        session.commit()


def test_a_home_the_tab_already_shows_is_not_published_again(stack: AppStack, org: dict[str, str]) -> None:
    _open_home(stack, "UPEER")
    shown = stack.fake.home_view("UPEER")

    _opened(stack, "UPEER")
    _opened(stack, "UPEER")

    assert _publishes(stack, "UPEER") == 1
    assert stack.fake.home_view("UPEER") == shown


def test_a_home_that_changed_is_published(stack: AppStack, org: dict[str, str]) -> None:
    _open_home(stack, "UPEER")
    _rename(stack, "UPEER", "Pim Renamed")

    params = _open_home(stack, "UPEER")

    assert "Hello Pim Renamed." in _home_text(params)
    assert _publishes(stack, "UPEER") == 2


def test_a_home_published_since_by_another_process_is_published_again(
    stack: AppStack, org: dict[str, str]
) -> None:
    """Another web process published in between: the tab's hash is not this process's."""
    ours = _open_home(stack, "UPEER")
    other = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "elsewhere"}}]}
    assert make_client(BOT_TOKEN, stack.fake.base_url, wait_on_rate_limit=False).views_publish(
        user_id="UPEER", view=other
    )["ok"]

    again = _open_home(stack, "UPEER")

    assert again["view"] == ours["view"]
    assert _publishes(stack, "UPEER") == 3


def test_after_a_failed_publish_the_next_open_publishes(stack: AppStack, org: dict[str, str]) -> None:
    _open_home(stack, "UPEER")
    _rename(stack, "UPEER", "Pim Renamed")
    stack.fake.fail_next("views.publish", status=200, error="internal_error")
    _opened(stack, "UPEER")  # refused: the tab still shows the old Home
    assert "Pim Renamed" not in json.dumps(stack.fake.home_view("UPEER"))

    params = _open_home(stack, "UPEER")

    assert "Hello Pim Renamed." in _home_text(params)
    assert "Pim Renamed" in json.dumps(stack.fake.home_view("UPEER"))
