"""Signed requests into the real app: help, signatures, retries, health."""

from __future__ import annotations

import time
import urllib.request

from sqlalchemy import func, select

from hr_plugin.db import unit_of_work
from hr_plugin.models import AuditEntry, OutboxMessage, ProcessedEvent, Tenant
from hr_plugin.testing.stack import AppStack
from tests.waiting import wait_for


def _row_counts(stack: AppStack) -> dict[str, int]:
    with unit_of_work(stack.factory) as session:
        return {
            model.__tablename__: int(session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (ProcessedEvent, OutboxMessage, AuditEntry, Tenant)
        }


def test_signed_rtw_help_is_answered_to_the_person_only(stack: AppStack, org: dict[str, str]) -> None:
    result = stack.slack.slash_command("UPARENT", "/rtw", "help")

    assert result.status == 200
    body = result.json
    assert body is not None
    texts = " ".join(block.get("text", {}).get("text", "") for block in body["blocks"])
    assert "/rtw help" in texts
    acks = stack.fake.calls_for("ack")
    assert [call["audience"] for call in acks] == [["UPARENT"]]


def test_unknown_subcommand_says_so_and_shows_help(stack: AppStack, org: dict[str, str]) -> None:
    result = stack.slack.slash_command("UPARENT", "/rtw", "frobnicate now")

    assert result.json is not None
    first = result.json["blocks"][0]["text"]["text"]
    assert "frobnicate" in first


def test_bad_signature_gets_401_and_leaves_no_trace(stack: AppStack, org: dict[str, str]) -> None:
    before = _row_counts(stack)

    forged = stack.slack.app_home_opened("UPARENT", signature="v0=" + "0" * 64)
    forged_command = stack.slack.slash_command("UPARENT", "/rtw", "help", signature="v0=deadbeef")

    assert forged.status == 401
    assert forged_command.status == 401
    assert _row_counts(stack) == before
    assert stack.fake.calls == []


def test_stale_timestamp_gets_401_and_leaves_no_trace(stack: AppStack, org: dict[str, str]) -> None:
    before = _row_counts(stack)
    six_minutes_ago = int(time.time()) - 6 * 60

    result = stack.slack.app_home_opened("UPARENT", timestamp=six_minutes_ago)

    assert result.status == 401
    assert _row_counts(stack) == before
    assert stack.fake.calls == []


def test_an_event_delivered_four_times_has_one_effect(stack: AppStack, org: dict[str, str]) -> None:
    statuses = [
        stack.slack.app_home_opened(
            "UPARENT",
            event_id="Ev0SAME",
            retry_num=attempt or None,
            retry_reason="http_timeout" if attempt else None,
        ).status
        for attempt in range(4)
    ]

    assert statuses == [200, 200, 200, 200]
    wait_for(lambda: len(stack.fake.calls_for("views.publish")) >= 1)
    time.sleep(0.3)  # give a wrongly repeated lazy listener the time to show itself
    assert len(stack.fake.calls_for("views.publish")) == 1
    with unit_of_work(stack.factory) as session:
        assert session.scalar(select(func.count()).select_from(ProcessedEvent)) == 1


def test_health_and_readiness(stack: AppStack) -> None:
    for path, expected in (("/healthz", b"ok"), ("/readyz", b"ready")):
        with urllib.request.urlopen(stack.server.url + path, timeout=5) as response:
            assert response.status == 200
            assert response.read() == expected
