"""No silent failure: when Slack refuses to show a view, the person who asked learns it
(``hr_plugin.slack.failures``), through signed requests into the real app and the fake Slack."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from hr_plugin.clock import SystemClock
from hr_plugin.db import make_engine, make_session_factory, unit_of_work, upgrade
from hr_plugin.directory import find_by_email
from hr_plugin.enrolment import accept
from hr_plugin.enrolment.contact import contact_hold_until
from hr_plugin.models import OutboxMessage
from hr_plugin.slack.failures import KEY_PREFIX, NOTICE, PUBLISH_RETRIES, notices_for
from hr_plugin.slack.views.home import APPOINT_ADMIN_ACTION, WORKING_HOURS_ACTION
from hr_plugin.testing.fake_slack import FakeSlack
from hr_plugin.testing.processes import serving
from hr_plugin.testing.signed_client import SlackRequestClient
from hr_plugin.testing.stack import AppStack
from tests.e2e import vault_flows as flow
from tests.e2e.conftest import TEAM
from tests.waiting import wait_for

# What a notice must never say: which surface failed (a DM can be exported by workspace owners).
SURFACE_WORDS = re.compile(
    r"private|space|check-?in|vault|mentor|huddle|plan|modal|home|working hours|settings|leave",
    re.IGNORECASE,
)


def _expire_next_trigger(fake: FakeSlack, method: str = "views.open") -> None:
    """Slack's answer to a trigger id that expired before the app exchanged it."""
    fake.fail_next(method, status=200, error="expired_trigger_id")


def _notices(stack: AppStack) -> list[OutboxMessage]:
    with unit_of_work(stack.factory) as session:
        return list(
            session.scalars(select(OutboxMessage).where(OutboxMessage.idempotency_key.startswith(KEY_PREFIX)))
        )


def _dm_texts(stack: AppStack, user: str) -> list[str]:
    return [str(call["params"].get("text")) for call in stack.fake.calls_for("chat.postMessage", user=user)]


def _ephemerals(stack: AppStack, user: str) -> list[dict[str, Any]]:
    return [dict(call["params"]) for call in stack.fake.calls_for("response_url", user=user)]


def test_the_notice_names_no_surface() -> None:
    assert not SURFACE_WORDS.search(NOTICE)
    assert "Return to Work" in NOTICE and "try again" in NOTICE


def test_an_expired_trigger_for_a_slash_command_is_told_in_an_ephemeral_reply(
    stack: AppStack, org: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    flow.enrol(stack, "UPARENT")
    _expire_next_trigger(stack.fake)

    with caplog.at_level(logging.INFO, logger="hr_plugin.slack"):
        assert stack.slack.slash_command("UPARENT", "/rtw", "checkin").status == 200

    [refused] = stack.fake.calls_for("views.open")
    assert not refused["ok"]
    [reply] = _ephemerals(stack, "UPARENT")
    assert reply == {"text": NOTICE, "response_type": "ephemeral", "replace_original": False}
    assert _notices(stack) == [], "told where the person is: no DM as well"
    # The log keeps Slack's code and ids, nothing of the view that did not open.
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "expired_trigger_id" in logged
    assert not re.search(r"private|check-in|consent", logged, re.IGNORECASE)


def test_an_expired_trigger_for_a_home_button_is_told_in_a_dm_even_during_leave(
    stack: AppStack, org: dict[str, str]
) -> None:
    """A button on the App Home has no response_url; the person is on leave and asked not to be
    contacted, so unsolicited messages wait, but this answers their own click."""
    accept(
        stack.factory,
        stack.services.clock,
        stack.services.enrolment_hooks,
        tenant_id=TEAM,
        user_id="UPARENT",
        contact_during_leave=False,
        leave_out_family=False,
    )
    with unit_of_work(stack.factory) as session:
        parent = find_by_email(session, TEAM, "parent@example.com")
        assert parent is not None
        assert contact_hold_until(session, TEAM, parent, stack.services.clock.now()) is not None
    _expire_next_trigger(stack.fake)

    assert stack.slack.block_action("UPARENT", flow.OPEN, "home", view=flow.HOME).status == 200

    [refused] = stack.fake.calls_for("views.open")
    assert not refused["ok"]
    assert _ephemerals(stack, "UPARENT") == []
    [notice] = _notices(stack)
    trigger = refused["params"]["trigger_id"]
    assert notice.idempotency_key == f"{KEY_PREFIX}:{TEAM}:UPARENT:views.open:{trigger}"
    assert notice.solicited and notice.recipient_user_id == "UPARENT"

    stack.ticks.run("outbox-drain")

    [dm] = [
        call
        for call in stack.fake.calls_for("chat.postMessage", user="UPARENT")
        if call["params"]["text"] == NOTICE
    ]
    assert dm["ok"] and dm["audience"] == ["UPARENT"]
    assert not SURFACE_WORDS.search(json.dumps(dm["params"]))


def test_a_modal_from_the_home_that_slack_refuses_is_told_in_a_dm(
    stack: AppStack, org: dict[str, str]
) -> None:
    assert stack.slack.app_home_opened("UPEER").status == 200
    view = stack.fake.home_view("UPEER")
    assert view is not None
    stack.fake.fail_next("views.open", status=200, error="invalid_arguments")

    assert stack.slack.block_action("UPEER", WORKING_HOURS_ACTION, "open", view=view).status == 200

    [refused] = stack.fake.calls_for("views.open")
    [notice] = _notices(stack)
    assert notice.idempotency_key.endswith(":views.open:" + refused["params"]["trigger_id"])
    stack.ticks.run("outbox-drain")
    stack.ticks.run("outbox-drain")
    assert _dm_texts(stack, "UPEER") == [NOTICE]


def test_a_rate_limited_home_publish_is_published_after_retry_after(
    stack: AppStack, org: dict[str, str]
) -> None:
    stack.fake.fail_next("views.publish", status=429, error="ratelimited")

    assert stack.slack.app_home_opened("UPEER").status == 200

    assert [call["status"] for call in stack.fake.calls_for("views.publish")] == [429]
    assert stack.fake.home_view("UPEER") is None
    assert notices_for(stack.services).retries.waiting() == 1, "waiting for Retry-After (1 s)"
    wait_for(lambda: stack.fake.home_view("UPEER") is not None, 10, "the Home, published again")
    assert [call["status"] for call in stack.fake.calls_for("views.publish")] == [429, 200]
    assert _notices(stack) == [] and _dm_texts(stack, "UPEER") == []


def test_a_newer_publish_replaces_the_retry_waiting(stack: AppStack, org: dict[str, str]) -> None:
    retries = notices_for(stack.services).retries
    # Slack asks for 30 s: the second opening comes well before the retry could (with 1 s, a
    # loaded machine let the retry fire first, and the test raced it).
    stack.fake.fail_next("views.publish", status=429, error="ratelimited", retry_after=30)
    assert stack.slack.app_home_opened("UPEER").status == 200
    assert retries.waiting() == 1

    assert stack.slack.app_home_opened("UPEER").status == 200  # opened again: published at once

    assert retries.waiting() == 0
    assert [call["status"] for call in stack.fake.calls_for("views.publish")] == [429, 200]
    assert stack.fake.home_view("UPEER") is not None


def test_a_publish_still_rate_limited_after_its_retries_is_told(stack: AppStack, org: dict[str, str]) -> None:
    stack.fake.fail_next("views.publish", status=429, error="ratelimited", count=1 + PUBLISH_RETRIES)

    assert stack.slack.app_home_opened("UPEER").status == 200

    wait_for(lambda: _notices(stack), 15, "the notice, once the retries ran out")
    statuses = [call["status"] for call in stack.fake.calls_for("views.publish")]
    assert statuses == [429] * (1 + PUBLISH_RETRIES)
    assert notices_for(stack.services).retries.waiting() == 0
    stack.ticks.run("outbox-drain")
    assert _dm_texts(stack, "UPEER") == [NOTICE]


def test_another_refusal_of_a_publish_is_told_at_once(stack: AppStack, org: dict[str, str]) -> None:
    stack.fake.fail_next("views.publish", status=200, error="invalid_blocks")

    assert stack.slack.app_home_opened("UPEER").status == 200

    assert notices_for(stack.services).retries.waiting() == 0
    [notice] = _notices(stack)
    assert ":views.publish:" in notice.idempotency_key


# -- under ``hr-plugin serve`` (gunicorn, the work after the answer on the worker's pool) -----

TOKEN = "xoxb-fake-token"


@pytest.fixture
def served(database_url: str, tmp_path: Path) -> Iterator[tuple[SlackRequestClient, FakeSlack]]:
    upgrade(make_engine(database_url))
    with FakeSlack(clock=SystemClock(), bot_tokens=[TOKEN]) as fake:
        fake.add_user("UONE", name="one", real_name="One", email="one@example.com", is_admin=True)
        with serving(
            database_url=database_url,
            slack_api_url=fake.base_url,
            bot_token=TOKEN,
            folder=tmp_path,
            web_workers="1",
        ) as app:
            yield SlackRequestClient(f"{app.base}/slack/events", app.secret, fake), fake


def test_under_serve_a_failed_view_is_told_too(
    served: tuple[SlackRequestClient, FakeSlack], database_url: str
) -> None:
    client, fake = served
    _expire_next_trigger(fake)
    # A workspace admin's "appoint HR" button, clicked in a message (which has a response_url)
    # and then on the App Home (which has none).
    assert client.block_action("UONE", APPOINT_ADMIN_ACTION, "open").status == 200
    wait_for(lambda: fake.calls_for("response_url"), 10, "the ephemeral notice")
    assert [call["params"]["text"] for call in fake.calls_for("response_url")] == [NOTICE]

    _expire_next_trigger(fake)
    home = {"type": "home", "blocks": []}
    assert client.block_action("UONE", APPOINT_ADMIN_ACTION, "open", view=home).status == 200  # a DM

    factory = make_session_factory(make_engine(database_url))

    def queued() -> list[str]:
        with unit_of_work(factory) as session:
            return list(
                session.scalars(
                    select(OutboxMessage.idempotency_key).where(
                        OutboxMessage.idempotency_key.startswith(KEY_PREFIX)
                    )
                )
            )

    wait_for(queued, 10, "the DM notice in the outbox")
    [key] = queued()
    assert key.startswith(f"{KEY_PREFIX}:T0DEMO:UONE:views.open:")
    assert [call["ok"] for call in fake.calls_for("views.open")] == [False, False]
