"""A click that opens a modal, with the reads or the save before it slower than the trigger
lives: a loading view goes up with the trigger in time, and the modal replaces it
(``hr_plugin.slack.triggers``). Slack (the fake too) lets a trigger open a view only within
3 wall seconds of the click; here the work before the modal takes 3.2 s."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from sqlalchemy import select

from hr_plugin.db import unit_of_work
from hr_plugin.models import OutboxMessage
from hr_plugin.slack.failures import NOTICE
from hr_plugin.slack.triggers import LOADING, NOTHING
from hr_plugin.slack.views.home import APPOINT_ADMIN_ACTION, WORKING_HOURS_ACTION
from hr_plugin.slack.views.modals import WORKING_HOURS_CALLBACK
from hr_plugin.testing.stack import AppStack
from tests.e2e import vault_flows as flow
from tests.reliability.conftest import AppErrors

SLOW_SECONDS = 3.2


def _slowly(real: Any) -> Any:
    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(SLOW_SECONDS)
        return real(*args, **kwargs)

    return slow


def _shown(call: dict[str, Any]) -> str:
    return json.dumps(call["params"]["view"], ensure_ascii=False)


def _told_notice(stack: AppStack, user: str) -> bool:
    """Whether the person was told a view did not load (a DM through the outbox)."""
    with unit_of_work(stack.factory) as session:
        rows = session.scalars(select(OutboxMessage).where(OutboxMessage.recipient_user_id == user))
        return any(NOTICE in json.dumps(row.payload) for row in rows)


def test_a_slow_read_before_a_modal_shows_loading_then_the_modal(
    stack: AppStack, org: dict[str, str], monkeypatch: pytest.MonkeyPatch, app_errors: AppErrors
) -> None:
    from hr_plugin.slack.listeners import settings

    monkeypatch.setattr(settings, "working_hours", _slowly(settings.working_hours))
    stack.slack.block_action("UPEER", WORKING_HOURS_ACTION, "open", view=flow.HOME)
    stack.settle()

    [opened] = stack.fake.calls_for("views.open")
    assert opened["ok"] and LOADING in _shown(opened)
    modal = stack.fake.last_modal("UPEER")
    assert modal is not None and modal["callback_id"] == WORKING_HOURS_CALLBACK, "the modal replaced it"
    assert [call["ok"] for call in stack.fake.calls_for("views.update")] == [True]
    assert not _told_notice(stack, "UPEER")
    app_errors.assert_none()


def test_a_slow_click_that_ends_up_showing_nothing_says_so_in_the_loading_view(
    stack: AppStack, org: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from hr_plugin.slack.listeners import admins

    monkeypatch.setattr(admins, "is_hr_admin_user", _slowly(admins.is_hr_admin_user))
    stack.slack.block_action("UPEER", APPOINT_ADMIN_ACTION, "open", view=flow.HOME)
    stack.settle()

    [opened] = stack.fake.calls_for("views.open")
    assert LOADING in _shown(opened)
    [update] = stack.fake.calls_for("views.update")
    assert update["ok"] and NOTHING in _shown(update)


def test_a_slow_screen_in_the_private_space_pushes_loading_then_the_screen(
    stack: AppStack, org: dict[str, str], monkeypatch: pytest.MonkeyPatch, app_errors: AppErrors
) -> None:
    from hr_plugin.vault import listeners

    flow.enrol(stack, "UPARENT")
    flow.consent(stack, "UPARENT")
    monkeypatch.setattr(listeners, "_screen", _slowly(listeners._screen))
    stack.slack.block_action("UPARENT", flow.LOOK_BACK, "open", view=flow.space())
    stack.settle()

    pushed = stack.fake.calls_for("views.push")
    assert [call["ok"] for call in pushed] == [True] and LOADING in _shown(pushed[0])
    update = stack.fake.calls_for("views.update")[-1]
    assert update["ok"] and "Your recent weeks" in _shown(update), update["params"]
    assert not _told_notice(stack, "UPARENT")
    app_errors.assert_none()
