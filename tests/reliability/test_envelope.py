"""The door check (``hr_plugin.slack.envelope``) against Slack's documented payload shapes.

A check that refused a real payload would be an outage of that surface, so every shape Slack
documents for the surfaces the app uses (and a few it may grow into) must pass; the broken
shapes the fuzz tests found must not.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any
from urllib.parse import urlencode

import pytest
from slack_bolt.request import BoltRequest

from hr_plugin.slack import envelope
from hr_plugin.slack.envelope import Refused, at_the_door, envelope_problem
from hr_plugin.testing.signed_client import sign_request

SECRET = "door-secret"

USER = {"id": "U0123ABCD", "username": "pat", "name": "pat", "team_id": "T0123ABCD"}
TEAM = {"id": "T0123ABCD", "domain": "demo"}
STATE = {
    "values": {
        "text": {"value": {"type": "plain_text_input", "value": "words"}},
        "empty": {"value": {"type": "plain_text_input", "value": None}},
        "number": {"value": {"type": "number_input", "value": "3"}},
        "pick": {"value": {"type": "static_select", "selected_option": {"text": {}, "value": "a"}}},
        "none": {"value": {"type": "static_select", "selected_option": None}},
        "boxes": {"value": {"type": "checkboxes", "selected_options": [{"value": "x"}]}},
        "who": {"value": {"type": "users_select", "selected_user": "U0123ABCD"}},
        "whom": {"value": {"type": "multi_users_select", "selected_users": ["U1", "W2"]}},
        "day": {"value": {"type": "datepicker", "selected_date": "2026-12-07"}},
        "time": {"value": {"type": "timepicker", "selected_time": "09:30"}},
        "when": {"value": {"type": "datetimepicker", "selected_date_time": 1_700_000_000}},
        "where": {"value": {"type": "conversations_select", "selected_conversation": "C0123"}},
        "rich": {"value": {"type": "rich_text_input", "rich_text_value": {"type": "rich_text"}}},
        "file": {"value": {"type": "file_input", "files": [{"id": "F1"}]}},
    }
}
HOME_VIEW: dict[str, Any] = {
    "id": "V0123",
    "team_id": "T0123ABCD",
    "type": "home",
    "blocks": [{"type": "section", "block_id": "b", "text": {"type": "mrkdwn", "text": "hi"}}],
    "private_metadata": "",
    "callback_id": "",
    "state": {"values": {}},
    "hash": "1.abc",
    "root_view_id": "V0123",
    "previous_view_id": None,
}


def _interactive(payload: dict[str, Any]) -> tuple[bytes, str]:
    return urlencode({"payload": json.dumps(payload)}).encode(), "application/x-www-form-urlencoded"


def _json(envelope: Any) -> tuple[bytes, str]:
    return json.dumps(envelope).encode(), "application/json"


GENUINE: dict[str, tuple[bytes, str]] = {
    "slash command": (
        urlencode(
            {
                "token": "t",
                "team_id": "T0123ABCD",
                "team_domain": "demo",
                "enterprise_id": "E0123",
                "channel_id": "D0123",
                "user_id": "U0123ABCD",
                "command": "/rtw",
                "text": "help me",
                "response_url": "https://hooks.slack.com/commands/1/2/3",
                "trigger_id": "1.2.3",
                "api_app_id": "A1",
                "is_enterprise_install": "false",
            }
        ).encode(),
        "application/x-www-form-urlencoded",
    ),
    "button on the App Home": _interactive(
        {
            "type": "block_actions",
            "user": USER,
            "team": TEAM,
            "enterprise": None,
            "api_app_id": "A1",
            "container": {"type": "view", "view_id": "V0123"},
            "trigger_id": "1.2.3",
            "view": HOME_VIEW,
            "actions": [
                {
                    "type": "button",
                    "action_id": "enrolment.join_open",
                    "block_id": "b",
                    "text": {"type": "plain_text", "text": "Join"},
                    "value": "home",
                    "action_ts": "1700000000.000100",
                }
            ],
        }
    ),
    "select in a message, org-wide install": _interactive(
        {
            "type": "block_actions",
            "user": {"id": "W0123ABCD", "team_id": "T0123ABCD"},
            "team": None,
            "enterprise": {"id": "E0123", "name": "Grid"},
            "is_enterprise_install": True,
            "channel": {"id": "C0123", "name": "general"},
            "message": {"type": "message", "ts": "1.2", "text": "hi"},
            "container": {"type": "message", "message_ts": "1.2", "channel_id": "C0123"},
            "response_url": "https://hooks.slack.com/actions/1/2/3",
            "trigger_id": "1.2.3",
            "state": {"values": {}},
            "actions": [
                {
                    "type": "overflow",
                    "action_id": "huddles.rate.5",
                    "block_id": "rate",
                    "selected_option": {"text": {"type": "plain_text", "text": "5"}, "value": "1:5"},
                    "action_ts": "1.3",
                },
                {"type": "datepicker", "action_id": "day", "selected_date": "2026-12-07"},
            ],
        }
    ),
    "modal submitted": _interactive(
        {
            "type": "view_submission",
            "user": USER,
            "team": TEAM,
            "api_app_id": "A1",
            "trigger_id": "1.2.3",
            "view": {
                **HOME_VIEW,
                "type": "modal",
                "callback_id": "settings.working_hours",
                "private_metadata": "token",
                "state": STATE,
                "title": {"type": "plain_text", "text": "Hours"},
                "app_installed_team_id": "T0123ABCD",
            },
            "response_urls": [],
        }
    ),
    "modal closed": _interactive(
        {"type": "view_closed", "user": USER, "team": TEAM, "view": {**HOME_VIEW, "type": "modal"}}
    ),
    "global shortcut": _interactive(
        {"type": "shortcut", "user": USER, "team": TEAM, "callback_id": "vault.shortcut", "trigger_id": "1.2"}
    ),
    "app_home_opened": _json(
        {
            "token": "t",
            "team_id": "T0123ABCD",
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": "Ev0123",
            "event_time": 1_700_000_000,
            "event": {
                "type": "app_home_opened",
                "user": "U0123ABCD",
                "channel": "D0123",
                "tab": "home",
                "view": HOME_VIEW,
                "event_ts": "1.2",
            },
            "authorizations": [
                {"enterprise_id": None, "team_id": "T0123ABCD", "user_id": "U0BOT", "is_bot": True}
            ],
            "is_ext_shared_channel": False,
        }
    ),
    "user_change (a user object)": _json(
        {
            "type": "event_callback",
            "team_id": "T0123ABCD",
            "event_id": "Ev0124",
            "event": {"type": "user_change", "user": {"id": "U0123ABCD", "deleted": True}},
        }
    ),
    "tokens_revoked (no user)": _json(
        {
            "type": "event_callback",
            "team_id": "T0123ABCD",
            "event_id": "Ev0125",
            "event": {"type": "tokens_revoked", "tokens": {"bot": ["U0BOT"]}},
        }
    ),
    "url_verification": _json({"token": "t", "challenge": "abc", "type": "url_verification"}),
    "ssl_check": (b"ssl_check=1&token=t", "application/x-www-form-urlencoded"),
}

BROKEN: dict[str, tuple[bytes, str]] = {
    "not UTF-8": (b"\xff\xfe\x00", "application/json"),
    "not JSON": (b"{oops", "application/json"),
    "a JSON array": _json([1, 2]),
    "payload not JSON": (b"payload=%7Boops", "application/x-www-form-urlencoded"),
    "no actions": _interactive({"type": "block_actions", "user": USER, "team": TEAM, "actions": []}),
    "an action without its id": _interactive(
        {"type": "block_actions", "user": USER, "team": TEAM, "actions": [{"value": "1"}]}
    ),
    "a number for a value": _interactive(
        {"type": "block_actions", "user": USER, "team": TEAM, "actions": [{"action_id": "a", "value": 7}]}
    ),
    "a user that is a list": _interactive(
        {"type": "block_actions", "user": [], "team": TEAM, "actions": [{"action_id": "a"}]}
    ),
    "a user id that is not an id": _interactive(
        {"type": "block_actions", "user": {"id": "pat smith"}, "team": TEAM, "actions": [{"action_id": "a"}]}
    ),
    "state values that are not objects": _interactive(
        {
            "type": "view_submission",
            "user": USER,
            "team": TEAM,
            "view": {"callback_id": "x", "state": {"values": {"b": ["not", "an", "object"]}}},
        }
    ),
    "a date that is a number": _interactive(
        {
            "type": "view_submission",
            "user": USER,
            "team": TEAM,
            "view": {"callback_id": "x", "state": {"values": {"b": {"a": {"selected_date": 20261207}}}}},
        }
    ),
    "no team or enterprise": _interactive(
        {"type": "block_actions", "user": {"id": "U0123"}, "actions": [{"action_id": "a"}]}
    ),
    "a view that is null": _json({"type": "block_suggestion", "view": None}),
    "an event that is not an object": _json(
        {"type": "event_callback", "team_id": "T0123ABCD", "event_id": "Ev1", "event": "app_home_opened"}
    ),
}


@pytest.mark.parametrize("name", list(GENUINE))
def test_what_slack_sends_passes(name: str) -> None:
    body, content_type = GENUINE[name]
    assert envelope_problem(body, content_type) is None


@pytest.mark.parametrize("name", list(BROKEN))
def test_broken_payloads_are_refused_and_the_reason_quotes_no_value(name: str) -> None:
    body, content_type = BROKEN[name]
    problem = envelope_problem(body, content_type)
    assert problem is not None
    for value in ("pat smith", "20261207", "oops", "not an object"):
        assert value not in problem


def _headers(body: bytes, content_type: str, *, signed: bool) -> dict[str, str]:
    """As the endpoint reads them from WSGI: lower-case names."""
    stamp = str(int(time.time()))
    signature = sign_request(SECRET if signed else "another secret", stamp, body)
    return {"content-type": content_type, "x-slack-request-timestamp": stamp, "x-slack-signature": signature}


@pytest.mark.parametrize("name", list(GENUINE))
def test_the_door_hands_bolt_what_slack_sends(name: str) -> None:
    body, content_type = GENUINE[name]
    door = at_the_door(body, _headers(body, content_type, signed=True), SECRET)
    assert isinstance(door, BoltRequest)
    assert door.body == envelope.parse_payload(body, content_type)  # the payload as Bolt reads it
    assert door.raw_body == body.decode()  # what Bolt's own signature check reads


@pytest.mark.parametrize("name", list(BROKEN))
def test_the_door_refuses_broken_payloads_401_unsigned_400_signed(
    name: str, caplog: pytest.LogCaptureFixture
) -> None:
    body, content_type = BROKEN[name]
    unsigned = at_the_door(body, _headers(body, content_type, signed=False), SECRET)
    assert unsigned == Refused(401, "invalid request")
    with caplog.at_level(logging.WARNING, logger=envelope.__name__):
        refused = at_the_door(body, _headers(body, content_type, signed=True), SECRET)
    assert refused == Refused(400, "malformed request")
    assert "refused a signed request that is not a Slack payload" in caplog.text
    for value in ("pat smith", "20261207", "oops", "not an object"):
        assert value not in caplog.text
